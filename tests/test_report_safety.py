"""Hostile text from the web comes out harmless in every report format.

The posts are stored raw with ``Store.upsert_mentions`` (import would clean
them): an OSC retitle, a screen clear, a right-to-left override, ``<script>``,
a spreadsheet formula, and ``javascript:``/``data:`` links.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from scanner.config import load_config
from scanner.report import build
from scanner.report.formats import render
from scanner.store import Store
from tests.conftest import run_scan
from tests.report_support import AS_OF, HOSTILE, cluster_of

DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def site(report_site):
    """The session's report database (tests/conftest.py): these tests only read it."""
    return report_site


@pytest.fixture
def hostile_id(site):
    return str(cluster_of(site / "report.db", HOSTILE[0]["id"]))


def scan_report(site, *args: str) -> str:
    done = run_scan("report", "--as-of", AS_OF, *args, cwd=site)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("detail", [False, True])
def test_terminal_output_has_no_control_characters(site, hostile_id, detail):
    args = ("--cluster", hostile_id) if detail else ()
    out = scan_report(site, *args)
    assert "Billing scam" in out  # the words stay, the escape sequences go whole
    assert not DANGEROUS.search(out.replace("\n", ""))
    # Even with colours on, the only escapes are rich's own SGR colour codes.
    config = load_config(site / "scanner.toml")
    with Store(site / "report.db") as store:
        report = build(store, config, as_of=AS_OF, cluster_id=int(hostile_id) if detail else None)
    coloured = render(report, "text", width=140, color=True, tty=True)
    assert "\x1b[" in coloured  # colours are on
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert not DANGEROUS.search(stripped.replace("\n", ""))


@pytest.mark.parametrize("detail", [False, True])
def test_json_strings_are_clean(site, hostile_id, detail):
    args = ("--cluster", hostile_id) if detail else ()
    raw = scan_report(site, "--format", "json", *args)
    data = json.loads(raw)
    members = [m for c in data["clusters"] for m in c["members"]]
    hostile = [m for m in members if m["id"].startswith("H-")]
    assert hostile, "the hostile posts are in the report"
    for m in hostile:
        assert not DANGEROUS.search(m["text"] + (m["author"] or "") + (m["url"] or ""))
        assert "<script>" in m["text"]  # JSON is data: escaped by its consumer, not here
    assert not DANGEROUS.search(raw.replace("\n", ""))


@pytest.mark.parametrize("detail", [False, True])
def test_csv_cells_cannot_become_formulas(site, hostile_id, detail):
    args = ("--cluster", hostile_id) if detail else ()
    rows = list(csv.reader(io.StringIO(scan_report(site, "--format", "csv", *args))))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert not DANGEROUS.search(cell.replace("\n", ""))
    if detail:
        authors = {row[3] for row in rows[1:]}
        assert "'=cmd|' /C calc'!A0" in authors
    # A spreadsheet set to split at ";" (where the decimal comma is used) reads a
    # field up to a ";" inside it, quoted or not: the post's ";=cmd" would start a
    # cell of its own.
    out = scan_report(site, "--format", "csv", *args)
    if detail:
        assert "see invoice;'=cmd" in out
    for row in csv.reader(io.StringIO(out), delimiter=";"):
        for cell in row:
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), cell


@pytest.mark.parametrize("detail", [False, True])
def test_markdown_renders_no_html_or_bad_links(site, hostile_id, detail):
    args = ("--cluster", hostile_id) if detail else ()
    text = scan_report(site, "--format", "markdown", *args)
    html = MarkdownIt("commonmark").enable("table").render(text)  # raw HTML allowed in parser
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html and "data:text" not in html
    assert not DANGEROUS.search(text.replace("\n", ""))
    if detail:
        assert 'href="http://127.0.0.1/x?a=%281%29"' in html


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k in {"href", "src"}]

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("detail", [False, True])
def test_html_is_escaped_and_links_are_http_only(site, hostile_id, detail):
    args = ("--cluster", hostile_id) if detail else ()
    text = scan_report(site, "--format", "html", *args)
    page = Page()
    page.feed(text)
    page.close()
    assert "script" not in page.tags
    assert all(h.startswith(("http://", "https://")) for h in page.hrefs)
    assert "<script>alert(1)</script>" in "".join(page.text)  # shown as text
    assert not DANGEROUS.search(text.replace("\n", ""))
