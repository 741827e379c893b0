"""The one item type every spider yields.

Spiders only parse: they fill a ``Mention`` from a page and yield it. Everything
after that (cleaning, company matching, classification, storage) happens in the
item pipeline and the stages it hands items to, which read items through
``itemadapter`` so that a plain ``dict`` with the same keys is accepted too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Mention:
    """One public post (review, complaint, comment, feed entry) as a site shows it.

    ``source`` is the name of the configured source (``[[sources]] name``), not the
    spider: two sources may run the same spider against different sites.
    ``external_id`` is the site's own id for the post; together with ``source`` it
    names the mention forever (``<source>:<external_id>``).
    """

    source: str
    external_id: str
    text: str
    url: str | None = None
    author: str | None = None
    title: str | None = None
    rating: float | None = None
    rating_scale: float | None = None
    published_at: datetime | None = None
    language: str | None = None
    # True when the page is about the company by construction (its review page,
    # its app's reviews): the company-match stage keeps such posts whole.
    about_company: bool = False
    # True for posts the site shows as deleted or removed; never stored.
    removed: bool = False
    # Site-specific facts worth keeping (complaint type, status, business reply).
    extra: dict[str, Any] = field(default_factory=dict)


def fallback_id(text: object, author: object = None) -> str:
    """The id of a post whose page gives neither an id nor a link of its own.

    Made from what the post says and who said it, so the same post has the same id
    on every run. Never from its date: "2 days ago" parses to a moment that moves
    with every run and reads "3 days ago" tomorrow, and never from the listing page
    it sits on, which changes as newer posts push it down; either would store the
    same post again, night after night. Spacing is normalised, so a page that wraps
    its text differently gives the same id.
    """
    parts = (" ".join(str(part or "").split()) for part in (text, author))
    return "h" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
