"""``scan import``: idempotence, per-row errors, --strict, encodings, Unicode."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from scanner.importing import import_file
from scanner.store import Store

TAMIL = "பணம் திரும்ப வரவில்லை, வாடிக்கையாளர் சேவை பதில் இல்லை"
TELUGU = "డబ్బు తిరిగి రాలేదు, కస్టమర్ సేవ స్పందించలేదు"
HINDI = "मेरा पैसा वापस नहीं मिला, ग्राहक सेवा जवाब नहीं देती"


def write_jsonl(path: Path, records: list[object], *, bom: bool = False) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def rows(db: Path, sql: str = "SELECT id, source, author, text FROM mentions ORDER BY id"):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


GOOD = [
    {
        "id": "T-1",
        "text": "Order 5512 never arrived",
        "author": "Ravi",
        "published_at": "2026-10-01",
    },
    {"id": "T-2", "text": TAMIL, "author": "Kavya", "source": "tickets", "rating": 1},
    {"id": "T-3", "text": TELUGU, "published_at": "2026-10-02T08:30:00+05:30"},
    {"id": "T-4", "text": HINDI, "rating": 2, "rating_scale": 10},
]


def test_import_twice_adds_nothing(scan, tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", GOOD)
    first = scan("--db", "x.db", "--create", "import", str(src))
    assert first.returncode == 0, first.stderr
    assert "4 new" in first.stdout
    before = rows(tmp_path / "x.db", "SELECT * FROM mentions ORDER BY id")
    second = scan("--db", "x.db", "--create", "import", str(src))
    assert second.returncode == 0
    assert "0 new" in second.stdout and "4 unchanged" in second.stdout
    after = rows(tmp_path / "x.db", "SELECT * FROM mentions ORDER BY id")
    # Only last_seen_run may move; everything else is identical.
    assert [r[:-4] for r in before] == [r[:-4] for r in after]
    assert len(after) == 4


def test_ids_are_kept_and_rows_without_id_get_a_stable_one(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", [*GOOD, {"text": "no id here", "author": "Zed"}])
    with Store(tmp_path / "x.db") as store:
        import_file(store, src, company="Acme")
        import_file(store, src, company="Acme")
        ids = [r[0] for r in store.db.execute("SELECT id FROM mentions ORDER BY id")]
    assert ids[:4] == ["T-1", "T-2", "T-3", "T-4"]
    assert len(ids) == 5 and ids[4].startswith("import:")


def test_bad_rows_reported_with_line_numbers_good_rows_kept(scan, tmp_path):
    src = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            GOOD[0],
            "{not json",
            {"id": "x2", "author": "no text"},
            {"id": "x3", "text": "bad date", "published_at": "last tuesday"},
            {"id": "x4", "text": "bad rating", "rating": "five"},
            {"id": "x5", "text": 42},
            "[1, 2]",
            GOOD[1],
        ],
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3
    err = result.stderr
    assert "line 2: invalid JSON" in err
    assert "line 3: missing required field 'text'" in err
    assert "line 4: 'published_at'" in err
    assert "line 5: 'rating' must be a number" in err
    assert "line 6: 'text' must be a string" in err
    assert "line 7: expected a JSON object" in err
    assert [r[0] for r in rows(tmp_path / "x.db")] == ["T-1", "T-2"]


def test_strict_stores_nothing_when_any_row_is_bad(scan, tmp_path):
    src = write_jsonl(tmp_path / "s.jsonl", [GOOD[0], GOOD[1], {"id": "bad"}])
    result = scan("--db", "x.db", "--create", "import", "--strict", str(src))
    assert result.returncode == 1
    assert "line 3" in result.stderr and "nothing imported" in result.stderr
    assert rows(tmp_path / "x.db") == []
    ok = scan("--db", "x.db", "import", "--strict", str(write_jsonl(tmp_path / "ok.jsonl", GOOD)))
    assert ok.returncode == 0
    assert len(rows(tmp_path / "x.db")) == 4


def test_csv_with_bom_quoted_newlines_and_line_numbers(scan, tmp_path):
    csv_text = (
        "id,text,author,rating,published_at\r\n"
        'c1,"Refund refused\r\nafter two calls",Ana,1,2026-09-01\r\n'
        "c2,,Bo,2,2026-09-02\r\n"
        f'c3,"{HINDI}",Chitra,,\r\n'
        "c4,Broken on arrival,Dev,eleven,2026-09-03\r\n"
    )
    src = tmp_path / "box.csv"
    src.write_bytes(b"\xef\xbb\xbf" + csv_text.encode("utf-8"))
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3
    assert "line 4: missing required field 'text'" in result.stderr  # quoted newline: c2 is line 4
    assert "line 6: 'rating' must be a number" in result.stderr
    stored = dict((r[0], r[3]) for r in rows(tmp_path / "x.db"))
    assert stored == {"c1": "Refund refused\nafter two calls", "c3": HINDI}


def test_non_utf8_bytes_name_the_line(scan, tmp_path):
    src = tmp_path / "latin.jsonl"
    src.write_bytes(
        json.dumps({"id": "a", "text": "fine"}).encode()
        + b"\n"
        + b'{"id": "b", "text": "caf\xe9 closed"}\n'
        + json.dumps({"id": "c", "text": "also fine"}).encode()
        + b"\n"
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3
    assert "line 2: not valid UTF-8" in result.stderr
    assert [r[0] for r in rows(tmp_path / "x.db")] == ["a", "c"]


def test_edited_post_updates_in_place_and_keeps_first_seen(tmp_path):
    db = tmp_path / "x.db"
    with Store(db) as store:
        import_file(store, write_jsonl(tmp_path / "a.jsonl", [GOOD[0]]), company="Acme")
        first = store.db.execute(
            "SELECT first_seen_at, first_seen_run, text FROM mentions"
        ).fetchone()
    edited = {**GOOD[0], "text": "Order 5512 never arrived and no refund either"}
    with Store(db) as store:
        result = import_file(store, write_jsonl(tmp_path / "b.jsonl", [edited]), company="Acme")
        assert (result.stored.new, result.stored.updated) == (0, 1)
        row = store.db.execute(
            "SELECT first_seen_at, first_seen_run, text, last_seen_run FROM mentions"
        ).fetchone()
        count = store.db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
    assert count == 1
    assert row[:2] == first[:2]
    assert row[2] == edited["text"]
    assert row[3] != first[1]


def test_unicode_stored_intact_and_searchable(scan, tmp_path):
    src = write_jsonl(tmp_path / "u.jsonl", GOOD, bom=True)
    assert scan("--db", "x.db", "--create", "import", str(src)).returncode == 0
    stored = {r[0]: r[3] for r in rows(tmp_path / "x.db")}
    assert stored["T-2"] == TAMIL and stored["T-3"] == TELUGU and stored["T-4"] == HINDI
    for word, expected in [("திரும்ப", "T-2"), ("తిరిగి", "T-3"), ("वापस", "T-4"), ("arrived", "T-1")]:
        found = scan("--db", "x.db", "mentions", "--search", word, "--format", "json")
        assert found.returncode == 0, found.stderr
        ids = [json.loads(line)["id"] for line in found.stdout.splitlines()]
        assert ids == [expected], word
    # A word's prefix that stops inside a syllable is a different word: no match.
    partial = scan("--db", "x.db", "mentions", "--search", "वा", "--format", "json")
    assert partial.stdout.strip() == ""


def test_id_used_by_another_source_is_refused(tmp_path):
    with Store(tmp_path / "x.db") as store:
        import_file(store, write_jsonl(tmp_path / "a.jsonl", [GOOD[1]]), company="Acme")
        clash = {**GOOD[1], "source": "other-box", "text": "something else entirely"}
        result = import_file(store, write_jsonl(tmp_path / "b.jsonl", [clash]), company="Acme")
        text = store.db.execute("SELECT text FROM mentions WHERE id = 'T-2'").fetchone()[0]
    assert "already belongs to source 'tickets'" in str(result.errors[0])
    assert result.errors[0].line == 1
    assert text == TAMIL


def test_several_files_in_one_import(tmp_path, scan):
    # `scan import exports/*.jsonl`: refused before ("Got unexpected extra arguments").
    good = tmp_path / "a.jsonl"
    good.write_text('{"id": "a1", "text": "Refund never came"}\n', encoding="utf-8")
    mixed = tmp_path / "b.jsonl"
    mixed.write_text('{"id": "b1", "text": "Card declined"}\n{"id": "b2"}\n', encoding="utf-8")
    done = scan("--create", "import", "a.jsonl", "b.jsonl", cwd=tmp_path)
    assert done.returncode == 3, done.stderr  # b2 has no text: partial
    assert "a.jsonl: 1 row(s) read: 1 new" in done.stdout, done.stdout
    assert "b.jsonl: 2 row(s) read: 1 new" in done.stdout and "1 rejected" in done.stdout
    assert "b.jsonl: line 2" in done.stderr, done.stderr
    strict = scan("import", "--strict", "b.jsonl", "a.jsonl", cwd=tmp_path)
    assert strict.returncode == 1, strict.stderr  # b refused whole, a read again
    assert "b.jsonl: 1 bad row(s); nothing imported (--strict)." in strict.stderr
    assert "a.jsonl: 1 row(s) read: 0 new, 0 updated, 1 unchanged" in strict.stdout
