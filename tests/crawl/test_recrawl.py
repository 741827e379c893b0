"""Recrawling posts that carry neither an id nor a link, dated "2 days ago", adds nothing."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from tests.crawl.conftest import Site, crawl, rows, write_config

#: Two ComplaintsBoard blocks without a permalink or an id, and a relative date.
PAGE = "".join(
    f'<div class="complaint"><span class="author-header__name">{author}</span>'
    f'<span class="author-header__date">2 days ago</span>'
    f'<p class="complaint-main__text">{text}</p></div>'
    for author, text in (
        ("Dana", "Acme kept the fee and never came."),
        ("Ravi", "Acme charged my card twice for one repair."),
    )
)


def test_three_crawls_of_posts_without_ids_store_each_post_once(site: Site, tmp_path: Path) -> None:
    site.behave("/acme-b1", body=f"<html><body>{PAGE}</body></html>".encode())
    write_config(
        tmp_path, [{"name": "cb", "spider": "complaintsboard", "url": site.url("/acme-b1")}]
    )
    for _ in range(3):
        result = crawl(tmp_path)
        assert result.returncode == 0, result.stderr
    assert rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(2,)]


def _reviews_page(review_id: str, text: str, next_page: str | None) -> bytes:
    """A page of one schema.org review (undated: only its id says it was seen)."""
    data = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": "Acme",
            "review": [{"@type": "Review", "@id": review_id, "author": "Dana", "reviewBody": text}],
        },
        ensure_ascii=False,
    )
    link = f'<link rel="next" href="{next_page}">' if next_page else ""
    return (
        f'<html><head>{link}<script type="application/ld+json">{data}</script></head>'
        "<body><p>Reviews of Acme</p></body></html>"
    ).encode()


def test_a_post_whose_id_the_site_writes_decomposed_is_seen_on_the_next_crawl(
    site: Site, tmp_path: Path
) -> None:
    """The store keeps ids in NFC; the crawl's list of the ids it has seen is
    compared in NFC too. It compared the id as the page wrote it ("e" and a
    combining accent), so the post looked new every night and the crawl read on
    to the next page, which an unchanged site does not need."""
    decomposed = unicodedata.normalize("NFD", "café-1")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    site.behave(
        "/nfd/1.html",
        body=_reviews_page(decomposed, "Acme kept my deposit.", "/nfd/2.html"),
    )
    site.behave("/nfd/2.html", body=_reviews_page("plain-2", "Acme never called back.", None))
    write_config(
        tmp_path, [{"name": "reviews", "spider": "jsonld", "url": site.url("/nfd/1.html")}]
    )
    first = crawl(tmp_path)
    assert first.returncode == 0, first.stderr
    db = tmp_path / "scan.db"
    assert sorted(rows(db, "SELECT external_id FROM mentions")) == [
        (unicodedata.normalize("NFC", "café-1"),),
        ("plain-2",),
    ]
    assert site.count("/nfd/2.html") == 1
    site.reset()
    second = crawl(tmp_path)
    assert second.returncode == 0, second.stderr
    assert site.count("/nfd/1.html") == 1
    assert site.count("/nfd/2.html") == 0, dict(site.hits)
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(2,)]
