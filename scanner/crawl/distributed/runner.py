"""``scan crawl-worker``: wait for a job in Redis, crawl its sources, and the next job.

A Twisted reactor cannot be restarted, so each job is crawled in a process of
its own: :func:`serve` waits for each new job and runs one child
(``scan crawl-worker --once --job ID``) per job; :func:`serve_one` is that
child. A worker crawls every source of the job that is not closed yet, each
in its own crawler as a local crawl does, with the distributed parts swapped in
by settings (:func:`worker_settings`): the leasing scheduler, the remote source
extension, the lease middleware and the shared host gates. A worker whose Redis
has been away for longer than the limit (``outage``) stops with one line,
whether it was waiting for a job (its command fails) or crawling
(``giveup``): its pages come back in the queue when Redis does.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scanner
from scanner import __version__
from scanner.crawl.distributed.connection import (
    RedisError,
    RedisGone,
    connect,
    giving_up,
    lost,
    outage_of,
)
from scanner.crawl.distributed.heartbeat import Heartbeat
from scanner.crawl.distributed.keys import Job, Keys
from scanner.crawl.distributed.link import Link
from scanner.crawl.pages import pages_read
from scanner.status import ExitStatus

logger = logging.getLogger("scanner.crawl.run")  # lines about the whole crawl: always shown
#: Above "cmdline": what makes a crawler a worker, whatever ``-s`` the writer was given.
FORCED = 50
POLL = 0.5  # seconds between looks for a job
#: What a worker that gave up on Redis says to do (``connection.lost``).
GONE = (
    "this worker stops; start Redis again with its data, then the workers "
    "(the pages this one held go back in the queue)"
)


@dataclass
class Served:
    job: str = ""
    sources: dict[str, int] = field(default_factory=dict)  # source -> pages fetched here
    interrupted: bool = False
    gave_up: bool = False  # Redis was away for longer than the limit


def wait_for_job(
    client: Any,
    keys: Keys,
    *,
    job_id: str | None = None,
    after: str | None = None,
    wait: float | None = None,
) -> Job | None:
    """The running job (``job_id`` only; not ``after``), waiting ``wait`` seconds (None: ever)."""
    deadline = None if wait is None else time.monotonic() + wait
    while True:
        data = client.get(keys.job)
        job = Job.from_json(data) if data else None
        if (
            job is not None
            and job.state == "running"
            and job.id != after
            and job_id in (None, job.id)
        ):
            return job
        if job_id is not None and (job is None or job.id != job_id):
            return None  # that job is over
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(POLL)


def serve(url: str, *, wait: float | None = None, verbose: int = 0, debug: bool = False) -> int:
    """Crawl job after job, each in a child process; the exit status of the last."""
    client = connect(url)
    keys, last = Keys(), None
    with giving_up(url, GONE):
        while True:
            job = wait_for_job(client, keys, after=last, wait=wait)
            if job is None:
                return ExitStatus.OK
            logger.warning("job %s: crawling %d source(s)", job.id, len(job.sources))
            flags = ["-v"] * verbose + (["--debug"] if debug else [])
            status = _child([*flags, "crawl-worker", "--redis", url, "--once", "--job", job.id])
            last = job.id
            # Interrupted, or gave up on Redis after its one line: this process would
            # only wait out the outage limit again to say the same.
            if status in (ExitStatus.INTERRUPTED, ExitStatus.UNAVAILABLE):
                return status


def _child(args: list[str]) -> int:
    # This very scanner, not one that happens to sit in the current directory.
    here = str(Path(scanner.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))
    try:
        return subprocess.call(
            [sys.executable, "-P", "-m", "scanner.cli", *args],
            env={**os.environ, "PYTHONPATH": path},
        )
    except KeyboardInterrupt:  # the child got it too, and stops on its own
        return ExitStatus.INTERRUPTED


def serve_one(
    url: str, *, job_id: str | None = None, wait: float | None = None, tracebacks: bool = False
) -> Served:
    """Wait for a job (or that one), crawl it to its end, and return what was done here."""
    client = connect(url)
    keys = Keys()
    with giving_up(url, GONE):
        job = wait_for_job(client, keys, job_id=job_id, wait=wait)
        if job is None:
            return Served()
        if job.version != __version__:
            raise RedisError(
                f"job {job.id} was published by scan {job.version}; this worker runs "
                f"scan {__version__}: run the same version everywhere"
            )
        link = Link.active = Link(client, keys, job)
        heartbeat = Heartbeat(client, keys.alive(link.worker), "1", job.worker_ttl)
        heartbeat.beat()
        heartbeat.start()
        try:
            served = _crawl(link, tracebacks=tracebacks)
        finally:
            heartbeat.stop()
            Link.active = None
    if served.gave_up:
        raise RedisGone(lost(url, GONE))
    return served


def worker_settings(job: Job) -> Any:
    """The job's settings, as a local crawl would have them, and what makes a worker."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("scanner.crawl.settings", priority="project")
    settings.setdict(job.base, priority="project")
    settings.setdict(job.overrides, priority="cmdline")
    extensions = settings.getdict("EXTENSIONS")
    extensions["scanner.crawl.extension.SourceExtension"] = None
    extensions["scanner.crawl.distributed.extension.RemoteSourceExtension"] = 100
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    middlewares["scanner.crawl.distributed.extension.LeaseMiddleware"] = 1
    settings.setdict(
        {
            "SCHEDULER": "scanner.crawl.distributed.scheduler.LeasingScheduler",
            "SCAN_HOST_GATE": "scanner.crawl.distributed.gate.SharedHostGate",
            "EXTENSIONS": extensions,
            "DOWNLOADER_MIDDLEWARES": middlewares,
            "CLOSESPIDER_PAGECOUNT": 0,  # counted for the whole source, in Redis
            "LOG_INSTALL_ROOT_HANDLER": False,
            "TELNETCONSOLE_ENABLED": False,
        },
        priority=FORCED,
    )
    return settings


def _crawl(link: Link, *, tracebacks: bool) -> Served:
    from scrapy.spiderloader import get_spider_loader

    from scanner.crawl.distributed.gate import MARGIN, SharedHostGate
    from scanner.crawl.distributed.giveup import GiveUp
    from scanner.crawl.interrupt import CtrlC
    from scanner.crawl.logs import crawl_logging, crawler_process

    job, served = link.job, Served(job=link.job.id)
    settings = worker_settings(job)
    SharedHostGate.hold_seconds = settings.getfloat("DOWNLOAD_TIMEOUT") + MARGIN
    loader = get_spider_loader(settings)
    spiders = frozenset(source.spider for source in job.sources)
    with crawl_logging(tracebacks=tracebacks, spiders=spiders):
        process = crawler_process(settings)
        crawlers = []
        for source in job.sources:
            keys = link.source_keys(source.index)
            reason, elapsed = link.scripts.join(keys=[keys.state, keys.members], args=[link.worker])
            if reason:  # closed already (finished by the others, capped...)
                continue
            try:
                spidercls = loader.load(source.spider)
            except KeyError:
                logger.error("%s: no spider %r in this installation", source.name, source.spider)
                continue
            crawler = process.create_crawler(spidercls)
            crawler.settings.setdict(source.settings, priority="spider")
            forced: dict[str, Any] = {"SCAN_REDIS_SOURCE": source.index}
            if source.max_seconds > 0:  # what is left of the source's budget
                forced["CLOSESPIDER_TIMEOUT"] = max(1.0, source.max_seconds - int(elapsed) / 1000)
            crawler.settings.setdict(forced, priority=FORCED)
            process.crawl(crawler, **source.args)
            crawlers.append((source.name, crawler))
        if crawlers:
            running = [crawler for _, crawler in crawlers]
            with CtrlC(running) as ctrl_c, GiveUp(outage_of(link.client), running) as give_up:
                process.start(install_signal_handlers=False)
            served.interrupted, served.gave_up = ctrl_c.pressed, give_up.fired
    for name, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        served.sources[name] = pages_read(stats)
    return served
