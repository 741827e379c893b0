"""The one Scrapy item pipeline of scan: every stage, called in order, in one layer.

Scrapy wraps each pipeline's ``process_item`` in its own awaitable (a few µs a
stage), which for five small stages cost more than their work. So the stages
stay separate modules (``validate``, ``clean``, ``match``, ``classify``,
``store``), each still usable on its own in ``ITEM_PIPELINES``, and this class
runs them as plain calls. It also tells the frontier when an item is through,
whatever its outcome, so that a page is marked fetched once all its posts are
buffered with (or before) that mark (``scanner.middlewares.frontier``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler

from scanner.middlewares.frontier import Frontier
from scanner.pipelines.classify import ClassifyPipeline
from scanner.pipelines.clean import CleanPipeline
from scanner.pipelines.match import CompanyMatchPipeline
from scanner.pipelines.store import StorePipeline
from scanner.pipelines.validate import ValidatePipeline

STAGES = (ValidatePipeline, CleanPipeline, CompanyMatchPipeline, ClassifyPipeline, StorePipeline)


class ScanPipeline:
    """validate → clean → company match → classify → store."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        stages = [stage(crawler) for stage in STAGES]
        self.store: StorePipeline = stages[-1]
        self.stages: list[Callable[[Any], Any]] = [s.process_item for s in stages]
        self.item_done = Frontier.of(crawler).item_done

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScanPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        try:
            row = item
            for stage in self.stages:
                row = stage(row)
            return row
        finally:
            self.item_done(item)

    def close_spider(self) -> None:
        self.store.close_spider()
