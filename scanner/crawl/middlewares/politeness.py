"""Every request waits at its host's gate (``scanner.crawl.hosts``) just before the download.

Last among the downloader middlewares (950, after the HTTP cache), so a request
answered from the cache or refused (robots.txt, off-site) never takes a place at
the gate; its process_response and process_exception are the first to see the
download's outcome, which frees the place and, for AutoThrottle, tells the gate
how long the host took. A source joins the gate of each host it asks, with its
own pace (``SCAN_HOST_DELAY``, ``CONCURRENT_REQUESTS_PER_DOMAIN``, AutoThrottle),
and leaves when its spider closes. The gates are ``SCAN_HOST_GATE``'s: this
process's own, or the ones every crawl worker shares through Redis
(``scanner.crawl.distributed.gate``).
"""

from __future__ import annotations

import math

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from twisted.internet.defer import TimeoutError as WaitedTooLong

from scanner.crawl.hosts import HostGate, Pace
from scanner.crawl.middlewares.budget import FLOOR, seconds_left
from scanner.crawl.middlewares.retry_after import RETRY_AFTER_CODES, host_wait


class HostGateMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.gates: type[HostGate] = load_object(crawler.settings["SCAN_HOST_GATE"])
        self.pace = Pace.from_settings(crawler.settings)
        settings = crawler.settings
        self.retry_after = (
            {
                "backoff": settings.getfloat("RETRY_BACKOFF_BASE"),
                "max_wait": settings.getfloat("RETRY_AFTER_MAX"),
            }
            if settings.getbool("RETRY_ENABLED")
            else None
        )
        self.member = id(crawler)
        self.joined: set[str] = set()
        self.holding: dict[int, HostGate] = {}  # id(request) -> the gate it went through
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGateMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        gate = self.gates.of(host)
        if host not in self.joined:
            self.joined.add(host)
            gate.join(self.member, self.pace)
        waiter = gate.enter()
        if waiter is not None:
            # No wait outlives the source's time budget (a Retry-After of minutes, a
            # long AutoThrottle delay): the closing spider would wait for it. It ends
            # a moment after the budget, so that the spider is closed by its budget
            # (and says so), not idle for want of the requests dropped here.
            left = seconds_left(self.crawler) + FLOOR
            if left < math.inf:
                from twisted.internet import reactor

                waiter.addTimeout(max(0.0, left), reactor)
            try:
                await maybe_deferred_to_future(waiter)
            except WaitedTooLong:
                raise IgnoreRequest(
                    f"{host} may not be asked again before this source's time budget "
                    "ends: left for the next run"
                ) from None
        self.holding[id(request)] = gate

    def process_response(self, request: Request, response: Response) -> Response:
        gate = self.holding.pop(id(request), None)
        if gate is not None:
            if self.retry_after and response.status in RETRY_AFTER_CODES:
                wait = host_wait(request, response, **self.retry_after)
                if wait:  # paused before the place is freed: nothing slips in between
                    gate.pause(wait)
            gate.done()
            if gate.autothrottle and "download_latency" in request.meta:
                gate.latency(request.meta["download_latency"], response.status)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        gate = self.holding.pop(id(request), None)
        if gate is not None:
            gate.done()

    def spider_closed(self) -> None:
        for gate in self.holding.values():  # downloads the closing engine dropped
            gate.done()
        self.holding.clear()
        for host in self.joined:
            self.gates.of(host).leave(self.member)
