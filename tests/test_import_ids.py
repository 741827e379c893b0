"""Ids that differ only by Unicode normalisation name one post: "café" with one
"é" (NFC) and "café" with "e" and a combining accent (NFD, as macOS file names
and some exports write it) were stored as two mentions."""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

NFC = unicodedata.normalize("NFC", "café-42")
NFD = unicodedata.normalize("NFD", "café-42")


def _jsonl(path: Path, *records: dict[str, object]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def _rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_an_id_written_decomposed_updates_the_post_written_composed(scan, tmp_path):
    assert NFC != NFD
    first = _jsonl(tmp_path / "a.jsonl", {"id": NFC, "text": "Refund never came"})
    again = _jsonl(tmp_path / "b.jsonl", {"id": NFD, "text": "Refund never came, still"})
    assert scan("--create", "import", str(first)).returncode == 0
    done = scan("import", str(again))
    assert done.returncode == 0, done.stderr
    assert "0 new, 1 updated" in done.stdout
    assert _rows(tmp_path / "scan.db", "SELECT id, external_id, text FROM mentions") == [
        (NFC, NFC, "Refund never came, still")
    ]


def test_one_file_naming_a_post_both_ways_is_one_post(scan, tmp_path):
    """Within a file too: the second row's id is compared as the store keeps it."""
    src = _jsonl(
        tmp_path / "both.jsonl",
        {"id": NFD, "text": "Refund never came"},
        {"id": NFC, "text": "Delivery took a month"},
    )
    done = scan("--create", "import", str(src))
    assert done.returncode == 3
    assert f"line 2: id {NFC!r} is that of line 1 of this file too" in done.stderr
    assert _rows(tmp_path / "scan.db", "SELECT id, text FROM mentions") == [
        (NFC, "Refund never came")
    ]


def test_a_database_holding_decomposed_ids_is_brought_to_nfc(scan, tmp_path):
    """A database filled before: its decomposed ids are renamed, with what points
    at them (a post's cluster), so importing the file again updates them. Where
    both forms were stored already, both stay: merging would lose one."""
    twice_nfc = unicodedata.normalize("NFC", "señal-7")
    twice_nfd = unicodedata.normalize("NFD", "señal-7")
    src = _jsonl(
        tmp_path / "old.jsonl",
        {"id": NFC, "text": "Refund never came"},
        {"id": twice_nfc, "text": "Card blocked for a week"},
        {"id": "other", "text": "Card blocked again"},
    )
    assert scan("--create", "import", str(src)).returncode == 0
    assert scan("cluster").returncode == 0
    db = tmp_path / "scan.db"
    with sqlite3.connect(db) as conn:  # as an older version stored them
        conn.execute("UPDATE mentions SET id = ?, external_id = ? WHERE id = ?", [NFD, NFD, NFC])
        conn.execute("UPDATE cluster_members SET mention_id = ? WHERE mention_id = ?", [NFD, NFC])
        conn.execute(
            "INSERT INTO mentions (id, company, source, external_id, origin, text, fetched_at, "
            "content_hash, first_seen_at, updated_at) SELECT ?, company, source, ?, origin, "
            "text, fetched_at, content_hash, first_seen_at, updated_at FROM mentions "
            "WHERE id = ?",
            [twice_nfd, twice_nfd, twice_nfc],
        )
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm011_ids_in_nfc'")
    again = _jsonl(tmp_path / "again.jsonl", {"id": NFC, "text": "Refund never came, at all"})
    done = scan("import", str(again))
    assert done.returncode == 0, done.stderr
    assert "0 new, 1 updated" in done.stdout
    assert sorted(_rows(db, "SELECT id, external_id FROM mentions")) == sorted(
        [(NFC, NFC), (twice_nfc, twice_nfc), (twice_nfd, twice_nfd), ("other", "other")]
    )
    members = "SELECT COUNT(*) FROM cluster_members WHERE mention_id = ?"
    assert _rows(db, members, NFC) == [(1,)]
    assert _rows(db, members, NFD) == [(0,)]
    listed = scan("mentions", "--format", "json")
    assert listed.returncode == 0, listed.stderr
