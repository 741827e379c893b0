"""The item pipeline, in order: validate → clean → company match → classify → store.

Every stage is a small Scrapy pipeline class of its own module, and
``scanner.pipelines.chain.ScanPipeline`` (the one in ``ITEM_PIPELINES``) calls
them in order in one Scrapy layer. The first stage turns whatever a spider
yields (a ``Mention`` or a dict with the same keys) into a plain row dict; the
later stages fill that dict in place, which keeps the per-item cost on the crawl
thread to a few microseconds per stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def drop(crawler: Crawler, reason: str, detail: str = "", *, quiet: bool = False) -> DropItem:
    """A ``DropItem`` whose reason is also counted under ``scan/dropped/<reason>``.

    ``quiet`` drops are expected (a forum post about something else) and logged at
    DEBUG instead of WARNING.
    """
    crawler.stats.inc_value(f"scan/dropped/{reason}")
    message = f"{reason}: {detail}" if detail else reason
    return DropItem(message, log_level="DEBUG" if quiet else None)
