"""The outage clock and the line a process stops with, on their own.

The real thing, processes giving up on a Redis killed for good, is in
``test_fleet.py``; a Redis restarted in time is ridden out there too.
"""

from __future__ import annotations

import copy
import time

import pytest

from scanner.crawl.distributed.connection import OUTAGE_ENV, RedisError, connect, lost
from scanner.crawl.distributed.outage import Outage


def test_the_line_names_redis_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(OUTAGE_ENV, raising=False)
    line = lost("redis://:s3cret@queue.example:6379/0", "this worker stops")
    assert "s3cret" not in line
    assert line == (
        "Redis at redis://:***@queue.example:6379/0 did not answer for 30 s: this worker stops"
    )


def test_an_answer_ends_an_outage_until_the_process_has_given_up() -> None:
    outage = Outage(limit=0.0)
    assert not outage.given_up()  # nothing failed yet
    outage.failed()
    outage.answered()
    assert not outage.given_up()
    outage.failed()
    assert outage.given_up()
    outage.answered()  # too late: the process is on its way out
    assert outage.given_up()
    assert copy.deepcopy(outage) is outage  # one clock for every connection of a client
    patient = Outage(limit=3600.0)
    patient.failed()
    assert not patient.given_up()


def test_a_limit_that_is_no_number_of_seconds_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(OUTAGE_ENV, "soon")
    with pytest.raises(RedisError, match=f"{OUTAGE_ENV} must be a number of seconds"):
        connect("redis://127.0.0.1:6379/0")


def test_an_error_answer_ends_an_outage_and_a_hung_try_counts_from_its_start() -> None:
    """redis-py's own errors, without a Redis: a failover answers READONLY after a
    dropped connection (Redis is there: the outage is over, and a later command
    must not find the process given up), and a try that hangs for its socket
    timeout before failing counts as time away from when it began."""
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError, ReadOnlyError, TimeoutError

    from scanner.crawl.distributed.retry import OutageRetry

    outage = Outage(limit=0.3)
    retry = OutageRetry(NoBackoff(), outage)
    answers = iter([ConnectionError("reset by peer"), ReadOnlyError("READONLY replica")])

    def failover() -> str:
        raise next(answers)

    with pytest.raises(ReadOnlyError):
        retry.call_with_retry(failover, lambda error: None)
    time.sleep(0.4)  # longer than the limit since the connection error, but Redis answered
    assert retry.call_with_retry(lambda: "OK", lambda error: None) == "OK"
    assert not outage.given_up()

    hung = Outage(limit=0.3)
    tries = []

    def black_hole() -> str:
        tries.append(time.monotonic())
        time.sleep(0.2)  # the socket timeout
        raise TimeoutError("Timeout reading from socket")

    with pytest.raises(TimeoutError):
        OutageRetry(NoBackoff(), hung).call_with_retry(black_hole, lambda error: None)
    # Given up after two hung tries (0.4 s from the first one's start), not three.
    assert len(tries) == 2 and hung.given_up(), tries
