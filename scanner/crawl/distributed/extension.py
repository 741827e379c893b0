"""A worker's source extension: one source's crawl, for as long as the fleet crawls it.

It replaces ``SourceExtension`` in a worker (a subclass, so the middlewares
find it the same way), with an :class:`~scanner.crawl.distributed.outbox.Outbox`
for state and :class:`RemoteFrontier` for frontier. Where a local crawl ends
when its own queue is empty, a worker's crawler ends when the *source* is
closed for every worker:

* ``finished``: nothing queued and nothing leased anywhere (``scripts.CLOSED``),
  asked whenever this crawler goes idle;
* ``closespider_pagecount``: the source's pages read (``scanner.crawl.pages``),
  counted in Redis across workers, reached its cap (``scripts.PAGE``); no page
  beyond the cap was leased (``scripts.TAKE``), so none is read after it;
* ``closespider_timeout``: its time budget, counted from the first worker's
  start, ran out (the runner sets each crawler's ``CLOSESPIDER_TIMEOUT`` to what
  is left of it);
* ``shutdown``: the writer was interrupted.

Meanwhile, every quarter second, it pushes what is due, wakes the engine when
other workers queued pages, follows a close decided elsewhere, and puts back
the leases of workers that are gone. Its health is judged by the writer.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from scanner.crawl.distributed.connection import connection_errors
from scanner.crawl.distributed.link import Link
from scanner.crawl.distributed.outbox import Outbox
from scanner.crawl.extension import SourceExtension
from scanner.crawl.health import Verdict
from scanner.crawl.middlewares.frontier import Frontier
from scanner.crawl.pages import page_read, page_refused
from scanner.crawl.sites import SourceSites

logger = logging.getLogger(__name__)
#: Lines about the whole fleet (pages handed back), shown whatever the verbosity.
fleet_logger = logging.getLogger("scanner.crawl.run")
TICK = 0.25  # seconds
CHECK_EVERY = 1.0  # seconds between looks at the source's state and at gone workers


class RemoteFrontier(Frontier):
    """The frontier of a worker: the writer seeded the backlog and keeps the table.

    A page's lease is released once its posts are through the pipeline (as its
    frontier mark) *and* the requests it found are in the outbox: Scrapy hands
    a page's output on concurrently, so a request may reach the scheduler after
    the page's end, and a lease released before would let the source look
    finished with that request still to come. A request the spider yields never
    carries its page's lease on (a spider copying ``response.meta`` would).
    """

    state: Outbox  # type: ignore[assignment]

    def __init__(self, crawler: Crawler, state: Outbox) -> None:
        super().__init__(crawler, state)  # type: ignore[arg-type]
        self.children: dict[int, list[Any]] = {}  # id(request) -> the page that found it

    async def resume(self, start: Any) -> Any:
        """Nothing: the writer queued the backlog and the start requests."""
        return
        yield

    def gave_up(self, fingerprint: str | None) -> None:
        super().gave_up(fingerprint)
        if fingerprint:
            self.state.refused.add(fingerprint)

    def page(self, response: Response) -> list[Any] | None:
        """``[posts not through, output finished?, fingerprint, lease, requests not queued]``."""
        lease = response.meta.get("scan_lease")
        fingerprint = response.meta.get("scan_fp")
        return [0, False, fingerprint, lease, 0] if fingerprint or lease else None

    def output(self, page: list[Any] | None, output: Any) -> None:
        if isinstance(output, Request):
            output.meta.pop("scan_lease", None)
            if page is not None and page[3]:
                page[4] += 1
                self.children[id(output)] = page
        super().output(page, output)

    def done(self, page: list[Any]) -> None:
        """The page's posts are through: it is fetched; released once its requests are in."""
        if page[2]:
            self.state.fetched(page[2])
            page[2] = None
        if page[4] <= 0:
            self.state.release(page[3])

    def child_scheduled(self, request: Request) -> None:
        """The scheduler has the request (queued or dropped as seen)."""
        page = self.children.pop(id(request), None)
        if page is not None:
            page[4] -= 1
            if page[4] <= 0 and page[1] and page[0] <= 0:
                self.state.release(page[3])

    def page_failed(self, response: Response) -> None:
        self.state.release(response.meta.get("scan_lease"))

    def idle(self) -> None:
        """Nothing in progress: requests dropped on their way (a signal handler's
        ``IgnoreRequest``) will never reach the scheduler."""
        self.children.clear()


class LeaseMiddleware:
    """First of the downloader middlewares: a request that finally failed (after
    retries, or refused: robots.txt, off-site) is done, and its lease released."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseMiddleware:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        RemoteSourceExtension.of(self.crawler).state.release(request.meta.get("scan_lease"))


class RemoteSourceExtension(SourceExtension):
    # A worker keeps a source's posts in an Outbox pushed to Redis, not in a
    # SourceState writing SQLite: the two share the interface the crawl uses.
    state: Outbox  # type: ignore[assignment]
    frontier: RemoteFrontier
    index: int

    def __init__(self, crawler: Crawler) -> None:  # no super(): no database here
        self.crawler = crawler
        self.link = Link.current()
        self.index = crawler.settings.getint("SCAN_REDIS_SOURCE")
        self.keys = self.link.source_keys(self.index)
        self.state = Outbox(crawler, self.link, self.index)
        self.frontier = RemoteFrontier(crawler, self.state)
        spider = crawler.spider
        self.sites = SourceSites(getattr(spider, "url", None), getattr(spider, "api_hosts", ()))
        self.verdict: Verdict | None = None
        self.max_pages = self.link.source(self.index).max_pages
        self.closing = False
        self.scheduler: Any = None  # the LeasingScheduler, once it is open
        self.ticker: Any = None
        self._checked = 0.0
        for handler, signal in (
            (self.spider_opened, signals.spider_opened),
            (self.spider_idle, signals.spider_idle),
            (self.page_read, page_read),
            (self.page_refused, page_refused),
            (self.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal=signal)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RemoteSourceExtension:
        return cls(crawler)

    def spider_opened(self) -> None:
        from twisted.internet import task

        self.ticker = task.LoopingCall(self.tick)
        self.ticker.start(TICK, now=False)

    def tick(self) -> None:
        try:
            self.state.maybe_flush()
            now = time.monotonic()
            if now - self._checked >= CHECK_EVERY:
                self._checked = now
                reason = self.link.client.hget(self.keys.state, "closed")
                if reason:
                    self.close(reason.decode())
                    return
                back = self.scheduler.queue.requeue()  # the leases of workers that are gone
                if back:
                    fleet_logger.warning(
                        "%s: %d page(s) of a worker that is gone are queued again",
                        self.state.source,
                        back,
                    )
            engine = self.crawler.engine
            if not self.closing and not engine.needs_backout() and not self.scheduler.ready:
                self.scheduler.kick()
        except connection_errors() as exc:
            logger.error("%s: Redis: %s", self.state.source, exc)

    def spider_idle(self) -> None:
        """Nothing in progress here: push what is left and ask whether the source is done."""
        self.frontier.idle()
        self.state.release_held()
        self.state.flush()
        keys = self.keys
        reason = self.link.scripts.closed(keys=[keys.queue, keys.leases, keys.state])
        if reason:
            raise CloseSpider(reason.decode())
        raise DontCloseSpider

    def page_read(self, response: Response) -> None:
        """One more page of the source (``scanner.crawl.pages``), whichever worker read
        it; its lease, held against the cap since it was taken, is now a page read."""
        keys, lease = self.keys, response.meta.get("scan_lease") or ""
        reason = self.link.scripts.page(
            keys=[keys.state, keys.leases, keys.read], args=[self.max_pages, lease]
        )
        if reason:
            self.close(reason.decode())

    def page_refused(self, request: Request) -> None:
        """A page refused after its download (``pages.page_refused``) is done: its
        lease released, or it held its host's room and its share of the page cap
        until the source's time budget ran out."""
        self.state.release(request.meta.get("scan_lease"))

    def close(self, reason: str) -> None:
        if not self.closing:
            self.closing = True
            engine = self.crawler.engine
            deferred_from_coro(engine.close_spider_async(reason=reason)).addErrback(lambda _: None)

    def spider_closed(self, reason: str) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        if self.verdict is not None:  # interrupted: done already
            return
        client, keys = self.link.client, self.keys
        if reason == "closespider_timeout":  # the budget is the source's, not this worker's
            client.hsetnx(keys.state, "closed", reason)
        closed = client.hget(keys.state, "closed")
        self.verdict = Verdict(health="", status=reason)
        self._leave(gone_for_good=closed is not None)

    def interrupt(self) -> None:
        """Ctrl-C on this worker: push what is done, hand the rest back, leave."""
        if self.verdict is None:
            self.verdict = Verdict(health="", status="interrupted")
            self._leave(gone_for_good=False)

    def _leave(self, *, gone_for_good: bool) -> None:
        """Push what is done and say so; pages in hand are released when the source is
        closed (their posts, if any, are pushed) or handed back when it is not."""
        state, client, keys = self.state, self.link.client, self.keys
        try:
            if gone_for_good:
                state.release_held()
            state.close()
            if not gone_for_good:
                self.scheduler.queue.requeue(self.link.worker)
            client.hset(keys.members, self.link.worker, "closed" if gone_for_good else "left")
        except connection_errors() as exc:
            logger.error(
                "%s: Redis: %s (the leases come back when this worker's heartbeat lapses)",
                state.source,
                exc,
            )
