"""How long a client's Redis has been away, and when this process stops waiting for it.

Each command used to be retried for about 30 s on its own, and its caller went
on to the next one: the reactor asked the scheduler again, the extension's tick
and the heartbeat thread tried again, the outbox kept its posts for the next
push, each command waiting 30 s more. A worker whose Redis was gone for good
retried for ever. So the outage is timed once for the whole client, not per
command: the clock starts at the first command that finds Redis away, stops at
the first answer, and once the outage has lasted its limit this process gives
up for good. The retry policy (``retry.OutageRetry``) then sends nothing more,
every command fails at once, and each process ends with one line naming the
Redis and what to do (``connection.giving_up``); a crawling worker's reactor is
stopped for it (``giveup``).
"""

from __future__ import annotations

import threading
import time
from typing import Any


class Outage:
    """One client's outage clock, shared by its threads and every connection of its pool."""

    def __init__(self, limit: float) -> None:
        self.limit = limit  # seconds Redis may be away before this process gives up
        self._since: float | None = None
        self._given_up = False
        self._lock = threading.Lock()

    def failed(self, since: float | None = None) -> None:
        """A command found Redis away: the clock starts, unless it runs already, at
        ``since`` (``time.monotonic()``), when the failed try began: a try that hung
        for its socket timeout before failing was time Redis was away too."""
        with self._lock:
            if self._since is None:
                self._since = time.monotonic() if since is None else since

    def answered(self) -> None:
        """Redis answered: the outage is over (unless this process gave up already)."""
        with self._lock:
            if not self._given_up:
                self._since = None

    def given_up(self) -> bool:
        """Whether Redis has been away for the limit: once true, true for good, so that
        a process on its way out is not held up by one more attempt per command."""
        with self._lock:
            if (
                not self._given_up
                and self._since is not None
                and time.monotonic() - self._since >= self.limit
            ):
                self._given_up = True
            return self._given_up

    def __deepcopy__(self, memo: dict[int, Any]) -> Outage:
        """The same clock: redis-py deep-copies its retry policy into each connection,
        and an outage is the client's, whichever connection meets it."""
        return self
