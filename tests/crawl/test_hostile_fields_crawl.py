"""Crawled ids, URLs and names are stored without controls or invisible characters
(issue #16, item 10): the store cleans whatever the crawl worker hands it."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from tests.crawl.conftest import Site, crawl, rows, write_config

REVIEW = {
    "@context": "https://schema.org",
    "@type": "Review",
    "@id": "https://reviews.test/r/9\u202e\u009b31m",
    "url": "/reviews/r/9\u202egpj.exe\u200b",
    "author": {"@type": "Person", "name": "Maya\u200b R.\u202e\u200f"},
    "datePublished": "2026-03-01",
    "name": "Refund never came",
    "reviewBody": "Acme never refunded the blender I returned.",
    "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5},
}
PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Acme reviews</title>'
    '<script type="application/ld+json">' + json.dumps(REVIEW, ensure_ascii=False) + "</script>"
    "</head><body><h1>Acme</h1></body></html>"
).encode()


def test_crawled_ids_urls_and_names_are_stored_clean(site: Site, tmp_path: Path) -> None:
    site.behave("/reviews/hostile.html", body=PAGE, content_type="text/html; charset=utf-8")
    write_config(
        tmp_path,
        [{"name": "reviews", "spider": "jsonld", "url": site.url("/reviews/hostile.html")}],
    )
    done = crawl(tmp_path)
    assert done.returncode == 0, done.stderr
    stored = rows(tmp_path / "scan.db", "SELECT id, external_id, url, author FROM mentions")
    assert stored == [
        (
            "reviews:https://reviews.test/r/9",
            "https://reviews.test/r/9",
            site.url("/reviews/r/9gpj.exe"),
            "Maya R.",
        )
    ]
    for value in stored[0]:
        assert all(unicodedata.category(ch) not in {"Cc", "Cf"} for ch in value), value
