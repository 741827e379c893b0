"""Last stage: batched upserts into the store (see ``scanner.crawlstate``).

A row is buffered and committed with up to ``SCAN_BATCH_SIZE - 1`` others in one
transaction (or after ``SCAN_BATCH_SECONDS``), and at close: one transaction per
item would cost 4x the whole crawl (GROUPING-FACTS.md), and a killed crawl loses
only the batches in flight. The commits happen on the source's writer thread
(``scanner.crawlwriter``), off the crawl thread.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from scanner.crawlstate import SourceState
from scanner.errors import StoreError


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        try:
            self.state = SourceState.of(crawler)
        except StoreError as exc:  # no partial writes: the spider does not start
            raise CloseSpider(f"store: {exc}") from exc
        self.source = self.state.source

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, row: dict[str, Any]) -> dict[str, Any]:
        external_id = row["external_id"]
        self.state.add_row({
            "id": f"{self.source}:{external_id}",
            "company": row["company"],
            "source": self.source,
            "external_id": external_id,
            "origin": "crawl",
            "url": row.get("url"),
            "author": row.get("author"),
            "title": row.get("title"),
            "text": row["text"],
            "rating": row.get("rating"),
            "rating_scale": row.get("rating_scale"),
            "language": row.get("language"),
            "published_at": row.get("published_at"),
            "is_grievance": row.get("is_grievance"),
            "categories": row.get("categories"),
            "extra": row.get("extra") or None,
        })  # fmt: skip
        return row

    def close_spider(self) -> None:
        self.state.flush(wait=True)
