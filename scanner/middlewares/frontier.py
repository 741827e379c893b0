"""Remember scheduled pages, so that the next crawl resumes a killed one.

Every request for a next page (``meta["pagination"]``) or a post's own page
(``meta["external_id"]``) is written to the ``frontier`` table as pending, and
marked done once every item its response yielded has passed the pipeline; both
writes travel in the store's batches, so a page is never marked done unless its
posts were committed with it. At the start of a crawl the source's pending
requests are issued first (callbacks rebuilt by name). A crawl that ends
normally forgets its finished backlog; a capped or killed one keeps the rest.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.request import request_from_dict

from scanner.crawlstate import SourceState

logger = logging.getLogger(__name__)


class FrontierMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = SourceState.of(crawler)
        # id(response) -> [items not yet through the pipeline, output finished?, fingerprint]
        self._open: dict[int, list[Any]] = {}
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        spider = self.crawler.spider
        for data in self.state.pending_requests():
            try:
                request = request_from_dict(_from_json(data), spider=spider)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                logger.warning("%s: cannot resume %s: %s", self.state.source, data.get("url"), exc)
                continue
            request.meta["scan_resumed"] = True
            self.state.resumed.add(request.meta.get("scan_fp", ""))
            self.crawler.stats.inc_value("frontier/resumed")
            yield request
        async for request in start:
            yield request

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        fingerprint = response.meta.get("scan_fp")
        entry = [0, False, fingerprint]
        key = id(response)
        if fingerprint:
            self._open[key] = entry
        async for output in result:
            if isinstance(output, Request):
                self._schedule(output)
            elif fingerprint:
                entry[0] += 1
            yield output
        entry[1] = True
        if fingerprint and entry[0] == 0:
            self._finish(key)

    def _schedule(self, request: Request) -> None:
        meta = request.meta
        if not (meta.get("pagination") or meta.get("external_id") is not None):
            return
        fingerprint = self.crawler.request_fingerprinter.fingerprint(request).hex()
        meta["scan_fp"] = fingerprint
        try:
            data = request.to_dict(spider=self.crawler.spider)
        except ValueError:  # a callback that is not a spider method cannot be rebuilt
            self.crawler.stats.inc_value("frontier/unserialisable")
            return
        data["meta"].pop("scan_resumed", None)
        self.state.schedule(fingerprint, request.url, _to_json(data))

    def _item_done(self, item: Any, response: Response | None = None, **_: Any) -> None:
        entry = self._open.get(id(response)) if response is not None else None
        if entry is None:
            return
        entry[0] -= 1
        if entry[1] and entry[0] <= 0:
            self._finish(id(response))

    def _finish(self, key: int) -> None:
        entry = self._open.pop(key, None)
        if entry is not None:
            self.state.fetched(entry[2])


def _to_json(data: dict[str, Any]) -> dict[str, Any]:
    """``Request.to_dict()`` holds bytes (headers, body); JSON holds text: latin-1 maps 1:1."""
    out = dict(data)
    out["headers"] = {
        k.decode("latin-1"): [v.decode("latin-1") for v in values]
        for k, values in (data.get("headers") or {}).items()
        if k.lower() != b"referer"  # the page that linked it is not fetched again
    }
    out["body"] = (data.get("body") or b"").decode("latin-1")
    return out


def _from_json(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["headers"] = {k.encode("latin-1"): [v.encode("latin-1") for v in values]
                      for k, values in (data.get("headers") or {}).items()}  # fmt: skip
    out["body"] = (data.get("body") or "").encode("latin-1")
    return out
