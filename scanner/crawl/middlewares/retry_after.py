"""Retry 429 and 503 answers after the delay the site asks for, for the whole host.

Scrapy retries 429/503 at once and ignores ``Retry-After`` (the header appears
nowhere in Scrapy; https://github.com/scrapy/scrapy/issues/3849 is open). This
middleware sits just above ``RetryMiddleware`` (560 > 550, so it sees the
response first) and reads the wait the site asked for (seconds or an HTTP date;
without the header an exponential backoff). The wait belongs to the host: its
gate (``scanner.crawl.hosts``) lets no request of any source start before then,
and the retry request goes back to the scheduler at once, to wait there.

A site asking for more than ``RETRY_AFTER_MAX`` seconds is given up on for that
URL this run: the request is marked ``dont_retry``, so ``RetryMiddleware`` does
not retry it at once either, and it stays in the frontier for the next run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object

from scanner.crawl.hosts import HostGate
from scanner.crawl.middlewares.blocked import is_challenge

logger = logging.getLogger(__name__)
RETRY_AFTER_CODES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds to wait: delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():  # "²" is a digit to str.isdigit, not to float
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def host_wait(
    request: Request, response: Response, *, backoff: float, max_wait: float
) -> float | None:
    """The pause a 429/503 asks of its whole host, when it is honoured (not a challenge
    page, not more than ``max_wait``). The host's gate applies it before it frees the
    request's place (``scanner.crawl.middlewares.politeness``), so that no request of
    any source, or of any crawl worker, slips in between the answer and the pause."""
    if response.status not in RETRY_AFTER_CODES or request.meta.get("dont_retry"):
        return None
    if is_challenge(response):  # waiting will not help
        return None
    wait = retry_after_seconds(response.headers.get(b"Retry-After"))
    if wait is None:
        wait = backoff * 2 ** request.meta.get("retry_times", 0)
    return wait if wait <= max_wait else None


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX")
        self.backoff = settings.getfloat("RETRY_BACKOFF_BASE")
        self.gates: type[HostGate] = load_object(settings["SCAN_HOST_GATE"])  # politeness.py

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in RETRY_AFTER_CODES or request.meta.get("dont_retry"):
            return response
        if request.meta.get("scan_blocked"):  # a challenge page: waiting will not help
            return response
        stats = self.crawler.stats
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            wait = self.backoff * 2 ** request.meta.get("retry_times", 0)
            stats.inc_value("retry_after/backoff")
        else:
            stats.inc_value("retry_after/honoured")
        if wait > self.max_wait:
            stats.inc_value("retry_after/too_long")
            logger.warning(
                "%s asks to come back in %.0f s (more than RETRY_AFTER_MAX=%.0f): "
                "giving up on it this run",
                request.url,
                wait,
                self.max_wait,
            )
            request.meta["dont_retry"] = True  # nor may RetryMiddleware retry it at once
            request.meta["scan_failure"] = ("retry_after", f"{wait:.0f} s")
            return response
        # A response arrives only while the spider runs: crawler.spider is set.
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,  # type: ignore[arg-type]
            reason=f"{response.status} retry-after",
        )
        if retry is None:
            return response
        logger.info("%s: %s, the host waits %.1f s", request.url, response.status, wait)
        self.gates.of(urlparse_cached(request).hostname or "").pause(wait)
        return retry
