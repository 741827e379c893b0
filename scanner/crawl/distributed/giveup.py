"""A crawling worker whose Redis is gone for good: its crawl stops, and nothing is handed back.

Inside a crawl, nothing lets a connection error end the process: the
extension's tick, the outbox and the heartbeat log it and try again, and
Scrapy logs what the scheduler or a middleware raised and crawls on. So, on
the reactor thread, :class:`GiveUp` looks at the client's outage twice a
second; once the process has given up (``outage``), it stops every crawler
as Ctrl-C does (``scanner.crawl.interrupt``: the downloads in flight are
dropped) and the reactor, and the runner ends with one line
(``connection.lost``).

Unlike Ctrl-C, nothing is pushed or handed back: Redis is not there to take
it. Nothing is lost either: the pages this worker held stay leased in Redis
(with their posts still to fetch) and go back in the queue once its
heartbeat has lapsed, when Redis is back with its data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from scanner.crawl.distributed.outage import Outage

EVERY = 0.5  # seconds between looks at the outage


class GiveUp:
    def __init__(self, outage: Outage, crawlers: Iterable[Any]) -> None:
        self.outage = outage
        self.crawlers = list(crawlers)
        self.fired = False
        self._loop: Any = None

    def __enter__(self) -> GiveUp:
        from twisted.internet import task

        self._loop = task.LoopingCall(self.check)
        self._loop.start(EVERY, now=False)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def check(self) -> None:
        if self.fired or not self.outage.given_up():
            return
        self.fired = True
        from scrapy.utils.defer import deferred_from_coro
        from twisted.internet import reactor

        for crawler in self.crawlers:
            if crawler.crawling:  # Scrapy's own shutdown would wait for its downloads
                deferred_from_coro(crawler.stop_async()).addErrback(lambda _: None)
        with contextlib.suppress(RuntimeError):  # already stopping
            reactor.stop()  # type: ignore[misc]  # twisted types the global reactor as interfaces
