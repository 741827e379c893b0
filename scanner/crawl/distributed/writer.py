"""The writer: the one ``scan`` that owns the database, and drains the fleet's work into it.

``scan crawl --redis URL`` (:func:`run_distributed`) opens the runs, publishes
the job, seeds the queues, then writes until every source is closed for every
worker and nothing is left in Redis; ``scan ingest --redis URL`` (:func:`ingest`)
takes over the writing of a job whose writer was killed, or stores what is
left. One writer at a time (a lock kept alive by a heartbeat): a killed
writer's lock lapses in seconds, and its successor commits again the batch it
was writing (``drain``).

A source is done when it is closed (finished, capped, out of time,
interrupted) and each worker that crawled it has said it is done with it or
is gone; then its run is concluded (``conclude``). A worker that dies leaves
its pages leased: they go back in the queue once its heartbeat lapses, put
there by the writer or any other worker.

A writer whose Redis has been away for longer than the limit (``outage``)
stops with one line, as if killed: every batch it committed is in the
database, the one it was committing stays in Redis's processing list, and
``scan ingest --redis URL`` writes the job to its end once Redis is back.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scanner.config import Config
from scanner.crawl.distributed.conclude import conclude_source
from scanner.crawl.distributed.connection import (
    RedisError,
    connect,
    giving_up,
    warn_if_volatile,
)
from scanner.crawl.distributed.drain import Drain
from scanner.crawl.distributed.heartbeat import Heartbeat
from scanner.crawl.distributed.keys import INTERRUPTED, Job, Keys
from scanner.crawl.distributed.scripts import Scripts
from scanner.crawl.distributed.seed import new_job, seed
from scanner.crawl.results import CrawlResult, ProgressFn, SourceResult, finish
from scanner.schema.checks import without_password
from scanner.status import ExitStatus
from scanner.store import Store, runs

logger = logging.getLogger("scanner.crawl.run")  # lines about the whole crawl: always shown
LOCK_TTL = 15.0  # seconds a killed writer's lock outlives it
CHECK_EVERY = 1.0  # seconds between looks at the sources while batches flow
STOP_WAIT = 30.0  # seconds an interrupted writer waits for the workers' last batches
NO_WORKER_EVERY = 60.0  # seconds between reminders that no worker is crawling
#: What a writer that gave up on Redis says to do (``connection.lost``).
GONE = (
    "the writer stops, and what it stored stays stored; start Redis again with its "
    "data, then `scan ingest --redis URL` stores the rest"
)


def run_distributed(
    config: Config,
    db_path: Path,
    sources: list[Any],
    *,
    url: str,
    overrides: dict[str, Any],
    progress: ProgressFn | None,
    progress_every: float,
) -> CrawlResult:
    """Crawl ``sources`` through Redis at ``url``, writing into ``db_path``; blocks until done."""
    client = connect(url)
    keys = Keys()
    with giving_up(url, GONE), _lock(client, keys), Store(db_path) as store:
        warning = warn_if_volatile(client, url)
        if warning:
            logger.warning("%s", warning)
        previous = current_job(client, keys, db_path)
        if previous is not None:
            logger.warning(
                "a distributed crawl of this database is under way (job %s): "
                "writing it to its end first",
                previous.id,
            )
            finish(db_path, Writer(client, keys, store, config, previous).run(None, 0))
        else:
            _leftovers(client, keys, store, config)
        parent = store.start_run("crawl")
        result = CrawlResult(run_id=parent)
        job = new_job(config, db_path, parent, overrides)
        client.set(keys.job, job.to_json())
        seeded = seed(client, keys, job, config, store, sources)
        by_name = {s.name: s for s in job.sources}
        for source in sources:
            entry = SourceResult(source.name, source.spider)
            result.sources.append(entry)
            if source.name not in by_name:
                entry.status = entry.health = "failed"
                entry.message, entry.finished = seeded.failed[source.name], True
                if progress:
                    progress(entry)
        job.state = "running"
        client.set(keys.job, job.to_json())
        logger.info(
            "job %s published to %s: %d source(s)", job.id, without_password(url), len(job.sources)
        )
        Writer(client, keys, store, config, job, progress).run(result, progress_every)
    finish(db_path, result)
    return result


def ingest(
    config: Config,
    db_path: Path,
    *,
    url: str,
    progress: ProgressFn | None = None,
    progress_every: float = 5.0,
) -> tuple[CrawlResult | None, int]:
    """Write the crawl under way to its end, or store what is left: (its result, batches)."""
    client = connect(url)
    keys = Keys()
    with giving_up(url, GONE), _lock(client, keys), Store(db_path) as store:
        job = current_job(client, keys, db_path)
        if job is None:
            return None, _leftovers(client, keys, store, config)
        writer = Writer(client, keys, store, config, job, progress)
        result = writer.run(None, progress_every)
    finish(db_path, result)
    return result, writer.drain.committed


def current_job(client: Any, keys: Keys, db_path: Path) -> Job | None:
    """The job in Redis, if any; refused when another database published it."""
    data = client.get(keys.job)
    if not data:
        return None
    job = Job.from_json(data)
    if job.db != str(Path(db_path).resolve()):
        raise RedisError(
            f"this Redis holds a crawl of another database ({job.db} on {job.host}); "
            "give each scan database its own Redis database "
            "(redis://HOST:6379/1, /2...)"
        )
    return job


def _leftovers(client: Any, keys: Keys, store: Store, config: Config) -> int:
    drain = Drain(client, keys, store, config)
    drain.requeue_processing()
    return drain.drain()


@contextlib.contextmanager
def _lock(client: Any, keys: Keys) -> Iterator[Heartbeat]:
    """The writer's lock, waited for while a killed writer's lapses (up to ``LOCK_TTL``).

    The wait is said once: the same line every half second only says that
    nothing happened yet.
    """
    lock = Heartbeat(client, keys.writer, runs.owner(), LOCK_TTL)
    deadline = time.monotonic() + LOCK_TTL + 5
    told = False
    while not lock.take():
        holder = (client.get(keys.writer) or b"?").decode()
        if time.monotonic() >= deadline:
            raise RedisError(f"another writer ({holder}) is writing this crawl; one at a time")
        if not told:
            told = True
            logger.warning("another writer (%s) holds the lock: waiting for it to lapse", holder)
        time.sleep(0.5)
    lock.start(lock=True)
    try:
        yield lock
    finally:
        lock.stop()


class Writer:
    """Drains one job into the store and concludes its sources."""

    def __init__(
        self,
        client: Any,
        keys: Keys,
        store: Store,
        config: Config,
        job: Job,
        progress: ProgressFn | None = None,
    ) -> None:
        self.client, self.keys, self.store, self.job = client, keys, store, job
        self.scripts = Scripts(client)
        self.drain = Drain(client, keys, store, config)
        self.drain.categorise = str(job.overrides.get("SCAN_CATEGORISE", "1")).lower() not in {
            "0",
            "false",
            "no",
            "off",
        }
        self.progress = progress
        self.stopping = 0.0  # when Ctrl-C was pressed
        self.pressed = False

    def run(self, result: CrawlResult | None, progress_every: float) -> CrawlResult:
        if result is None:  # taking over: the job's own parent run and sources
            result = CrawlResult(run_id=self.job.parent_run)
            result.sources = [SourceResult(s.name, s.spider) for s in self.job.sources]
            self._own_runs()
        entries = {e.name: e for e in result.sources}
        self.drain.requeue_processing()
        with self._ctrl_c():
            self._loop(entries, progress_every)
        for source in self.job.sources:
            entry = entries[source.name]
            conclude_source(
                self.client, self.store, source, self.keys.source(self.job.id, source.index), entry
            )
            if self.progress:
                self.progress(entry)
        result.interrupted = self.pressed
        if not self.client.llen(self.keys.items) and not self.client.llen(self.keys.processing):
            self._forget()
        else:
            logger.warning("batches are left in Redis: `scan ingest --redis URL` stores them")
        return result

    def _loop(self, entries: dict[str, SourceResult], progress_every: float) -> None:
        checked = ticked = 0.0
        alone_since, told = time.monotonic(), 0.0
        while True:
            if self.pressed and not self.stopping:
                self._stop_fleet()
            took = self.drain.take(timeout=0.5)
            now = time.monotonic()
            if took and now - checked < CHECK_EVERY:
                continue
            checked = now
            open_sources = [s for s in self.job.sources if not self._done(s.index)]
            items_left = self.client.llen(self.keys.items)
            if not open_sources and not items_left:
                return
            if self.stopping and now - self.stopping > STOP_WAIT:
                return
            if self._workers(open_sources):
                alone_since = now
            elif now - alone_since > 5 and now - told > NO_WORKER_EVERY:
                told = now
                logger.warning(
                    "no worker is crawling: start `scan crawl-worker --redis URL` "
                    "(%d source(s) waiting)",
                    len(open_sources),
                )
            if self.progress and progress_every > 0 and now - ticked >= progress_every:
                ticked = now
                self._tick(entries)

    def _done(self, index: int) -> bool:
        """Closed for every worker, and every worker done with it (or gone)."""
        keys = self.keys.source(self.job.id, index)
        if not self.scripts.closed(keys=[keys.queue, keys.leases, keys.state]):
            back = self.scripts.requeue(
                keys=[keys.leases, keys.queue, keys.read], args=[self.keys.alive_prefix, ""]
            )
            if back:
                logger.warning(
                    "%s: %d page(s) of a worker that is gone are queued again",
                    self.job.sources[index].name,
                    back,
                )
            return False
        for worker, state in self.client.hgetall(keys.members).items():
            if state == b"open" and self.client.exists(self.keys.alive(worker.decode())):
                return False
        return True

    def _workers(self, sources: list[Any]) -> bool:
        """Whether any worker is alive on these sources."""
        for source in sources:
            keys = self.keys.source(self.job.id, source.index)
            for worker, state in self.client.hgetall(keys.members).items():
                if state == b"open" and self.client.exists(self.keys.alive(worker.decode())):
                    return True
        return False

    def _tick(self, entries: dict[str, SourceResult]) -> None:
        from scanner.crawl.distributed.conclude import merged_stats

        for source in self.job.sources:
            entry = entries[source.name]
            entry.read(merged_stats(self.client, self.keys.source(self.job.id, source.index)))
            if self.progress:
                self.progress(entry)

    def _stop_fleet(self) -> None:
        self.stopping = time.monotonic()
        logger.warning(
            "Interrupted: the workers stop and push what they have; storing it "
            "(Ctrl-C again stops at once)."
        )
        for source in self.job.sources:
            state = self.keys.source(self.job.id, source.index).state
            self.client.hsetnx(state, "closed", INTERRUPTED)

    def _own_runs(self) -> None:
        """The job's runs belong to this process now (not "killed" with the last writer)."""
        ids = [self.job.parent_run, *(s.run_id for s in self.job.sources)]
        with self.store.db.atomic():
            self.store.db.conn.executemany(
                "UPDATE runs SET owner = ?, status = 'running', finished_at = NULL WHERE id = ? "
                "AND (finished_at IS NULL OR status = 'killed')",
                [(runs.owner(), run) for run in ids],
            )

    def _forget(self) -> None:
        names = [self.keys.job]
        for source in self.job.sources:
            names += self.keys.source(self.job.id, source.index).all()
        self.client.delete(*names)

    @contextlib.contextmanager
    def _ctrl_c(self) -> Iterator[None]:
        def on_signal(signum: int, frame: Any) -> None:
            if self.pressed:
                os.write(2, b"Interrupted again: stopping now.\n")
                os._exit(ExitStatus.INTERRUPTED)
            self.pressed = True

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
