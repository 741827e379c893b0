"""What a page is, counted in one place: the crawl summary's, the health's and the caps'.

A page is a response the spider was given to read. robots.txt (fetched by our
robots middleware, never given to a spider) is not one, nor an error answer
left after retries (a 404, a 500: Scrapy's ``HttpErrorMiddleware`` keeps it from
the spider), nor a redirect or a download that failed. The one spider middleware
(``scanner.crawl.middlewares.spider``) calls :func:`read` for each page, which
counts it in ``scan/pages`` and sends :data:`page_read`; the summary and the
health read the count (:func:`pages_read`), and the page caps listen to the signal
(``scanner.crawl.pagecap``, and across a distributed crawl's workers
``scanner.crawl.distributed.extension``).

They did not agree before: the summary counted every response but robots.txt
(subtracting Scrapy's ``robotstxt/response_count``), the cap did the same by a
request flag, and the health counted the pages read, so a 404 was a page to the
summary and the cap (``max_pages = 3`` "stopped at the page cap (3 pages)" on a
site of two pages and a broken link) and none to the health.

Scrapy is imported only for type checking: ``scan sources`` reads the count
through the health without loading it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

#: The stat that counts a source's pages.
PAGES = "scan/pages"
#: Sent for each page, with ``response``, ``request`` and ``spider`` (as ``response_received``).
page_read = object()


#: Sent, with ``request``, for a page refused after its download by a downloader
#: middleware's ``process_response`` (a gzip bomb, a body its Content-Encoding does
#: not unpack): Scrapy tells no other middleware, so whoever holds something for the
#: request (a distributed crawl's lease on the page) hears of it here.
page_refused = object()


def refused(crawler: Crawler, request: Request) -> None:
    """A downloader middleware refused ``request``'s response: no page, ever."""
    crawler.signals.send_catch_log(page_refused, request=request, spider=crawler.spider)


def read(crawler: Crawler, response: Response) -> None:
    """The spider was given ``response`` to read: one page."""
    assert crawler.stats is not None
    crawler.stats.inc_value(PAGES)
    crawler.signals.send_catch_log(
        page_read, response=response, request=response.request, spider=crawler.spider
    )


def pages_read(stats: dict[str, Any]) -> int:
    """The pages a source read, from its crawl stats."""
    return int(stats.get(PAGES, 0))
