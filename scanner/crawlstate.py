"""One source's state during a crawl, shared by the pipelines, middlewares and extension.

Each crawler (one per source) gets one :class:`SourceState`: the store
connection, the run row, what the source had already seen before this run, and
the write buffer. Items and frontier changes are written together in one
transaction per batch, by the source's writer thread (``scanner.crawlwriter``),
so a killed crawl loses at most the batches in flight and a page is never marked
fetched unless the posts it yielded were committed with it.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from scanner.config import Config, Source, load_config
from scanner.crawlwriter import Batch, BatchWriter
from scanner.store import Store, UpsertResult

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
_ATTR = "_scan_source_state"


class SourceState:
    """What a crawler of one source knows and has yet to write."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        spider = crawler.spider
        self.config: Config = settings.get("SCAN_CONFIG_OBJECT") or load_config(
            settings.get("SCAN_CONFIG")
        )
        self.source: str = (
            settings.get("SCAN_SOURCE")
            or getattr(spider, "source", None)
            or (spider.name if spider else "unknown")
        )
        self.source_config: Source | None = next(
            (s for s in self.config.sources if s.name == self.source), None
        )
        self.store = Store(settings.get("SCAN_DB"))
        self.batch_size = max(1, settings.getint("SCAN_BATCH_SIZE"))
        self.batch_seconds = settings.getfloat("SCAN_BATCH_SECONDS")
        self.cutoff = self._cutoff(settings.getfloat("SCAN_INCREMENTAL_OVERLAP_DAYS"))
        parent = settings.get("SCAN_PARENT_RUN")
        self.run_id = self.store.start_run("crawl", source=self.source, parent_id=parent)
        self.known: set[str] = self.store.known_external_ids(self.source)
        self.rows: list[dict[str, Any]] = []
        self.frontier_add: dict[str, tuple[str, str]] = {}
        self.frontier_done: set[str] = set()
        self.resumed: set[str] = set()  # fingerprints re-issued from the last run's backlog
        self.totals = UpsertResult(new_ids=None)
        self.writer = BatchWriter(self.store.path, self.source, self.run_id)
        self._last_flush = time.monotonic()
        self.closed = False
        self.verdict: Any = None  # the health verdict, set at close (scanner.health)

    @classmethod
    def of(cls, crawler: Crawler) -> SourceState:
        state = crawler.__dict__.get(_ATTR)
        if state is None:
            state = cls(crawler)
            crawler.__dict__[_ATTR] = state
        return state

    def _cutoff(self, overlap_days: float) -> datetime | None:
        """Posts published before this were seen by the last successful run."""
        row = self.store.db.execute(
            "SELECT started_at FROM runs WHERE kind = 'crawl' AND source = ? "
            "AND status IN ('ok', 'partial') ORDER BY id DESC LIMIT 1",
            [self.source],
        ).fetchone()
        if not row:
            return None
        return datetime.fromisoformat(row[0]) - timedelta(days=overlap_days)

    # -- buffering ---------------------------------------------------------------
    def add_row(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def schedule(self, fingerprint: str, url: str, request: dict[str, Any]) -> None:
        self.frontier_add[fingerprint] = (url, json.dumps(request, default=str))
        self.frontier_done.discard(fingerprint)

    def fetched(self, fingerprint: str) -> None:
        self.frontier_done.add(fingerprint)
        self.maybe_flush()

    def maybe_flush(self) -> None:
        if self.rows and time.monotonic() - self._last_flush >= self.batch_seconds:
            self.flush()

    def flush(self, *, wait: bool = False) -> None:
        """Hand buffered posts and frontier changes to the writer, as one transaction.

        ``wait``: return only once everything handed over so far is committed
        (then ``totals`` and the ``scan/*`` stats are final).
        """
        rows, self.rows = self.rows, []
        adds, self.frontier_add = self.frontier_add, {}
        done, self.frontier_done = self.frontier_done, set()
        self._last_flush = time.monotonic()
        if rows or adds or done:
            self.writer.submit(Batch(rows, adds, done))
        if wait:
            self.writer.wait()
        self.totals, failed = self.writer.counts()
        stats = self.crawler.stats
        stats.set_value("scan/new", self.totals.new)
        stats.set_value("scan/updated", self.totals.updated)
        stats.set_value("scan/unchanged", self.totals.unchanged)
        if failed:
            stats.set_value("scan/store_errors", failed)
            stats.set_value("scan/last_store_error", self.writer.last_error)

    # -- frontier ------------------------------------------------------------------
    def pending_requests(self) -> list[dict[str, Any]]:
        rows = self.store.db.execute(
            "SELECT request FROM frontier WHERE source = ? AND done = 0 ORDER BY rowid",
            [self.source],
        ).fetchall()
        out = []
        for (text,) in rows:
            try:
                out.append(json.loads(text))
            except ValueError:
                logger.warning("%s: unreadable frontier entry skipped", self.source)
        return out

    def forget_finished(self) -> None:
        """After a crawl that ran to its end: drop what was fetched, and what failed twice.

        A page still pending after being re-issued from the backlog failed in two
        runs (a 500, a robots.txt ban): it is given up rather than retried forever.
        """
        self.flush(wait=True)
        db = self.store.db
        with db.atomic():
            db.execute("DELETE FROM frontier WHERE source = ? AND done = 1", [self.source])
            gone = [(self.source, fp) for fp in self.resumed if fp]
            if gone:
                db.conn.executemany(
                    "DELETE FROM frontier WHERE source = ? AND fingerprint = ?", gone
                )

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()
            self.store.close()
