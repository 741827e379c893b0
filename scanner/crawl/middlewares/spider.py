"""The one spider middleware of scan: off-site links out, the incremental filter, the frontier.

Scrapy wraps every spider-middleware layer around every output in two async
generators, which for several layers cost more per item than their work; so the
jobs run in one layer: a page's output is held back, requests that leave the
source's site are dropped and counted (``scanner.crawl.sites``), the rest is
judged (``scanner.crawl.middlewares.incremental``), and what goes on is what the
frontier records (``scanner.crawl.middlewares.frontier``), so it records only
requests that will be fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from scanner.crawl import failures, pages
from scanner.crawl.extension import SourceExtension
from scanner.crawl.middlewares.incremental import Incremental
from scanner.crawl.spider import LAYOUT_PROBLEM


class ScanSpiderMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        source = SourceExtension.of(crawler)
        self.crawler = crawler
        self.stats = crawler.stats
        self.sites = source.sites
        self.frontier = source.frontier
        self.incremental = Incremental(crawler, source.state, source.sites)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScanSpiderMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        """A spider callback raised: counted, with its page, for the source's health
        (Scrapy logs the traceback). A non-2xx answer is not the spider's doing."""
        if not isinstance(exception, HttpError | IgnoreRequest):
            failures.record(
                self.stats, "spider", response.url, f"{type(exception).__name__}: {exception}"
            )
        self.frontier.page_failed(response)

    def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        return self.frontier.resume(start)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        pages.read(self.crawler, response)  # one page, to the summary, the health and the cap
        frontier = self.frontier
        page = frontier.page(response)
        held: list[Any] = []
        try:
            async for output in result:
                held.append(output)
        except Exception:
            # What the page gave before the error goes on; the page is not done.
            for output in held:
                if not isinstance(output, Request) or self.sites.allows(output):
                    frontier.output(page, output)
                    yield output
            frontier.page_failed(response)
            raise
        for output in self.incremental.filter(response, held):
            frontier.output(page, output)
            yield output
        if response.meta.get(LAYOUT_PROBLEM) and all(isinstance(o, Request) for o in held):
            # Its spider found nothing it could read: not done, so that it is read
            # once the markup (or the rule) is back; it was marked fetched, empty.
            frontier.page_failed(response)
        else:
            frontier.page_end(page)
