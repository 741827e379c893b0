"""Ctrl-C during a crawl: commit what has arrived and stop within seconds; twice, at once.

Scrapy's own first Ctrl-C closes every spider gracefully, which waits for the
downloads in flight: up to ``DOWNLOAD_TIMEOUT`` for a page that trickles, with
nothing visible meanwhile, and the closing then judged the source as failed. So
``scan crawl`` handles SIGINT (and SIGTERM) itself. On the first one, on the
reactor thread, every source still crawling:

* stops asking for pages (``Crawler.stop_async``, which also tells Scrapy's own
  shutdown not to wait for it);
* commits the posts and frontier marks that have arrived and closes its run as
  ``interrupted`` (``SourceExtension.interrupt``), leaving its health alone;

then the reactor stops, dropping the downloads in flight; their pages stay
pending in the frontier and the next crawl fetches them first. A second signal
exits at once (status 130): only the batches in flight are lost, as in a kill.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Iterable
from types import FrameType
from typing import Any

from scanner.crawl.extension import SourceExtension
from scanner.status import ExitStatus

logger = logging.getLogger("scanner.crawl.run")  # a line about the whole crawl: always shown
SIGNALS = (signal.SIGINT, signal.SIGTERM)


class CtrlC:
    def __init__(self, crawlers: Iterable[Any]) -> None:
        self.crawlers = list(crawlers)
        self.pressed = False
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> CtrlC:
        self.previous = {sig: signal.signal(sig, self.on_signal) for sig in SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pressed:
            return  # the process is on its way out: a second Ctrl-C still stops it at once
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        """In signal context: nothing but hand the work to the reactor thread."""
        if self.pressed:
            os.write(2, b"Interrupted again: stopping now.\n")
            os._exit(ExitStatus.INTERRUPTED)
        self.pressed = True
        from twisted.internet import reactor

        reactor.callFromThread(self.stop)

    def stop(self) -> None:
        from scrapy.utils.defer import deferred_from_coro
        from twisted.internet import reactor

        logger.warning(
            "Interrupted: storing what has arrived, then stopping (Ctrl-C again stops at once)."
        )
        for crawler in self.crawlers:
            if crawler.crawling:
                deferred_from_coro(crawler.stop_async()).addErrback(lambda _: None)
        interrupt_sources(self.crawlers)
        with contextlib.suppress(RuntimeError):  # already stopping
            reactor.stop()  # type: ignore[misc]  # twisted types the global reactor as interfaces


def interrupt_sources(crawlers: Iterable[Any]) -> None:
    """Commit what each source has stored so far and close its run as interrupted,
    leaving its health alone (``SourceExtension.interrupt``); a crawler that never
    got its extension has nothing to keep."""
    for crawler in crawlers:
        with contextlib.suppress(RuntimeError):
            extension = crawler.get_extension(SourceExtension)
            if extension is not None:
                extension.interrupt()
