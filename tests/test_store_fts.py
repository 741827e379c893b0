"""The full-text index follows title/text edits, and only those (migration m004)."""

from __future__ import annotations

from pathlib import Path

from scanner.store import Store


def post(i: str, text: str) -> dict[str, str]:
    return {
        "id": i,
        "company": "Acme",
        "source": "s",
        "external_id": i,
        "origin": "crawl",
        "text": text,
    }


def index_data(store: Store) -> list[tuple[int, bytes]]:
    """The FTS5 index's own pages: any re-indexing writes to them."""
    return store.db.execute("SELECT id, block FROM mentions_fts_data ORDER BY id").fetchall()


def found(store: Store, words: str) -> list[str]:
    return [m["id"] for m in store.search_mentions(search=words)]


def test_seen_again_leaves_the_index_alone_and_an_edit_reindexes(tmp_path: Path) -> None:
    with Store(tmp_path / "scan.db") as store:
        store.upsert_mentions(
            [post("s:1", "refund never came"), post("s:2", "parcel lost")], run_id=1
        )
        before = index_data(store)
        result = store.upsert_mentions([post("s:1", "refund never came")], run_id=2)
        assert result.unchanged == 1
        assert store.db.execute(
            "SELECT last_seen_run FROM mentions WHERE id = 's:1'"
        ).fetchone() == (2,)
        assert index_data(store) == before
        assert found(store, "refund") == ["s:1"]

        result = store.upsert_mentions([post("s:1", "the courier finally came")], run_id=3)
        assert result.updated == 1
        assert index_data(store) != before
        assert found(store, "refund") == []
        assert found(store, "courier") == ["s:1"]
        assert found(store, "parcel") == ["s:2"]
        assert store.integrity_ok()
        store.db.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')")
