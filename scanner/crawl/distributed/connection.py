"""A Redis client that says what is wrong in one line, and rides out a Redis restart.

``redis`` and ``scrapy-redis`` come with the optional extra
(``pip install 'scan-complaints[redis]'``); without them, asking for a
distributed crawl is a one-line error, and nothing else in scan imports them.

Every command is retried for about :data:`RETRY_SECONDS` when the connection
drops, so a Redis that is restarted (and keeps its data: ``appendonly yes``)
costs a pause, not the crawl. A command that was applied but whose answer was
lost may run twice: each one here is either idempotent or harmless twice (a
batch committed twice is upserted twice, and adds nothing).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scanner.errors import ScanError

logger = logging.getLogger(__name__)
SCHEMES = ("redis", "rediss", "unix")
RETRY_SECONDS = 30.0
INSTALL = "pip install 'scan-complaints[redis]'"


class RedisError(ScanError):
    """Redis cannot be used: not installed, not reachable, or holding another's job."""


def _modules() -> Any:
    try:
        import redis
        import scrapy_redis  # noqa: F401 - the scheduler's base; checked here, once
    except ImportError as exc:
        raise RedisError(
            f"a distributed crawl needs the redis extra ({exc.name} is not installed): {INSTALL}"
        ) from None
    return redis


def where(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}"
        netloc += f":{parts.port}" if parts.port else ""
        return parts._replace(netloc=netloc).geturl()
    return url


def connect(url: str) -> Any:
    """A client for ``url`` (``redis://host:6379/0``), checked with a PING."""
    if urlsplit(url).scheme not in SCHEMES:
        raise RedisError(f"not a Redis URL: {where(url)!r} (expected redis://HOST:PORT/DB)")
    redis = _modules()
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry
    from scrapy_redis.connection import get_redis

    # ~30 s of retries: 0.05, 0.1 ... 1 s apart.
    retry = Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=int(RETRY_SECONDS) + 6)
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
        raise RedisError(f"cannot reach Redis at {where(url)}: {exc}") from exc
    return client


def connection_errors() -> tuple[type[BaseException], ...]:
    """What a lost Redis raises (once the retries are spent)."""
    redis = _modules()
    return (redis.RedisError,)


def warn_if_volatile(client: Any, url: str) -> str | None:
    """A warning when Redis keeps nothing across a restart (no append-only file)."""
    try:
        appendonly = client.config_get("appendonly").get("appendonly")
    except Exception:  # CONFIG may be renamed or refused: nothing to say then
        return None
    if appendonly == "no":
        return (
            f"Redis at {where(url)} runs without appendonly: if it is restarted, the "
            "queued pages and posts are lost (start it with --appendonly yes)"
        )
    return None
