"""The names posts are counted under compare equal however their letters were
composed: a company, source or author written "e" and a combining accent (NFD,
as macOS and some exports write it) is the one written "é" (NFC). "Café" had been
two companies in the report, each with its own clusters."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

from scanner.store import content_hash


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


COMPANY, SOURCE, AUTHOR = nfc("Café Bleu"), nfc("Bücher"), nfc("José")
TEXTS = ("The refund never came back to my card", "My refund never came back to my card")


def _jsonl(path: Path, record: dict[str, object]) -> Path:
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def _setup(tmp_path: Path, company: str) -> None:
    (tmp_path / "scanner.toml").write_text(
        f'db = "scan.db"\n[company]\nname = "{company}"\n[[competitors]]\nname = "Globex"\n',
        encoding="utf-8",
    )


def _record(form, n: int) -> dict[str, object]:
    return {
        "id": f"r{n}",
        "company": form(COMPANY),
        "source": form(SOURCE),
        "author": form(AUTHOR),
        "text": TEXTS[n],
        "published_at": f"2026-11-2{n}",
    }


def test_a_company_source_and_author_written_decomposed_are_those_written_composed(scan, tmp_path):
    """Through the CLI: a config written decomposed, one import composed and one
    decomposed make one company in the report's companies table, one source and
    one person, and the import does not call the company unwatched."""
    assert nfc(COMPANY) != nfd(COMPANY)
    _setup(tmp_path, nfd(COMPANY))
    first = scan("--create", "import", str(_jsonl(tmp_path / "a.jsonl", _record(nfc, 0))))
    assert first.returncode == 0, first.stderr
    second = scan("import", str(_jsonl(tmp_path / "b.jsonl", _record(nfd, 1))))
    assert second.returncode == 0, second.stderr
    assert "does not watch" not in second.stderr
    assert scan("cluster").returncode == 0
    report = scan("report", "--as-of", "2026-12-01", "--since", "2026-11-01", "--format", "json")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert [(c["name"], c["mentions"]) for c in data["companies"]] == [
        (COMPANY, 2),
        ("Globex", 0),
    ]
    [cluster] = data["clusters"]
    assert (cluster["mentions"], cluster["people"], cluster["sources"]) == (2, 1, [SOURCE])
    assert _rows(tmp_path / "scan.db", "SELECT DISTINCT company, source, author FROM mentions") == [
        (COMPANY, SOURCE, AUTHOR)
    ]
    # Named on the command line either way: "no company named 'Café'" had refused the
    # decomposed spelling, and a decomposed --source had matched no post.
    for form in (nfc, nfd):
        named = ("--company", form(COMPANY), "--source", form(SOURCE), "--format", "json")
        shown = scan("report", "--as-of", "2026-12-01", "--since", "2026-11-01", *named)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["totals"]["mentions"] == 2
        listed = scan("mentions", "--company", form(COMPANY), "--source", form(SOURCE))
        assert listed.returncode == 0 and listed.stdout.count("r0") + listed.stdout.count("r1") == 2


def test_a_database_holding_decomposed_names_is_brought_to_nfc(scan, tmp_path):
    """A database filled before: its posts' company, source and author are renamed,
    with the company's clusters (their ids kept) and the content hash, so importing
    the file again finds its post unchanged."""
    _setup(tmp_path, COMPANY)
    src = _jsonl(tmp_path / "a.jsonl", _record(nfc, 0))
    assert scan("--create", "import", str(src)).returncode == 0
    assert scan("cluster").returncode == 0
    db = tmp_path / "scan.db"
    old_hash = content_hash({"text": TEXTS[0], "author": nfd(AUTHOR)})
    with sqlite3.connect(db) as conn:  # as an older version stored them
        conn.execute(
            "UPDATE mentions SET company = ?, source = ?, author = ?, content_hash = ?",
            [nfd(COMPANY), nfd(SOURCE), nfd(AUTHOR), old_hash],
        )
        conn.execute("UPDATE clusters SET company = ?", [nfd(COMPANY)])
        conn.execute("UPDATE grouping_index SET company = ?", [nfd(COMPANY)])
        conn.execute("UPDATE grouping_state SET company = ?", [nfd(COMPANY)])
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_names_in_nfc'")
    [(cluster_id,)] = _rows(db, "SELECT id FROM clusters")
    again = scan("import", str(src))
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 updated, 1 unchanged" in again.stdout
    assert _rows(db, "SELECT company, source, author, content_hash FROM mentions") == [
        (COMPANY, SOURCE, AUTHOR, content_hash({"text": TEXTS[0], "author": AUTHOR}))
    ]
    assert _rows(db, "SELECT id, company FROM clusters") == [(cluster_id, COMPANY)]
    assert _rows(db, "SELECT DISTINCT company FROM grouping_index") == [(COMPANY,)]
    assert _rows(db, "SELECT company FROM grouping_state") == [(COMPANY,)]


def test_a_company_stored_in_both_forms_becomes_one_keeping_its_clusters(scan, tmp_path):
    """Both forms grouped before m012: the decomposed company's clusters stayed live
    and empty beside new ones made for its posts ("clusters 3" in scan stats for 2).
    They join the NFC company with their ids; an issue whose key it has already is
    retired, another is renamed."""
    _setup(tmp_path, COMPANY)
    rows = [
        {"id": f"{kind}{n}", "author": f"{kind}-{n}", "text": text, "published_at": "2026-11-20"}
        for kind, text in (("c", TEXTS[0]), ("d", "The parcel came broken and late again"))
        for n in range(6)
    ]
    lines = "".join(json.dumps(r) + "\n" for r in rows)
    (tmp_path / "both.jsonl").write_text(lines, encoding="utf-8")
    assert scan("--create", "import", "both.jsonl").returncode == 0
    assert scan("cluster").returncode == 0
    db = tmp_path / "scan.db"
    before = dict(_rows(db, "SELECT mention_id, cluster_id FROM cluster_members"))
    assert len(set(before.values())) == 2
    now = "2026-11-21T00:00:00+00:00"
    with sqlite3.connect(db) as conn:  # as an older version stored them: "d" posts decomposed
        conn.execute("UPDATE mentions SET company = ? WHERE id LIKE 'd%'", [nfd(COMPANY)])
        conn.execute("UPDATE clusters SET company = ? WHERE id = ?", [nfd(COMPANY), before["d0"]])
        conn.execute(
            "UPDATE grouping_index SET company = ? WHERE mention_id LIKE 'd%'", [nfd(COMPANY)]
        )
        issue = (
            "INSERT INTO issues (company, key, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
        )
        conn.execute(issue, [COMPANY, "refund", "refund", now, now])
        conn.execute(issue, [nfd(COMPANY), "refund", "refund", now, now])
        conn.execute(issue, [nfd(COMPANY), "parcel", "parcel", now, now])
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_names_in_nfc'")
    conn.close()
    assert scan("cluster").returncode == 0
    assert dict(_rows(db, "SELECT mention_id, cluster_id FROM cluster_members")) == before
    assert _rows(db, "SELECT DISTINCT company FROM clusters") == [(COMPANY,)]
    assert json.loads(scan("stats", "--json").stdout)["clusters"] == 2
    live = _rows(db, "SELECT company, key FROM issues WHERE retired_at IS NULL ORDER BY key")
    assert live == [(COMPANY, "parcel"), (COMPANY, "refund")]
