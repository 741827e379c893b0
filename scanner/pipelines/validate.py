"""First stage: refuse items that cannot become a stored post, and say why."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from scanner.items import Mention
from scanner.pipelines import drop
from scanner.text import is_removed_post


class ValidatePipeline:
    """Drops items without text or id, and posts the site shows as removed.

    Returns a plain ``dict`` (the row the later stages fill in), whatever the
    spider yielded.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> dict[str, Any]:
        # vars() of a dataclass is a shallow copy at C speed; other item types
        # go through ItemAdapter.
        row = dict(vars(item)) if type(item) is Mention else ItemAdapter(item).asdict()
        text = row.get("text")
        # The spider's word, or the site's placeholder text itself ("[deleted]",
        # "This review has been removed"): never stored, so never a grievance.
        if row.get("removed") or is_removed_post(text):
            raise drop(self.crawler, "removed", str(row.get("external_id")), quiet=True)
        if row.get("external_id") in (None, ""):
            raise drop(self.crawler, "no-id", str(row.get("url") or ""))
        if not isinstance(text, str) or not text.strip():
            raise drop(self.crawler, "no-text", str(row.get("external_id")))
        row["external_id"] = str(row["external_id"])
        return row
