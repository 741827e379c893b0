"""bbb, complaintsboard, pissedconsumer and sitejabber crawled for real: `scan crawl` in a
subprocess against the fixture sites served on 127.0.0.1, through every pipeline into SQLite.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from sites import Page, Server, serve_pages
from sites_b import ROUTES, START

from tests.crawl.conftest import crawl as scan_crawl

ROBOTS = b"User-agent: *\nAllow: /\n"


def serve(files: dict[str, Path]) -> AbstractContextManager[Server]:
    """The fixture pages, ``text/html`` without a charset, so each page's own
    ``<meta charset>`` (windows-1252 for some) decides, as on the real sites."""

    def page(path: str) -> Page:
        if path == "/robots.txt":
            return ROBOTS, "text/plain"
        file = files.get(path)
        return None if file is None else (file.read_bytes(), "text/html")

    return serve_pages(page)


def config(base: str, db: Path) -> str:
    lines = [f'db = "{db}"', "[company]", 'name = "Acme Home Services"', 'aliases = ["Acme"]']
    for spider, path in START.items():
        lines += [
            "[[sources]]",
            f'name = "{spider}-acme"',
            f'spider = "{spider}"',
            f'url = "{base}{path}"',
            "download_delay = 0",
            "autothrottle = false",
            "concurrency = 4",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[sqlite_utils.Database, list[str]]:
    tmp = tmp_path_factory.mktemp("crawl_b")
    files = {path: file for routes in ROUTES.values() for path, file in routes().items()}
    with serve(files) as server:
        (tmp / "scanner.toml").write_text(config(server.base, tmp / "scan.db"), encoding="utf-8")
        done = scan_crawl(tmp, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return sqlite_utils.Database(tmp / "scan.db"), server.requested


def rows(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, Any]]:
    return {r["external_id"]: r for r in db["mentions"].rows_where("source = ?", [source])}


def test_every_page_of_every_site_was_fetched(crawled: tuple[Any, list[str]]) -> None:
    _, requested = crawled
    wanted = {path for routes in ROUTES.values() for path in routes()}
    assert wanted <= set(requested)


def test_bbb_complaints_and_reviews_land_in_the_database(crawled: tuple[Any, list[str]]) -> None:
    got = rows(crawled[0], "bbb-acme")
    assert set(got) == {
        "complaint-5512001",
        "complaint-5512002",
        "complaint-5512003",
        "complaint-5512004",
        "review-0875_90012345_1001",
        "review-0875_90012345_1002",
        "review-0875_90012345_1003",
        "review-0875_90012345_1004",
        "review-0875_90012345_1005",
    }  # (complaint-5512005 and review 1006 were removed posts: never stored)
    complaint = got["complaint-5512001"]
    assert complaint["published_at"] == "2024-03-03T00:00:00+00:00"
    assert json.loads(complaint["extra"])["status"] == "Resolved"
    renee = got["review-0875_90012345_1004"]
    assert "café" in renee["text"] and "naïve" in renee["text"] and "“fixed”" in renee["text"]
    assert (renee["author"], renee["rating"], renee["rating_scale"]) == ("Renée D.", 1.0, 5.0)


def test_complaintsboard_complaint_pages_land_in_the_database(
    crawled: tuple[Any, list[str]],
) -> None:
    got = rows(crawled[0], "complaintsboard-acme")
    assert set(got) == {"2100001", "2100002", "2100003", "2100005"}
    assert json.loads(got["2100001"]["extra"])["claimed_loss"] == "$249"
    assert got["2100005"]["author"] == "Zoë B." and "café’s" in got["2100005"]["text"]


def test_pissedconsumer_and_sitejabber_land_in_the_database(crawled: tuple[Any, list[str]]) -> None:
    db = crawled[0]
    assert set(rows(db, "pissedconsumer-acme")) == {
        "3456701",
        "3456702",
        "3456703",
        "3456704",
        "3456706",
    }
    sitejabber = rows(db, "sitejabber-acme")
    assert set(sitejabber) == {"9100001", "9100002", "9100003", "9100004", "9100006"}
    assert sitejabber["9100003"]["text"].startswith("ఏక్మే సర్వీస్")
    assert sitejabber["9100002"]["language"] == "es"
