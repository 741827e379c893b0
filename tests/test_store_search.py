"""Search ignores case and accents as people expect, and keeps Indic words whole (issue #15)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scanner.store import Store
from scanner.store.migrations import FTS_UPDATE_TRIGGER, fts_tokenizer

POSTS = {
    "de": "Der Kundendienst ist nicht zuverlässig, ÜBERHAUPT nicht",
    "es": "Quiero la devolución de mi dinero",
    "fr": "Remboursement refusé par le SERVICE CLIENT",
    "vi": "Dịch vụ khách hàng rất tệ",
    "el": "Ο καφές ήταν κρύος και η ΕΞΥΠΗΡΕΤΗΣΗ αργή",
    "ru": "Ёлка так и не приехала, поддержка молчит",
    "hi": "मेरा पैसा वापस नहीं मिला",
    "ta": "பணத்தை திருப்பி தரவில்லை",
    "ss": "Die Straße war gesperrt",
    "emoji": "refund never came 🥺",
    # Bengali "ক্ষমা" with a ZWNJ after each of its two viramas
    "bn": "দয়া করে ক\u09cd\u200cষ\u09cd\u200cমা চাই",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from tests.conftest import run_scan

    folder = tmp_path_factory.mktemp("search")
    rows = [{"id": key, "text": text} for key, text in POSTS.items()]
    (folder / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert run_scan("--create", "import", "posts.jsonl", cwd=folder).returncode == 0
    return folder


def search(site: Path, words: str) -> set[str]:
    with Store(site / "scan.db") as store:
        return {m["id"] for m in store.search_mentions(search=words)}


def test_scan_mentions_search_finds_a_word_typed_without_its_accent(site):
    """The command from issue #15, as a user runs it."""
    from tests.conftest import run_scan

    done = run_scan("mentions", "--search", "zuverlassig", "--format", "json", cwd=site)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == ["de"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("zuverlassig", {"de"}),  # issue #15
        ("ZUVERLASSIG uberhaupt", {"de"}),
        ("devolucion", {"es"}),
        ("rembourse", set()),  # whole words, not prefixes
        ("refuse client", {"fr"}),
        ("dich vu khach hang", {"vi"}),
        ("καφες", {"el"}),  # Greek without its accent
        ("εξυπηρετηση αργη", {"el"}),
        ("ΚΑΦΈΣ", {"el"}),
        ("елка", {"ru"}),  # "е" written for "ё"
        ("ЁЛКА поддержка", {"ru"}),
        ("वापस", {"hi"}),
        ("वपस", set()),  # the vowel sign is part of the word, never dropped
        ("पस", set()),
        ("திருப்பி", {"ta"}),
        ("திருபபி", set()),  # without its viramas it is another word
        ("straße", {"ss"}),
        # punctuation pasted between words is no word to ask for
        ("refuse — client", {"fr"}),
        ("refuse | client -", {"fr"}),
        ("मेरा - पैसा", {"hi"}),
        # an emoji the index keeps as a word is searched for, not dropped as punctuation
        ("🥺", {"emoji"}),
        ("refund 🥺", {"emoji"}),
        # ... and a symbol it makes no word of is no word to ask for either
        ("refuse € client", {"fr"}),
        ("★★★ client →", {"fr"}),
        # typed without the joiners, or with one of the two, as keyboards differ
        ("ক\u09cdষ\u09cdমা", {"bn"}),
        ("ক\u09cd\u200cষ\u09cdমা", {"bn"}),
    ],
)
def test_search_ignores_case_and_accents_and_keeps_indic_words_whole(site, words, expected):
    assert search(site, words) == expected


def _make_it_old(db: Path) -> None:
    """The index as a database made before issue #15 had it: no accent folding."""
    old = fts_tokenizer().replace("remove_diacritics 2", "remove_diacritics 0")
    with Store(db) as store:
        store.db.execute("DROP TRIGGER mentions_au")
        store.db["mentions"].enable_fts(
            ["title", "text"], create_triggers=True, replace=True, tokenize=old
        )
        store.db.executescript(FTS_UPDATE_TRIGGER)
        store.db.execute(
            "DELETE FROM _sqlite_migrations WHERE name = 'm006_search_ignores_latin_accents'"
        )


def test_an_older_database_is_reindexed_once_when_opened(tmp_path):
    db = tmp_path / "old.db"
    with Store(db) as store:
        store.upsert_mentions(
            [
                {
                    "id": k,
                    "company": "Acme",
                    "source": "s",
                    "external_id": k,
                    "origin": "import",
                    "text": t,
                }
                for k, t in POSTS.items()
            ]
        )
    _make_it_old(db)
    with sqlite3.connect(db) as conn:
        old = conn.execute("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH 'zuverlassig'")
        assert old.fetchall() == []  # the bug, as an old database has it
    with Store(db) as store:  # opening it applies m006
        assert [m["id"] for m in store.search_mentions(search="zuverlassig")] == ["de"]
        assert {m["id"] for m in store.search_mentions(search="वापस")} == {"hi"}
        store.db.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')")
        trigger = store.db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'mentions_au'"
        ).fetchone()[0]
        assert "AFTER UPDATE OF title, text" in trigger  # m004's trigger, not sqlite-utils'
        store.upsert_mentions(
            [
                {
                    "id": "de",
                    "company": "Acme",
                    "source": "s",
                    "external_id": "de",
                    "origin": "import",
                    "text": "jetzt zuverlässiger",
                }
            ]
        )
        assert [m["id"] for m in store.search_mentions(search="zuverlassiger")] == ["de"]
