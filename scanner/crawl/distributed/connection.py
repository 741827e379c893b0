"""A Redis client that says what is wrong in one line, rides out a Redis restart, and gives up.

``redis`` and ``scrapy-redis`` come with the optional extra
(``pip install 'scan-complaints[redis]'``); without them, asking for a
distributed crawl is a one-line error, and nothing else in scan imports them.

Commands are retried when the connection drops, for as long as Redis has been
away less than :data:`RETRY_SECONDS` (``SCAN_REDIS_OUTAGE_SECONDS``, read in
:func:`outage_limit`), counted once for the whole client (``outage``): a Redis
that is restarted (and keeps its data: ``appendonly yes``) costs a pause, not
the crawl, and a Redis gone for longer stops the process with one line
(:func:`giving_up`). A command that was applied but whose answer was lost may
run twice: each one here is either idempotent or harmless twice (a batch
committed twice is upserted twice, and adds nothing).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from scanner.crawl.distributed.outage import Outage
from scanner.errors import ScanError
from scanner.schema.checks import redis_url, without_password
from scanner.status import ExitStatus

logger = logging.getLogger(__name__)
RETRY_SECONDS = 30.0  # how long Redis may be away before a process gives up
OUTAGE_ENV = "SCAN_REDIS_OUTAGE_SECONDS"  # another limit than RETRY_SECONDS (the tests' few)
INSTALL = "pip install 'scan-complaints[redis]'"


class RedisError(ScanError):
    """Redis cannot be used: not installed, not reachable, or holding another's job."""


class RedisGone(RedisError):
    """Redis has been away for longer than the limit (``outage``): the process stops.

    Its own exit status, so that ``scan crawl-worker`` serving job after job knows
    its child said so already, and stops at once rather than wait out the limit
    again and say it twice; a cron wrapper can tell it from an error to fix."""

    exit_status = ExitStatus.UNAVAILABLE


def _modules() -> Any:
    try:
        import redis
        import scrapy_redis  # noqa: F401 - the scheduler's base; checked here, once
    except ImportError as exc:
        raise RedisError(
            f"a distributed crawl needs the redis extra ({exc.name} is not installed): {INSTALL}"
        ) from None
    return redis


def connect(url: str) -> Any:
    """A client for ``url`` (``redis://host:6379/0``), checked with a PING."""
    if problem := redis_url(url):  # the check of --redis and of [crawl] redis
        raise RedisError(f"the Redis URL {problem}")
    limit = outage_limit()
    redis = _modules()
    from redis.backoff import ExponentialBackoff
    from scrapy_redis.connection import get_redis

    from scanner.crawl.distributed.retry import OutageRetry

    # Tries 0.05, 0.1 ... 1 s apart, until Redis has been away for the limit.
    retry = OutageRetry(ExponentialBackoff(cap=1.0, base=0.05), Outage(limit))
    client = get_redis(
        url=url,
        socket_timeout=30,
        socket_connect_timeout=5,
        retry=retry,
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        health_check_interval=10,
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        raise RedisError(f"cannot reach Redis at {without_password(url)}: {exc}") from exc
    return client


def connection_errors() -> tuple[type[BaseException], ...]:
    """What a lost Redis raises (once the retries are spent)."""
    redis = _modules()
    return (redis.RedisError,)


def outage_limit() -> float:
    """Seconds Redis may be away before a process gives up: :data:`RETRY_SECONDS`, or
    ``SCAN_REDIS_OUTAGE_SECONDS`` when set (the one place it is read)."""
    text = os.environ.get(OUTAGE_ENV, "").strip()
    if not text:
        return RETRY_SECONDS
    try:
        limit = float(text)
    except ValueError:
        limit = -1.0
    if not limit >= 0:  # also NaN
        raise RedisError(f"{OUTAGE_ENV} must be a number of seconds, not {text!r}")
    return limit


def outage_of(client: Any) -> Outage:
    """The outage clock of a client made by :func:`connect`."""
    outage = client.get_retry().outage
    assert isinstance(outage, Outage)
    return outage


def lost(url: str, then: str) -> str:
    """The one line a process stops with when Redis has been away for the limit."""
    return f"Redis at {without_password(url)} did not answer for {outage_limit():g} s: {then}"


@contextlib.contextmanager
def giving_up(url: str, then: str) -> Iterator[None]:
    """Stop with :func:`lost`'s one line when a command fails for good.

    A command fails with a connection error only once the client's outage has
    lasted its limit (``retry.OutageRetry`` tries again until then), so any such
    error here means this process gives up; ``then`` says what to do.
    """
    redis = _modules()
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise RedisGone(lost(url, then)) from exc


def warn_if_volatile(client: Any, url: str) -> str | None:
    """A warning when Redis keeps nothing across a restart (no append-only file)."""
    try:
        appendonly = client.config_get("appendonly").get("appendonly")
    except Exception:  # CONFIG may be renamed or refused: nothing to say then
        return None
    if appendonly == "no":
        return (
            f"Redis at {without_password(url)} runs without appendonly: if it is restarted, the "
            "queued pages and posts are lost (start it with --appendonly yes)"
        )
    return None
