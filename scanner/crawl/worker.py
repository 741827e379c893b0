"""The crawl worker process: every post's stages and every commit, off the crawl process.

The crawl (reactor) thread is a crawl's bottleneck, and a second thread in the
same process competes with it for the GIL. So the crawl side only turns each item
into a tuple and hands batches over a pipe (``scanner.crawl.client``); this
process, one per crawl for all its sources, runs validate → clean → match →
classify (``scanner.crawl.stages``) on each post and commits the batch's posts
and frontier marks in ONE transaction, then answers with a ``BatchDone``.
Batches are handled in the order they came. When the crawl process dies its pipe
closes: this process finishes the batch it is writing and exits, so a kill loses
at most the batches in flight and never leaves a page marked fetched without its
posts.

Run as ``python -m scanner.crawl.worker READ_FD WRITE_FD``.
"""

from __future__ import annotations

import logging
import pickle
import queue
import signal
import sys
import threading
import traceback
from collections import Counter
from multiprocessing.connection import Connection
from typing import Any

from scanner.crawl.messages import Batch, BatchDone, Goodbye, ItemValues, OpenSource
from scanner.crawl.stages import (
    Classifier,
    CompanyMatch,
    Dropped,
    classify,
    clean,
    match,
    mention_row,
    validate,
)
from scanner.store import Store, UpsertResult


class SourceStages:
    """One source's stages, set up from what its crawler knew (``OpenSource``)."""

    def __init__(self, spec: OpenSource) -> None:
        self.spec = spec
        self.companies = CompanyMatch.for_source(
            spec.config, spec.source, spider_about=spec.spider_about
        )
        self.classifier = Classifier.with_categories(spec.categorise)

    def rows(self, items: list[ItemValues], answer: BatchDone) -> list[dict[str, Any]]:
        """The batch's posts through the stages; drops and failures counted and logged."""
        out = []
        dropped: Counter[str] = Counter()
        name, companies, classifier = self.spec.source, self.companies, self.classifier
        for item in items:
            try:
                row = classify(match(clean(validate(item)), companies), classifier)
            except Dropped as drop:
                dropped[drop.reason] += 1
                level = logging.DEBUG if drop.quiet else logging.WARNING
                answer.logs.append((level, f"{name}: dropped: {drop}"))
                continue
            except Exception:  # a bug on one hostile post loses that post, not the batch
                answer.failed += 1
                answer.logs.append(
                    (logging.ERROR, f"{name}: error processing a post:\n{traceback.format_exc()}")
                )
                continue
            out.append(mention_row(name, row))
        answer.dropped = dict(dropped)
        return out


#: A post's own page that was read carries what it looked like (``meta["page_mark"]``,
#: see ``scanner.crawl.spider``): kept, so the next crawl reads it again only once
#: that changed. Taken from the page's frontier entry, in the transaction that
#: stores the page's posts.
_MARK_PAGE = """
    INSERT INTO page_marks (source, external_id, mark)
    SELECT source, json_extract(request, '$.meta.external_id'),
           json_extract(request, '$.meta.page_mark')
    FROM frontier
    WHERE source = ? AND fingerprint = ?
      AND json_extract(request, '$.meta.external_id') IS NOT NULL
      AND json_extract(request, '$.meta.page_mark') IS NOT NULL
    ON CONFLICT (source, external_id) DO UPDATE SET mark = excluded.mark
"""


def commit(
    store: Store,
    source: str,
    run_id: int | None,
    rows: list[dict[str, Any]],
    frontier_add: dict[str, tuple[str, str]],
    frontier_done: set[str],
) -> UpsertResult:
    """Write one batch in one transaction: posts first, then the frontier changes."""
    db = store.db
    with db.atomic():
        result = store.upsert_mentions(rows, run_id=run_id)
        if frontier_add:
            db.conn.executemany(
                "INSERT INTO frontier (source, fingerprint, url, request, added_run, done) "
                "VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (source, fingerprint) "
                "DO UPDATE SET done = 0, request = excluded.request",
                [(source, fp, url, req, run_id) for fp, (url, req) in frontier_add.items()],
            )
        if frontier_done:
            done = [(source, fp) for fp in frontier_done]
            db.conn.executemany(
                "UPDATE frontier SET done = 1 WHERE source = ? AND fingerprint = ?", done
            )
            db.conn.executemany(_MARK_PAGE, done)
    return result


class Worker:
    """The sources opened so far, their stores, and how one batch is handled."""

    def __init__(self) -> None:
        self.sources: dict[int, SourceStages | Exception] = {}
        self.stores: dict[str, Store] = {}

    def open(self, spec: OpenSource) -> None:
        try:
            self.sources[spec.key] = SourceStages(spec)
        except Exception as exc:  # reported with every batch of this source
            self.sources[spec.key] = exc

    def handle(self, batch: Batch) -> BatchDone:
        answer = BatchDone(batch.key, batch.seq)
        stages = self.sources[batch.key]
        if isinstance(stages, Exception):
            answer.error = f"cannot set the stages up: {stages}"
            answer.lost = len(batch.items)
            return answer
        spec = stages.spec
        try:
            rows = stages.rows(batch.items, answer)
            store = self.stores.get(spec.db)
            if store is None:
                store = self.stores[spec.db] = Store(spec.db, migrate=False)
            result = commit(
                store, spec.source, spec.run_id, rows, batch.frontier_add, batch.frontier_done
            )
        except Exception as exc:  # the transaction rolled back whole; the crawl goes on
            answer.error = str(exc) or type(exc).__name__  # the crawl side logs it
            answer.lost = len(batch.items) - sum(answer.dropped.values()) - answer.failed
            answer.unrecorded = dict(batch.frontier_add)
        else:
            answer.new, answer.updated = result.new, result.updated
            answer.unchanged = result.unchanged
        return answer

    def close(self) -> None:
        for store in self.stores.values():
            store.close()


def serve(inbox: Connection, outbox: Connection) -> None:
    """Handle messages until the crawl side says goodbye or its pipe closes."""
    received: queue.Queue[bytes | None] = queue.Queue()
    gone = threading.Event()

    def read() -> None:  # so that the crawl side never waits while a batch is written
        try:
            while True:
                received.put(inbox.recv_bytes())
        except (EOFError, OSError):
            gone.set()
            received.put(None)

    threading.Thread(target=read, name="scan-worker-reader", daemon=True).start()
    worker = Worker()
    try:
        while (data := received.get()) is not None and not gone.is_set():
            message = pickle.loads(data)  # noqa: S301 - from our own crawl process
            if isinstance(message, Batch):
                outbox.send_bytes(pickle.dumps(worker.handle(message)))
            elif isinstance(message, OpenSource):
                worker.open(message)
            elif isinstance(message, Goodbye):
                return
    finally:
        worker.close()


def main(argv: list[str]) -> None:
    # Ctrl-C reaches the whole process group; the crawl side then commits what has
    # arrived and still needs this process for it. It exits when told to, or when
    # its pipe closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inbox = Connection(int(argv[0]), writable=False)
    outbox = Connection(int(argv[1]), readable=False)
    serve(inbox, outbox)


if __name__ == "__main__":
    main(sys.argv[1:])
