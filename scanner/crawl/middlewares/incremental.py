"""Stop paginating once a page brings nothing new; skip posts already stored.

The spider middleware holds back one response's output, then this judges it: a
post is new when its id is not stored for this source and it was not published
before the last successful run minus an overlap
(``SCAN_INCREMENTAL_OVERLAP_DAYS``). When nothing on the page is new, requests
marked ``meta["pagination"]`` are dropped; requests marked
``meta["external_id"]`` for a stored post are always dropped. A page re-issued
from the frontier (``meta["scan_resumed"]``, the backlog of a killed crawl)
keeps its next page whatever it holds, so a backlog is fetched to its end and
not cut off because its first page is already known.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from scanner.crawl.item import Mention
from scanner.crawl.state import SourceState
from scanner.dates import to_utc

logger = logging.getLogger(__name__)


class Incremental:
    """Judges one page's output at a time (``scanner.crawl.middlewares.spider`` holds it back)."""

    def __init__(self, crawler: Crawler, state: SourceState) -> None:
        self.crawler = crawler
        self.state = state

    def filter(self, response: Response, held: list[Any]) -> list[Any]:
        """What of the page's output goes on: no known post pages, no pointless next page."""
        known = self.state.known
        stats = self.crawler.stats
        judged = fresh = 0
        out: list[Any] = []
        for output in held:
            if isinstance(output, Request):
                external_id = output.meta.get("external_id")
                if external_id is not None:
                    judged += 1
                    if str(external_id) in known:
                        stats.inc_value("incremental/known_skipped")
                        continue
                    fresh += 1
            else:
                judged += 1
                fresh += self._is_new(output)
            out.append(output)
        if not judged or fresh or response.meta.get("scan_resumed"):
            return out
        kept = [o for o in out if not (isinstance(o, Request) and o.meta.get("pagination"))]
        if len(kept) < len(out):
            stats.inc_value("incremental/stopped")
            logger.info("%s: nothing new on %s, not following its next page",
                        self.state.source, response.url)  # fmt: skip
        return kept

    def _is_new(self, item: Any) -> bool:
        if type(item) is Mention:
            external_id, published = item.external_id, item.published_at
        else:
            adapter = ItemAdapter(item)
            external_id, published = adapter.get("external_id"), adapter.get("published_at")
        if str(external_id) in self.state.known:
            return False
        cutoff = self.state.cutoff
        return not (cutoff and isinstance(published, datetime) and to_utc(published) < cutoff)
