"""The crawl side of the crawl worker process: hand batches over, fold the answers back.

Storing a post costs about as much CPU as Scrapy spends fetching and parsing it
(FTS triggers, seven indexes), and the pipeline stages cost a fifth of that
again; the crawl (reactor) thread is the bottleneck of a crawl, and a second
thread in the same process competes with it for the GIL. So one worker PROCESS
per crawl (``scanner.crawlworker``, shared by all its sources) runs the stages
and the commits on the second core. Batches are handled strictly in the order
they were handed over, each committed in one transaction holding its posts and
its frontier changes together: a killed crawl loses at most the batches still
in flight (``MAX_QUEUED``) and never marks a page fetched without the posts it
yielded. The worker dies with the crawl: its pipe closes and it exits.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, ClassVar

from scanner.store import Store, UpsertResult

logger = logging.getLogger(__name__)
#: Batches handed over and not yet answered before the crawl thread waits (back-
#: pressure: memory stays bounded, and so does what a kill can lose).
MAX_QUEUED = 4
Reply = tuple[Any, ...]  # ("batch", key, seq, new, updated, unchanged, counts, logs, error)


@dataclass
class Batch:
    rows: list[Any]  # crawl side: items as tuples (or dicts); in the worker: mention rows
    frontier_add: dict[str, tuple[str, str]]  # fingerprint -> (url, request as JSON)
    frontier_done: set[str] = field(default_factory=set)


def commit(store: Store, source: str, run_id: int | None, batch: Batch) -> UpsertResult:
    """Write one batch in one transaction: posts first, then the frontier changes."""
    db = store.db
    with db.atomic():
        result = store.upsert_mentions(batch.rows, run_id=run_id)
        if batch.frontier_add:
            db.conn.executemany(
                "INSERT INTO frontier (source, fingerprint, url, request, added_run, done) "
                "VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (source, fingerprint) "
                "DO UPDATE SET done = 0, request = excluded.request",
                [(source, fp, url, req, run_id) for fp, (url, req) in batch.frontier_add.items()],
            )
        if batch.frontier_done:
            db.conn.executemany(
                "UPDATE frontier SET done = 1 WHERE source = ? AND fingerprint = ?",
                [(source, fp) for fp in batch.frontier_done],
            )
    return result


class CrawlWorker:
    """The crawl's one worker process, shared by every source (``acquire``/``release``).

    Every call is made on the crawl thread, and answers are read there too (when
    a batch is handed over, on ``poll`` and on ``wait``), so the callbacks that
    fold them into a crawler's stats run where Scrapy expects.
    """

    _shared: ClassVar[CrawlWorker | None] = None

    def __init__(self) -> None:
        to_read, to_write = os.pipe()
        from_read, from_write = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scanner.crawlworker", str(to_read), str(from_write)],
            pass_fds=(to_read, from_write), stdin=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_read)
        os.close(from_write)
        self.outbox = Connection(to_write, readable=False)
        self.inbox = Connection(from_read, writable=False)
        self.users = 0
        self.in_flight: dict[int, int] = {}  # key -> batches not answered yet
        self.callbacks: dict[int, Callable[[Reply], None]] = {}
        self.seq = 0
        self.dead = ""

    @classmethod
    def acquire(cls) -> CrawlWorker:
        worker = cls._shared
        if worker is None or worker.dead:
            worker = cls._shared = cls()
        worker.users += 1
        return worker

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            self.close()

    def open(self, spec: dict[str, Any], callback: Callable[[Reply], None]) -> int:
        """Register a source (what its stages need: see ``scanner.crawlworker.Source``)."""
        key = len(self.callbacks) + 1
        self.callbacks[key] = callback
        self.in_flight[key] = 0
        self._send(("open", key, spec))
        return key

    def submit(self, key: int, batch: Batch) -> None:
        while sum(self.in_flight.values()) >= MAX_QUEUED and not self.dead:
            self._answer()
        if self.dead:
            self.callbacks[key](_failed(key, self.dead))
            return
        self.seq += 1
        self.in_flight[key] += 1
        message = ("batch", key, self.seq, batch.rows, batch.frontier_add, batch.frontier_done)
        try:
            data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            self.in_flight[key] -= 1
            self.callbacks[key](_failed(key, f"cannot hand the batch over: {exc}"))
            return
        self._send(data)

    def poll(self) -> None:
        """Fold in the answers that are ready; never waits."""
        while not self.dead and any(self.in_flight.values()) and self.inbox.poll(0):
            self._answer()

    def wait(self, key: int) -> None:
        """Return once every batch of ``key`` handed over so far is answered."""
        while self.in_flight.get(key) and not self.dead:
            self._answer()

    def close(self) -> None:
        if CrawlWorker._shared is self:
            CrawlWorker._shared = None
        for key in list(self.in_flight):
            self.wait(key)
        if not self.dead:
            self._send(("bye",))
        self.outbox.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.inbox.close()

    def _send(self, message: Any) -> None:
        if self.dead:
            return
        try:
            data = message if isinstance(message, bytes) else pickle.dumps(message)
            self.outbox.send_bytes(data)
        except OSError as exc:
            self._died(f"the crawl worker is gone: {exc}")

    def _answer(self) -> None:
        try:
            reply = pickle.loads(self.inbox.recv_bytes())  # noqa: S301 - our own worker
        except (EOFError, OSError) as exc:
            self._died(f"the crawl worker died (exit status {self.process.poll()}): {exc}")
            return
        key = reply[1]
        self.in_flight[key] -= 1
        self.callbacks[key](reply)

    def _died(self, message: str) -> None:
        """Every batch still in flight is lost: each source is told once per batch."""
        self.dead = message
        logger.error("%s", message)
        for key, count in self.in_flight.items():
            for _ in range(count):
                self.callbacks[key](_failed(key, message))
            self.in_flight[key] = 0


def _failed(key: int, error: str) -> Reply:
    return ("batch", key, 0, 0, 0, 0, {}, [], error)
