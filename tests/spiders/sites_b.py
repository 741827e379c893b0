"""Fixture sites for the bbb, complaintsboard, pissedconsumer and sitejabber spiders.

Each function maps the paths (with query) a local server must answer to fixture
files under ``tests/fixtures/sites/<spider>/``; every link inside those pages is
root-relative, so the same pages work on the real host name in parse tests and
on ``127.0.0.1:<port>`` in crawl tests. Responses are built from the bytes as
served, without forcing an encoding, so the pages' own ``<meta charset>``
decides (one page per site is windows-1252 on purpose).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scanner.crawl.item import Mention
from scanner.crawl.spider import ScanSpider

S = TypeVar("S", bound=ScanSpider)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
BBB_PROFILE = "/us/tx/springfield/profile/appliance-repair/acme-home-services-0875-90012345"
CB_LISTING = "/acme-home-services-b123456"
SJ_REVIEWS = "/reviews/acme.example"

#: The host each site really lives on (parse tests use it; crawl tests do not).
HOSTS = {
    "bbb": "https://www.bbb.org",
    "complaintsboard": "https://www.complaintsboard.com",
    "pissedconsumer": "https://acme-home-services.pissedconsumer.com",
    "sitejabber": "https://www.sitejabber.com",
}
#: The path a ``[[sources]]`` entry's ``url`` points at.
START = {
    "bbb": BBB_PROFILE,
    "complaintsboard": CB_LISTING,
    "pissedconsumer": "/review.html",
    "sitejabber": SJ_REVIEWS,
}


def bbb_routes() -> dict[str, Path]:
    return _files(
        "bbb",
        {
            f"{BBB_PROFILE}/complaints": "complaints_p1.html",
            f"{BBB_PROFILE}/complaints?page=2": "complaints_p2.html",
            f"{BBB_PROFILE}/customer-reviews": "reviews_p1.html",
            f"{BBB_PROFILE}/customer-reviews?page=2": "reviews_p2.html",
        },
    )


def complaintsboard_routes() -> dict[str, Path]:
    return _files(
        "complaintsboard",
        {
            CB_LISTING: "listing_p1.html",
            f"{CB_LISTING}/page/2": "listing_p2.html",
            "/acme-home-services-technician-never-showed-up-c2100001": "complaint_c2100001.html",
            "/acme-home-services-cobro-doble-c2100002": "complaint_c2100002.html",
            "/acme-home-services-rude-staff-c2100004": "complaint_c2100004.html",
            "/acme-home-services-warranty-refused-c2100005": "complaint_c2100005.html",
        },
    )


def pissedconsumer_routes() -> dict[str, Path]:
    return _files(
        "pissedconsumer",
        {
            "/review.html": "review_p1.html",
            "/review.html?page=2": "review_p2.html",
            "/RT-P3.html": "review_p3.html",
        },
    )


def sitejabber_routes() -> dict[str, Path]:
    return _files(
        "sitejabber",
        {SJ_REVIEWS: "reviews_p1.html", f"{SJ_REVIEWS}?page=2": "reviews_p2.html"},
    )


ROUTES: dict[str, Callable[[], dict[str, Path]]] = {
    "bbb": bbb_routes,
    "complaintsboard": complaintsboard_routes,
    "pissedconsumer": pissedconsumer_routes,
    "sitejabber": sitejabber_routes,
}


def _files(spider: str, routes: dict[str, str]) -> dict[str, Path]:
    return {path: FIXTURES / spider / name for path, name in routes.items()}


def fixture(spider: str, name: str) -> Path:
    return FIXTURES / spider / name


def respond(request: Request | str, path: Path) -> HtmlResponse:
    """The page as a server would send it: bytes, no charset header."""
    request = request if isinstance(request, Request) else Request(request)
    return HtmlResponse(url=request.url, body=path.read_bytes(), request=request)


def site_response(spider: str, request: Request) -> HtmlResponse:
    """The fixture site's answer to one of the spider's own requests (on the real host)."""
    host = HOSTS[spider]
    assert request.url.startswith(host), f"{request.url} is not on {host}"
    path = request.url[len(host) :]
    files = ROUTES[spider]()
    if path not in files:
        raise KeyError(f"the {spider} fixture site has no page for {path}")
    return respond(request, files[path])


def build(cls: type[S], **kwargs: Any) -> S:
    """A spider made the way Scrapy makes it, so layout problems land in its stats."""
    return cls.from_crawler(get_crawler(cls), **kwargs)


def starts(spider: ScanSpider) -> list[Request]:
    """What the spider's ``async def start()`` yields."""

    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def problems(spider: ScanSpider) -> int:
    return spider.crawler.stats.get_value("layout/problems", 0)


def run(
    callback: Callable[[HtmlResponse], Iterable[Any]], response: HtmlResponse
) -> tuple[list[Mention], list[Request]]:
    """A callback's output, split into Mentions and Requests (nothing else allowed)."""
    out = list(callback(response))
    mentions = [o for o in out if isinstance(o, Mention)]
    requests = [o for o in out if isinstance(o, Request)]
    assert len(mentions) + len(requests) == len(out), out
    return mentions, requests
