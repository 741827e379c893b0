"""A key kept alive from a thread of its own: a worker's heartbeat, the writer's lock.

A thread, not a reactor timer: a crawl thread busy parsing a huge page for a
few seconds must not look dead to the fleet. A process that is killed stops
renewing, the key expires ``ttl`` seconds later, and the others act on it: a
gone worker's leases go back into the queues, a gone writer's lock is free.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from scanner.crawl.distributed.connection import outage_of

logger = logging.getLogger(__name__)

#: Renew the key only while it is still ours (a lock another process took over is its).
RENEW_IF_OURS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class Heartbeat:
    def __init__(self, client: Any, key: str, value: str, ttl: float) -> None:
        self.client, self.key, self.value, self.ttl = client, key, value, ttl
        self.stopped = threading.Event()
        self.lost = threading.Event()  # set when a lock was found to be someone else's
        self.lock = False
        self._renew = client.register_script(RENEW_IF_OURS)
        self.thread = threading.Thread(target=self._run, name="scan-heartbeat", daemon=True)

    def beat(self) -> None:
        """Renew once (worker heartbeats are simply set: the key is the worker's own)."""
        self.client.set(self.key, self.value, px=int(self.ttl * 1000))

    def take(self) -> bool:
        """Take the key as a lock: ``False`` when another process holds it."""
        return bool(self.client.set(self.key, self.value, px=int(self.ttl * 1000), nx=True))

    def start(self, *, lock: bool = False) -> Heartbeat:
        self.lock = lock
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopped.wait(self.ttl / 3):
            try:
                if self.lock:
                    if not self._renew(keys=[self.key], args=[self.value, int(self.ttl * 1000)]):
                        self.lost.set()
                else:
                    self.beat()
            except Exception as exc:  # Redis away: keep trying (bounded: ``outage``)
                if outage_of(self.client).given_up():
                    return  # the process stops with its own line (connection.lost)
                logger.warning("cannot renew %s in Redis: %s", self.key, exc)

    def stop(self, *, delete: bool = True) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
        if delete:
            try:
                if self.lock:
                    if self.client.get(self.key) == self.value.encode():
                        self.client.delete(self.key)
                else:
                    self.client.delete(self.key)
            except Exception as exc:  # it expires on its own
                logger.debug("cannot delete %s: %s", self.key, exc)
