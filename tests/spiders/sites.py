"""The fixture sites: each spider's URL scheme mapped onto files in tests/fixtures/sites/.

One map serves both kinds of test. Parse tests turn a spider's own request into a
response with :func:`fixture_response` (so they check the URLs the spider builds,
not just its parsing); crawl tests serve the same map over HTTP on 127.0.0.1 with
:func:`serve` and point a ``[[sources]]`` entry at it with :meth:`FixtureSite.source`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from scrapy.http import HtmlResponse, Request, TextResponse

from scanner.crawl.spider import ScanSpider
from tests.loopback import loopback_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
APP_ID = "1234567890"
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"


def route_key(url: str) -> str:
    """Path plus sorted query: the spider's parameter order does not matter."""
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{parts.path}?{query}" if query else parts.path


@dataclass(frozen=True)
class FixtureSite:
    spider: str
    #: path?query as the spider requests it → file name under tests/fixtures/sites/<spider>/
    routes: dict[str, str]
    #: appended to the server's base URL to make the source's ``url``
    url_path: str = ""
    #: the other ``[[sources]]`` keys (query, countries, comments, args...)
    options: dict[str, Any] = field(default_factory=dict)

    def files(self) -> dict[str, Path]:
        folder = FIXTURES / self.spider
        return {route_key(path): folder / name for path, name in self.routes.items()}

    def source(self, base: str, name: str | None = None, **overrides: Any) -> dict[str, Any]:
        """A ``[[sources]]`` table pointing this spider at a server on ``base``."""
        entry = {"name": name or self.spider, "spider": self.spider, "url": base + self.url_path}
        return {**entry, **self.options, **overrides}


_REDDIT_Q = "q=brightpay&sort=new&limit=100&raw_json=1"
_HN_Q = "query=acme&tags=%28story%2Ccomment%29"
_APP = f"rss/customerreviews/page={{}}/id={APP_ID}/sortby=mostrecent/json"

SITES: dict[str, FixtureSite] = {
    "trustpilot": FixtureSite(
        "trustpilot",
        {
            "/review/acme.example?sort=recency": "acme-page1.html",
            "/review/acme.example?sort=recency&page=2": "acme-page2.html",
        },
        url_path="/review/acme.example",
    ),
    "reddit": FixtureSite(
        "reddit",
        {
            f"/search.json?{_REDDIT_Q}": "search-1.json",
            f"/search.json?{_REDDIT_Q}&after=t3_bp004": "search-2.json",
            f"/r/personalfinance/search.json?{_REDDIT_Q}&restrict_sr=1": "sub-personalfinance.json",
            "/r/personalfinance/comments/bp001/brightpay_froze_my_account.json?raw_json=1": (
                "thread-bp001.json"
            ),
        },
        options={"query": "brightpay", "comments": True},
    ),
    "hackernews": FixtureSite(
        "hackernews",
        {
            f"/api/v1/search_by_date?{_HN_Q}&page=0": "page-0.json",
            f"/api/v1/search_by_date?{_HN_Q}&page=1": "page-1.json",
        },
        options={"query": "acme"},
    ),
    "appstore": FixtureSite(
        "appstore",
        {
            "/us/" + _APP.format(1): "us-page-1.json",
            "/us/" + _APP.format(2): "us-page-2.json",
            "/us/" + _APP.format(3): "us-page-3.json",
            "/in/" + _APP.format(1): "in-page-1.json",
            "/in/" + _APP.format(2): "in-page-2.json",
        },
        options={"countries": ["us", "in"], "args": {"app_id": APP_ID}},
    ),
}


def fixture_response(request: Request, site: FixtureSite | None = None) -> TextResponse:
    """The response the fixture site gives to one of the spider's requests."""
    site = site or _site_for(request.url)
    key = route_key(request.url)
    path = site.files().get(key)
    if path is None:
        raise KeyError(f"the {site.spider} fixture site has no page for {key}")
    return response_from_file(path, request)


def response_from_file(path: Path, request: Request | str) -> TextResponse:
    request = request if isinstance(request, Request) else Request(request)
    cls = HtmlResponse if path.suffix == ".html" else TextResponse
    return cls(url=request.url, body=path.read_bytes(), encoding="utf-8", request=request)


def _site_for(url: str) -> FixtureSite:
    key = route_key(url)
    for site in SITES.values():
        if key in site.files():
            return site
    raise KeyError(f"no fixture site serves {key}")


@dataclass
class Server:
    base: str
    requested: list[str]


#: What a served path answers: (body, Content-Type), or None for a 404.
Page = tuple[bytes, str] | None


@contextmanager
def serve_pages(page: Callable[[str], Page]) -> Iterator[Server]:
    """Serve ``page(path)`` on 127.0.0.1 (a free port) in a thread, recording each path.

    The one loopback server of the spider crawl tests; each test decides what a
    path answers (fixture files, real saved pages, a charset or none).
    """
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            requested.append(self.path)
            answer = page(self.path)
            if answer is None:
                self.send_error(404)
                return
            body, kind = answer
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    with loopback_server(Handler) as port:
        yield Server(f"http://127.0.0.1:{port}", requested)


def serve(*sites: FixtureSite) -> AbstractContextManager[Server]:
    """Serve the sites' pages; robots.txt as on the real sites (one, allowing the rest)."""
    files: dict[str, Path] = {}
    for site in sites:
        files.update(site.files())

    def page(path: str) -> Page:
        if path == "/robots.txt":
            return ROBOTS_TXT.encode(), "text/plain; charset=utf-8"
        file = files.get(route_key(path))
        if file is None:
            return None
        kind = "text/html" if file.suffix == ".html" else "application/json"
        return file.read_bytes(), f"{kind}; charset=utf-8"

    return serve_pages(page)


def start_requests_of(spider: ScanSpider) -> list[Request]:
    """What the spider's ``async def start()`` yields."""

    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def layout_problems(spider: ScanSpider) -> int:
    return spider.crawler.stats.get_value("layout/problems", 0)
