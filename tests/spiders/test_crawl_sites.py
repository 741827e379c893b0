"""trustpilot, reddit, hackernews and appstore crawled for real: `scan crawl` in a subprocess
against the fixture sites served on 127.0.0.1, through every pipeline into SQLite, twice
(the second run must stop at the first page it already knows).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from sites import FIXTURES, SITES, serve

from scanner.text.clean import clean_text
from tests.crawl.conftest import crawl as scan_crawl

# The fixtures' deleted/removed posts: never stored.
REMOVED = {
    "trustpilot": {"66a1000000000000000000b2"},
    "reddit": {"t3_bp003", "t3_bp004", "t1_c03", "t1_c05"},
    "hackernews": {"41000007", "41000006"},
    "appstore": {"12000000000"},
}


def toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def config(base: str, db: Path) -> str:
    lines = [
        f"db = {toml(str(db))}",
        "[company]",
        'name = "Acme"',
        'aliases = ["Acme Payments", "Brightpay"]',
    ]
    polite = {"download_delay": 0, "autothrottle": False, "concurrency": 4}
    entries = [site.source(base, **polite) for site in SITES.values()]
    # The same spider again as a second source: one subreddit only, no comment threads.
    pf = {"subreddits": ["personalfinance"], "comments": False}
    entries.append(SITES["reddit"].source(base, name="reddit-pf", **pf, **polite))
    for entry in entries:
        lines += ["[[sources]]", *(f"{key} = {toml(value)}" for key, value in entry.items())]
    return "\n".join(lines) + "\n"


def crawl(tmp: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    with serve(*SITES.values()) as server:
        (tmp / "scanner.toml").write_text(config(server.base, tmp / "scan.db"), encoding="utf-8")
        done = scan_crawl(tmp, timeout=120)
    return done, list(server.requested)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("crawl_sites")
    first, requested = crawl(tmp)
    assert first.returncode == 0, first.stdout + first.stderr
    db = sqlite_utils.Database(tmp / "scan.db")
    stored = {source: rows(db, source) for source in [*SITES, "reddit-pf"]}
    runs = {r["source"]: r for r in db["runs"].rows_where("source is not null")}
    again, requested_again = crawl(tmp)
    return {
        "stored": stored,
        "runs": runs,
        "requested": requested,
        "again": again,
        "requested_again": requested_again,
        "db": db,
    }


def rows(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, Any]]:
    return {r["external_id"]: r for r in db["mentions"].rows_where("source = ?", [source])}


def fixture_json(spider: str, name: str) -> Any:
    return json.loads((FIXTURES / spider / name).read_text("utf-8"))


def test_every_page_of_every_site_was_fetched(crawled):
    wanted = {path for site in SITES.values() for path in site.routes}
    assert wanted <= set(crawled["requested"])
    assert all(run["status"] == "ok" for run in crawled["runs"].values()), crawled["runs"]


def test_trustpilot_reviews_land_in_the_database(crawled):
    import re

    got = crawled["stored"]["trustpilot"]
    expected = []
    for name in ("acme-page1.html", "acme-page2.html"):
        html = (FIXTURES / "trustpilot" / name).read_text("utf-8")
        data = re.search(r'id="__NEXT_DATA__"[^>]*>(.*?)</script>', html, re.DOTALL).group(1)
        expected += json.loads(data)["props"]["pageProps"]["reviews"]
    expected = [r for r in expected if r["id"] not in REMOVED["trustpilot"]]
    assert set(got) == {r["id"] for r in expected}
    for raw in expected:
        row = got[raw["id"]]
        assert row["company"] == "Acme"
        assert row["author"] == raw["consumer"]["displayName"]
        assert (row["rating"], row["rating_scale"]) == (float(raw["rating"]), 5.0)
        assert row["text"] == clean_text(raw["text"])
        assert row["language"] == raw["language"]
        assert row["published_at"] == raw["dates"]["publishedDate"].replace(".000Z", "+00:00")


def test_reddit_posts_and_replies_land_in_the_database(crawled):
    got = crawled["stored"]["reddit"]
    posts = [
        child["data"]
        for name in ("search-1.json", "search-2.json")
        for child in fixture_json("reddit", name)["data"]["children"]
    ]
    thread = fixture_json("reddit", "thread-bp001.json")[1]["data"]["children"]
    replies = [
        thread[0]["data"],
        thread[0]["data"]["replies"]["data"]["children"][0]["data"],
        thread[1]["data"]["replies"]["data"]["children"][0]["data"],
    ]
    expected = {p["name"] for p in posts} | {c["name"] for c in replies}
    assert set(got) == expected - REMOVED["reddit"]
    hindi = got["t3_bp005"]
    assert hindi["text"] == "हर बार ऐप खोलने पर फिर से OTP माँगता है। बहुत परेशानी है।"
    assert got["t1_c04"]["title"] == "Re: Brightpay froze my account after a salary deposit"
    assert got["t1_c04"]["url"].endswith("/brightpay_froze_my_account/c04/")
    assert got["t3_bp001"]["published_at"] == "2024-06-25T08:00:00+00:00"


def test_a_subreddit_search_is_its_own_source(crawled):
    got = crawled["stored"]["reddit-pf"]
    assert set(got) == {"t3_bp007", "t3_bp001"}  # no comment threads for this source
    assert got["t3_bp007"]["text"] == "ஒரே பரிவர்த்தனைக்கு இரண்டு முறை கட்டணம் வசூலிக்கப்பட்டது."
    assert got["t3_bp007"]["company"] == "Acme"


def test_hackernews_text_is_clean_in_the_database(crawled):
    got = crawled["stored"]["hackernews"]
    hits = fixture_json("hackernews", "page-0.json")["hits"]
    hits += fixture_json("hackernews", "page-1.json")["hits"]
    assert set(got) == {h["objectID"] for h in hits} - REMOVED["hackernews"]
    assert got["41000009"]["text"] == (
        "Acme's dashboard renders a bare <div> where the invoice should be. Not great & not new."
    )
    assert "&#x27;" not in got["41000010"]["text"] and "<p>" not in got["41000010"]["text"]
    assert got["41000000"]["text"] == "Acme கட்டண பக்கம் மீண்டும் வேலை செய்யவில்லை."


def test_appstore_reviews_of_both_countries(crawled):
    got = crawled["stored"]["appstore"]
    ids = {"11000000003", "11000000002", "11000000001", "11000000000"}
    ids |= {"12000000002", "12000000001", "12000000000"}
    assert set(got) == ids - REMOVED["appstore"]
    assert json.loads(got["12000000001"]["extra"])["country"] == "in"
    assert (got["11000000003"]["rating"], got["11000000003"]["rating_scale"]) == (1.0, 5.0)
    assert got["11000000003"]["published_at"] == "2024-06-28T02:22:41+00:00"


def test_second_run_stops_at_the_first_known_page(crawled):
    again = crawled["again"]
    assert again.returncode == 0, again.stdout + again.stderr
    firsts = {
        "/review/acme.example?sort=recency",
        "/search.json?q=brightpay&sort=new&limit=100&raw_json=1",
        "/r/personalfinance/search.json?q=brightpay&sort=new&limit=100&raw_json=1&restrict_sr=1",
        "/api/v1/search_by_date?query=acme&tags=%28story%2Ccomment%29&page=0",
        "/us/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json",
        "/in/rss/customerreviews/page=1/id=1234567890/sortby=mostrecent/json",
    }
    fetched = {path for path in crawled["requested_again"] if path != "/robots.txt"}
    assert fetched == firsts  # no next pages, no comment thread of a stored post
    new = (
        crawled["db"]
        .execute(
            "select sum(new) from runs where source is not null and id > ?",
            [max(r["id"] for r in crawled["runs"].values())],
        )
        .fetchone()[0]
    )
    assert new == 0
