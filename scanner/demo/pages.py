"""The demo's web: which URL answers what, and the sources a config points at them.

Every source lives on the one loopback server under the path its real site uses
(``/review/<domain>`` for Trustpilot, ``/search.json`` for Reddit...), so the
spiders run unchanged with only their ``url`` pointed at the server.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scanner.demo import apis, htmlpages
from scanner.demo.corpus import Post, competitor

ROBOTS = "User-agent: *\nAllow: /\n"
BBB_PROFILE = "/us/ca/san-francisco/profile/money-transfer/orvella-pay-1116-928345"
ALERTS_FEED = "/alerts/feeds/04172963582045367261/9150331877306402618"
COUNTRIES = ("us", "in", "es")
RIVAL_SOURCE = "kestrel-trustpilot"  # the competitor's one source


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes


def _text(body: str, content_type: str) -> Answer:
    return Answer(200, f"{content_type}; charset=utf-8", body.encode("utf-8"))


def _json(data: Any) -> Answer:
    return _text(json.dumps(data, ensure_ascii=False), "application/json")


NOT_FOUND = Answer(404, "text/plain; charset=utf-8", b"not found\n")


class DemoWeb:
    """The pages of every demo source, rendered on request from the corpus.

    The competitor (when given) has one source: its own Trustpilot page.
    """

    def __init__(
        self, posts: list[Post], company: dict[str, Any], competitor: dict[str, Any] | None = None
    ) -> None:
        self.company, self.competitor = company, competitor
        self.by_site: dict[str, list[Post]] = {}
        self.rival: list[Post] = []
        for post in sorted(posts, key=lambda p: p.published, reverse=True):
            if competitor is not None and post.company == competitor["name"]:
                self.rival.append(post)
            elif post.company == company["name"]:
                self.by_site.setdefault(post.site, []).append(post)

    def sources(self, base: str) -> list[dict[str, Any]]:
        """``[[sources]]`` entries for a config, pointed at the server at ``base``."""
        query = self.company["name"]
        return [
            {
                "name": "trustpilot",
                "spider": "trustpilot",
                "url": f"{base}/review/{self.company['domain']}",
            },
            {"name": "bbb", "spider": "bbb", "url": f"{base}{BBB_PROFILE}"},
            {"name": "reddit", "spider": "reddit", "url": base, "query": query},
            {"name": "hackernews", "spider": "hackernews", "url": base, "query": query},
            {
                "name": "app-store",
                "spider": "appstore",
                "url": base,
                "countries": list(COUNTRIES),
                "args": {"app_id": self.company["app_id"]},
            },
            {"name": "google-alerts", "spider": "feed", "url": f"{base}{ALERTS_FEED}"},
        ] + (
            [
                {
                    "name": RIVAL_SOURCE,
                    "spider": "trustpilot",
                    "company": self.competitor["name"],
                    "url": f"{base}/review/{self.competitor['domain']}",
                }
            ]
            if self.competitor
            else []
        )

    def answer(self, target: str, base: str) -> Answer:
        """What the server sends for ``target`` (path and query of the request line)."""
        parts = urlsplit(target)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if path == "/robots.txt":
            return _text(ROBOTS, "text/plain")
        if path == f"/review/{self.company['domain']}":
            return self._trustpilot(path, query, self.company, self.by_site.get("trustpilot", []))
        if self.competitor and path == f"/review/{self.competitor['domain']}":
            return self._trustpilot(path, query, self.competitor, self.rival)
        if path in (f"{BBB_PROFILE}/complaints", f"{BBB_PROFILE}/customer-reviews"):
            return self._bbb(path, query)
        if path == "/search.json":
            return self._reddit(query)
        if path == "/api/v1/search_by_date":
            return self._hackernews(query)
        if path == ALERTS_FEED:
            posts = self.by_site.get("alerts", [])
            feed = apis.alerts_feed(posts, company=self.company["name"], feed_path=base + path)
            return _text(feed, "application/atom+xml")
        store = re.fullmatch(
            r"/([a-z]{2})/rss/customerreviews/page=(\d+)/id=(\d+)/"
            r"sortby=mostrecent/json",
            path,
        )
        if store and store.group(1) in COUNTRIES and store.group(3) == self.company["app_id"]:
            return self._appstore(store.group(1), int(store.group(2)), base)
        return NOT_FOUND

    def _page(
        self, posts: list[Post], query: dict[str, str], size: int
    ) -> tuple[list[Post], int, int]:
        pages = max(1, math.ceil(len(posts) / size))
        page = _int(query.get("page"), 1)
        return posts[(page - 1) * size : page * size], page, pages

    def _trustpilot(
        self, path: str, query: dict[str, str], company: dict[str, Any], all_posts: list[Post]
    ) -> Answer:
        posts, page, pages = self._page(all_posts, query, htmlpages.TRUSTPILOT_PER_PAGE)
        if not 1 <= page <= pages:
            return NOT_FOUND
        html = htmlpages.trustpilot_page(
            posts, page, pages, path=path, company={**company, "count": len(all_posts)}
        )
        return _text(html, "text/html")

    def _bbb(self, path: str, query: dict[str, str]) -> Answer:
        section = path.rsplit("/", 1)[-1]
        site = "bbb-complaint" if section == "complaints" else "bbb-review"
        posts, page, pages = self._page(self.by_site.get(site, []), query, htmlpages.BBB_PER_PAGE)
        if not 1 <= page <= pages:
            return NOT_FOUND
        html = htmlpages.bbb_page(
            posts, page, pages, company=self.company, path=path, section=section
        )
        return _text(html, "text/html")

    def _reddit(self, query: dict[str, str]) -> Answer:
        posts = self.by_site.get("reddit", [])
        size = min(_int(query.get("limit"), 25), apis.REDDIT_PER_PAGE)
        start = 0
        if query.get("after"):
            names = [f"t3_{apis.reddit_id(p)}" for p in posts]
            start = names.index(query["after"]) + 1 if query["after"] in names else len(posts)
        chunk = posts[start : start + size]
        after = f"t3_{apis.reddit_id(chunk[-1])}" if start + size < len(posts) else None
        return _json(apis.reddit_listing(chunk, after))

    def _hackernews(self, query: dict[str, str]) -> Answer:
        posts = self.by_site.get("hn", [])
        pages = max(1, math.ceil(len(posts) / apis.HN_PER_PAGE))
        page = _int(query.get("page"), 0)
        chunk = posts[page * apis.HN_PER_PAGE : (page + 1) * apis.HN_PER_PAGE]
        return _json(apis.hn_answer(chunk, page, pages, len(posts), query.get("query", "")))

    def _appstore(self, country: str, page: int, base: str) -> Answer:
        posts = self.by_site.get(f"appstore-{country}", [])
        size = apis.APPSTORE_PER_PAGE
        last = max(1, math.ceil(len(posts) / size))
        chunk = posts[(page - 1) * size : page * size] if page >= 1 else []
        return _json(
            apis.appstore_feed(
                chunk,
                country=country,
                page=page,
                base=base,
                app_id=self.company["app_id"],
                last_page=last,
            )
        )


def mention_id(post: Post) -> str:
    """The id the pipeline stores this post under (``<source>:<the site's id>``)."""
    site = post.site
    if site == "trustpilot":
        source = RIVAL_SOURCE if post.company == competitor()["name"] else "trustpilot"
        return f"{source}:{htmlpages.trustpilot_id(post)}"
    if site.startswith("bbb-"):
        kind = "complaint" if site == "bbb-complaint" else "review"
        return f"bbb:{kind}-{htmlpages.bbb_id(post)}"
    if site == "reddit":
        return f"reddit:t3_{apis.reddit_id(post)}"
    if site == "hn":
        return f"hackernews:{apis.hn_id(post)}"
    if site.startswith("appstore-"):
        return f"app-store:{apis.appstore_id(post)}"
    return f"google-alerts:{apis.alert_id(post)}"


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
