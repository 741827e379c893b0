"""A worker process's line to Redis: the client, the key names, the scripts, who it is.

Scrapy builds the scheduler, the extension and the middlewares itself, from
settings; they reach the process's one :class:`Link` through
:meth:`Link.current`, set by the worker's runner before the crawl starts.
"""

from __future__ import annotations

import itertools
import os
import secrets
import socket
from typing import Any, ClassVar

from scanner.crawl.distributed.keys import Job, Keys, SourceJob, SourceKeys
from scanner.crawl.distributed.scripts import Scripts


def worker_name() -> str:
    """``host:pid:random``: unique even when a pid is reused or a host name is shared."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Link:
    active: ClassVar[Link | None] = None

    def __init__(self, client: Any, keys: Keys, job: Job, worker: str | None = None) -> None:
        self.client = client
        self.keys = keys
        self.job = job
        self.worker = worker or worker_name()
        self.scripts = Scripts(client)
        self._tokens = itertools.count(1)

    @classmethod
    def current(cls) -> Link:
        if cls.active is None:
            raise RuntimeError("no Redis link: these components run in `scan crawl-worker`")
        return cls.active

    def source(self, index: int) -> SourceJob:
        return self.job.sources[index]

    def source_keys(self, index: int) -> SourceKeys:
        return self.keys.source(self.job.id, index)

    def token(self) -> str:
        """A lease token, unique across workers (it starts with the worker's name)."""
        return f"{self.worker}|{next(self._tokens)}"
