"""The page cap (``max_pages``, ``CLOSESPIDER_PAGECOUNT``) counts a source's pages.

Scrapy's ``CloseSpider`` counts every response its crawler receives: robots.txt
(``response_received`` fires for the one our robots middleware downloads) and a
404 left after retries too, so ``max_pages = 2`` read one page and stopped "at
the page cap (2 pages)". This subclass counts what the crawl summary and the
health call pages (``scanner.crawl.pages``): its page count listens to
``page_read`` instead. The rest of ``CloseSpider`` (the time budget) is Scrapy's,
unchanged.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.extensions.closespider import CloseSpider

from scanner.crawl.pages import page_read


class PageCap(CloseSpider):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        if self.close_on.get("pagecount") or self.close_on.get("pagecount_no_item"):
            crawler.signals.disconnect(self.page_count, signal=signals.response_received)
            crawler.signals.connect(self.page_count, signal=page_read)
