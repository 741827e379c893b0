"""What bounds a crawl: a source's page cap, its time budget, and the backlog a cap leaves.

The site is generated (``/ld/<n>.html``: five schema.org reviews from 2020 a page,
linked by ``rel="next"``), so a cap, a kill or a budget leaves pages unfetched
that the next nights must find.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.conftest import run_scan
from tests.crawl.conftest import Site, crawl, rows, write_config


def stored(db: Path, source: str) -> int:
    return rows(db, "SELECT COUNT(*) FROM mentions WHERE source = ?", source)[0][0]


def sources_json(tmp_path: Path) -> dict[str, dict[str, object]]:
    result = run_scan("--config", str(tmp_path / "scanner.toml"), "sources", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return {row["source"]: row for row in json.loads(result.stdout)}


def test_a_sources_max_pages_overrides_the_crawl_default_both_ways(
    site: Site, tmp_path: Path
) -> None:
    site.ld_pages, site.ld_per_page = 230, 2
    write_config(
        tmp_path,
        [
            {"name": "many", "spider": "jsonld", "url": site.url("/ld/1.html"), "max_pages": 300},
            {"name": "few", "spider": "jsonld", "url": site.url("/ld/100.html"), "max_pages": 12},
        ],
    )
    result = crawl(tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "scan.db"
    assert stored(db, "many") == 230 * 2  # past the default cap of 200 pages
    assert 8 * 2 <= stored(db, "few") <= 12 * 2
    reasons = dict(
        rows(
            db,
            "SELECT source, json_extract(stats, '$.finish_reason') FROM runs "
            "WHERE source IS NOT NULL",
        )
    )
    assert reasons == {"many": "finished", "few": "closespider_pagecount"}


def test_a_capped_crawls_backlog_shrinks_night_after_night_until_the_site_is_complete(
    site: Site, tmp_path: Path
) -> None:
    site.ld_pages = 40  # 200 reviews; 10 pages a night
    write_config(
        tmp_path,
        [{"name": "reviews", "spider": "jsonld", "max_pages": 10, "url": site.url("/ld/1.html")}],
    )
    db = tmp_path / "scan.db"
    counts = []
    for night in range(7):
        result = crawl(tmp_path)
        assert result.returncode == 0, result.stderr
        counts.append(stored(db, "reviews"))
        if counts[-1] == 200:
            break
        if night == 0:  # a source with backlog left shows as such, not as a plain "ok"
            listed = sources_json(tmp_path)["reviews"]
            assert listed["health"] == "backlog" and listed["pending"] >= 1, listed
            assert "pending" in str(listed["message"])
    assert counts[-1] == 200, counts  # the whole site, not the first nights' pages only
    assert all(later > earlier for earlier, later in zip(counts, counts[1:], strict=False))
    assert rows(db, "SELECT COUNT(*) FROM frontier") == [(0,)]
    listed = sources_json(tmp_path)["reviews"]
    assert (listed["health"], listed["pending"]) == ("ok", 0)

    site.reset()  # an unchanged, complete site: a few pages, not the whole site again
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    assert site.count("/ld/") <= 2, dict(site.hits)
    assert stored(db, "reviews") == 200


def test_a_source_stops_at_its_time_budget_and_says_so(site: Site, tmp_path: Path) -> None:
    # Page 3 onwards trickle a byte every half second: hours of downloads and retries.
    site.ld_pages, site.ld_trickle_from = 50, 3
    write_config(
        tmp_path,
        [{"name": "slow", "spider": "jsonld", "url": site.url("/ld/1.html"), "max_minutes": 0.1}],
    )
    started = time.monotonic()
    result = crawl(tmp_path, timeout=120)
    elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed  # 6 s of budget, not 4 tries x 30 s per page
    db = tmp_path / "scan.db"
    assert stored(db, "slow") == 2 * 5  # what arrived in time is kept
    status, message = rows(db, "SELECT status, message FROM runs WHERE source = 'slow'")[0]
    assert "time budget" in message, message
    assert "time budget" in result.stderr
    assert result.returncode == 3 and status == "partial"


def test_a_night_when_robots_txt_is_down_keeps_the_backlog(site: Site, tmp_path: Path) -> None:
    """A backlog page refused because robots.txt could not be read was not tried: it
    stays for the next night (only a page that failed twice on the site is given up)."""
    site.ld_pages = 12
    write_config(
        tmp_path,
        [{"name": "reviews", "spider": "jsonld", "max_pages": 5, "url": site.url("/ld/1.html")}],
    )
    db = tmp_path / "scan.db"
    assert crawl(tmp_path).returncode == 0
    first = stored(db, "reviews")
    pending = rows(db, "SELECT url FROM frontier WHERE done = 0")
    assert first < 60 and pending
    site.behave("/robots.txt", status=503)
    assert crawl(tmp_path, "-s", "RETRY_TIMES=0").returncode == 1
    assert rows(db, "SELECT url FROM frontier WHERE done = 0") == pending
    del site.behaviours["/robots.txt"]
    for _ in range(4):
        assert crawl(tmp_path).returncode == 0
    assert stored(db, "reviews") == 60


def test_the_page_cap_counts_the_pages_read_not_robots_txt(
    site: Site, other_site: Site, tmp_path: Path
) -> None:
    """Each source on a host of its own, so each fetches a robots.txt. Scrapy's page
    count took robots.txt for a page: a cap of 2 read one page and said 'stopped at
    the page cap (2 pages)', and a cap of 3 on a 3-page site left its last page."""
    for board in (site, other_site):
        board.ld_pages, board.ld_per_page = 3, 2
    write_config(
        tmp_path,
        [
            {"name": "two", "spider": "jsonld", "url": site.url("/ld/1.html"), "max_pages": 2},
            {
                "name": "three",
                "spider": "jsonld",
                "url": other_site.url("/ld/1.html"),
                "max_pages": 3,
            },
        ],
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    for board in (site, other_site):
        assert board.count("/robots.txt") == 1, dict(board.hits)
    assert sorted(site.hits) == ["/ld/1.html", "/ld/2.html", "/robots.txt"], dict(site.hits)
    assert other_site.count("/ld/") == 3, dict(other_site.hits)
    db = tmp_path / "scan.db"
    assert (stored(db, "two"), stored(db, "three")) == (2 * 2, 3 * 2)
    run = dict(
        (source, rest)
        for source, *rest in rows(
            db,
            "SELECT source, json_extract(stats, '$.\"scan/pages\"'), health, message FROM runs "
            "WHERE source IS NOT NULL",
        )
    )
    assert run["two"] == [
        2,
        "backlog",
        "stopped at the page cap (2 pages); 1 page pending for the next run",
    ], run
    assert run["three"][:2] == [3, "ok"], run
    # The summary's pages are the pages the cap counted.
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line}
    assert lines["two"][1:3] == ["backlog", "2"], result.stdout
    assert lines["three"][1:3] == ["ok", "3"], result.stdout
    listed = sources_json(tmp_path)
    assert (listed["two"]["pending"], listed["three"]["pending"]) == (1, 0), listed


def test_an_error_response_is_no_page_to_the_summary_the_health_or_the_cap(
    site: Site, tmp_path: Path
) -> None:
    """Two pages read, then a link that answers 404. The summary counted every
    response but robots.txt (3 pages), the health's ``scan/pages`` the pages the
    spider read (2), and the cap followed the summary: ``max_pages = 3`` "stopped at
    the page cap (3 pages)" on a site of two pages. A page is a response the spider
    was given to read, to all three."""
    site.ld_pages = 3  # /ld/2.html links to /ld/3.html ...
    site.behave("/ld/3.html", status=404)  # ... which is not found
    write_config(
        tmp_path,
        [{"name": "reviews", "spider": "jsonld", "url": site.url("/ld/1.html"), "max_pages": 3}],
    )
    result = crawl(tmp_path)
    assert site.count("/ld/3.html") == 1, dict(site.hits)  # fetched, not retried
    db = tmp_path / "scan.db"
    assert stored(db, "reviews") == 2 * 5
    pages, reason, message = rows(
        db,
        "SELECT json_extract(stats, '$.\"scan/pages\"'), json_extract(stats, '$.finish_reason'), "
        "message FROM runs WHERE source = 'reviews'",
    )[0]
    assert (pages, reason) == (2, "finished"), (pages, reason, message)
    assert "page cap" not in message and "404" in message, message
    line = next(x.split() for x in result.stdout.splitlines() if x.startswith("reviews"))
    assert line[2:4] == ["2", "10"], result.stdout  # pages, found
    assert "reviews: 2 pages, 10 found" in result.stderr, result.stderr
