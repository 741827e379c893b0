"""The one item type every spider yields.

Spiders only parse: they fill a ``Mention`` from a page and yield it. Everything
after that (cleaning, company matching, classification, storage) happens in the
item pipelines, which read items through ``itemadapter`` so that a plain ``dict``
with the same keys is accepted too.
"""

from __future__ import annotations

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
