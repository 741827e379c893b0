"""The typed row a crawled post becomes on its way to storage, and why a post is dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Why a post is dropped, as counted in ``scan/dropped/<reason>``. "Quiet" reasons
#: are expected (a forum post about something else) and logged at DEBUG only.
REASONS = {
    "removed": True,
    "no-id": False,
    "no-text": False,
    "empty-after-cleaning": False,
    "off-topic": True,
}


class Dropped(Exception):
    """A post that is not stored, and why (``reason`` is a key of :data:`REASONS`)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail

    @property
    def quiet(self) -> bool:
        return REASONS[self.reason]


@dataclass(slots=True)
class Row:
    """One post on its way to the ``mentions`` table: a ``Mention``'s fields, then
    what the stages add. Field order matters: ``Row(*mention_values)`` builds one
    (``tests/crawl/test_writer.py`` holds the two orders together). Not a subclass
    of ``Mention``: a ``Row`` has slots, and its date is ISO text once cleaned."""

    source: str
    external_id: str
    text: str
    url: str | None = None
    author: str | None = None
    title: str | None = None
    rating: float | None = None
    rating_scale: float | None = None
    published_at: datetime | str | None = None  # ISO 8601 text once cleaned
    language: str | None = None
    about_company: bool = False
    removed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    company: str = ""
    is_grievance: bool = False
    categories: list[str] | None = None


def mention_row(source: str, row: Row) -> dict[str, Any]:
    """The ``mentions`` row ``Store.upsert_mentions`` takes for a classified Row of the
    configured source named ``source`` (whatever the spider put in ``row.source``)."""
    return {
        "id": f"{source}:{row.external_id}",
        "company": row.company,
        "source": source,
        "external_id": row.external_id,
        "origin": "crawl",
        "url": row.url,
        "author": row.author,
        "title": row.title,
        "text": row.text,
        "rating": row.rating,
        "rating_scale": row.rating_scale,
        "language": row.language,
        "published_at": row.published_at,
        "is_grievance": row.is_grievance,
        "categories": row.categories,
        "extra": row.extra or None,
    }
