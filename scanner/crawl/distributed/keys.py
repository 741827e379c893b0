"""Where everything lives in Redis, and the job the writer publishes for the workers.

One Redis database serves one scan database: the writer refuses a job that
another database published. Keys (``scan`` is the default prefix):

* ``scan:job`` — the current :class:`Job`, as JSON;
* ``scan:writer`` — the writer's lock (``writer``);
* ``scan:items``, ``scan:items:processing`` — batches from the workers, and the
  one the writer is committing;
* ``scan:alive:<worker>`` — a worker's heartbeat, expiring unless renewed;
* ``scan:<job>:<n>:<what>`` — source number ``n`` of a job: its request ``queue``
  (a sorted set: priority, then arrival), ``seen`` fingerprints, ``leases``
  (pages taken and not yet done) and the ones of them ``read`` (counted against
  the page cap), ``known`` external ids and the ``marks`` of
  their pages, ``state`` (closed and why, start time, pages fetched), ``members``
  (the workers crawling it) and
  ``stats`` (each worker's Scrapy stats), and what the writer keeps of it for a
  writer that takes over: the backlog it ``resumed``, the pages ``refused``,
  the ``tally`` of its posts;
* ``scan:host:<host>`` and ``scan:host:<host>:flight`` — one pace per host, for
  every worker and every job (``gate``).

Sources are numbered, not named, in keys: a name may hold any character.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: What a source's state says once it is closed for every worker (besides Scrapy's
#: own ``closespider_*`` reasons): the writer stopped the crawl (Ctrl-C).
INTERRUPTED = "shutdown"


@dataclass
class SourceJob:
    """One source of a job: what a worker needs to crawl it."""

    index: int
    name: str
    spider: str
    args: dict[str, Any]
    settings: dict[str, Any]  # the source's own Scrapy settings ("spider" priority)
    run_id: int
    cutoff: str | None = None  # ISO 8601: older posts were seen by the last good run
    max_pages: int = 0  # for the whole source, across workers (0: no cap)
    max_seconds: float = 0.0  # the time budget, from the first worker's start


@dataclass
class Job:
    """A distributed crawl: published by the writer, read by every worker."""

    id: str
    db: str  # the writer's database (absolute path), which alone may write this job
    host: str
    version: str  # of scan: a worker of another version refuses it
    parent_run: int
    base: dict[str, Any]  # the config's crawl settings ("project" priority)
    overrides: dict[str, Any]  # `scan crawl -s` ("cmdline" priority)
    sources: list[SourceJob] = field(default_factory=list)
    state: str = "seeding"  # seeding, running, closed
    worker_ttl: float = 15.0  # seconds without a heartbeat before a worker counts as gone

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, text: bytes | str) -> Job:
        data = json.loads(text)
        data["sources"] = [SourceJob(**s) for s in data.get("sources", [])]
        return cls(**data)


class Keys:
    """Key names under one prefix."""

    def __init__(self, prefix: str = "scan") -> None:
        self.prefix = prefix
        self.job = f"{prefix}:job"
        self.writer = f"{prefix}:writer"
        self.items = f"{prefix}:items"
        self.processing = f"{prefix}:items:processing"
        self.alive_prefix = f"{prefix}:alive:"

    def alive(self, worker: str) -> str:
        return self.alive_prefix + worker

    def source(self, job_id: str, index: int) -> SourceKeys:
        return SourceKeys(f"{self.prefix}:{job_id}:{index}")

    def host(self, host: str) -> tuple[str, str]:
        base = f"{self.prefix}:host:{host}"
        return base, base + ":flight"


@dataclass(frozen=True)
class SourceKeys:
    base: str

    @property
    def queue(self) -> str:
        return self.base + ":queue"

    @property
    def seq(self) -> str:
        return self.base + ":seq"

    @property
    def seen(self) -> str:
        return self.base + ":seen"

    @property
    def leases(self) -> str:
        return self.base + ":leases"

    @property
    def read(self) -> str:
        """Tokens of the leases whose page was read: the page cap counts them as pages."""
        return self.base + ":read"

    @property
    def known(self) -> str:
        return self.base + ":known"

    @property
    def marks(self) -> str:
        """What the stored posts' own pages looked like (``Store.page_marks``)."""
        return self.base + ":marks"

    @property
    def state(self) -> str:
        return self.base + ":state"

    @property
    def members(self) -> str:
        return self.base + ":members"

    @property
    def stats(self) -> str:
        return self.base + ":stats"

    @property
    def resumed(self) -> str:
        """Fingerprints of the backlog the writer queued."""
        return self.base + ":resumed"

    @property
    def refused(self) -> str:
        """Fingerprints of pages the site failed or forbade."""
        return self.base + ":refused"

    @property
    def tally(self) -> str:
        """What the writer made of the source's posts: stored, dropped and why..."""
        return self.base + ":tally"

    def all(self) -> list[str]:
        return [
            self.queue,
            self.seq,
            self.seen,
            self.leases,
            self.read,
            self.known,
            self.marks,
            self.state,
            self.members,
            self.stats,
            self.resumed,
            self.refused,
            self.tally,
        ]
