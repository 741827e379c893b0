"""The one thread that commits a source's batches, so SQLite work leaves the crawl thread.

Storing a post costs about as much CPU as Scrapy spends fetching and parsing it
(FTS triggers, seven indexes), and the crawl thread is the bottleneck of a crawl.
sqlite3 releases the GIL while it executes, so a second thread with its own
connection does that work on the second core. Batches are committed strictly in
the order they were handed over, each in one transaction holding its posts and
its frontier changes together: a killed crawl loses at most the batches still
queued (``MAX_QUEUED`` + the one being written) and never marks a page fetched
without the posts it yielded.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.store import Store, UpsertResult

logger = logging.getLogger(__name__)
#: Batches waiting for the writer before the crawl thread waits too (back-pressure:
#: memory stays bounded, and so does what a kill can lose).
MAX_QUEUED = 4


@dataclass
class Batch:
    rows: list[dict[str, Any]]
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


class BatchWriter:
    """Commits :class:`Batch` es on its own thread and connection; counts what it wrote.

    ``submit`` returns at once (unless ``MAX_QUEUED`` batches are waiting);
    ``wait`` returns once every submitted batch is committed or has failed;
    ``close`` waits and ends the thread. A batch that fails is logged and counted
    in ``failed`` (its transaction rolled back whole) and the next ones are still
    written: the same as when the crawl thread wrote them itself.
    """

    def __init__(self, path: str | Path, source: str, run_id: int | None) -> None:
        self.path, self.source, self.run_id = path, source, run_id
        self.totals = UpsertResult(new_ids=None)
        self.failed = 0
        self.last_error = ""
        self._lock = threading.Lock()
        self._queue: queue.Queue[Batch | None] = queue.Queue(MAX_QUEUED)
        self._thread = threading.Thread(target=self._run, name=f"scan-writer-{source}",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def submit(self, batch: Batch) -> None:
        if not self._thread.is_alive():
            raise RuntimeError("the batch writer is closed")
        self._queue.put(batch)

    def wait(self) -> None:
        self._queue.join()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def counts(self) -> tuple[UpsertResult, int]:
        """The totals so far and the number of failed batches (a consistent pair)."""
        with self._lock:
            return UpsertResult(self.totals.new, self.totals.updated,
                                self.totals.unchanged), self.failed  # fmt: skip

    def _run(self) -> None:
        store: Store | None = None
        try:
            while True:
                batch = self._queue.get()
                try:
                    if batch is None:
                        return
                    if store is None:
                        store = Store(self.path, migrate=False)
                    result = commit(store, self.source, self.run_id, batch)
                    with self._lock:
                        self.totals += UpsertResult(result.new, result.updated, result.unchanged)
                except Exception as exc:  # the crawl goes on; the loss is counted and logged
                    logger.error("%s: a batch of %d posts was not stored: %s",
                                 self.source, len(batch.rows) if batch else 0, exc,
                                 exc_info=True)  # fmt: skip
                    with self._lock:
                        self.failed += 1
                        self.last_error = str(exc)
                finally:
                    self._queue.task_done()
        finally:
            if store is not None:
                store.close()
