"""Tell a bot-protection challenge (Cloudflare and the like) from an ordinary error.

A 403/429/503 whose page is a JavaScript or CAPTCHA challenge means "you are
blocked", which no retry fixes and which the source's health must say plainly.
The response is marked (``request.meta["scan_blocked"]``), counted in
``blocked/challenge`` and not retried.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

logger = logging.getLogger(__name__)
CHALLENGE_CODES = frozenset({403, 429, 503})
# Markers from the challenge pages of Cloudflare, DataDome, PerimeterX, Akamai,
# Sucuri, Imperva/Incapsula, AWS WAF: lower-cased bytes searched in the body.
_BODY_MARKERS = (
    b"cf-chl",
    b"challenge-platform",
    b"cf_chl_opt",
    b"just a moment...",
    b"attention required! | cloudflare",
    b"cf-browser-verification",
    b"captcha-delivery.com",
    b"datadome",
    b"px-captcha",
    b"_pxhd",
    b"perimeterx",
    b"sucuri website firewall",
    b"incapsula incident",
    b"_incapsula_resource",
    b"awswaf",
    b"reference&#32;&#35;",
    b"are you a robot",
    b"verify you are human",
    b"g-recaptcha",
    b"h-captcha",
    b"hcaptcha",
)
_HEADER_MARKERS = ((b"cf-mitigated", b"challenge"), (b"x-datadome", b""), (b"x-sucuri-block", b""))


def is_challenge(response: Response) -> bool:
    if response.status not in CHALLENGE_CODES:
        return False
    for name, value in _HEADER_MARKERS:
        header = response.headers.get(name)
        if header is not None and value in header.lower():
            return True
    head = response.body[:20_000].lower()
    return any(marker in head for marker in _BODY_MARKERS)


class BotProtectionMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BotProtectionMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if is_challenge(response):
            self.crawler.stats.inc_value("blocked/challenge")
            self.crawler.stats.set_value("blocked/last_url", response.url)
            logger.warning(
                "%s: %s with a bot-protection challenge page: blocked",
                response.url,
                response.status,
            )
            request.meta["dont_retry"] = True
            request.meta["scan_blocked"] = True
        return response
