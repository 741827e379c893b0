"""Scrapy's HttpCompressionMiddleware, counting the pages it refuses as over the size cap.

A gzip "bomb" (a few KiB that unpack past ``DOWNLOAD_MAXSIZE``) is refused by
Scrapy while it unpacks, with an ``IgnoreRequest`` that no downloader middleware
sees (it is raised from process_response): the source's health showed it as a
quiet day, "silent, no posts found yet". This subclass counts it as a page over
the size cap (``failure/too_large``), as a page over the cap on the wire is.
A body its Content-Encoding does not unpack is counted too (``failure/undecodable``).
A robots.txt, whose transfer has no cap of its own (``scanner.crawl.middlewares.robots``
stops reading it), is held to the usual cap once unpacked.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from scanner.crawl import failures, pages
from scanner.crawl.middlewares.outcome import size


class SizeCappedCompressionMiddleware(HttpCompressionMiddleware):
    def __init__(
        self, stats: StatsCollector | None = None, *, crawler: Crawler | None = None
    ) -> None:
        super().__init__(stats, crawler=crawler)
        self.crawler = crawler
        self.cap = crawler.settings.getint("DOWNLOAD_MAXSIZE") if crawler else 0

    # The spider-less signature of Scrapy 2.14+; Scrapy's own method still accepts
    # the deprecated spider argument, so the override drops a parameter.
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("scan_robots"):
            request.meta["download_maxsize"] = self.cap
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            if not request.meta.get("scan_robots"):
                cap = request.meta.get("download_maxsize", self.cap)
                failures.record(self.stats, "too_large", response.url, f"{size(cap)} unpacked")
                self._refused(request)
            raise
        except Exception as exc:  # noqa: BLE001 - whatever the decoder raises: counted
            # A body that is not what its Content-Encoding says (plain text sent as
            # gzip): raised from here, no downloader middleware had counted it, and
            # the source said "ok" while the page was never read.
            coding = (response.headers.get(b"Content-Encoding") or b"").decode("latin-1")
            detail = f"Content-Encoding {coding or '?'}: {failures.exception_detail(exc)}"
            failures.record(self.stats, "undecodable", response.url, detail)
            self._refused(request)
            raise IgnoreRequest(f"cannot decode {response.url}: {detail}") from exc

    def _refused(self, request: Request) -> None:
        """Say so (``pages.page_refused``): no process_exception will hear of it."""
        if self.crawler is not None:
            pages.refused(self.crawler, request)
