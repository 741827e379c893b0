"""The store: migrations from an empty file, WAL, idempotent upserts, FTS syntax safety."""

from __future__ import annotations

import re
import sqlite3

import pytest

from scanner.errors import StoreError
from scanner.store import Store, fts_query
from scanner.store.migrations import latest_version


def mention(i: str, text: str = "late delivery again", **extra) -> dict:
    return {
        "id": i,
        "company": "Acme",
        "source": "s",
        "external_id": i,
        "origin": "crawl",
        "text": text,
        **extra,
    }


def test_migrations_from_an_empty_file(tmp_path):
    db = tmp_path / "empty.db"
    db.touch()
    with Store(db) as store:
        assert store.schema_version == latest_version() > 0
        tables = set(store.db.table_names())
        assert {
            "mentions",
            "runs",
            "clusters",
            "cluster_members",
            "digests",
            "mentions_fts",
        } <= tables
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.integrity_ok()
    # Re-opening applies nothing twice.
    with Store(db) as store:
        applied = store.db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0]
        assert applied == latest_version()


def test_latest_version_counts_every_migration_function():
    from scanner.store import migrations

    defined = [name for name in vars(migrations) if re.fullmatch(r"m\d{3}_\w+", name)]
    assert len(defined) >= 5 and latest_version() == len(defined)


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="notes.db: cannot open database"):
        Store(bad)
    assert bad.read_text().startswith("these are my notes")


def test_upsert_counts_new_updated_unchanged(tmp_path):
    with Store(tmp_path / "x.db") as store:
        r1 = store.upsert_mentions([mention("a"), mention("b")], run_id=1)
        r2 = store.upsert_mentions([mention("a"), mention("b", "late delivery, twice")], run_id=2)
        assert (r1.new, r1.updated, r1.unchanged) == (2, 0, 0)
        assert (r2.new, r2.updated, r2.unchanged) == (0, 1, 1)
        runs = dict(store.db.execute("SELECT id, last_seen_run FROM mentions").fetchall())
        assert runs == {"a": 2, "b": 2}


@pytest.mark.parametrize("query", ['"', "NEAR(", "late*", "-late", "a OR", "col:late", "'); DROP"])
def test_search_never_interprets_fts_syntax(tmp_path, query):
    with Store(tmp_path / "x.db") as store:
        store.upsert_mentions([mention("a")])
        list(store.search_mentions(search=query))  # must not raise
    assert fts_query('say "hi"') == '"say" AND """hi"""'


def test_killed_writer_leaves_committed_rows(tmp_path):
    db = tmp_path / "x.db"
    with Store(db) as store:
        store.upsert_mentions([mention("a")])
    conn = sqlite3.connect(db)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO mentions (id, company, source, external_id, origin, text, fetched_at,"
        " content_hash, first_seen_at, updated_at)"
        " VALUES ('b','A','s','b','crawl','t','x','h','x','x')"
    )
    conn.close()  # never committed: as if the process died
    with Store(db) as store:
        ids = [r[0] for r in store.db.execute("SELECT id FROM mentions")]
        assert ids == ["a"] and store.integrity_ok()
