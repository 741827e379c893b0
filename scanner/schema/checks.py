"""Checks a type cannot express, for ``setting(check=...)``: each returns a reason or None."""

from __future__ import annotations

from urllib.parse import urlsplit

from scanner.schema.words import shown


def http_url(value: str) -> str | None:
    """``https://host/path``: a scheme of http or https, a host, no spaces."""
    parts = urlsplit(value)
    if any(char.isspace() for char in value) or parts.scheme not in {"http", "https"}:
        return f"must be a web address starting http:// or https://, got {shown(value)}"
    if not parts.hostname:
        return f"must be a web address with a host name, got {shown(value)}"
    return None


def redis_url(value: str) -> str | None:
    """``redis://host:port/db`` (or ``rediss://``, ``unix://``): the Redis of a crawl."""
    parts = urlsplit(value)
    if any(char.isspace() for char in value) or parts.scheme not in {"redis", "rediss", "unix"}:
        return f"must be a Redis URL such as redis://HOST:6379/0, got {shown(value)}"
    if parts.scheme != "unix" and not parts.hostname:
        return f"must be a Redis URL with a host name, got {shown(value)}"
    return None
