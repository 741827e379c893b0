"""A 429's Retry-After pauses the host before its place at the gate is freed.

Three sources on one host, one request in flight at a time: when one page is
answered 429 with ``Retry-After: 2``, no request of any source may reach the
site during those 2 seconds. The gate used to free the place first and pause
the host only after, so the next waiting request slipped in right after the 429.
"""

from __future__ import annotations

from pathlib import Path

from tests.crawl.conftest import Site, crawl, rows, write_config


def test_no_request_of_any_source_slips_in_after_a_429(site: Site, tmp_path: Path) -> None:
    site.behave("/board/page2.html", status=429, times=1, retry_after="2")
    one_at_a_time = {"concurrency": 1}
    write_config(
        tmp_path,
        [
            {
                "name": "alerts",
                "spider": "feed",
                "url": site.url("/feed/page1.xml"),
                **one_at_a_time,
            },
            {
                "name": "reviews",
                "spider": "jsonld",
                "url": site.url("/reviews/page1.html"),
                **one_at_a_time,
            },
            {
                "name": "board",
                "spider": "site",
                "rule": "example-board",
                "url": site.url("/board/page1.html"),
                **one_at_a_time,
            },
        ],
    )
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    answered_429 = site.hits["/board/page2.html"][0]
    later = sorted(at for hits in site.hits.values() for at in hits if at > answered_429)
    assert later and later[0] - answered_429 >= 1.9, later[:3]
    assert rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(18,)]
