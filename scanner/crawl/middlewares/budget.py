"""A source's time budget bounds its downloads too, not only its new requests.

``CLOSESPIDER_TIMEOUT`` (a source's ``max_minutes``) closes the spider when the
budget is spent, and Scrapy then waits for the downloads in flight, each up to
``DOWNLOAD_TIMEOUT``, and a page that trickles a byte at a time takes all of it.
So no download may outlive the budget: each request's ``download_timeout`` is
cut to the time that is left (with a floor of one second).
"""

from __future__ import annotations

import time

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

FLOOR = 1.0  # seconds: a request made at the last moment still gets a chance


class TimeBudgetMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.budget = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
        if self.budget <= 0:
            raise NotConfigured
        self.timeout = crawler.settings.getfloat("DOWNLOAD_TIMEOUT")
        self.deadline = time.monotonic() + self.budget
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TimeBudgetMiddleware:
        return cls(crawler)

    def spider_opened(self) -> None:
        self.deadline = time.monotonic() + self.budget  # when CLOSESPIDER_TIMEOUT starts

    def process_request(self, request: Request) -> None:
        left = max(FLOOR, self.deadline - time.monotonic())
        if left < request.meta.get("download_timeout", self.timeout):
            request.meta["download_timeout"] = left
