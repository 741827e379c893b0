"""The one Scrapy item pipeline of scan: each item to the crawl worker, in batches.

The stages (``validate``, ``clean``, ``match``, ``classify``, then the row of
``store``) run in the crawl worker process (``scanner.crawlworker``), off the
crawl thread that is a crawl's bottleneck; this pipeline only turns each item
into a tuple and adds it to its source's batch (``SourceState.add``). Items the
worker drops are counted and logged there and folded back into the crawler's
stats (``item_dropped_count``, ``scan/dropped/<reason>``; ``item_scraped_count``
is lowered to match). It also tells the frontier when an item is through, so
that a page is marked fetched in the same batch as its posts or a later one
(``scanner.middlewares.frontier``).

One consequence: ``item_scraped`` (and so a feed export, ``scrapy crawl -o``)
sees every item as the spider yielded it, before cleaning and dropping.
"""

from __future__ import annotations

import operator
from dataclasses import fields
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from scanner.complaints import complaint_rules
from scanner.crawlstate import SourceState
from scanner.errors import StoreError
from scanner.items import Mention
from scanner.middlewares.frontier import Frontier

#: A Mention's values in field order: what ``Mention(*values)`` rebuilds in the worker.
_values = operator.attrgetter(*(f.name for f in fields(Mention)))


class ScanPipeline:
    """Gather items for the worker's validate → clean → company match → classify → store."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        complaint_rules()  # a broken rule file fails here, at start, not in the worker
        try:
            self.state = SourceState.of(crawler)
        except StoreError as exc:  # no partial writes: the spider does not start
            raise CloseSpider(f"store: {exc}") from exc
        self.add = self.state.add
        self.item_done = Frontier.of(crawler).item_done

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScanPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        try:
            self.add(_values(item) if type(item) is Mention else ItemAdapter(item).asdict())
            return item
        finally:
            self.item_done(item)

    def close_spider(self) -> None:
        self.state.flush(wait=True)
