"""redis-py's retry policy, bounded by the client's outage instead of a count of tries.

Imported by ``connection.connect`` only, once the redis extra is known to be there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from redis.backoff import AbstractBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError as RedisResponseError
from redis.retry import Retry

from scanner.crawl.distributed.outage import Outage

T = TypeVar("T")


class OutageRetry(Retry):
    """Retry a command while the client's :class:`Outage` lasts less than its limit.

    Every failed try is reported to the outage, from the moment it began (a try
    to a host that does not answer hangs for its socket timeout first), and
    every answer ends it, an error answer too (Redis is there); so the time is
    counted once for the client, whichever thread or connection meets the
    outage. Once the process has given up, a command is not tried at all.
    """

    def __init__(self, backoff: AbstractBackoff, outage: Outage) -> None:
        super().__init__(backoff, retries=-1)  # no count: the outage's limit ends the tries
        self.outage = outage

    def call_with_retry(
        self,
        do: Callable[[], T],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> T:
        outage = self.outage
        started = [time.monotonic()]  # when the try under way began

        def attempt() -> T:
            if outage.given_up():
                raise RedisConnectionError(f"no answer for {outage.limit:g} s: given up")
            started[0] = time.monotonic()
            try:
                result = do()
            except RedisResponseError:
                # An answer, though an error (a failover's READONLY): Redis is there.
                outage.answered()
                raise
            outage.answered()
            return result

        def failed(error: Exception, failures: int) -> None:
            outage.failed(since=started[0])
            if with_failure_count:
                fail(error, failures)
            else:
                fail(error)  # redis-py disconnects here: still done on the last try
            if outage.given_up():
                raise error

        return super().call_with_retry(attempt, failed, is_retryable, with_failure_count=True)
