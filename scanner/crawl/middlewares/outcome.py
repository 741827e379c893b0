"""Count every request that finally failed, by kind (``scanner.crawl.failures``).

It sits just below ``RetryMiddleware`` (540 < 550): responses and exceptions
reach it only once retries are given up, so it counts final failures, not
attempts. A non-2xx answer (that no redirect turned into another request) and a
download error (refused, timeout, over the size cap, unsupported scheme...)
are each counted with the URL; ``IgnoreRequest`` is not a failure here (a
robots.txt ban, an off-site link: those are counted where they are decided).
Only a lasting failure (``failures.lasting``: a 404, not a 503) gives the page up.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from scanner.crawl import failures
from scanner.crawl.extension import SourceExtension


def size(limit: int) -> str:
    """4194304 -> "4 MiB"."""
    for unit, factor in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= factor:
            return f"{limit / factor:.3g} {unit}"
    return f"{limit} bytes"


class FailureCountMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.frontier = SourceExtension.of(crawler).frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailureCountMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if 300 <= response.status < 400 and not request.meta.get("scan_robots"):
            # A redirect no RedirectMiddleware followed: no Location, or one to a
            # scheme it does not fetch. The page was not read.
            where = (response.headers.get(b"Location") or b"").decode("latin-1")
            failures.record(self.crawler.stats, "redirect_unusable", response.url, where)
            return response
        if response.status >= 400 and not request.meta.get("scan_robots"):
            # A middleware above may have said why (retry_after: a wait too long).
            kind, detail = request.meta.get("scan_failure") or (f"http_{response.status}", None)
            failures.record(self.crawler.stats, kind, response.url, detail)
            if failures.lasting(kind):
                self.frontier.gave_up(request.meta.get("scan_fp"))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest) or request.meta.get("scan_robots"):
            return
        kind = failures.exception_kind(exception)
        if kind == "too_large":
            detail = size(request.meta.get("download_maxsize", self.maxsize))
        else:
            detail = failures.exception_detail(exception)
        failures.record(self.crawler.stats, kind, request.url, detail)
        if failures.lasting(kind):
            self.frontier.gave_up(request.meta.get("scan_fp"))
