"""A page whose first JSON-LD block nests absurdly deep keeps its valid second block
(issue #16, item 2, the crawl half).

The fix is one line per JSON parse in the spiders (``scanner.jsonsafe.loads``
instead of ``json.loads``: its ``TooDeep`` is a ``ValueError``, which the
spiders already skip), in files of the crawl package. Until that lands, the
failure, so whoever wires it in removes this marker.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.crawl.conftest import Site, crawl, rows, write_config

REVIEW = {
    "@context": "https://schema.org",
    "@type": "Review",
    "@id": "https://reviews.test/r/9",
    "author": {"@type": "Person", "name": "Maya R."},
    "datePublished": "2026-03-01",
    "name": "Refund never came",
    "reviewBody": "Acme never refunded the blender I returned.",
    "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5},
}
PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Acme reviews</title>'
    '<script type="application/ld+json">' + "[" * 50_000 + "]" * 50_000 + "</script>"
    '<script type="application/ld+json">' + json.dumps(REVIEW) + "</script>"
    "</head><body><h1>Acme</h1></body></html>"
).encode()


def test_a_deeply_nested_block_does_not_lose_the_page(site: Site, tmp_path: Path) -> None:
    site.behave("/reviews/deep.html", body=PAGE)
    write_config(
        tmp_path, [{"name": "reviews", "spider": "jsonld", "url": site.url("/reviews/deep.html")}]
    )
    done = crawl(tmp_path)
    assert "RecursionError" not in done.stderr
    assert rows(tmp_path / "scan.db", "SELECT title FROM mentions") == [("Refund never came",)]
