"""The writer opens a distributed crawl: its runs, its job, and each source's first requests.

Workers cannot read the database, so the writer publishes per source what a
local crawl's ``SourceState`` reads from it: the ids already stored and the
incremental cutoff (the last good run's start minus the overlap). It queues
the source's backlog (the frontier's pending requests, flagged as a local
crawl's resumed ones are) and then its spider's start requests, each marked
seen as the dupefilter would. Settings are resolved here exactly as for a
local crawl (``scanner.crawl.configure``), so a source's page cap and time
budget mean the same; the workers enforce them for the source as a whole.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from scanner import __version__
from scanner.config import Config, Source
from scanner.crawl import configure
from scanner.crawl.distributed import codec
from scanner.crawl.distributed.keys import Job, Keys, SourceJob, SourceKeys
from scanner.crawl.distributed.scripts import Scripts
from scanner.crawl.middlewares.frontier import RESUME_FLAGS, pending_requests, request_from_json
from scanner.crawl.state import incremental_cutoff
from scanner.store import Store

logger = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK = 5_000  # ids, page marks or requests per Redis call


@dataclass
class Seeded:
    """What seeding found: per source index, the backlog's fingerprints, and the
    sources that could not start (name -> why)."""

    resumed: dict[int, set[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def new_job(config: Config, db_path: Path, parent_run: int, overrides: dict[str, Any]) -> Job:
    settings = configure.base_settings(config, db_path, overrides)
    return Job(
        id=secrets.token_hex(4),
        db=str(db_path.resolve()),
        host=socket.gethostname(),
        version=__version__,
        parent_run=parent_run,
        base=configure.crawl_settings(config),
        overrides=dict(overrides),
        worker_ttl=settings.getfloat("SCAN_REDIS_WORKER_TTL"),
    )


def seed(
    client: Any, keys: Keys, job: Job, config: Config, store: Store, sources: list[Source]
) -> Seeded:
    """Add each source to ``job`` (its run opened) and queue its first requests."""
    from scrapy.spiderloader import get_spider_loader

    scripts = Scripts(client)
    base = configure.base_settings(config, store.path, job.overrides)
    loader = get_spider_loader(base)
    seeded = Seeded()
    for source in sources:
        try:
            spidercls = loader.load(source.spider)
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:  # a broken rule file is reported now, not by a worker
                check(**source.spider_args())
            spider = spidercls(**source.spider_args())
        except Exception as exc:  # a spider that cannot even be built: the source failed
            seeded.failed[source.name] = f"cannot start: {exc}"
            continue
        settings = base.copy()
        settings.setdict(configure.source_settings(source), priority="spider")
        index = len(job.sources)
        entry = SourceJob(
            index=index,
            name=source.name,
            spider=source.spider,
            args=source.spider_args(),
            settings=configure.source_settings(source),
            run_id=store.start_run("crawl", source=source.name, parent_id=job.parent_run),
            max_pages=settings.getint("CLOSESPIDER_PAGECOUNT"),
            max_seconds=settings.getfloat("CLOSESPIDER_TIMEOUT"),
        )
        cutoff = incremental_cutoff(
            store, source.name, settings.getfloat("SCAN_INCREMENTAL_OVERLAP_DAYS")
        )
        entry.cutoff = cutoff.isoformat() if cutoff else None
        job.sources.append(entry)
        source_keys = keys.source(job.id, index)
        client.hset(source_keys.state, "run", entry.run_id)
        for chunk in _chunks(sorted(store.known_external_ids(source.name))):
            client.sadd(source_keys.known, *chunk)
        for pairs in _chunks(sorted(store.page_marks(source.name).items())):
            client.hset(source_keys.marks, mapping=dict(pairs))
        requests, resumed = _first_requests(store, source.name, spider)
        seeded.resumed[index] = resumed
        if resumed:
            client.sadd(source_keys.resumed, *resumed)
        _queue(scripts, keys, source_keys, requests, spider)
    return seeded


def _first_requests(store: Store, source: str, spider: Any) -> tuple[list[Any], set[str]]:
    """The backlog first (as ``Frontier.resume`` does), then the spider's start requests."""
    requests, resumed = [], set()
    for data in pending_requests(store.db, source):
        try:
            request = request_from_json(data, spider)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("%s: cannot resume %s: %s", source, data.get("url"), exc)
            continue
        for flag in RESUME_FLAGS:
            request.meta[flag] = True
        resumed.add(request.meta.get("scan_fp", ""))
        requests.append(request)

    async def starts() -> list[Any]:
        return [r async for r in spider.start()]

    for request in asyncio.run(starts()):
        request.meta.setdefault("is_start_request", True)
        requests.append(request)
    return requests, resumed - {""}


def _queue(
    scripts: Scripts, keys: Keys, source_keys: SourceKeys, requests: list[Any], spider: Any
) -> None:
    from scrapy_redis.dupefilter import RFPDupeFilter

    fingerprint = RFPDupeFilter(None, key="").request_fingerprint
    args: list[Any] = []
    for request in requests:
        fp = "" if request.dont_filter else fingerprint(request)
        args += (fp, request.priority, codec.dumps(request.to_dict(spider=spider)))
    for start in range(0, len(args), CHUNK * 3):
        scripts.commit(
            keys=[
                keys.items,
                source_keys.leases,
                source_keys.queue,
                source_keys.seen,
                source_keys.seq,
                source_keys.state,
                source_keys.stats,
                source_keys.read,
            ],
            args=[b"", "", b"", 0, *args[start : start + CHUNK * 3]],
        )


def _chunks(values: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
