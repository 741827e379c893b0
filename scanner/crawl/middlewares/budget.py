"""A source's time budget bounds its downloads too, not only its new requests.

``CLOSESPIDER_TIMEOUT`` (a source's ``max_minutes``) closes the spider when the
budget is spent, and Scrapy then waits for the downloads in flight, each up to
``DOWNLOAD_TIMEOUT``, and a page that trickles a byte at a time takes all of it.
So no download may outlive the budget: each request's ``download_timeout`` is
cut to the time that is left (with a floor of one second). Nor may a wait at the
host's gate (``scanner.crawl.middlewares.politeness``): a ``Retry-After`` pause or
an AutoThrottle delay that ends after the budget drops the request, which stays
pending for the next run.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

FLOOR = 1.0  # seconds: a request made at the last moment still gets a chance


def seconds_left(crawler: Crawler) -> float:
    """What is left of the source's time budget (``inf`` without one).
    ``CLOSESPIDER_TIMEOUT`` counts from the spider's opening, which Scrapy's core
    stats record as ``start_time``; before it, the whole budget is left."""
    budget = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
    if budget <= 0:
        return math.inf
    started = crawler.stats.get_value("start_time") if crawler.stats else None
    if started is None:
        return budget
    return budget - (datetime.now(UTC) - started).total_seconds()


class TimeBudgetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if crawler.settings.getfloat("CLOSESPIDER_TIMEOUT") <= 0:
            raise NotConfigured
        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TimeBudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        left = max(FLOOR, seconds_left(self.crawler))
        if left < request.meta.get("download_timeout", self.timeout):
            request.meta["download_timeout"] = left
