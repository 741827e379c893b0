"""Hostile and broken servers on loopback: off-site detours, robots.txt failures,
Retry-After games, decompression bombs and truncated feeds.

Each test checks what the server saw (so politeness is judged from the site's
side) and what the database says about the source.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from scanner.crawl.sites import site_of
from tests.crawl.conftest import SITE, Site, assert_paced, crawl, rows, write_config


def board(site: Site, name: str = "board", page: str = "/board/page1.html") -> dict[str, object]:
    return {"name": name, "spider": "site", "rule": "example-board", "url": site.url(page)}


def health(db: Path) -> dict[str, tuple[str, str]]:
    return {
        s: (state, message)
        for s, state, message in rows(db, "SELECT source, state, message FROM source_health")
    }


def stats(db: Path, source: str) -> dict[str, object]:
    return json.loads(
        rows(db, "SELECT stats FROM runs WHERE source = ? ORDER BY id DESC", source)[0][0]
    )


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


# -- 8. robots.txt failures mean "disallow all" (RFC 9309) --------------------------------


@pytest.mark.parametrize(
    ("behaviour", "said"),
    [
        ({"status": 500}, "robots.txt of 127.0.0.1:{port} answered HTTP 500"),
        ({"status": 503}, "robots.txt of 127.0.0.1:{port} answered HTTP 503"),
        ({"trickle": 0.5}, "robots.txt of 127.0.0.1:{port} did not answer"),
        (
            {"body": b"User-agent: *\nDisallow: /\n" + b"# padding\n" * 600_000},
            "robots.txt of 127.0.0.1:{port} forbids",
        ),
    ],
    ids=["500", "503", "trickle", "6MB"],
)
def test_a_failing_robots_txt_means_nothing_is_fetched(
    site: Site, tmp_path: Path, behaviour: dict[str, object], said: str
) -> None:
    site.behave("/robots.txt", **behaviour)
    write_config(tmp_path, [board(site)])
    result = crawl(
        tmp_path, "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_BACKOFF_BASE=0.1", "-s", "RETRY_TIMES=1"
    )
    assert result.returncode == 1, result.stderr
    assert site.count("/board/") == 0, dict(site.hits)
    state, message = health(tmp_path / "scan.db")["board"]
    assert said.format(port=site.port) in message, message
    assert state == ("blocked" if "forbids" in said else "failed")


def test_a_robots_txt_that_is_not_there_allows_everything(site: Site, tmp_path: Path) -> None:
    site.behave("/robots.txt", status=404)
    write_config(tmp_path, [board(site)])
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    assert rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(6,)]


# -- 9. Retry-After and the throttle belong to the host -----------------------------------


def test_a_retry_after_beyond_the_longest_wait_gives_the_url_up_at_once(
    site: Site, tmp_path: Path
) -> None:
    site.behave("/board/page2.html", status=429, retry_after="3600")
    write_config(tmp_path, [board(site)])
    result = crawl(tmp_path)
    assert site.count("/board/page2.html") == 1  # not retried at once, three more times
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(3,)]
    assert "Retry-After" in health(db)["board"][1]
    assert result.returncode == 3, result.stderr


def test_a_retry_after_longer_than_the_budget_left_ends_the_run_on_time(
    site: Site, tmp_path: Path
) -> None:
    # 60 s is a wait we honour (under RETRY_AFTER_MAX), but the source has 6 s: the
    # retry waiting at the host's gate used to hold the closing spider for the whole
    # minute. Now it is dropped when the budget ends, and stays pending.
    site.behave("/board/page2.html", status=429, times=1, retry_after="60")
    write_config(tmp_path, [{**board(site), "max_minutes": 0.1}])
    started = time.monotonic()
    result = crawl(tmp_path)
    assert time.monotonic() - started < 40, result.stderr  # not 60 s and more
    assert "Traceback" not in result.stderr
    assert result.returncode == 3, result.stderr  # partial: stopped by its budget
    db = tmp_path / "scan.db"
    assert "time budget" in rows(db, "SELECT message FROM runs WHERE source = 'board'")[0][0]
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(3,)]
    assert site.count("/board/page2.html") == 1  # the host was not asked again
    assert rows(db, "SELECT COUNT(*) FROM frontier WHERE url LIKE '%page2%'") == [(1,)]
    write_config(tmp_path, [board(site)])  # the next night: the page left pending
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(6,)]


def test_a_retry_after_pauses_the_whole_host_for_every_source(site: Site, tmp_path: Path) -> None:
    site.ld_pages, site.big_pages = 40, 40
    site.behave("/ld/5.html", status=429, times=1, retry_after="3")
    write_config(
        tmp_path,
        [
            {
                "name": "reviews",
                "spider": "jsonld",
                "url": site.url("/ld/1.html"),
                "download_delay": 0.05,
            },
            {
                "name": "big",
                "spider": "site",
                "rule": "example-board",
                "url": site.url("/big/1.html"),
                "download_delay": 0.05,
            },
        ],
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    asked = site.hits["/ld/5.html"][0]
    during = [
        (path, t - asked)
        for path, times in site.hits.items()
        for t in times
        if asked + 0.5 < t < asked + 2.9
    ]
    assert during == []  # nobody asked the host anything while it said "wait"
    assert len(site.hits["/ld/5.html"]) == 2
    assert site.hits["/ld/5.html"][1] - asked >= 2.9
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(40 * 5 + 40 * 10,)]


def test_sources_on_one_host_share_its_robots_txt_and_its_pace(site: Site, tmp_path: Path) -> None:
    site.ld_pages, site.big_pages = 4, 4
    pace = {"download_delay": 0.4, "concurrency": 2}
    write_config(
        tmp_path,
        [
            {"name": "a", "spider": "jsonld", "url": site.url("/ld/1.html"), **pace},
            {
                "name": "b",
                "spider": "site",
                "rule": "example-board",
                "url": site.url("/big/1.html"),
                **pace,
            },
            {**board(site, "c"), **pace},
        ],
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    assert site.count("/robots.txt") == 1
    times = [t for path, ts in site.hits.items() for t in ts if path != "/robots.txt"]
    assert len(times) == 11, dict(site.hits)
    # One host, one pace: three sources each at their own would often be ~0 apart.
    assert_paced(times, 0.4)


# -- 12. health says what happened ------------------------------------------------------------


def test_a_decompression_bomb_is_reported_as_over_the_size_cap(site: Site, tmp_path: Path) -> None:
    site.behave("/board/page1.html", body=b"<html>" + b"0" * 6_000_000 + b"</html>", gzip=True)
    write_config(tmp_path, [board(site)])
    result = crawl(tmp_path)
    assert result.returncode == 1, result.stderr
    state, message = health(tmp_path / "scan.db")["board"]
    assert state == "failed" and "size cap" in message, (state, message)


def test_a_source_banned_by_robots_txt_says_so(site: Site, tmp_path: Path) -> None:
    site.robots = "User-agent: *\nDisallow: /board/\n"
    write_config(tmp_path, [board(site)])
    result = crawl(tmp_path)
    assert result.returncode == 1, result.stderr
    state, message = health(tmp_path / "scan.db")["board"]
    assert state == "blocked" and f"robots.txt of 127.0.0.1:{site.port} forbids" in message


def test_a_truncated_feed_is_not_ok(site: Site, tmp_path: Path) -> None:
    whole = (SITE / "feed" / "page1.xml").read_bytes().replace(b'rel="next"', b'rel="alternate"')
    cut = whole[: whole.index(b"<entry>", whole.index(b"<entry>") + 1) + 60]  # in entry two
    site.behave("/cut.xml", body=cut, content_type="application/atom+xml")
    write_config(tmp_path, [{"name": "alerts", "spider": "feed", "url": site.url("/cut.xml")}])
    result = crawl(tmp_path)
    assert result.returncode == 3, result.stderr
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(1,)]  # the entry before the cut
    state, message = health(db)["alerts"]
    assert state == "truncated" and "cut short" in message, (state, message)


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


# -- a link no URL parser reads ----------------------------------------------------------


def test_a_link_that_is_no_url_loses_only_itself(site: Site, tmp_path: Path) -> None:
    """A link such as "http://[oops/" (an IPv6 host never closed) made urllib raise
    in the middle of a page: the spider stopped there, and every post after it on the page was
    lost, on every crawl. Now that post is kept without its link, and the rest of
    the page is read."""
    entries = "".join(
        f"<entry><id>tag:t,2026:{i}</id><title>Acme refund {i}</title>"
        f'<link href="{link}"/><published>2026-03-0{i + 1}T08:00:00Z</published>'
        f'<content type="html">Acme has not paid refund {i}.</content></entry>'
        for i, link in enumerate(
            ["https://news.example/0", "http://[oops/p1", "https://news.example/2"]
        )
    )
    feed = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'
    site.behave("/bad-link/feed.xml", body=feed.encode())
    reviews = [
        {
            "@type": "Review",
            "@id": f"r{i}",
            "url": link,
            "author": f"reviewer{i}",
            "reviewBody": f"Acme order {i} never arrived.",
            "reviewRating": {"ratingValue": 1},
        }
        for i, link in enumerate(["/r/0", "http://[oops/r1", "/r/2"])
    ]
    ld = json.dumps({"@context": "https://schema.org", "@type": "Product", "review": reviews})
    page = f'<html><head><script type="application/ld+json">{ld}</script></head></html>'
    site.behave("/bad-link/reviews.html", body=page.encode())
    write_config(
        tmp_path,
        [
            {"name": "alerts", "spider": "feed", "url": site.url("/bad-link/feed.xml")},
            {"name": "reviews", "spider": "jsonld", "url": site.url("/bad-link/reviews.html")},
        ],
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    db = tmp_path / "scan.db"
    stored = rows(db, "SELECT source, external_id, url FROM mentions ORDER BY source, external_id")
    assert stored == [
        ("alerts", "tag:t,2026:0", "https://news.example/0"),
        ("alerts", "tag:t,2026:1", None),
        ("alerts", "tag:t,2026:2", "https://news.example/2"),
        ("reviews", "r0", site.url("/r/0")),
        ("reviews", "r1", None),
        ("reviews", "r2", site.url("/r/2")),
    ]


def test_reviews_that_share_the_product_url_stay_apart(site: Site, tmp_path: Path) -> None:
    """Many shops give every Review of a page the product page's "url" and no
    "@id": read as the id, it made the page's reviews one post, rewritten on every
    run, with the crawl's health "ok"."""
    reviews = [
        {
            "@type": "Review",
            "url": "https://shop.example/acme-anvil",
            "author": f"reviewer{i}",
            "reviewBody": f"Acme anvil number {i} arrived cracked.",
            "reviewRating": {"ratingValue": 1},
        }
        for i in range(3)
    ] + [
        {
            "@type": "Review",
            "url": "https://shop.example/r/own",
            "author": "solo",
            "reviewBody": "Acme refund took a month.",
        }
    ]
    ld = json.dumps({"@context": "https://schema.org", "@type": "Product", "review": reviews})
    page = f'<html><head><script type="application/ld+json">{ld}</script></head></html>'
    site.behave("/shared/reviews.html", body=page.encode())
    write_config(
        tmp_path, [{"name": "shop", "spider": "jsonld", "url": site.url("/shared/reviews.html")}]
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    stored = rows(tmp_path / "scan.db", "SELECT external_id, author, url FROM mentions")
    assert len(stored) == 4
    assert {author for _, author, _ in stored} == {"reviewer0", "reviewer1", "reviewer2", "solo"}
    own = [external_id for external_id, author, _ in stored if author == "solo"]
    assert own == ["https://shop.example/r/own"]  # a url no other review shares is its id
    assert {url for _, _, url in stored} == {
        "https://shop.example/acme-anvil",
        "https://shop.example/r/own",
    }


def test_a_site_that_hangs_up_is_said_in_words(site: Site, tmp_path: Path) -> None:
    """A connection closed without an answer was reported as Twisted's repr:
    "[<twisted.python.failure.Failure twisted.internet.error.ConnectionDone: ...>]"."""
    site.behave("/board/page2.html", hang_up=True)
    write_config(tmp_path, [board(site)])
    result = crawl(tmp_path)
    assert result.returncode == 3, result.stderr
    said = " ".join((result.stdout + result.stderr).split())
    assert f"127.0.0.1:{site.port} closed the connection without answering (1 page, e.g. " in said
    assert "twisted" not in said and "Failure" not in said
    assert rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions")[0][0] == 3  # page 1's


def test_pages_of_a_batch_that_could_not_be_stored_are_fetched_by_the_next_crawl(
    site: Site, tmp_path: Path
) -> None:
    """A batch the database refused (locked past the busy timeout, a full disk)
    rolled its page marks back with its posts: the pages it had scheduled were
    forgotten, and the next crawl stopped at page 1, its posts dated before the
    last run. Those pages now stay to be fetched."""
    import sqlite3

    from scanner.store import Store

    write_config(tmp_path, [board(site)])
    db = tmp_path / "scan.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:  # a write that fails as a locked or full disk would
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON mentions WHEN NEW.external_id "
            "IN ('b-104', 'b-105', 'b-106') BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    refused = crawl(tmp_path)
    assert "not stored: disk full" in " ".join((refused.stdout + refused.stderr).split())
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER refuse")
    again = crawl(tmp_path)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT COUNT(*) FROM mentions")[0][0] == 6


def test_posts_not_stored_are_said_with_the_runs_other_failures(site: Site, tmp_path: Path) -> None:
    """A run whose posts the database refused named that alone: a page that was
    gone (404) in the same run went unsaid, as it does beside every other verdict."""
    import sqlite3

    from scanner.store import Store

    site.behave("/board/page3.html", status=404)
    write_config(tmp_path, [board(site)])
    db = tmp_path / "scan.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:  # a write that fails as a locked or full disk would
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON mentions WHEN NEW.external_id "
            "IN ('b-104', 'b-105') BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    crawl(tmp_path)
    state, message = health(db)["board"]
    assert state == "failed"
    assert "batch(es) of posts not stored: disk full" in message
    assert "HTTP 404 (not found)" in message, message


@pytest.mark.parametrize(
    ("given", "seconds"), [("120", 120.0), ("²", None), ("٣", None), ("", None)]
)
def test_a_retry_after_of_digits_from_other_scripts_is_no_wait(given, seconds) -> None:
    """A superscript two is a digit to str.isdigit but not to float(): the request
    was lost without a word, with health ok."""
    from scanner.crawl.middlewares.retry_after import retry_after_seconds

    assert retry_after_seconds(given) == seconds
    assert retry_after_seconds(b"\xb2") is None  # the byte as a header brings it


def test_a_next_link_that_only_repeats_the_posts_ends_the_walk(site: Site, tmp_path: Path) -> None:
    # Every "next" page is a new URL holding page 1's posts again: on a first crawl
    # (nothing stored) the walk went on to the last page, or the page cap, for 10 posts.
    site.big_pages, site.big_repeats = 50, True
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    assert site.count("/big/") == 2  # page 2 brought nothing page 1 had not
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(10,)]


def test_a_page_that_redirects_to_one_already_fetched_is_done(site: Site, tmp_path: Path) -> None:
    # Past the end, the board sends its last "next" link back to page 1. The crawl
    # has read page 1: the page is done, not left pending for every later crawl.
    site.big_pages = 3
    site.behave("/big/3.html", redirect=site.url("/big/1.html"))
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    assert crawl(tmp_path).returncode == 0
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT url FROM frontier") == []
    site.reset()
    assert crawl(tmp_path).returncode == 0
    assert dict(site.hits).keys() == {"/robots.txt", "/big/1.html"}


def test_a_page_that_redirects_to_itself_stays_pending_and_is_said(
    site: Site, tmp_path: Path
) -> None:
    # A cookie or consent bounce: page 2 answers "302 to page 2" on the first night.
    site.big_pages = 3
    site.behave("/big/2.html", redirect=site.url("/big/2.html"), times=1)
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    first = crawl(tmp_path)
    said = " ".join((first.stdout + first.stderr).split())
    assert "redirected back to itself, e.g. " in said and "/big/2.html" in said, said
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT url FROM frontier WHERE done = 0") == [(site.url("/big/2.html"),)]
    assert crawl(tmp_path).returncode == 0
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(30,)]


def test_a_page_that_fails_two_nights_running_is_read_on_the_third(
    site: Site, tmp_path: Path
) -> None:
    # A weekend of maintenance: page 2 answers 503 (each attempt and its retries) on
    # two nights. A page failed in two runs was given up, and with it the rest of
    # the listing; the message said "tried again next run".
    site.big_pages = 3
    site.behave("/big/2.html", status=503, times=8)  # 4 attempts a night
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    db = tmp_path / "scan.db"
    for _ in range(2):
        crawl(tmp_path)
        assert rows(db, "SELECT url FROM frontier WHERE done = 0") == [(site.url("/big/2.html"),)]
    assert site.count("/big/2.html") == 8
    assert crawl(tmp_path).returncode == 0
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(30,)]


def test_a_backlog_page_of_an_old_site_is_given_up(
    site: Site, other_site: Site, tmp_path: Path
) -> None:
    # The source's url moved to another host with a page of the old one pending: it
    # was refused as off-site every night, forever.
    site.big_pages = 3
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html"), "max_pages": 2}])
    crawl(tmp_path)
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT COUNT(*) FROM frontier WHERE done = 0") == [(1,)]
    other_site.big_pages = 1
    write_config(tmp_path, [{**source, "url": other_site.url("/big/1.html")}])
    moved = crawl(tmp_path)
    assert "off-site" in moved.stdout + moved.stderr
    assert rows(db, "SELECT COUNT(*) FROM frontier") == [(0,)]


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br"])
def test_a_body_its_content_encoding_does_not_unpack_is_said_and_read_later(
    site: Site, tmp_path: Path, coding: str
) -> None:
    # Plain HTML sent as gzip: the decoder's error was raised where no middleware
    # counted it, and the source said "ok" with the page never read.
    from tests.crawl.conftest import big_page

    site.big_pages = 3
    plain = big_page(site, 2)
    site.behave("/big/2.html", body=plain, content_encoding=coding, times=1)
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    first = crawl(tmp_path)
    said = " ".join((first.stdout + first.stderr).split())
    assert first.returncode == 3, said
    assert f"1 page could not be read (Content-Encoding {coding}: " in said, said
    assert "/big/2.html" in said
    assert crawl(tmp_path).returncode == 0
    assert rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(30,)]


def test_a_charset_that_names_no_text_encoding_is_read_as_windows_1252(
    site: Site, tmp_path: Path
) -> None:
    # "hex" is a codec Python knows, but of bytes, not text: Scrapy failed to decode
    # the page, and the source said "ok" with the page never read.
    from tests.crawl.conftest import big_page

    site.big_pages = 2
    page = big_page(site, 2).replace(b"<html>", b'<html><head><meta charset="hex"></head>')
    site.behave("/big/2.html", body=page.replace(b"refund", b"r\xe9fund"), content_type="text/html")
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    assert crawl(tmp_path).returncode == 0
    texts = rows(tmp_path / "scan.db", "SELECT text FROM mentions WHERE text LIKE '%fund%'")
    assert len(texts) == 20 and sum("réfund" in t for (t,) in texts) == 10, texts


@pytest.mark.parametrize(
    ("location", "said_of_it"),
    [(None, "with no Location"), ("ftp://127.0.0.1/big/2.html", "to 'ftp://127.0.0.1/big/2.html'")],
)
def test_a_redirect_that_cannot_be_followed_is_said_and_read_later(
    site: Site, tmp_path: Path, location: str | None, said_of_it: str
) -> None:
    # A 302 with no Location, or to ftp://: the page was never read, and the source
    # said "ok" with exit status 0.
    site.big_pages = 3
    if location:
        site.behave("/big/2.html", redirect=location, times=1)
    else:
        site.behave("/big/2.html", status=302, times=1)
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    first = crawl(tmp_path)
    said = " ".join((first.stdout + first.stderr).split())
    assert first.returncode == 3 and "/big/2.html" in said, said
    assert f"1 page redirected {said_of_it}, which is not followed" in said, said
    assert crawl(tmp_path).returncode == 0
    assert rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(30,)]


def test_a_page_whose_markup_changed_is_read_once_it_is_back(site: Site, tmp_path: Path) -> None:
    # One night page 2's posts come in new markup the rule does not know: the page
    # was marked fetched, and its posts were never read once the site was back.
    from tests.crawl.conftest import big_page

    site.big_pages = 3
    changed = big_page(site, 2).replace(b'class="complaint"', b'class="grievance-card"')
    site.behave("/big/2.html", body=changed, times=1)
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    first = crawl(tmp_path)
    assert "changed markup" in first.stdout + first.stderr
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT url FROM frontier WHERE done = 0") == [(site.url("/big/2.html"),)]
    assert crawl(tmp_path).returncode == 0
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(30,)]


def test_changed_markup_does_not_hide_another_failure_of_the_run(
    site: Site, tmp_path: Path
) -> None:
    from tests.crawl.conftest import big_page

    site.big_pages = 3
    changed = big_page(site, 2).replace(b'class="complaint"', b'class="grievance-card"')
    site.behave("/big/2.html", body=changed)
    site.behave("/big/3.html", status=404)
    source = {"name": "big", "spider": "site", "rule": "example-board"}
    write_config(tmp_path, [{**source, "url": site.url("/big/1.html")}])
    crawl(tmp_path)
    [(state, message)] = rows(tmp_path / "scan.db", "SELECT state, message FROM source_health")
    assert state == "changed", message
    assert message.startswith("possibly changed markup: 1 layout problem(s)"), message
    assert "/big/2.html" in message and "HTTP 404 (not found) for 1 page (e.g. " in message
    assert "/big/3.html" in message, message
