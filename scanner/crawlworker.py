"""The crawl worker process: every item's pipeline work and every commit, off the crawl process.

The crawl (reactor) thread is a crawl's bottleneck, and a second thread in the
same process competes with it for the GIL. So the crawl side only turns each item
into a tuple and hands batches over a pipe (``scanner.crawlwriter.CrawlWorker``);
this process, one per crawl for all its sources, runs validate → clean → company
match → classify on each item and commits the batch's posts and frontier marks in
ONE transaction, then answers with counts (new, updated, unchanged, drops by
reason, errors) and the log lines the crawl side writes. Batches are handled in
the order they came. When the crawl process dies its pipe closes: this process
finishes the batch it is writing and exits, so a kill loses at most the batches
in flight and never leaves a page marked fetched without its posts.

Run as ``python -m scanner.crawlworker READ_FD WRITE_FD``.
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
from types import SimpleNamespace
from typing import Any

from scrapy.exceptions import DropItem
from scrapy.settings import Settings

from scanner.crawlstate import _ATTR
from scanner.crawlwriter import Batch, commit
from scanner.items import Mention
from scanner.pipelines.classify import ClassifyPipeline
from scanner.pipelines.clean import CleanPipeline
from scanner.pipelines.match import CompanyMatchPipeline
from scanner.pipelines.store import to_row
from scanner.pipelines.validate import ValidatePipeline
from scanner.store import Store

STAGES = (ValidatePipeline, CleanPipeline, CompanyMatchPipeline, ClassifyPipeline)


class _Stats:
    """Counts what the stages count (``scan/dropped/<reason>``), sent back per batch."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.counts[key] += count


class Source:
    """One source's stages, built from what its crawler knew (see ``CrawlWorker.open``)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.name: str = spec["source"]
        self.run_id: int | None = spec["run_id"]
        self.db: str = spec["db"]
        self.stats = _Stats()
        # The slice of a Scrapy Crawler the stages read.
        crawler = SimpleNamespace(
            stats=self.stats,
            settings=Settings({"SCAN_CATEGORISE": spec["categorise"]}),
            spider=SimpleNamespace(about_company=spec["spider_about"]),
        )
        source_config = next((s for s in spec["config"].sources if s.name == self.name), None)
        crawler.__dict__[_ATTR] = SimpleNamespace(config=spec["config"],
                                                  source_config=source_config)  # fmt: skip
        self.stages = [stage(crawler).process_item for stage in STAGES]

    def rows(self, items: list[Any], logs: list[tuple[int, str]]) -> list[dict[str, Any]]:
        """The batch's items through the stages; drops and errors counted and logged."""
        out = []
        dropped = errors = 0
        for values in items:
            row = Mention(*values) if type(values) is tuple else values
            try:
                for stage in self.stages:
                    row = stage(row)
            except DropItem as exc:
                dropped += 1
                level = logging.DEBUG if exc.log_level == "DEBUG" else logging.WARNING
                logs.append((level, f"{self.name}: dropped: {exc}"))
                continue
            except Exception:  # a bug on one hostile post loses that post, not the batch
                errors += 1
                logs.append((logging.ERROR, f"{self.name}: error processing a post:\n"
                             f"{traceback.format_exc()}"))  # fmt: skip
                continue
            out.append(to_row(self.name, row))
        counts = self.stats.counts
        if dropped:
            counts["item_dropped_count"] += dropped
            counts["item_dropped_reasons_count/DropItem"] += dropped
        if errors:
            counts["scan/item_errors"] += errors
        return out


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
    sources: dict[int, Source] = {}
    stores: dict[str, Store] = {}
    try:
        while (data := received.get()) is not None and not gone.is_set():
            message = pickle.loads(data)  # noqa: S301 - from our own crawl process
            if message[0] == "open":
                _, key, spec = message
                try:
                    sources[key] = Source(spec)
                except Exception as exc:  # reported with every batch of this source
                    sources[key] = exc  # type: ignore[assignment]
            elif message[0] == "batch":
                _, key, seq, items, adds, done = message
                outbox.send_bytes(pickle.dumps(_batch(sources[key], stores, items, adds, done,
                                                      key, seq)))  # fmt: skip
            elif message[0] == "bye":
                return
    finally:
        for store in stores.values():
            store.close()


def _batch(source: Source | Exception, stores: dict[str, Store], items: list[Any],
           adds: dict[str, tuple[str, str]], done: set[str], key: int,
           seq: int) -> tuple[Any, ...]:  # fmt: skip
    logs: list[tuple[int, str]] = []
    new = updated = unchanged = 0
    error = None
    counts: dict[str, int] = {}
    if isinstance(source, Exception):
        error = f"cannot set the pipeline up: {source}"
    else:
        try:
            rows = source.rows(items, logs)
            store = stores.get(source.db)
            if store is None:
                store = stores[source.db] = Store(source.db, migrate=False)
            result = commit(store, source.name, source.run_id, Batch(rows, adds, done))
            new, updated, unchanged = result.new, result.updated, result.unchanged
        except Exception as exc:  # the transaction rolled back whole; the crawl goes on
            error = str(exc) or type(exc).__name__  # the crawl side logs it
        counts = dict(source.stats.counts)
        source.stats.counts.clear()
    return ("batch", key, seq, new, updated, unchanged, counts, logs, error)


def main(argv: list[str]) -> None:
    # Ctrl-C reaches the whole process group; the crawl side then shuts down gracefully
    # and still needs this process to commit its last batches. It exits when told to,
    # or when its pipe closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inbox = Connection(int(argv[0]), writable=False)
    outbox = Connection(int(argv[1]), readable=False)
    serve(inbox, outbox)


if __name__ == "__main__":
    main(sys.argv[1:])
