"""Checks a type cannot express, for ``setting(check=...)``: each returns a reason or None."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from scanner.schema.words import shown


@dataclass(frozen=True)
class _Url:
    """A kind of URL a setting takes: one check, and what each of its messages says
    the value must be."""

    schemes: frozenset[str]
    unreadable: str  # urllib cannot split it, or its port is no port
    wrong: str  # a space, or another scheme
    no_host: str
    hostless: frozenset[str] = frozenset()  # schemes that name no host but a path (a socket)
    no_path: str = ""

    def problem(self, value: str) -> str | None:
        parts, why = _split(value)
        masked = without_password(value)
        given = shown(masked)
        if parts is None:
            if masked != value and " as '" in why:  # urllib quoting the password
                why = why.split(" as '")[0] + (
                    "; a password holding '#', '?' or '/' must be percent-encoded"
                )
            return f"must be {self.unreadable}, got {given} ({why})"
        if any(char.isspace() for char in value) or parts.scheme not in self.schemes:
            return f"must be {self.wrong}, got {given}"
        if parts.scheme not in self.hostless and not parts.hostname:
            return f"must be {self.no_host}, got {given}"
        if parts.scheme in self.hostless and parts.path in ("", "/"):
            return f"must be {self.no_path}, got {given}"
        return None


_WEB = _Url(
    frozenset({"http", "https"}),
    unreadable="a web address",
    wrong="a web address starting http:// or https://",
    no_host="a web address with a host name",
)
_REDIS_EXAMPLE = "a Redis URL such as redis://HOST:6379/0"
_REDIS = _Url(
    frozenset({"redis", "rediss", "unix"}),
    unreadable=_REDIS_EXAMPLE,
    wrong=_REDIS_EXAMPLE,
    no_host="a Redis URL with a host name",
    hostless=frozenset({"unix"}),
    no_path="a Redis socket URL with the socket's path, such as unix:///run/redis.sock",
)


def http_url(value: str) -> str | None:
    """``https://host/path``: a scheme of http or https, a host, no spaces."""
    return _WEB.problem(value)


def redis_url(value: str) -> str | None:
    """``redis://host:port/db`` (or ``rediss://``, ``unix://``): the Redis of a crawl."""
    return _REDIS.problem(value)


# What a URL may say of a password: "user:password@" after the scheme, the
# password running to the last "@" (read without urllib, which cannot split every
# URL a message must show: "redis://:pw@host:99999/0" has no port it can read, and
# a password may hold "@", "#", "?" or "/"), unless what follows the ":" is a port
# ("https://host:8080/p?to=a@b"); and a query's password (redis-py reads it).
_USERINFO = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*://)([^/?#:]*):(.*)@")
_PORT = re.compile(r"\d*(?:[/?#]|$)")
_QUERY_PASSWORD = re.compile(r"([?&](?:password|passwd|pass|pwd)=)[^&#]*", re.IGNORECASE)


def without_password(url: str) -> str:
    """``url`` with any password in it shown as ``***``, for messages and logs: a
    mistyped port must not print the Redis password in a cron mail. A user name
    stays; so does a userinfo without ":", as urllib reads it (a user name)."""
    match = _USERINFO.match(url)
    if match and not _PORT.match(match.group(3)):
        url = f"{match.group(1)}{match.group(2)}:***@{url[match.end() :]}"
    return _QUERY_PASSWORD.sub(r"\1***", url)


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
