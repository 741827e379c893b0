"""Checks a type cannot express, for ``setting(check=...)``: each returns a reason or None."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from scanner.schema.words import shown


def http_url(value: str) -> str | None:
    """``https://host/path``: a scheme of http or https, a host, no spaces."""
    parts, problem = _split(value)
    if parts is None:
        return f"must be a web address, got {shown(value)} ({problem})"
    if any(char.isspace() for char in value) or parts.scheme not in {"http", "https"}:
        return f"must be a web address starting http:// or https://, got {shown(value)}"
    if not parts.hostname:
        return f"must be a web address with a host name, got {shown(value)}"
    return None


def redis_url(value: str) -> str | None:
    """``redis://host:port/db`` (or ``rediss://``, ``unix://``): the Redis of a crawl."""
    parts, problem = _split(value)
    if parts is None:
        return f"must be a Redis URL such as redis://HOST:6379/0, got {shown(value)} ({problem})"
    if any(char.isspace() for char in value) or parts.scheme not in {"redis", "rediss", "unix"}:
        return f"must be a Redis URL such as redis://HOST:6379/0, got {shown(value)}"
    if parts.scheme != "unix" and not parts.hostname:
        return f"must be a Redis URL with a host name, got {shown(value)}"
    return None


def _split(value: str) -> tuple[SplitResult | None, str]:
    """``value``'s parts, or None and why: urllib raises on an IPv6 host left open
    ("http://[::1/"), and on a port that is no number or above 65535 only when the
    port is read (which a crawl did, failing with no word of why)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - read for its check
    except ValueError as exc:
        return None, str(exc).replace("Port", "port")
    return parts, ""
