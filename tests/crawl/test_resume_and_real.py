"""A killed crawl resumes; a broken rule file stops at start; the real Google Alerts feed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.crawl.conftest import Site, crawl, kill, rows, start_crawl, write_config


def real_pages() -> Path:
    env = os.environ.get("SCAN_REAL_PAGES")
    repo = Path(__file__).resolve().parents[2]
    return Path(env) if env else repo / ".." / "shared" / "real-pages"


def test_real_google_alerts_feed_is_stored_whole(site: Site, tmp_path: Path) -> None:
    feed = real_pages() / "feeds" / "google_alerts_atom.xml"
    if not feed.exists():
        pytest.skip("shared real pages not available")
    site.behave("/alerts.xml", body=feed.read_bytes(), content_type="application/atom+xml")
    write_config(
        tmp_path,
        [{"name": "ga", "spider": "feed", "url": site.url("/alerts.xml")}],
        company="Slack",
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    got = rows(tmp_path / "scan.db", "SELECT url, title, text, published_at FROM mentions")
    assert len(got) == 20
    assert all(url.startswith("http") and "google.com/url" not in url for url, *_ in got)
    assert not any("<b>" in t or "</b>" in t or "<b>" in x or "&nbsp;" in x for _, t, x, _ in got)
    assert max(p for *_, p in got) == "2019-07-10T11:53:37+00:00"


def test_killed_crawl_keeps_batches_and_next_crawl_fetches_the_backlog(
    site: Site, tmp_path: Path
) -> None:
    site.big_pages, site.big_delay = 30, 0.15  # 300 posts, slow enough to kill mid-run
    write_config(
        tmp_path,
        [
            {
                "name": "big",
                "spider": "site",
                "rule": "example-board",
                "url": site.url("/big/1.html"),
                "concurrency": 1,
            }
        ],
    )
    db = tmp_path / "scan.db"
    process = start_crawl(tmp_path, "-s", "SCAN_BATCH_SIZE=10")
    committed = 0
    deadline = time.monotonic() + 30
    while committed < 60 and time.monotonic() < deadline:
        time.sleep(0.1)
        if db.exists():
            try:
                committed = rows(db, "SELECT COUNT(*) FROM mentions")[0][0]
            except Exception:  # the schema may not exist yet
                committed = 0
    assert process.poll() is None, "the crawl ended before it could be killed"
    kill(process)
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    kept = rows(db, "SELECT COUNT(*) FROM mentions")[0][0]
    assert 60 <= kept < 300  # every batch seen committed is still there
    pending = rows(db, "SELECT COUNT(*) FROM frontier WHERE source = 'big' AND done = 0")[0][0]
    assert pending >= 1

    site.big_delay = 0
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM mentions") == [(300, 300)]
    assert rows(db, "SELECT new FROM runs WHERE source = 'big' ORDER BY id DESC LIMIT 1") == [
        (300 - kept,)
    ]
    assert rows(db, "SELECT COUNT(*) FROM frontier WHERE source = 'big'") == [(0,)]


def test_broken_rule_file_is_reported_at_start(site: Site, tmp_path: Path) -> None:
    rule = tmp_path / "broken.toml"
    rule.write_text('post = "article.complaint"\n\n[fields]\ntext = "div[[["\n', encoding="utf-8")
    missing = tmp_path / "missing.toml"
    missing.write_text('post = "article"\n[fields]\nauthor = ".a::text"\n', encoding="utf-8")
    url = site.url("/board/page1.html")
    write_config(
        tmp_path,
        [
            {"name": "broken", "spider": "site", "rule": str(rule), "url": url},
            {"name": "missing", "spider": "site", "rule": str(missing), "url": url},
            {"name": "board", "spider": "site", "rule": "example-board", "url": url},
        ],
    )
    result = crawl(tmp_path)
    assert result.returncode == 3
    assert f"{rule} line 4: [fields] `text` is a broken selector" in result.stderr
    assert f"{missing} line 2: [fields] `text` is missing (it is required)" in result.stderr
    db = tmp_path / "scan.db"
    assert dict(rows(db, "SELECT source, state FROM source_health")) == {
        "broken": "failed",
        "missing": "failed",
        "board": "ok",
    }
    assert site.count("/board/page1.html") == 1  # only the good source fetched it
