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
import time
from weakref import WeakKeyDictionary

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

FLOOR = 1.0  # seconds: a request made at the last moment still gets a chance
# When each crawler's spider opened (CLOSESPIDER_TIMEOUT counts from then), on the
# monotonic clock: a wall clock set forward would end every wait at once.
_OPENED: WeakKeyDictionary[Crawler, float] = WeakKeyDictionary()


def seconds_left(crawler: Crawler) -> float:
    """What is left of the source's time budget (``inf`` without one); before its
    spider opens, the whole budget."""
    budget = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
    if budget <= 0:
        return math.inf
    opened = _OPENED.get(crawler)
    return budget if opened is None else budget - (time.monotonic() - opened)


class TimeBudgetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if crawler.settings.getfloat("CLOSESPIDER_TIMEOUT") <= 0:
            raise NotConfigured
        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    def spider_opened(self) -> None:
        _OPENED[self.crawler] = time.monotonic()  # when CLOSESPIDER_TIMEOUT starts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TimeBudgetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        left = max(FLOOR, seconds_left(self.crawler))
        if left < request.meta.get("download_timeout", self.timeout):
            request.meta["download_timeout"] = left
