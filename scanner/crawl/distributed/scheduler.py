"""The worker's Scrapy scheduler: scrapy-redis's, with leased pages and a transactional push.

scrapy-redis 0.9.1 works with Scrapy 2.19 as far as its ``Scheduler`` goes (its
``RedisSpider`` does not: ``start_requests`` is gone, and none is needed here,
the writer seeds the queues). What it lacks for "nothing lost when a worker is
killed": its ``next_request`` pops (a killed worker's page is gone), and its
``enqueue_request`` marks a request seen and queues it at once, before the page
that found it is done and its posts are pushed. So this subclass keeps its
skeleton (settings, stats, the dupefilter's fingerprints) and

* leases each request it hands to the engine (``queue.LeasedQueue``), the token
  in ``meta["scan_lease"]``, and none beyond what the source's page cap lets the
  fleet read (``scripts.TAKE``): a page leased is read, even once the cap closed
  the source, since Scrapy's close waits for every request in progress;
* hands each new request to the source's outbox, which queues it in the same
  step as the posts and the lease of the page that found it; a retry or a
  redirect of a leased request takes its lease's place;
* never flushes the queue when its crawler closes (scrapy-redis's ``persist``
  off does): the queue belongs to every worker, the writer clears it;
* leases a page only while its host has room for it in this worker: no more
  of a host's pages than the worker may have in flight under the host's shared
  pace (``SharedHostGate.may_lease``). The engine asks for up to
  ``CONCURRENT_REQUESTS`` pages, and would lease that many pages of one polite
  source only to queue them at its host's gate, while the other workers starve.

A source's queues are keyed by the source, not the spider: two sources may run
the same spider.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Iterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from scanner.crawl.distributed.connection import connection_errors, outage_of
from scanner.crawl.distributed.gate import SharedHostGate
from scanner.crawl.distributed.link import Link
from scanner.crawl.distributed.outbox import Outbox
from scanner.crawl.distributed.queue import CAPPED, LeasedQueue
from scanner.crawl.hosts import Pace

logger = logging.getLogger(__name__)


class LeasingScheduler(Scheduler):
    def __init__(self, link: Link, crawler: Crawler) -> None:
        super().__init__(link.client, persist=True)
        self.link = link
        self.crawler = crawler
        self.ready: deque[Request] = deque()  # leased by a kick (see kick)
        self.kicked: set[int] = set()
        # The last lease was refused at the page cap: the queue's pages wait for the
        # cap, not for this worker, which may go idle (see has_pending_requests).
        self.capped = False
        self.outbox: Outbox | None = None
        self.frontier: Any = None  # the RemoteFrontier, once open
        self.pace = Pace.from_settings(crawler.settings)
        self.hosts: set[str] = set()  # whose gates this crawler joined to lease their pages

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasingScheduler:
        scheduler = cls(Link.current(), crawler)
        scheduler.stats = crawler.stats
        return scheduler

    def open(self, spider: Any) -> None:
        from scanner.crawl.distributed.extension import RemoteSourceExtension

        self.spider = spider
        extension = RemoteSourceExtension.of(self.crawler)
        extension.scheduler = self
        self.outbox = extension.state
        self.frontier = extension.frontier
        keys = self.link.source_keys(extension.index)
        self.queue = LeasedQueue(self.link, spider, keys, extension.max_pages)
        debug = self.crawler.settings.getbool("DUPEFILTER_DEBUG")
        self.df = RFPDupeFilter(self.link.client, key=keys.seen, debug=debug)

    def close(self, reason: str) -> None:
        """The queue is the fleet's: nothing to flush here; the crawler leaves its hosts."""
        for host in self.hosts:
            SharedHostGate.of(host).leave(id(self.crawler))

    def enqueue_request(self, request: Request) -> bool:
        if id(request) in self.kicked:  # leased already: see kick
            self.kicked.discard(id(request))
            self.ready.append(request)
            return True
        try:
            with self._stopping_quietly():
                return self._enqueue(request)
            return False  # Redis is gone for good: its page, still leased, finds it again
        finally:
            self.frontier.child_scheduled(request)

    def _enqueue(self, request: Request) -> bool:
        outbox = self._outbox()
        lease = request.meta.pop("scan_lease", None)  # a retry or a redirect of a leased page
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if fingerprint and (
            fingerprint in outbox.queued or self.server.sismember(self.df.key, fingerprint)
        ):
            self.df.log(request, self.spider)
            outbox.release(lease)
            return False
        try:
            data = self.queue.encode(request)
        except (TypeError, ValueError) as exc:  # a callback no other process can find...
            self.stats.inc_value("distributed/unsendable")
            logger.error(
                "%s: cannot queue %s for the other workers: %s", outbox.source, request.url, exc
            )
            outbox.release(lease)
            return False
        outbox.queue(fingerprint, request.priority, data)
        outbox.release(lease)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        with self._stopping_quietly():
            return self._next_request()
        return None  # Redis is gone for good: no page until the process stops

    def _next_request(self) -> Request | None:
        if self.ready:
            return self.ready.popleft()
        request = self._lease()
        outbox = self._outbox()
        if request is None and outbox.requests and not len(self.queue):  # ours are all there is
            outbox.flush()
            request = self._lease()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        with self._stopping_quietly():
            if self.ready or self._outbox().requests:
                return True
            # At the cap the queue's pages are none of this worker's to crawl. Counted
            # as pending they kept the engine from ever going idle, and going idle is
            # what hands back a lease held here whose page will not be read: leases
            # are released where a request ends (LeaseMiddleware, pages.page_refused),
            # and this is the net for one no such place saw, which would otherwise
            # hold the cap until the source's time budget ran out.
            return not self.capped and len(self.queue) > 0
        # Redis is gone for good: pending for all this worker knows. Not "none", which
        # would close the spider as finished; the process stops (giveup) instead.
        return True

    @contextlib.contextmanager
    def _stopping_quietly(self) -> Iterator[None]:
        """A Redis error met once this process has given up on Redis is no error to
        log: the engine asks the scheduler between ``giveup``'s looks, and printed a
        traceback before the one line the process stops with. Else it is raised."""
        try:
            yield
        except connection_errors():
            if not outage_of(self.link.client).given_up():
                raise

    def kick(self) -> bool:
        """Wake an idle engine when other workers queued pages: lease one and crawl it.

        An idle engine asks the scheduler again only on its heartbeat (every 5 s);
        ``engine.crawl`` wakes it at once, and the request comes back here
        (``enqueue_request``) to be handed out as it is, lease and all.
        """
        request = self._lease()
        if request is None:
            return False
        self.kicked.add(id(request))
        self.crawler.engine.crawl(request)
        return True

    def _lease(self) -> Request | None:
        """The first queued request, leased, when its host has room for it here."""
        outbox = self._outbox()
        self.capped = False
        while (first := self.queue.peek()) is not None:
            member, host, data = first
            gate = SharedHostGate.of(host)
            self.hosts.add(host)
            if data is not None and not gate.may_lease(id(self.crawler), self.pace):
                return None  # the host's pages wait in the queue, for whoever has room
            token = self.queue.take(member)
            if token == CAPPED:  # the cap's pages are read or in hand: none to lease
                self.capped = True
                return None
            if token is None:  # another worker was quicker
                continue
            outbox.hold(token, gate)
            self.stats.max_value("distributed/host_leases_max", len(gate.leased))
            try:
                request = self.queue.decode(data) if data is not None else None
                if request is None:
                    raise ValueError("not a request")
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                self.stats.inc_value("distributed/undecodable")
                logger.error("%s: a queued request cannot be rebuilt: %s", outbox.source, exc)
                outbox.release(token)
                continue
            request.meta["scan_lease"] = token
            return request
        return None

    def _outbox(self) -> Outbox:
        if self.outbox is None:
            raise RuntimeError("the scheduler is not open")
        return self.outbox
