"""`scan crawl` end to end: real Scrapy over HTTP against a site served by the test.

Every test checks the rows in the SQLite file, not only the command's output.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.crawl.conftest import Site, crawl, rows, write_config


def sources(site: Site) -> list[dict[str, object]]:
    return [
        {"name": "alerts", "spider": "feed", "url": site.url("/feed/page1.xml")},
        {"name": "reviews", "spider": "jsonld", "url": site.url("/reviews/page1.html")},
        {
            "name": "board",
            "spider": "site",
            "rule": "example-board",
            "url": site.url("/board/page1.html"),
        },
    ]


def test_three_generic_spiders_store_every_page_then_recrawl_is_incremental(
    site: Site, tmp_path: Path
) -> None:
    write_config(tmp_path, sources(site))
    first = crawl(tmp_path)
    assert first.returncode == 0, first.stderr
    db = tmp_path / "scan.db"
    by_source = dict(rows(db, "SELECT source, COUNT(*) FROM mentions GROUP BY source"))
    # feed: 7 entries on 3 pages, minus "acme anvil" (excluded) and "Acmeville" (not a word)
    assert by_source == {"alerts": 5, "reviews": 7, "board": 6}
    assert site.count("/feed/page3.xml") == 1
    assert site.count("/reviews/page3.html") == 1
    assert site.count("/board/page3.html") == 1
    first_requests = site.count("/")

    feed = dict(rows(db, "SELECT external_id, url FROM mentions WHERE source = 'alerts'"))
    assert feed["tag:alerts.test,2026:feed:1001"] == "https://news.example/acme-refund-delays"
    titles = [t for (t,) in rows(db, "SELECT title FROM mentions WHERE source = 'alerts'")]
    assert all("<b>" not in t and "&lt;" not in t for t in titles)
    assert "Acme refund still missing after six weeks" in titles
    hindi = rows(db, "SELECT company, language, is_grievance FROM mentions WHERE text LIKE '%एक्मे%'")
    assert hindi == [("Acme", "hi", 1)]

    review = rows(
        db,
        "SELECT author, title, rating, rating_scale, is_grievance, published_at, "
        "origin FROM mentions WHERE id = ?",
        "reviews:https://reviews.test/r/506",
    )
    assert review == [("Sam", "Charged twice", 1.0, 5.0, 1, "2026-02-10T00:00:00+00:00", "crawl")]
    # 8 of 10 is a good rating: never a grievance, whatever the words
    assert rows(
        db,
        "SELECT is_grievance, language FROM mentions "
        "WHERE id = 'reviews:https://reviews.test/r/505'",
    ) == [(0, "ta")]
    board = rows(
        db, "SELECT title, author, rating, published_at FROM mentions WHERE id = 'board:b-104'"
    )
    assert board == [("Double charge", "Ravi", 1.0, "2026-02-25T00:00:00+00:00")]

    runs = rows(
        db,
        "SELECT source, status, health, items, new, requests FROM runs "
        "WHERE source IS NOT NULL ORDER BY source",
    )
    assert [(s, st, h, n) for s, st, h, _, n, _ in runs] == [
        ("alerts", "ok", "ok", 5),
        ("board", "ok", "ok", 6),
        ("reviews", "ok", "ok", 7),
    ]
    assert rows(db, "SELECT source, state FROM source_health ORDER BY source") == [
        ("alerts", "ok"),
        ("board", "ok"),
        ("reviews", "ok"),
    ]

    site.reset()
    second = crawl(tmp_path)
    assert second.returncode == 0, second.stderr
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(18,)]
    new = rows(
        db,
        "SELECT SUM(new) FROM runs WHERE source IS NOT NULL AND id > "
        "(SELECT MAX(id) FROM runs WHERE source IS NULL) - 0 AND parent_id = "
        "(SELECT MAX(id) FROM runs WHERE source IS NULL)",
    )
    assert new == [(0,)]
    assert site.count("/") <= first_requests // 2, dict(site.hits)
    assert site.count("/feed/page2.xml") == 0 and site.count("/board/page2.html") == 0


def test_robots_disallow_is_obeyed(site: Site, tmp_path: Path) -> None:
    site.robots = "User-agent: *\nDisallow: /board/page2.html\n"
    write_config(tmp_path, sources(site)[2:])
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    assert site.count("/board/page2.html") == 0
    assert site.count("/board/page1.html") == 1
    ids = {i for (i,) in rows(tmp_path / "scan.db", "SELECT external_id FROM mentions")}
    assert ids == {"b-101", "b-102", "b-103"}
    stats = json.loads(
        rows(tmp_path / "scan.db", "SELECT stats FROM runs WHERE source = 'board'")[0][0]
    )
    assert stats["robotstxt/forbidden"] == 1


def test_429_with_retry_after_is_retried_after_the_delay(site: Site, tmp_path: Path) -> None:
    site.behave("/board/page2.html", status=429, times=1, retry_after="2")
    write_config(tmp_path, sources(site)[2:])
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    hits = site.hits["/board/page2.html"]
    assert len(hits) == 2
    assert hits[1] - hits[0] >= 1.9  # Scrapy alone would retry at once
    assert rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(6,)]


def test_a_500_storm_on_one_source_leaves_the_others_complete(site: Site, tmp_path: Path) -> None:
    site.behave("/reviews/page1.html", status=500)
    write_config(tmp_path, sources(site))
    result = crawl(tmp_path, "-s", "RETRY_TIMES=1", "-s", "RETRY_BACKOFF_BASE=0")
    assert result.returncode == 3, result.stderr
    assert "reviews" in result.stderr.split("failed:")[-1]
    db = tmp_path / "scan.db"
    by_source = dict(rows(db, "SELECT source, COUNT(*) FROM mentions GROUP BY source"))
    assert by_source == {"alerts": 5, "board": 6}
    health = dict(rows(db, "SELECT source, state FROM source_health"))
    assert health == {"alerts": "ok", "board": "ok", "reviews": "failed"}
    errors = rows(db, "SELECT status, errors FROM runs WHERE source = 'reviews'")[0]
    assert errors[0] == "failed" and "HTTP 500" in errors[1]


def test_oversize_page_is_skipped_with_a_reason(site: Site, tmp_path: Path) -> None:
    site.behave("/board/page2.html", body=b"<html>" + b"x" * 300_000 + b"</html>")
    write_config(tmp_path, sources(site)[2:])
    result = run = crawl(tmp_path, "-s", "DOWNLOAD_MAXSIZE=100000")
    assert run.returncode == 3, result.stderr  # the source is partial: one page lost
    assert "1 page over the size cap (97.7 KiB) skipped" in result.stderr
    ids = {i for (i,) in rows(tmp_path / "scan.db", "SELECT external_id FROM mentions")}
    assert ids == {"b-101", "b-102", "b-103"}


def test_wrong_declared_charset_gives_correct_text(site: Site, tmp_path: Path) -> None:
    # windows-1252 bytes served as "charset=utf-8"
    write_config(
        tmp_path,
        [
            {
                "name": "legacy",
                "spider": "site",
                "rule": "example-board",
                "url": site.url("/board/legacy-cp1252.html"),
            }
        ],
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    got = rows(tmp_path / "scan.db", "SELECT author, title, text, is_grievance FROM mentions")
    assert got == [
        (
            "José Peña",
            "Pésimo servicio",
            "El técnico nunca llegó – “mañana”, dijeron. ¿Reembolso? Ninguno.",
            1,
        )
    ]


def test_bot_protection_challenge_is_recorded_as_blocked(site: Site, tmp_path: Path) -> None:
    site.behave("/board/page1.html", status=403, challenge=True)
    write_config(tmp_path, sources(site)[2:])
    result = crawl(tmp_path)
    assert result.returncode == 1  # every source failed
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT state FROM source_health WHERE source = 'board'") == [("blocked",)]
    assert rows(db, "SELECT status, health FROM runs WHERE source = 'board'") == [
        ("blocked", "blocked")
    ]
    assert site.count("/board/page1.html") == 1  # a challenge is not retried
    listing = crawl_sources(tmp_path)
    assert "blocked" in listing


def crawl_sources(tmp_path: Path) -> str:
    from tests.conftest import run_scan

    result = run_scan("--config", str(tmp_path / "scanner.toml"), "sources", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_one_stray_byte_does_not_turn_a_utf8_page_into_mojibake(site: Site, tmp_path: Path) -> None:
    """A windows-1252 apostrophe pasted into one review of a page in UTF-8 made
    the whole page read as windows-1252: "RenÃ©e", "120 â‚¬", Hindi as noise.
    The page reads as UTF-8, the stray byte alone becomes U+FFFD."""
    page = (
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        '<article class="complaint" data-id="m-1"><h2>Remboursement</h2>'
        '<span class="author">Renée</span><div class="complaint-body">'
        "<p>Acme n'a jamais remboursé mes 120 €.</p></div></article>"
        '<article class="complaint" data-id="m-2"><h2>Refund</h2>'
        '<span class="author">Raj</span><div class="complaint-body">'
        "<p>Acme don\x00t reply, पैसा वापस नहीं आया</p></div></article>"
        "</body></html>"
    ).encode()
    site.behave("/mixed.html", body=page.replace(b"\x00", b"\x92"))
    write_config(
        tmp_path,
        [
            {
                "name": "mixed",
                "spider": "site",
                "rule": "example-board",
                "url": site.url("/mixed.html"),
            }
        ],
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    got = dict(rows(tmp_path / "scan.db", "SELECT author, text FROM mentions"))
    assert got == {
        "Renée": "Acme n'a jamais remboursé mes 120 €.",
        "Raj": "Acme don\ufffdt reply, पैसा वापस नहीं आया",
    }
