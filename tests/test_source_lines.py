"""``scan sources`` and the ``scan crawl`` summary at 80 columns (issue 15, item 2).

Every cell used to fold into slivers ("sourc/e", "2026-/11-30/T14:1/1:27"). Now a
row keeps to the numbers a person scans for, a message gets a line of its own under
its row, and ``--details`` lists every fact.
"""

from __future__ import annotations

import json

from rich.cells import cell_len

from scanner.crawl.health import Verdict, record
from scanner.report.source_lines import table, when
from scanner.store import Store
from tests.conftest import run_scan

LONG = (
    "connection refused by 127.0.0.1:43753 — is the site up? The last three nights "
    "answered nothing either, and the robots.txt could not be read"
)
CONFIG = """\
[company]
name = "Acme"

[[sources]]
name = "acme-trustpilot-reviews-europe"
spider = "trustpilot"
url = "https://www.trustpilot.com/review/acme.example"

[[sources]]
name = "alerts"
spider = "feed"
url = "https://alerts.example/feed.xml"
enabled = false
"""


def test_scan_sources_fits_80_columns_and_says_the_message_under_its_row(tmp_path):
    (tmp_path / "scanner.toml").write_text(CONFIG, encoding="utf-8")
    with Store(tmp_path / "scan.db") as store:
        run = store.start_run("crawl", source="acme-trustpilot-reviews-europe")
        store.finish_run(run, status="failed", items=0, new=0)
        record(store, "acme-trustpilot-reviews-europe", run, Verdict("failed", "failed", LONG))
    done = run_scan("sources", cwd=tmp_path, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), done.stdout
    assert lines[0].split()[:3] == ["source", "health", "last"]
    row = next(line for line in lines if line.startswith("acme-trustpilot-reviews-europe"))
    assert "failed" in row and "today" in row  # a short time, never a folded timestamp
    message = [line.strip() for line in lines if line.startswith("  ")]
    assert " ".join(message) == LONG  # whole, wrapped to the width, under its row
    assert any(line.startswith("alerts (off)") for line in lines)
    details = run_scan("sources", "--details", cwd=tmp_path, env={"COLUMNS": "80"}).stdout
    assert "last run" in details and "spider    trustpilot" in details
    assert details.count("T") >= 1 and "failed since" in details  # full timestamps on demand


def test_a_summary_table_keeps_short_columns_whole_and_cuts_only_the_first():
    headers = ("source", "health", "pages", "found", "stored", "new", "dropped")
    name = "a-source-name-so-long-that-eighty-columns-cannot-hold-it-beside-the-numbers"
    out = table(
        headers,
        [(name, "backlog", 1200, 24000, 23990, 10, 10)],
        [["dropped: 10 off-topic"]],
        numeric=set(headers[2:]),
        width=80,
    )
    lines = out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), out
    assert lines[1].split()[1:] == ["backlog", "1200", "24000", "23990", "10", "10"]
    assert lines[1].startswith("a-source-name") and "…" in lines[1].split()[0]
    assert lines[2] == "  dropped: 10 off-topic"


def test_when_is_short():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    assert when("2026-11-30T18:10:47+00:00", now) == "today 18:10"
    assert when("2026-11-29T03:15:00+00:00", now) == "11-29 03:15"
    assert when("2025-11-29T03:15:00+00:00", now) == "2025-11-29"
    assert when(None, now) == "never"


def test_every_health_state_has_a_colour_in_the_terminal_report() -> None:
    # A state the report does not know is shown dim, like a source never crawled.
    import re
    from pathlib import Path

    from scanner.crawl import health
    from scanner.report.formats.text import HEALTH_STYLE

    source = Path(health.__file__).read_text(encoding="utf-8")
    judged = set(re.findall(r'Verdict\(\s*"(\w+)"', source)) | set(
        re.findall(r'health, verdict.message = "(\w+)"', source)
    )
    assert judged <= set(health.STATES)
    assert set(health.STATES) <= set(HEALTH_STYLE)


IMPORTED = [
    {"id": "a1", "source": "appstore-us", "text": "Acme app crashes at login", "author": "u1"},
    {"id": "a2", "source": "appstore-us", "text": "Acme refund never came", "author": "u2"},
    {"id": "p1", "source": "प्ले-स्टोर-समीक्षाएँ", "text": "Acme charged me twice", "author": "u3"},
    {"id": "x1", "source": "evil\x1b[31m-feed", "text": "Acme lost my parcel", "author": "u4"},
]


def test_scan_sources_lists_the_sources_of_imported_posts(tmp_path):
    """An app-store export names its own sources; `scan sources` said "No sources
    configured" and listed none of them."""
    (tmp_path / "scanner.toml").write_text(
        'db = "scan.db"\n[company]\nname = "Acme"\n', encoding="utf-8"
    )
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in IMPORTED)
    (tmp_path / "reviews.jsonl").write_text(lines, encoding="utf-8")
    done = run_scan("--create", "import", "reviews.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with Store(tmp_path / "scan.db") as store:
        names = [r[0] for r in store.db.execute("SELECT DISTINCT source FROM mentions")]
        started = store.db.execute("SELECT started_at FROM runs WHERE kind = 'import'").fetchone()
    evil = next(n for n in names if n.startswith("evil"))

    listed = json.loads(run_scan("sources", "--json", cwd=tmp_path).stdout)
    by_name = {r["source"]: r for r in listed}
    assert set(by_name) == set(names)
    assert by_name["appstore-us"]["posts"] == 2 and by_name[evil]["posts"] == 1
    assert {r["origin"] for r in listed} == {"import"}
    assert {r["last_run"] for r in listed} == {started[0]}
    assert {r["health"] for r in listed} == {None}  # nothing crawls them: no health

    text = run_scan("sources", cwd=tmp_path, env={"COLUMNS": "80"})
    assert text.returncode == 0 and "No sources" not in text.stderr, text.stderr
    out = text.stdout.splitlines()
    assert "\x1b" not in text.stdout
    assert all(cell_len(line) <= 80 for line in out), text.stdout
    assert out[0].split() == ["imported", "source", "posts", "last", "import"]
    assert out[1].split()[:2] == ["appstore-us", "2"]
    assert any(line.startswith("प्ले-स्टोर-समीक्षाएँ") and " 1 " in line for line in out)
    details = run_scan("sources", "--details", cwd=tmp_path).stdout
    assert "appstore-us (imported)" in details and "2 stored" in details

    # A configured source of the same name is listed apart: its crawl, its health.
    (tmp_path / "scanner.toml").write_text(
        'db = "scan.db"\n[company]\nname = "Acme"\n[[sources]]\nname = "appstore-us"\n'
        'spider = "jsonld"\nurl = "https://apps.example/acme"\n',
        encoding="utf-8",
    )
    rows = json.loads(run_scan("sources", "--json", cwd=tmp_path).stdout)
    assert [(r["source"], r["origin"], r["posts"]) for r in rows][:2] == [
        ("appstore-us", "crawl", 0),
        ("appstore-us", "import", 2),
    ]
    text = run_scan("sources", cwd=tmp_path, env={"COLUMNS": "80"}).stdout
    assert text.splitlines()[0].split()[:2] == ["source", "health"]
    assert "\n\nimported source" in text


def test_scan_sources_with_nothing_configured_or_imported_says_both_ways_in(tmp_path):
    (tmp_path / "scanner.toml").write_text(
        'db = "scan.db"\n[company]\nname = "Acme"\n', encoding="utf-8"
    )
    Store(tmp_path / "scan.db").close()
    done = run_scan("sources", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == ""
    assert "add [[sources]]" in done.stderr and "scan import" in done.stderr
