"""One source's state during a crawl: its run, what it had seen, the batch being gathered.

Each crawler (one per source) has one :class:`SourceState`, made and owned by
the source extension (``scanner.crawl.extension``), which is how the pipeline
and the middlewares reach it. Items (as tuples) and frontier changes are handed
to the crawl worker process (``scanner.crawl.client``) in batches, each run
through the stages and committed in one transaction there, so a killed crawl
loses at most the batches in flight and a page is never marked fetched unless the
posts it yielded were committed with it. The worker's answers are counted in the
crawler's stats under ``scan/`` (stored, new, updated, unchanged, dropped by
reason), from which ``scan crawl``, the ``runs`` rows and the health are made.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import deferred_from_coro

from scanner.config import Config, load_config
from scanner.crawl.client import WorkerClient
from scanner.crawl.messages import BatchDone, ItemValues, OpenSource
from scanner.store import Store, UpsertResult

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
#: The reason a crawl stops once no worker is left to store what it fetches.
WORKER_GONE = "worker_gone"


class Gathering:
    """Items and frontier changes gathered for one write, and when to write them.

    A local crawl's :class:`SourceState` hands them to its worker process; a
    distributed worker's ``Outbox`` (``scanner.crawl.distributed.outbox``) pushes
    them to Redis. The item pipeline and the frontier call the same three methods
    on either; each subclass says how to write (``flush``, ``maybe_flush``).
    """

    def __init__(self, batch_size: int, batch_seconds: float) -> None:
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        self.items: list[ItemValues] = []
        self.frontier_add: dict[str, tuple[str, str]] = {}
        self.frontier_done: set[str] = set()
        self._last_flush = time.monotonic()
        self.closed = False
        #: A batch was lost: which pages its posts came from is not known here, so
        #: no page is marked fetched from then on (the next crawl reads them again).
        self.unsure = False

    def add(self, item: ItemValues) -> None:
        """Gather one item (a tuple of ``Mention`` values, or a dict) for the next write.

        After ``close`` (an interrupted crawl winding down) items are let go: their
        pages were not marked fetched, so the next crawl reads them again.
        """
        if self.closed:
            return
        self.items.append(item)
        if len(self.items) >= self.batch_size:
            self.flush()

    def schedule(self, fingerprint: str, url: str, request: dict[str, Any]) -> None:
        self.frontier_add[fingerprint] = (url, json.dumps(request, default=str))
        self.frontier_done.discard(fingerprint)

    def fetched(self, fingerprint: str) -> None:
        if not self.closed and not self.unsure:
            self.frontier_done.add(fingerprint)
            self.maybe_flush()

    def flush(self, *, wait: bool = False) -> None:
        raise NotImplementedError

    def maybe_flush(self) -> None:
        raise NotImplementedError


class SourceState(Gathering):
    """What a crawler of one source knows and has yet to write."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        super().__init__(
            settings.getint("SCAN_BATCH_SIZE"), settings.getfloat("SCAN_BATCH_SECONDS")
        )
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
        self.store = Store(settings.get("SCAN_DB"))
        self.cutoff = self._cutoff(settings.getfloat("SCAN_INCREMENTAL_OVERLAP_DAYS"))
        parent = settings.get("SCAN_PARENT_RUN")
        self.run_id = self.store.start_run("crawl", source=self.source, parent_id=parent)
        self.known: set[str] = self.store.known_external_ids(self.source)
        self.marks: dict[str, str] = self.store.page_marks(self.source)
        self.totals = UpsertResult(new_ids=None)
        self.worker = WorkerClient.acquire()
        self.key: int | None = None  # the source's name in the worker, once opened
        self.stopping = False  # the crawl is stopped: no worker is left to store

    def _cutoff(self, overlap_days: float) -> datetime | None:
        return incremental_cutoff(self.store, self.source, overlap_days)

    # -- buffering ---------------------------------------------------------------
    def maybe_flush(self) -> None:
        if self.closed:
            return
        self.worker.poll()
        if self.items and time.monotonic() - self._last_flush >= self.batch_seconds:
            self.flush()

    def flush(self, *, wait: bool = False) -> None:
        """Hand gathered items and frontier changes to the worker, as one transaction.

        ``wait``: return only once everything handed over so far is committed
        (then ``totals`` and the ``scan/*`` stats are final).
        """
        if self.closed:
            return
        items, self.items = self.items, []
        adds, self.frontier_add = self.frontier_add, {}
        done, self.frontier_done = self.frontier_done, set()
        self._last_flush = time.monotonic()
        if items or adds or done:
            if self.worker.gone():
                self._revive()
            if self.key is None:  # the spider exists by now (not yet when this was made)
                self.key = self.worker.open(self._spec(), self._answered)
            self.worker.submit(self.key, items, adds, done)
        if wait and self.key is not None:
            self.worker.wait(self.key)

    def _spec(self) -> OpenSource:
        """What the worker needs to run this source's stages and commits."""
        spider = self.crawler.spider
        return OpenSource(
            key=0,
            db=str(self.store.path),
            source=self.source,
            run_id=self.run_id,
            config=self.config,
            categorise=self.crawler.settings.getbool("SCAN_CATEGORISE"),
            spider_about=bool(getattr(spider, "about_company", False)),
        )

    def _answered(self, answer: BatchDone) -> None:
        """Count one batch's answer in the crawler's stats and log what it reports.
        A batch that was not stored (the database locked past the busy timeout, a
        full disk) loses its posts and its page marks: the pages it scheduled are
        handed over again with the next batch, so they stay to be fetched by the
        next crawl. They had been lost with it, and the next crawl stopped at its
        first page, whose posts it knew. No page is marked fetched after that (see
        ``unsure``): a page's mark may travel in the batch after its posts."""
        self.totals += UpsertResult(answer.new, answer.updated, answer.unchanged)
        fold_answer(self.crawler.stats, answer, self.source)
        if answer.error:
            self.unsure = True
            self.frontier_done.clear()
        for fingerprint, page in answer.unrecorded.items():
            self.frontier_add.setdefault(fingerprint, page)

    def close(self) -> None:
        if not self.closed:
            try:
                self.flush(wait=True)
                if self.frontier_add:  # pages of a last batch that was not stored
                    self.flush(wait=True)
            finally:
                self.closed = True
                self.worker.release()
                self.store.close()

    def _revive(self) -> None:
        """Move to a new worker in place of the dead one; past ``SCAN_WORKER_RESTARTS``
        stop the crawl: what it fetched could not be stored (its pages are kept)."""
        worker = self.worker.revived(self.crawler.settings.getint("SCAN_WORKER_RESTARTS"))
        if worker is not self.worker:
            self.worker, self.key = worker, None
        elif not self.stopping:
            self.stopping = True
            engine = self.crawler.engine
            if engine is not None and engine.running:
                stop = engine.close_spider_async(reason=WORKER_GONE)
                deferred_from_coro(stop).addErrback(lambda _: None)


def incremental_cutoff(store: Store, source: str, overlap_days: float) -> datetime | None:
    """Posts published before this were seen by the last successful run."""
    row = store.db.execute(
        "SELECT started_at FROM runs WHERE kind = 'crawl' AND source = ? "
        "AND status IN ('ok', 'partial') ORDER BY id DESC LIMIT 1",
        [source],
    ).fetchone()
    if not row:
        return None
    return datetime.fromisoformat(row[0]) - timedelta(days=overlap_days)


def fold_answer(stats: Any, answer: BatchDone, source: str) -> None:
    """Count one batch's answer under ``scan/`` in ``stats`` (Scrapy's ``inc_value``/
    ``set_value``) and log what it reports."""
    for key, count in (
        ("scan/stored", answer.stored),
        ("scan/new", answer.new),
        ("scan/updated", answer.updated),
        ("scan/unchanged", answer.unchanged),
        ("scan/failed", answer.failed),
        ("scan/lost", answer.lost),
    ):
        if count:
            stats.inc_value(key, count)
    for reason, count in answer.dropped.items():
        stats.inc_value(f"scan/dropped/{reason}", count)
        stats.inc_value("scan/dropped", count)
    for level, message in answer.logs:
        logger.log(level, "%s", message)
    if answer.error:
        stats.inc_value("scan/store_errors")
        stats.set_value("scan/last_store_error", answer.error)
        logger.error("%s: a batch of posts was not stored: %s", source, answer.error)
