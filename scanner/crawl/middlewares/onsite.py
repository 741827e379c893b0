"""Refuse every request that leaves the source's site (``scanner.crawl.sites``).

It runs first among the downloader middlewares, so an off-site request costs
nothing, not even the other site's robots.txt; a redirect comes back through it
as a new request, so a 302 to another host or port is refused too. Each refusal
is counted (``failure/offsite``) and named in the source's health. Requests a
spider yields are filtered earlier, by the spider middleware, before the
frontier records them.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from scanner.crawl import failures
from scanner.crawl.extension import SourceExtension

logger = logging.getLogger(__name__)


class OnSiteMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.sites = SourceExtension.of(crawler).sites
        self.frontier = SourceExtension.of(crawler).frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OnSiteMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        # robots.txt may redirect to another host (RFC 9309 2.3.1.2): it is only read.
        if not self.sites.allows(request) and not request.meta.get("scan_robots"):
            refuse(self.stats, request.url)
            # A backlog page of the source's old site (its url moved): given up,
            # not refused again every night.
            self.frontier.gave_up(request.meta.get("scan_fp"))
            raise IgnoreRequest(f"off-site: {request.url}")


def refuse(stats: object, url: str) -> None:
    failures.record(stats, "offsite", url)
    logger.info("refused off-site request %s", url)
