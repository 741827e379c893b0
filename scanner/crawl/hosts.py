"""One pace per host, shared by every source that crawls it.

Each source runs in its own Scrapy crawler, and each crawler has its own
downloader, whose slots (one per host) keep their own delay and AutoThrottle.
Three sources on one host therefore hit it three times as often as one, and a
``Retry-After`` held back one URL while the others went on. A :class:`HostGate`
per host name, one for the whole process (like Scrapy's slots, keyed by host
name whatever the port), decides when the next request to that host may start:

* at most ``concurrency`` requests in flight (the lowest any of its sources asks);
* starts at least ``delay`` apart: the longest ``SCAN_HOST_DELAY`` of its sources
  or, when one of them wants AutoThrottle, AutoThrottle's own policy applied to
  the host's latencies (Scrapy's AutoThrottle extension is then switched off);
* nothing at all while the host said to wait (:meth:`HostGate.pause`).

``scanner.crawl.middlewares.politeness`` puts every request through the gate of
its host just before the download.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any, ClassVar

from twisted.internet.defer import Deferred


@dataclass(frozen=True)
class Pace:
    """What one source asks of a host (its crawler's settings)."""

    delay: float = 0.0
    concurrency: int = 1
    autothrottle: bool = False
    start_delay: float = 0.0
    max_delay: float = 60.0
    target_concurrency: float = 1.0

    @classmethod
    def from_settings(cls, settings: Any) -> Pace:
        return cls(
            delay=settings.getfloat("SCAN_HOST_DELAY"),
            concurrency=max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")),
            autothrottle=settings.getbool("AUTOTHROTTLE_ENABLED"),
            start_delay=settings.getfloat("AUTOTHROTTLE_START_DELAY"),
            max_delay=settings.getfloat("AUTOTHROTTLE_MAX_DELAY"),
            target_concurrency=max(0.1, settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY")),
        )


class HostGate:
    """When the next request to one host may start; see the module's docstring."""

    gates: ClassVar[dict[str, HostGate]] = {}

    def __init__(self, host: str) -> None:
        self.host = host
        self.paces: dict[int, Pace] = {}  # member (a crawler) -> what it asks
        self.in_flight = 0
        self.last_start = float("-inf")
        self.paused_until = 0.0
        self.adapted: float | None = None  # AutoThrottle's delay, once it has one
        self.waiting: deque[Deferred[None]] = deque()
        self.timer: Any = None
        self.concurrency, self.floor = 1, 0.0  # from the paces: see _repace
        self.autothrottle = False

    @classmethod
    def of(cls, host: str) -> HostGate:
        gate = cls.gates.get(host)
        if gate is None:
            gate = cls.gates[host] = cls(host)
        return gate

    # -- members ---------------------------------------------------------------
    def join(self, member: int, pace: Pace) -> None:
        if member not in self.paces:
            self.paces[member] = pace
            if pace.autothrottle and self.adapted is None:
                self.adapted = max(pace.delay, pace.start_delay)
            self._repace()

    def leave(self, member: int) -> None:
        self.paces.pop(member, None)
        self._repace()
        self._wake()

    def _repace(self) -> None:
        """The most polite of what the members ask: fewest in flight, longest delay."""
        paces = self.paces.values()
        self.concurrency = min((p.concurrency for p in paces), default=1)
        self.floor = max((p.delay for p in paces), default=0.0)
        self.autothrottle = any(p.autothrottle for p in paces)

    @property
    def delay(self) -> float:
        if self.autothrottle and self.adapted is not None:
            return max(self.floor, self.adapted)
        return self.floor

    # -- the gate ----------------------------------------------------------------
    def enter(self) -> Deferred[None] | None:
        """``None`` when the request may start now, else a Deferred fired when it may."""
        if not self.waiting and self._may_start(time.monotonic()):
            self._start()
            return None
        waiter: Deferred[None] = Deferred()
        self.waiting.append(waiter)
        self._wake()
        return waiter

    def done(self) -> None:
        """A request that went through the gate has its answer (or failed)."""
        self.in_flight = max(0, self.in_flight - 1)
        self._wake()

    def pause(self, seconds: float) -> None:
        """The host said to wait (``Retry-After``): no request starts before then."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
        self._wake()

    def latency(self, seconds: float, status: int) -> None:
        """AutoThrottle's policy, for the host: aim at ``latency / target concurrency``
        between starts, halfway from the current delay, bounded; an error answer
        (small and fast) may not lower it."""
        if self.adapted is None or not self.autothrottle:
            return
        target_concurrency = min(p.target_concurrency for p in self.paces.values())
        lowest = self.floor
        highest = max(p.max_delay for p in self.paces.values())
        target = seconds / target_concurrency
        new = min(max(lowest, max(target, (self.adapted + target) / 2)), highest)
        if status == 200 or new > self.adapted:
            self.adapted = new

    def _may_start(self, now: float) -> bool:
        if self.in_flight >= self.concurrency or now < self.paused_until:
            return False
        return not (self.floor or self.autothrottle) or now - self.last_start >= self.delay

    def _start(self) -> None:
        self.in_flight += 1
        self.last_start = time.monotonic()

    def _wake(self) -> None:
        while self.waiting and self.waiting[0].called:  # cancelled while waiting
            self.waiting.popleft()
        now = time.monotonic()
        while self.waiting and self._may_start(now):
            self._start()
            self.waiting.popleft().callback(None)
            while self.waiting and self.waiting[0].called:
                self.waiting.popleft()
        if self.waiting and self.in_flight < self.concurrency and self.timer is None:
            later = max(self.paused_until, self.last_start + self.delay) - now
            from twisted.internet import reactor

            # twisted types the global reactor's methods as unbound interface methods
            self.timer = reactor.callLater(max(0.0, later), self._tick)  # type: ignore[arg-type]

    def _tick(self) -> None:
        self.timer = None
        self._wake()
