"""Recrawling posts that carry neither an id nor a link, dated "2 days ago", adds nothing."""

from __future__ import annotations

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
