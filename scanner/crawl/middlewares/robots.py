"""robots.txt as RFC 9309 says, read once per host for every source (replaces Scrapy's).

Scrapy's RobotsTxtMiddleware allows everything when robots.txt cannot be read: a
500, a 503, one that trickles until the timeout, or one over the size cap. RFC
9309 (2.3.1) says the opposite for a server that fails:

* 2xx: the rules hold; at least the first 500 KiB are parsed (2.5), so the body
  is read up to :data:`PARSE_LIMIT` and the rest left unread, however large;
* 4xx ("unavailable"): there are no rules, everything is allowed;
* 5xx or no answer at all ("unreachable"): everything is disallowed, for this
  run; the next run asks again.

A host's answer is fetched once per crawl and shared by every source on it
(:class:`RobotsCache`), so N sources on one host ask for one robots.txt, not N.
Refusals are counted for the source's health: ``robotstxt/forbidden`` (with
``robotstxt/forbidden_url``) for pages the rules forbid, ``failure/robots`` (the
reason in ``failure/robots/detail``) for pages refused because robots.txt could
not be read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred

from scanner.crawl import failures
from scanner.crawl.extension import SourceExtension

logger = logging.getLogger(__name__)
#: Bytes of robots.txt read and parsed (RFC 9309 2.5: at least 500 KiB).
PARSE_LIMIT = 512 * 1024


@dataclass
class RobotsAnswer:
    """What a host's robots.txt says: ``rules`` to ask, everything allowed
    (``rules`` None), or, when it could not be read, why (``unreachable``)."""

    rules: Any = None
    unreachable: str | None = None  # a failure kind: "http_503", "timeout", "refused"...
    url: str = ""


class RobotsCache:
    """Each host's answer (or the requests waiting for it), for the whole crawl."""

    answers: ClassVar[dict[str, RobotsAnswer | list[Deferred[RobotsAnswer]]]] = {}


class RobotsTxtMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.parser = load_object(settings.get("ROBOTSTXT_PARSER"))
        self.fetching = 0  # robots.txt downloads in flight (read_some listens meanwhile)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        url = urlparse_cached(request)
        if request.meta.get("dont_obey_robotstxt") or url.scheme not in {"http", "https"}:
            return
        answer = await self.answer_for(f"{url.scheme}://{url.netloc}")
        if answer.unreachable:
            failures.record(self.stats, "robots", answer.url, answer.unreachable)
            raise IgnoreRequest(f"robots.txt unreachable ({answer.unreachable})")
        if answer.rules is not None and not answer.rules.allowed(request.url, self.user_agent):
            self.stats.inc_value("robotstxt/forbidden")
            self.stats.set_value("robotstxt/forbidden_url", request.url)
            SourceExtension.of(self.crawler).frontier.gave_up(request.meta.get("scan_fp"))
            raise IgnoreRequest("Forbidden by robots.txt")

    async def answer_for(self, origin: str) -> RobotsAnswer:
        known = RobotsCache.answers.get(origin)
        if isinstance(known, RobotsAnswer):
            return known
        if isinstance(known, list):  # another source is fetching it
            waiter: Deferred[RobotsAnswer] = Deferred()
            known.append(waiter)
            return await maybe_deferred_to_future(waiter)
        waiting: list[Deferred[RobotsAnswer]] = []
        RobotsCache.answers[origin] = waiting
        try:
            answer = await self.fetch(f"{origin}/robots.txt")
        except BaseException:  # cancelled with the crawl: the next request asks again
            del RobotsCache.answers[origin]
            for waiter in waiting:
                waiter.callback(RobotsAnswer(unreachable="cancelled", url=f"{origin}/robots.txt"))
            raise
        RobotsCache.answers[origin] = answer
        for waiter in waiting:
            waiter.callback(answer)
        return answer

    async def fetch(self, url: str) -> RobotsAnswer:
        request = Request(
            url,
            priority=1000,
            callback=NO_CALLBACK,
            meta={
                "dont_obey_robotstxt": True,
                "scan_robots": True,
                # No size cap on the transfer: reading stops at PARSE_LIMIT (see read_some).
                "download_maxsize": 0,
                "download_warnsize": 0,
            },
        )
        self.stats.inc_value("robotstxt/request_count")
        if not self.fetching:
            self.crawler.signals.connect(self.read_some, signal=signals.bytes_received)
        self.fetching += 1
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:
            return RobotsAnswer(unreachable=f"ignored: {exc}", url=url)
        except Exception as exc:  # refused, timeout, DNS...: unreachable
            # One line per source says it; scan --debug shows this, with the traceback.
            logger.warning("%s could not be read: %s", url, exc, exc_info=True)
            return RobotsAnswer(unreachable=failures.exception_kind(exc), url=url)
        finally:
            self.fetching -= 1
            if not self.fetching:  # no cost for every other download's every chunk
                self.crawler.signals.disconnect(self.read_some, signal=signals.bytes_received)
        return self.parse(response, url)

    def read_some(self, data: bytes, request: Request) -> None:
        """Stop reading a robots.txt at PARSE_LIMIT, and keep what arrived."""
        if request.meta.get("scan_robots"):
            request.meta["scan_robots_read"] = request.meta.get("scan_robots_read", 0) + len(data)
            if request.meta["scan_robots_read"] >= PARSE_LIMIT:
                raise StopDownload(fail=False)

    def parse(self, response: Response, url: str) -> RobotsAnswer:
        status = response.status
        self.stats.inc_value("robotstxt/response_count")
        self.stats.inc_value(f"robotstxt/response_status_count/{status}")
        if status >= 500:
            logger.info("%s answered %s: disallow all for this run (RFC 9309)", url, status)
            return RobotsAnswer(unreachable=f"http_{status}", url=url)
        if not 200 <= status < 300:  # 4xx, or a redirect loop: "unavailable", allow all
            return RobotsAnswer(url=url)
        body = response.body[:PARSE_LIMIT]
        return RobotsAnswer(rules=build_from_crawler(self.parser, self.crawler, body), url=url)
