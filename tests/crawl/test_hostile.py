"""Hostile and broken servers on loopback: off-site detours, robots.txt failures,
Retry-After games, decompression bombs and truncated feeds.

Each test checks what the server saw (so politeness is judged from the site's
side) and what the database says about the source.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.crawl.sites import site_of
from tests.crawl.conftest import SITE, Site, crawl, rows, write_config


def board(site: Site, name: str = "board", page: str = "/board/page1.html") -> dict[str, object]:
    return {"name": name, "spider": "site", "rule": "example-board", "url": site.url(page)}


def health(db: Path) -> dict[str, tuple[str, str]]:
    return {s: (state, message) for s, state, message in
            rows(db, "SELECT source, state, message FROM source_health")}  # fmt: skip


def stats(db: Path, source: str) -> dict[str, object]:
    return json.loads(rows(db, "SELECT stats FROM runs WHERE source = ? ORDER BY id DESC",
                           source)[0][0])  # fmt: skip


# -- 7. a source stays on its own site ------------------------------------------------------


def test_off_site_redirects_and_next_links_are_refused_and_counted(
    site: Site, other_site: Site, tmp_path: Path
) -> None:
    site.behave("/moved.html", redirect=other_site.url("/board/page1.html"))
    page1 = (SITE / "board" / "page1.html").read_text(encoding="utf-8")
    elsewhere = other_site.url("/board/page2.html")
    away = page1.replace('href="/board/page2.html"', f'href="{elsewhere}"')
    site.behave("/away.html", body=away.encode())
    write_config(tmp_path, [board(site, "moved", "/moved.html"), board(site, "away", "/away.html")])
    result = crawl(tmp_path)
    assert other_site.count("/") == 0 and other_site.count("/robots.txt") == 0, other_site.hits
    db = tmp_path / "scan.db"
    by_source = dict(rows(db, "SELECT source, COUNT(*) FROM mentions GROUP BY source"))
    assert by_source == {"away": 3}  # page 1 only; nothing from the other site
    assert stats(db, "moved")["failure/offsite"] == 1
    assert stats(db, "away")["failure/offsite"] == 1
    states = health(db)
    assert states["moved"][0] == "failed" and "off-site" in states["moved"][1]
    assert "off-site" in states["away"][1]
    assert result.returncode == 3, result.stderr


@pytest.mark.parametrize(
    ("url", "other", "same"),
    [
        ("http://example.com/a", "https://www.EXAMPLE.com:443/b", True),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765/next", True),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8766/", False),
        ("https://shop.example/", "https://evil.example/", False),
        ("https://shop.example/", "https://shop.example.evil.test/", False),
    ],
)
def test_what_counts_as_the_sources_own_site(url: str, other: str, same: bool) -> None:
    assert (site_of(url) == site_of(other)) is same
