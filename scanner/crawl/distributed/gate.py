"""One pace per host for every worker: the host gate, kept in Redis.

A worker's downloader paces only its own requests, so N workers would hit a
site N times as hard. :class:`SharedHostGate` is ``scanner.crawl.hosts.HostGate``
(same members, same most-polite pace of the sources asking a host) whose
decisions are taken in Redis, in one script per step, with Redis's clock:

* ``ENTER``: a request may start when fewer than ``concurrency`` requests of any
  worker are in flight to the host, ``delay`` has passed since the last start
  of any worker, and the host is not paused; else how long to wait;
* ``PAUSE``: a ``Retry-After`` pauses the host for every worker;
* ``LATENCY``: AutoThrottle's delay, adapted from every worker's latencies.

A place in flight is a token in a sorted set, scored with the moment it expires
(the download timeout and a margin), and freed at once when the worker holding
it is gone (its heartbeat lapsed): a killed worker never blocks a host for long.
Waiting requests queue here in order, and only the first asks Redis. A worker
leases no more of a host's pages than it may have in flight (:meth:`may_lease`).

While none of a host's requests is in flight here, nothing but the gate's timer
wakes the ones that wait: the scheduler leases no more of the host's pages
meanwhile. So a Redis error never ends the waking (:meth:`_asked`). A Redis
that is restarted is ridden out inside the command (``retry.OutageRetry``); one
that answers with an error redis-py does not retry (a write refused for want
of replicas, a failover's ``READONLY``, a ``MISCONF``) keeps the requests
waiting: the gate says so once and asks again every :data:`AWAY_POLL` seconds
until Redis answers. Once the process has given up on Redis (``outage``), no
one is woken any more and nothing more is said: the process stops
(``giveup``) with its own line. What the gate only tells Redis (a download
done, a ``Retry-After``, a latency) never fails the response that tells it
(:meth:`_told`): a place not freed expires by itself, and a pause is kept in
the worker too, so the host waits for it even if Redis never heard of it.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar

from twisted.internet.defer import Deferred

from scanner.crawl.distributed.connection import connection_errors, outage_of
from scanner.crawl.distributed.link import Link
from scanner.crawl.hosts import HostGate, Pace

#: KEYS: host, flight. ARGV: token, delay ms, concurrency, autothrottle (1/0),
#: AutoThrottle's start delay ms, how long a place may be held ms, heartbeat prefix.
#: Returns 0 (go), or the milliseconds to wait (-1: full, ask again soon).
ENTER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused') or '0')
if now < paused then return paused - now end
local concurrency = tonumber(ARGV[3])
local flying = redis.call('ZRANGE', KEYS[2], 0, -1)
if #flying >= concurrency then
  local freed = 0
  for _, slot in ipairs(flying) do
    local worker = string.sub(slot, 1, string.find(slot, '|', 1, true) - 1)
    if redis.call('EXISTS', ARGV[7] .. worker) == 0 then
      redis.call('ZREM', KEYS[2], slot)
      freed = freed + 1
    end
  end
  if #flying - freed >= concurrency then return -1 end
end
local delay = tonumber(ARGV[2])
if ARGV[4] == '1' then
  local adapted = tonumber(redis.call('HGET', KEYS[1], 'adapted') or '-1')
  if adapted < 0 then
    adapted = math.max(delay, tonumber(ARGV[5]))
    redis.call('HSET', KEYS[1], 'adapted', adapted)
  end
  delay = math.max(delay, adapted)
end
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
if delay > 0 and now - last < delay then return math.max(1, math.ceil(last + delay - now)) end
redis.call('HSET', KEYS[1], 'last', now)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PEXPIRE', KEYS[2], 86400000)
return 0
"""
#: KEYS: host. ARGV: milliseconds.
PAUSE = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
if until_ > tonumber(redis.call('HGET', KEYS[1], 'paused') or '0') then
  redis.call('HSET', KEYS[1], 'paused', until_)
end
return 1
"""
#: AutoThrottle's policy (``HostGate.latency``). KEYS: host. ARGV: latency ms,
#: status, delay floor ms, target concurrency, max delay ms.
LATENCY = """
local adapted = tonumber(redis.call('HGET', KEYS[1], 'adapted') or '-1')
if adapted < 0 then return 0 end
local target = tonumber(ARGV[1]) / tonumber(ARGV[4])
local new = math.min(math.max(tonumber(ARGV[3]), math.max(target, (adapted + target) / 2)),
                     tonumber(ARGV[5]))
if ARGV[2] == '200' or new > adapted then redis.call('HSET', KEYS[1], 'adapted', new) end
return 1
"""
logger = logging.getLogger("scanner.crawl.run")  # a host held up is the crawl's business
FULL_POLL = 0.05  # seconds between asks while the host's places are all taken elsewhere
AWAY_POLL = 1.0  # seconds between asks while Redis answers the gate with an error
MARGIN = 30.0  # seconds a place outlives its download timeout before it is taken back


class SharedHostGate(HostGate):
    gates: ClassVar[dict[str, HostGate]] = {}
    scripts: ClassVar[dict[int, tuple[Any, Any, Any]]] = {}
    hold_seconds: ClassVar[float] = 30.0 + MARGIN  # DOWNLOAD_TIMEOUT + MARGIN (the runner)

    @classmethod
    def of(cls, host: str) -> SharedHostGate:
        gate = super().of(host)
        assert isinstance(gate, SharedHostGate)
        return gate

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.link = Link.current()
        self.key, self.flight = self.link.keys.host(host)
        known = self.scripts.get(id(self.link.client))
        if known is None:
            client = self.link.client
            known = self.scripts[id(self.link.client)] = (
                client.register_script(ENTER),
                client.register_script(PAUSE),
                client.register_script(LATENCY),
            )
        self._enter, self._pause, self._latency = known
        self.places: deque[str] = deque()  # tokens of this worker's requests in flight
        self.leased: set[str] = set()  # lease tokens of this worker's pages of the host
        self._numbers = itertools.count(1)
        self.failing = False  # Redis erred at the last ask (said once: see _asked)
        self.paused_until = 0.0  # time.monotonic() of the last Retry-After's end, as seen here

    def may_lease(self, member: int, pace: Pace) -> bool:
        """Whether this worker may lease one more page of the host: no more than it may
        have in flight under the host's pace (the most polite of its sources'), so
        that the pages it cannot start yet stay in the queue for the other workers."""
        self.join(member, pace)  # the crawler's downloader joins the same way, and leaves
        return len(self.leased) < self.concurrency

    def enter(self) -> Deferred[None] | None:
        if not self.waiting and self._asked() == 0:
            return None
        waiter: Deferred[None] = Deferred()
        self.waiting.append(waiter)
        self._wake()
        return waiter

    def done(self) -> None:
        if self.places:
            token = self.places.popleft()
            self._told("a download is done", lambda: self.link.client.zrem(self.flight, token))
        self._wake()

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
        self._told(
            "the host asked for a pause",
            lambda: self._pause(keys=[self.key], args=[int(seconds * 1000)]),
        )
        self._wake()

    def latency(self, seconds: float, status: int) -> None:
        if not self.autothrottle or not self.paces:
            return
        paces = self.paces.values()
        args = [
            int(seconds * 1000),
            status,
            int(self.floor * 1000),
            min(p.target_concurrency for p in paces),
            int(max(p.max_delay for p in paces) * 1000),
        ]
        self._told("a latency", lambda: self._latency(keys=[self.key], args=args))

    def _told(self, what: str, call: Callable[[], object]) -> None:
        """Tell Redis something the gate's decisions only use later. An error costs
        pace, never the response being handled: the place expires by itself
        (:attr:`hold_seconds`), the pause holds in this worker (:attr:`paused_until`),
        AutoThrottle adapts at the next latency. Said once, as in :meth:`_asked`."""
        try:
            call()
        except connection_errors() as exc:
            if outage_of(self.link.client).given_up() or self.failing:
                return
            self.failing = True
            logger.warning(
                "%s: the host's gate cannot tell Redis that %s (%s): the crawl goes on",
                self.host,
                what,
                exc,
            )

    def _ask(self) -> float:
        """0 when a place was taken, else seconds to wait."""
        paused = self.paused_until - time.monotonic()
        if paused > 0:  # a pause this worker saw holds here, whatever Redis knows
            return paused
        token = f"{self.link.worker}|{self.host}|{next(self._numbers)}"
        start = max((p.start_delay for p in self.paces.values()), default=0.0)
        wait = int(
            self._enter(
                keys=[self.key, self.flight],
                args=[
                    token,
                    int(self.floor * 1000),
                    self.concurrency,
                    int(self.autothrottle),
                    int(start * 1000),
                    int(self.hold_seconds * 1000),
                    self.link.keys.alive_prefix,
                ],
            )
        )
        if wait == 0:
            self.places.append(token)
            return 0.0
        return FULL_POLL if wait < 0 else wait / 1000

    def _asked(self) -> float:
        """:meth:`_ask`, where a Redis error is a wait: a request that met one waits in
        the queue and the timer asks again, instead of the error failing it or ending
        the timer (which left the waiting requests unwoken for good). ``math.inf``
        once the process has given up on Redis: it is stopping, and wakes no one."""
        try:
            wait = self._ask()
        except connection_errors() as exc:
            if outage_of(self.link.client).given_up():
                return math.inf
            if not self.failing:  # once, until Redis answers again
                self.failing = True
                logger.warning(
                    "%s: the host's gate cannot ask Redis (%s): its requests wait, "
                    "asked again every %g s",
                    self.host,
                    exc,
                    AWAY_POLL,
                )
            return AWAY_POLL
        self.failing = False
        return wait

    def _wake(self) -> None:
        while self.waiting and self.waiting[0].called:  # cancelled while waiting
            self.waiting.popleft()
        while self.waiting:
            wait = self._asked()
            if wait:
                if self.timer is None and wait < math.inf:
                    from twisted.internet import reactor

                    self.timer = reactor.callLater(wait, self._tick)  # type: ignore[arg-type]  # see hosts.py
                return
            self.waiting.popleft().callback(None)
            while self.waiting and self.waiting[0].called:
                self.waiting.popleft()
