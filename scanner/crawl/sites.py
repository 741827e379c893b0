"""Which sites a source may fetch from: its own, and the API hosts its spider declares.

A 302 from the source's site to another host or port, or a ``rel="next"`` that
points elsewhere, must not be followed: what another site says is not this
source's, and a source that wanders can be steered anywhere by a hostile page.
Two URLs are on the same site when their host names match, ignoring case and a
leading ``www.``, and so do their ports once a scheme's default port is left out
(``http://a/`` and ``https://a:443/`` are the same site; ``:8765`` and ``:8766``
are not).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached

DEFAULT_PORTS = {"http": 80, "https": 443}


def site_of(url: str) -> tuple[str, int | None]:
    """(host without ``www.``, port unless it is the scheme's default)."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    return _site(parts.scheme, parts.netloc)


@lru_cache(maxsize=1024)
def _site(scheme: str, netloc: str) -> tuple[str, int | None]:
    parts = urlsplit(f"{scheme}://{netloc}")
    host = (parts.hostname or "").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: no site at all
        return "", None
    if port == DEFAULT_PORTS.get(parts.scheme):
        port = None
    return host, port


class SourceSites:
    """The sites of one source. Without a start URL (``scrapy crawl NAME`` with no
    ``url``) there is nothing to hold a request to, and every site is allowed."""

    def __init__(self, start_url: str | None, api_hosts: Iterable[str] = ()) -> None:
        self.sites = {site_of(start_url)} | {site_of(h) for h in api_hosts} if start_url else set()

    def allows(self, request: Request) -> bool:
        """Whether the request stays on the source's sites (its URL parse is cached on it,
        and Scrapy's downloader reuses it)."""
        if not self.sites:
            return True
        parts = urlparse_cached(request)
        return _site(parts.scheme, parts.netloc) in self.sites
