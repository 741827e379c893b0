"""The page cap (``max_pages``, ``CLOSESPIDER_PAGECOUNT``) counts the pages a source reads.

Scrapy's ``CloseSpider`` counts every response its crawler receives, robots.txt
included (``response_received`` fires for the robots.txt our robots middleware
downloads), so a source with ``max_pages = 2`` read one page and stopped "at the
page cap (2 pages)", while the crawl summary and ``scan sources``, which do not
count robots.txt, said one. Whether a source paid for a robots.txt also depended
on whether another source on its host had fetched it first (one per host per
crawl). This subclass counts what the summary calls pages: every response but a
robots.txt. The rest of ``CloseSpider`` (the time budget) is Scrapy's, unchanged.
A distributed crawl counts a source's pages in Redis across its workers instead
(``scanner.crawl.distributed.extension``), by the same rule.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.extensions.closespider import CloseSpider
from scrapy.http import Response


def counts_as_page(request: Request) -> bool:
    """A response to this request is one of the source's pages (robots.txt is not)."""
    return not request.meta.get("scan_robots")


class PageCap(CloseSpider):
    def page_count(self, response: Response, request: Request, spider: Any) -> None:
        if counts_as_page(request):
            super().page_count(response, request, spider)
