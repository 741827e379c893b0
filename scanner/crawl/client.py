"""The crawl side of the worker process: start it, hand batches over, read the answers.

Storing a post costs about as much CPU as Scrapy spends fetching and parsing it
(FTS triggers, seven indexes), and the stages cost a fifth of that again; the
crawl (reactor) thread is the bottleneck of a crawl, and a second thread in the
same process competes with it for the GIL. So one worker PROCESS per crawl
(``scanner.crawl.worker``, shared by all its sources) runs the stages and the
commits on the second core. Batches are handled strictly in the order they were
handed over, each committed in one transaction holding its posts and its frontier
changes together: a killed crawl loses at most the batches still in flight
(``MAX_QUEUED``) and never marks a page fetched without the posts it yielded.
The worker dies with the crawl: its pipe closes and it exits.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import ClassVar

import scanner
from scanner.crawl.messages import Batch, BatchDone, Goodbye, ItemValues, OpenSource

logger = logging.getLogger(__name__)
#: Batches handed over and not yet answered before the crawl thread waits (back-
#: pressure: memory stays bounded, and so does what a kill can lose).
MAX_QUEUED = 4
Answered = Callable[[BatchDone], None]


class WorkerClient:
    """The crawl's one worker process, shared by every source (``acquire``/``release``).

    Every call is made on the crawl thread, and answers are read there too (when
    a batch is handed over, on ``poll`` and on ``wait``), so the callbacks that
    fold them into a crawler's stats run where Scrapy expects.
    """

    shared: ClassVar[WorkerClient | None] = None
    restarts: ClassVar[int] = 0

    def __init__(self) -> None:
        to_read, to_write = os.pipe()
        from_read, from_write = os.pipe()
        # The worker must run this very scanner, not one that happens to sit in the
        # current directory (``-m`` would look there first): -P leaves the current
        # directory out, and the folder this scanner was imported from goes first.
        here = str(Path(scanner.__file__).resolve().parents[1])
        path = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "scanner.crawl.worker", str(to_read), str(from_write)],
            pass_fds=(to_read, from_write),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
        os.close(to_read)
        os.close(from_write)
        self.outbox = Connection(to_write, readable=False)
        self.inbox = Connection(from_read, writable=False)
        self.users = 0
        # key -> each batch handed over and not answered yet: its posts, its pages
        self.in_flight: dict[int, deque[tuple[int, dict[str, tuple[str, str]]]]] = {}
        self.callbacks: dict[int, Answered] = {}
        self.seq = 0
        self.dead = ""

    @classmethod
    def acquire(cls) -> WorkerClient:
        worker = cls.shared
        if worker is None or worker.dead:
            worker = cls.shared = cls()
        worker.users += 1
        return worker

    def gone(self) -> bool:
        """Whether the worker is dead: noticed here, before a batch is handed over,
        when its process has ended."""
        if not self.dead and self.process.poll() is not None:
            self._died(f"the crawl worker died (exit status {self.process.returncode})")
        return bool(self.dead)

    def revived(self, restarts: int) -> WorkerClient:
        """This worker if it lives, else the crawl's new one (at most ``restarts``
        new ones a crawl; past them, this dead one). A source that moves over
        opens itself again."""
        if not self.dead:
            return self
        shared = WorkerClient.shared
        if shared is None or shared.dead:
            if WorkerClient.restarts >= restarts:
                return self
            WorkerClient.restarts += 1
            WorkerClient.shared = None
            logger.warning("starting a new crawl worker (%d of %d)", self.restarts, restarts)
        worker = WorkerClient.acquire()
        self.release()
        return worker

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            self.close()

    def open(self, spec: OpenSource, callback: Answered) -> int:
        """Register a source (``spec.key`` is filled in here) and where its answers go."""
        spec.key = len(self.callbacks) + 1
        self.callbacks[spec.key] = callback
        self.in_flight[spec.key] = deque()
        self._send(spec)
        return spec.key

    def submit(
        self,
        key: int,
        items: list[ItemValues],
        frontier_add: dict[str, tuple[str, str]],
        frontier_done: set[str],
    ) -> None:
        while sum(map(len, self.in_flight.values())) >= MAX_QUEUED and not self.dead:
            self._answer()
        if self.dead:
            lost = BatchDone(key, 0, error=self.dead, lost=len(items), unrecorded=frontier_add)
            self.callbacks[key](lost)
            return
        self.seq += 1
        batch = Batch(key, self.seq, items, frontier_add, frontier_done)
        try:
            data = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            self.callbacks[key](
                BatchDone(key, self.seq, error=f"cannot hand over: {exc}", lost=len(items))
            )
            return
        self.in_flight[key].append((len(items), frontier_add))
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
        if WorkerClient.shared is self:
            WorkerClient.shared = None
        for key in list(self.in_flight):
            self.wait(key)
        if not self.dead:
            self._send(Goodbye())
        self.outbox.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.inbox.close()

    def _send(self, message: OpenSource | Goodbye | bytes) -> None:
        if self.dead:
            return
        try:
            data = message if isinstance(message, bytes) else pickle.dumps(message)
            self.outbox.send_bytes(data)
        except OSError as exc:
            self._died(f"the crawl worker is gone: {exc}")

    def _answer(self) -> None:
        try:
            answer: BatchDone = pickle.loads(self.inbox.recv_bytes())  # noqa: S301 - ours
        except (EOFError, OSError) as exc:
            self._died(f"the crawl worker died (exit status {self.process.poll()}): {exc}")
            return
        self._deliver(answer)

    def _deliver(self, answer: BatchDone) -> None:
        """An answer to its source: the oldest batch of the source it answers."""
        self.in_flight[answer.key].popleft()
        self.callbacks[answer.key](answer)

    def _died(self, message: str) -> None:
        """Every batch still in flight is lost: each source is told once per batch,
        with the pages the batch would have recorded, to be recorded again. The
        answers the worker sent before it died are read first: a batch it stored and
        answered was called lost when the crawl noticed the death before reading
        them (stored 30 posts, "stored 0, dropped 40", the run "failed")."""
        if self.dead:
            return
        self.dead = message
        self._read_sent()
        logger.error("%s", message)
        for key, batches in self.in_flight.items():
            for posts, pages in batches:
                lost = BatchDone(key, 0, error=message, lost=posts, unrecorded=pages)
                self.callbacks[key](lost)
            batches.clear()

    def _read_sent(self) -> None:
        """Fold in the answers already in the pipe, without waiting for more."""
        while any(self.in_flight.values()):
            try:
                if not self.inbox.poll(0):
                    return
                answer: BatchDone = pickle.loads(self.inbox.recv_bytes())  # noqa: S301 - ours
            except (EOFError, OSError):
                return
            self._deliver(answer)
