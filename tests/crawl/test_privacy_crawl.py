"""``[privacy] authors = "hash"`` on a real crawl: the worker process stores no name.

The crawl writes through the same door as import (``Store.upsert_mentions``),
so the pseudonyms of a crawled post equal those an import would give.
"""

from __future__ import annotations

from pathlib import Path

from scanner.privacy import KEY_ENV
from tests.crawl.conftest import Site, crawl, rows, write_config

KEY = "crawl-test-key-" + "x" * 32


def _config(site: Site, tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        [
            {"name": "reviews", "spider": "jsonld", "url": site.url("/reviews/page1.html")},
            {
                "name": "board",
                "spider": "site",
                "rule": "example-board",
                "url": site.url("/board/page1.html"),
            },
        ],
    )
    config.write_text(config.read_text("utf-8") + '[privacy]\nauthors = "hash"\n', "utf-8")


def _crawl(tmp_path: Path, key: str) -> object:
    return crawl(tmp_path, env={KEY_ENV: key}, timeout=90)


def test_a_hashed_crawl_stores_pseudonyms_only(site: Site, tmp_path: Path) -> None:
    _config(site, tmp_path)
    done = _crawl(tmp_path, KEY)
    assert done.returncode == 0, done.stderr
    db = tmp_path / "scan.db"
    authors = [a for (a,) in rows(db, "SELECT author FROM mentions")]
    assert len(authors) == 13
    assert all(a is None or a.startswith("anon-") for a in authors)
    assert sum(a is not None for a in authors) >= 10
    data = b"".join(p.read_bytes() for p in tmp_path.glob("scan.db*"))
    for name in (b"Sam", b"Ravi"):  # authors on the served pages
        assert name not in data
    # A second crawl of the same pages changes nothing: the pseudonyms are stable.
    again = _crawl(tmp_path, KEY)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT COUNT(*) FROM mentions WHERE updated_at != first_seen_at") == [(0,)]


def test_a_hashed_crawl_without_the_key_fetches_nothing(site: Site, tmp_path: Path) -> None:
    _config(site, tmp_path)
    done = _crawl(tmp_path, "")
    assert done.returncode == 1
    assert KEY_ENV in done.stderr
    assert site.count("/") == 0
