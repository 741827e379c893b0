"""The one Scrapy item pipeline of scan: each item to the crawl worker, in batches.

The stages (``scanner.crawl.stages``: validate, clean, match, classify) and the
commit run in the crawl worker process (``scanner.crawl.worker``), off the crawl
thread that is a crawl's bottleneck; this pipeline only turns each item into a
tuple and adds it to its source's batch. It also tells the frontier when an item
is handed over, so that a page is marked fetched in the same batch as its posts
or a later one (``scanner.crawl.middlewares.frontier``).

One consequence: Scrapy's ``item_scraped_count`` (and a feed export, ``scrapy
crawl -o``) sees every item as the spider yielded it: what was *found*. What was
stored and what was dropped, and why, are counted apart under ``scan/``.
"""

from __future__ import annotations

import operator
from dataclasses import fields
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from scanner.crawl.extension import SourceExtension
from scanner.crawl.item import Mention
from scanner.judge.complaints import complaint_rules

#: A Mention's values in field order: what ``Row(*values)`` rebuilds in the worker.
mention_values = operator.attrgetter(*(f.name for f in fields(Mention)))


class ScanPipeline:
    """Gathers items for the worker's validate → clean → match → classify → store."""

    def __init__(self, crawler: Crawler) -> None:
        complaint_rules()  # a broken rule file fails here, at start, not in the worker
        source = SourceExtension.of(crawler)
        self.state = source.state
        self.add = source.state.add
        self.item_done = source.frontier.item_done

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScanPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        try:
            self.add(mention_values(item) if type(item) is Mention else ItemAdapter(item).asdict())
            return item
        finally:
            self.item_done(item)

    def close_spider(self) -> None:
        self.state.flush(wait=True)
