"""The real saved pages (../shared/real-pages), served on 127.0.0.1 and crawled through
`scan crawl` into SQLite: what lands in the database is what the real page holds.

Skips when the folder is absent (a user's clone has none).
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sites import Page, Server, serve_pages

from scanner.text.clean import clean_line, clean_text
from scanner.text.dates import iso

SCAN = str(Path(sys.executable).with_name("scan"))
TRUSTPILOT = "trustpilot-page-eventnet-2024/trustpilot_page.html"
REDDIT = "reddit-search-listing-praw/r_all_search_praw_oauth_search_2016-07-12.json"
HN = "hn-algolia-search-by-date-2017/search_by_date.json"


def serve(routes: dict[str, Path]) -> AbstractContextManager[Server]:
    """Each file at its path (any query), robots.txt allowing all, 404 otherwise."""

    def page(target: str) -> Page:
        path, _, query = target.partition("?")
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        file = routes.get(path)
        params = query.split("&")
        if file is None or "page=1" in params or "page=2" in params:
            return None  # only the first page of each listing was saved
        kind = "text/html" if file.suffix == ".html" else "application/json"
        return file.read_bytes(), f"{kind}; charset=utf-8"

    return serve_pages(page)


@pytest.fixture(scope="module")
def crawled(real_pages: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("real")
    routes = {
        "/review/eventnet.de": real_pages / TRUSTPILOT,
        "/search.json": real_pages / REDDIT,
        "/api/v1/search_by_date": real_pages / HN,
    }
    with serve(routes) as server:
        base = server.base
        fast = "download_delay = 0\nautothrottle = false\nabout_company = true\n"
        (tmp / "scanner.toml").write_text(
            f'db = "scan.db"\n[company]\nname = "eventnet"\n'
            f'[[sources]]\nname = "tp"\nspider = "trustpilot"\nurl = "{base}/review/eventnet.de"\n'
            f"{fast}"
            f'[[sources]]\nname = "rd"\nspider = "reddit"\nurl = "{base}"\nquery = "praw"\n{fast}'
            f'[[sources]]\nname = "hn"\nspider = "hackernews"\nurl = "{base}"\nquery = "nodejs"\n'
            f"{fast}",
            encoding="utf-8",
        )
        done = subprocess.run(
            [SCAN, "--config", str(tmp / "scanner.toml"), "--create", "crawl"],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp,
            check=False,
        )
    assert done.returncode in (0, 3), done.stderr[-3000:]
    return tmp / "scan.db"


def rows(db: Path, source: str) -> dict[str, dict[str, Any]]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    with conn:
        found = conn.execute("SELECT * FROM mentions WHERE source = ?", [source]).fetchall()
    conn.close()
    return {r["external_id"]: dict(r) for r in found}


def test_trustpilot_page_all_20_reviews_as_in_next_data(crawled: Path, real_pages: Path):
    html = (real_pages / TRUSTPILOT).read_text(encoding="utf-8")
    script = re.search(r'<script id="__NEXT_DATA__"[^>]*>(.*?)</script>', html, re.S)
    reviews = json.loads(script.group(1))["props"]["pageProps"]["reviews"]
    stored = rows(crawled, "tp")
    assert len(reviews) == 20
    assert set(stored) == {r["id"] for r in reviews}
    for review in reviews:
        row = stored[review["id"]]
        assert row["id"] == f"tp:{review['id']}"
        assert row["author"] == clean_line(review["consumer"]["displayName"])
        assert row["rating"] == review["rating"] and row["rating_scale"] == 5
        published = datetime.fromisoformat(review["dates"]["publishedDate"].replace("Z", "+00:00"))
        assert row["published_at"] == iso(published)
        assert row["text"] == clean_text(review["text"])
        assert row["title"] == clean_line(review["title"])
        if review["rating"] <= 2:
            assert row["is_grievance"] == 1  # a low rating is a complaint
        elif review["rating"] >= 4:
            assert row["is_grievance"] == 0  # praise never is


def test_reddit_listing_every_post(crawled: Path, real_pages: Path):
    listing = json.loads((real_pages / REDDIT).read_text(encoding="utf-8"))
    posts = [c["data"] for c in listing["data"]["children"] if c["kind"] == "t3"]
    stored = rows(crawled, "rd")
    assert {p["author"] for p in posts} == {r["author"] for r in stored.values()}
    for post in posts:
        row = next(r for r in stored.values() if r["author"] == post["author"])
        assert row["title"] == clean_line(post["title"])
        assert row["url"].endswith(post["permalink"].split("?")[0])


def test_hackernews_answer_every_hit_with_clean_text(crawled: Path, real_pages: Path):
    answer = json.loads((real_pages / HN).read_text(encoding="utf-8"))
    stored = rows(crawled, "hn")
    with_text = [
        h for h in answer["hits"] if h.get("comment_text") or h.get("story_text") or h.get("title")
    ]
    assert {str(h["objectID"]) for h in with_text} == set(stored)
    for row in stored.values():
        assert "&#x27;" not in row["text"] and "<p>" not in row["text"]
        assert row["author"]
