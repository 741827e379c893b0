"""A source's shared request queue, from which a page is leased, never just popped.

scrapy-redis's queues pop: a worker killed with a page in hand loses it, and its
dupefilter has already marked it seen, so no one fetches it again this run. So
this queue keeps scrapy-redis's request (de)serialisation (``Base``, with JSON,
``scanner.crawl.distributed.codec``, for pickle) and replaces the rest:

* :meth:`peek` shows the first request (the scheduler leases it only when its
  host has room for it: ``scanner.crawl.distributed.scheduler``), :meth:`take`
  moves it into the source's ``leases`` under a token, in one script
  (``scripts.TAKE``), unless the source's page cap has no room left for it;
* requests are queued by the outbox's commit (``scripts.COMMIT``), in the same
  step as the batch of posts of the page that found them and the release of
  that page's lease, so the three happen together or not at all;
* a lease comes back into the queue when its worker is gone (``scripts.REQUEUE``).

Order: highest priority first, then first come first served (the score is
``-priority * 1e10 + arrival``); scrapy-redis's ``PriorityQueue`` orders equal
priorities by their serialised bytes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import Base

from scanner.crawl.distributed import codec
from scanner.crawl.distributed.keys import SourceKeys
from scanner.crawl.distributed.link import Link

#: What :meth:`LeasedQueue.take` answers when the source's page cap has no room for
#: another page: the pages read and those leased unread already make up the cap.
CAPPED = ""


def request_of(member: bytes) -> bytes:
    """The request JSON of a queue member (``arrival|json``)."""
    return member.split(b"|", 1)[1]


class LeasedQueue(Base):
    def __init__(self, link: Link, spider: Any, keys: SourceKeys, max_pages: int = 0) -> None:
        super().__init__(link.client, spider, keys.queue, serializer=codec)
        self.link = link
        self.keys = keys
        self.max_pages = max_pages  # the source's page cap, for the whole fleet (0: none)

    def __len__(self) -> int:
        return int(self.server.zcard(self.keys.queue))

    def encode(self, request: Request) -> bytes:
        """The request as it travels (``TypeError`` if part of it cannot)."""
        request.meta.pop("scan_lease", None)  # a lease is this worker's business
        return self._encode_request(request)

    def peek(self) -> tuple[bytes, str, Any] | None:
        """The first request queued, without taking it: (member, its host, the request
        as a dict, ``None`` if it is unreadable), or ``None`` when the queue is empty."""
        first = self.server.zrange(self.keys.queue, 0, 0)
        if not first:
            return None
        try:
            data = self.serializer.loads(request_of(first[0]))
            host = urlsplit(data["url"]).hostname or ""
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            return first[0], "", None  # not a request: the scheduler takes it to drop it
        return first[0], host, data

    def take(self, member: bytes) -> str | None:
        """Lease ``member`` (from :meth:`peek`): its token, ``None`` when another
        worker took it first, or :data:`CAPPED` when the page cap has no room for it."""
        token = self.link.token()
        keys = self.keys
        taken = self.link.scripts.take(
            keys=[keys.queue, keys.leases, keys.state, keys.read],
            args=[token, self.link.worker, member, self.max_pages],
        )
        if taken is not None and int(taken) < 0:
            return CAPPED
        return token if taken else None

    def decode(self, data: dict[str, Any]) -> Request:
        return request_from_dict(data, spider=self.spider)

    def requeue(self, worker: str = "") -> int:
        """Put back the leases of ``worker``, or of every worker that is gone."""
        keys = [self.keys.leases, self.keys.queue, self.keys.read]
        return int(self.link.scripts.requeue(keys=keys, args=[self.link.keys.alive_prefix, worker]))

    def push(self, request: Request) -> None:  # pragma: no cover - see the outbox
        raise NotImplementedError("requests are queued by the outbox's commit")

    def pop(self, timeout: int = 0) -> Request | None:  # pragma: no cover - see take()
        raise NotImplementedError("requests are leased with take()")
