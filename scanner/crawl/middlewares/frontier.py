"""Remember scheduled pages, so that the next crawl resumes a killed one.

Every request for a next page (``meta["pagination"]``) or a post's own page
(``meta["external_id"]``) is written to the ``frontier`` table as pending, and
marked done once every item its response yielded has passed the item pipeline
(``scanner.crawl.pipeline.ScanPipeline`` reports each item: the frontier needs
it); both writes travel in the source's batches, so a page is never marked done
unless its posts were committed with it. At the start of a crawl the source's
pending requests are issued first (callbacks rebuilt by name). A crawl that ends
normally forgets its finished backlog; a capped or killed one keeps the rest.
The spider middleware that drives this is ``scanner.crawl.middlewares.spider``;
the source extension (``scanner.crawl.extension``) holds the one ``Frontier``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.request import request_from_dict

from scanner.crawl import failures
from scanner.crawl.state import SourceState

logger = logging.getLogger(__name__)
#: What a request re-issued from the frontier carries (``scanner.crawl.middlewares.incremental``).
RESUME_FLAGS = ("scan_resumed", "scan_backlog")


class Frontier:
    """One source's frontier: what to resume, what was scheduled, which pages are done.

    Shared (``SourceExtension.of(crawler).frontier``) by the spider middleware,
    which reports each page's output, and the item pipeline, which reports each
    item once it is handed over, whatever Scrapy's signals would say: one call per
    item instead of one more signal receiver.
    """

    def __init__(self, crawler: Crawler, state: SourceState) -> None:
        self.crawler = crawler
        self.state = state
        # id(item) -> the open pages it came from: [items not yet through, output
        # finished?, fingerprint] (a list, should a spider yield one object twice)
        self.owners: dict[int, list[list[Any]]] = {}
        self.resumed: set[str] = set()  # fingerprints re-issued from the last run's backlog
        self.refused: set[str] = set()  # fingerprints the site failed or forbade this run
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)

    async def resume(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The source's pending requests from its last run first, then ``start``."""
        spider = self.crawler.spider
        for data in self.pending_requests():
            try:
                request = request_from_json(data, spider)
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                logger.warning("%s: cannot resume %s: %s", self.state.source, data.get("url"), exc)
                continue
            request.meta["scan_resumed"] = request.meta["scan_backlog"] = True
            self.resumed.add(request.meta.get("scan_fp", ""))
            self.crawler.stats.inc_value("frontier/resumed")
            yield request
        async for request in start:
            yield request

    def pending_requests(self) -> list[dict[str, Any]]:
        return pending_requests(self.state.store.db, self.state.source)

    def pending(self) -> int:
        """Pages still to fetch (once ``forget_fetched`` has committed what is done)."""
        return pending_count(self.state.store.db, self.state.source)

    def request_dropped(self, request: Request) -> None:
        """The scheduler dropped a scheduled page as one this crawl has fetched or
        queued already (a next link back to page 1, a page past the end that
        redirects to the first): that fetch reads it, so it is done. It had stayed
        pending, and every later crawl began by fetching it again.

        Not a page whose redirects lead back into their own chain (a page that
        redirects to itself, A to B to A, as a cookie bounce does): it was never
        read, and stays pending, counted as a failure."""
        fingerprint = request.meta.get("scan_fp")
        if not fingerprint:
            return
        if request.url in request.meta.get("redirect_urls", ()):
            failures.record(self.crawler.stats, "redirect_loop", request.url)
            return
        self.state.fetched(fingerprint)

    def gave_up(self, fingerprint: str | None) -> None:
        """The site failed this page in a way a later run would meet again (a 404, a
        robots.txt ban, off-site: ``failures.lasting``)."""
        if fingerprint:
            self.refused.add(fingerprint)

    def forget_fetched(self, *, ran_to_the_end: bool) -> None:
        """Drop the fetched pages; after a run to the end, also what failed twice.

        A page re-issued from the backlog that failed again for a lasting reason (a
        404, a robots.txt ban, off-site) failed in two runs: it is given up rather
        than retried forever. One that failed for a passing reason (a 503, a
        timeout) stays pending, however many runs it takes. A page that was not
        tried (robots.txt unreachable, the time budget, a cap, Ctrl-C, a kill)
        stays pending, and the next run fetches it first.
        """
        self.state.flush(wait=True)
        twice = self.resumed & self.refused if ran_to_the_end else set()
        forget_fetched(self.state.store.db, self.state.source, twice)

    def page(self, response: Response) -> list[Any] | None:
        """A page whose end is to be recorded (one that was scheduled), else ``None``:
        ``[items not yet through, output finished?, fingerprint]``."""
        fingerprint = response.meta.get("scan_fp")
        return [0, False, fingerprint] if fingerprint else None

    def done(self, page: list[Any]) -> None:
        """Every item of the page is through: it is fetched."""
        self.state.fetched(page[2])

    def page_failed(self, response: Response) -> None:
        """The page's callback failed, or the page never reached it: it stays pending."""

    def output(self, page: list[Any] | None, output: Any) -> None:
        """Called for every output of a page, before it is passed on."""
        if isinstance(output, Request):
            self.schedule(output)
        elif page is not None:
            page[0] += 1
            self.owners.setdefault(id(output), []).append(page)

    def page_end(self, page: list[Any] | None) -> None:
        """The page's output is complete: done now if its items are all through."""
        if page is not None:
            page[1] = True
            if page[0] <= 0:
                self.done(page)

    def item_done(self, item: Any) -> None:
        pages = self.owners.get(id(item))
        if pages is None:
            return
        page = pages.pop()
        if not pages:
            del self.owners[id(item)]
        page[0] -= 1
        if page[1] and page[0] <= 0:
            self.done(page)

    def schedule(self, request: Request) -> None:
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
        # A copy: to_dict() hands out the live request's own meta. The flags are set
        # again when the request is resumed.
        data["meta"] = {k: v for k, v in data["meta"].items() if k not in RESUME_FLAGS}
        self.state.schedule(fingerprint, request.url, _to_json(data))


def pending_requests(db: Any, source: str) -> list[dict[str, Any]]:
    """The source's backlog: requests scheduled by earlier runs and never fetched."""
    rows = db.execute(
        "SELECT request FROM frontier WHERE source = ? AND done = 0 ORDER BY rowid", [source]
    ).fetchall()
    out = []
    for (text,) in rows:
        try:
            out.append(json.loads(text))
        except ValueError:
            logger.warning("%s: unreadable frontier entry skipped", source)
    return out


def pending_count(db: Any, source: str) -> int:
    return db.execute(
        "SELECT COUNT(*) FROM frontier WHERE source = ? AND done = 0", [source]
    ).fetchone()[0]


def forget_fetched(db: Any, source: str, twice: set[str]) -> None:
    """Drop the source's fetched pages, and those given up twice (see ``Frontier``)."""
    with db.atomic():
        db.execute("DELETE FROM frontier WHERE source = ? AND done = 1", [source])
        if twice:
            db.conn.executemany(
                "DELETE FROM frontier WHERE source = ? AND fingerprint = ?",
                [(source, fp) for fp in twice],
            )


def request_from_json(data: dict[str, Any], spider: Any) -> Request:
    """A request as the frontier keeps it (``Frontier.schedule``), rebuilt for ``spider``."""
    return request_from_dict(_from_json(data), spider=spider)


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
    out["headers"] = {
        k.encode("latin-1"): [v.encode("latin-1") for v in values]
        for k, values in (data.get("headers") or {}).items()
    }
    out["body"] = (data.get("body") or "").encode("latin-1")
    return out
