"""A worker's side of one source: what its pages gave, pushed to Redis in one step.

It stands where a local crawl's ``SourceState`` stands (the item pipeline, the
frontier and the incremental filter use it the same way), but a worker has no
database: what a local crawl hands to its worker process goes to Redis, in one
script (``scripts.COMMIT``) that

* pushes the batch (posts, frontier changes, pages given up) onto the item list,
* releases the leases of the pages that are done, and
* queues the requests those pages found (each unless already seen),

so a page's posts, its lease and the pages it leads to move together: a worker
killed before the push loses nothing the fleet cannot redo (its leases come back
and the pages are fetched again), and after it nothing is left to lose. Its
Scrapy stats ride along, so that the writer's picture of the source is always
that of what was pushed.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scanner.crawl.distributed import codec
from scanner.crawl.distributed.connection import connection_errors
from scanner.crawl.distributed.link import Link
from scanner.crawl.messages import ItemValues
from scanner.crawl.state import Gathering

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class Outbox(Gathering):
    """What a worker has for one source and has not pushed yet."""

    def __init__(self, crawler: Crawler, link: Link, index: int) -> None:
        settings = crawler.settings
        super().__init__(
            settings.getint("SCAN_BATCH_SIZE"), settings.getfloat("SCAN_REDIS_FLUSH_SECONDS")
        )
        job = link.source(index)
        self.crawler = crawler
        self.link = link
        self.index = index
        self.keys = link.source_keys(index)
        self.source, self.run_id, self.spider = job.name, job.run_id, job.spider
        self.cutoff = datetime.fromisoformat(job.cutoff) if job.cutoff else None
        self.known: set[str] = {i.decode() for i in link.client.smembers(self.keys.known)}
        self.marks: dict[str, str] = {
            k.decode(): v.decode() for k, v in link.client.hgetall(self.keys.marks).items()
        }
        self.refused: set[str] = set()  # fingerprints the site failed or forbade
        self.requests: list[Any] = []  # (fingerprint or "", priority, request JSON) ...
        self.queued: set[str] = set()  # fingerprints among them
        self.held: dict[str, Any] = {}  # leases of pages in progress here -> their host's gate
        self.finished: set[str] = set()  # leases of pages done, to release
        self.seq = 0

    # -- leases and requests -----------------------------------------------------
    def hold(self, token: str, gate: Any) -> None:
        """A page leased under ``token``, counted against its host (``SharedHostGate``)."""
        self.held[token] = gate
        gate.leased.add(token)

    def release(self, token: str | None) -> None:
        """The page leased under ``token`` is done here: released with the next push."""
        gate = self.held.pop(token, None) if token else None
        if gate is not None:
            gate.leased.discard(token)
            self.finished.add(token)  # type: ignore[arg-type]
            self.maybe_flush()

    def release_held(self) -> None:
        """Nothing is in progress (the crawler is idle): every lease held is done."""
        for token, gate in self.held.items():
            gate.leased.discard(token)
            self.finished.add(token)
        self.held.clear()

    def queue(self, fingerprint: str, priority: int, data: bytes) -> None:
        self.requests += (fingerprint, priority, data)
        if fingerprint:
            self.queued.add(fingerprint)

    # -- pushing -------------------------------------------------------------------
    def maybe_flush(self) -> None:
        if not self.closed and time.monotonic() - self._last_flush >= self.batch_seconds:
            self.flush()

    def flush(self, *, wait: bool = False, stats: bool = False) -> None:
        """Push everything gathered in one step; kept for the next try if Redis is away.

        ``wait`` is there for the item pipeline's sake (a local crawl waits for its
        worker process): a push here is done when it returns. ``stats``: push the
        stats even when there is nothing else (the last push).
        """
        self._last_flush = time.monotonic()
        if not (
            self.items
            or self.frontier_add
            or self.frontier_done
            or self.refused
            or self.finished
            or self.requests
            or stats
        ):
            return
        batch = self._batch()
        keys = self.keys
        try:
            self.link.scripts.commit(
                keys=[
                    self.link.keys.items,
                    keys.leases,
                    keys.queue,
                    keys.seen,
                    keys.seq,
                    keys.state,
                    keys.stats,
                    keys.read,
                ],
                args=[
                    batch,
                    self.link.worker,
                    codec.stats_json(self.crawler.stats.get_stats()),
                    len(self.finished),
                    *self.finished,
                    *self.requests,
                ],
            )
        except connection_errors() as exc:
            if self.seq and batch:
                self.seq -= 1  # the same batch again next time
            logger.error(
                "%s: cannot reach Redis, keeping %d post(s) for the next try: %s",
                self.source,
                len(self.items),
                exc,
            )
            return
        self.items, self.frontier_add, self.frontier_done, self.refused = [], {}, set(), set()
        self.finished, self.requests, self.queued = set(), [], set()

    def _batch(self) -> bytes:
        if not (self.items or self.frontier_add or self.frontier_done or self.refused):
            return b""
        self.seq += 1
        body = {
            "job": self.link.job.id,
            "source": self.index,
            "name": self.source,
            "spider": self.spider,
            "run": self.run_id,
            "worker": self.link.worker,
            "seq": self.seq,
            "add": self.frontier_add,
            "done": sorted(self.frontier_done),
            "refused": sorted(self.refused),
        }
        try:
            return codec.dumps({**body, "items": self.items})
        except TypeError:  # one item holds what JSON cannot say: it alone is lost
            return codec.dumps({**body, "items": self._sendable()})

    def _sendable(self) -> list[ItemValues]:
        out = []
        for item in self.items:
            try:
                codec.dumps(item)
            except TypeError as exc:
                self.crawler.stats.inc_value("scan/lost")
                logger.error("%s: a post cannot be sent to the writer: %s", self.source, exc)
                continue
            out.append(item)
        return out

    def close(self) -> None:
        if not self.closed:
            try:
                self.flush(stats=True)
            finally:
                self.closed = True
