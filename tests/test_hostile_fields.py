"""Hostile characters are cleaned where text enters the store, and again on output
(issue #16, item 10).

C0/C1 controls (U+009B is an 8-bit CSI, U+009D an OSC), bidi overrides, LRM/RLM
and zero-width characters never reach ids, sources, languages, URLs or names.
ZWJ/ZWNJ survive only where a script needs them, inside words of free text.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from scanner.store import Store
from scanner.text.safe import sanitize

HINDI_ZWJ = "क्\u200dष"  # a half form: virama + ZWJ
MALAYALAM_CHILLU = "അവന്\u200d"  # an old-style chillu: virama + ZWJ at the word's end
PERSIAN_ZWNJ = "می\u200cخواهم"  # "I want": ZWNJ inside the word
HOSTILE = {
    "id": "T-1\u009b31m\u202eevil",
    "source": "box\u009d0;owned\x07",
    "language": "en\u200b",
    "author": "Ann\u200d\u202e \u200fBob\ufeff",
    "url": "https://shop.example/r/1\u202e/gpj.exe\u200b",
    "title": f"{HINDI_ZWJ} pay\u200dpal\u2066 refund",
    "text": f"{MALAYALAM_CHILLU} {PERSIAN_ZWNJ} pay\u200dpal \u200bsecret\u200e "
    "\x1b[2Jgone\u009b2J",
    "shop_note": "\u202eevil\u009b31m",  # an unknown field: kept in `extra`
}


def bad_characters(text: str, *, free_text: bool = False) -> list[str]:
    """Controls and invisible format characters, minus joiners inside script words."""
    found = []
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if ch == "\n" and free_text:
            continue
        if category == "Cc" or (category == "Cf" and not (free_text and _joins(text, i))):
            found.append(f"U+{ord(ch):04X}")
    return found


def _joins(text: str, i: int) -> bool:
    return (
        text[i] in "\u200c\u200d"
        and i > 0
        and unicodedata.category(text[i - 1]) in {"Lo", "Mn", "Mc"}
    )


def import_hostile(scan, tmp_path: Path) -> Path:
    src = tmp_path / "hostile.jsonl"
    src.write_text(json.dumps(HOSTILE, ensure_ascii=False) + "\n", encoding="utf-8")
    done = scan("--db", "x.db", "--create", "import", str(src))
    assert done.returncode == 0, done.stderr
    return tmp_path / "x.db"


def test_imported_fields_are_stored_clean(scan, tmp_path):
    db = import_hostile(scan, tmp_path)
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("SELECT * FROM mentions").fetchone())
    assert row["id"] == row["external_id"] == "T-1evil"
    assert row["source"] == "box"
    assert row["language"] == "en"
    assert row["author"] == "Ann Bob"
    assert row["url"] == "https://shop.example/r/1/gpj.exe"
    assert row["title"] == f"{HINDI_ZWJ} paypal refund"
    assert row["text"] == f"{MALAYALAM_CHILLU} {PERSIAN_ZWNJ} paypal secret gone"
    assert json.loads(row["extra"]) == {"shop_note": "evil"}
    for key in ("id", "source", "language", "author", "url", "external_id", "extra"):
        assert bad_characters(row[key]) == [], key
    for key in ("title", "text"):
        assert bad_characters(row[key], free_text=True) == [], key


def test_every_writer_gets_clean_fields_through_the_store(tmp_path):
    row = {
        **HOSTILE,
        "company": "Acme\u200b",
        "external_id": "1\u202e",
        "origin": "crawl",
        "extra": {"note\u202e": ["\u009b31mred"]},
    }
    del row["shop_note"]
    with Store(tmp_path / "x.db") as store:
        store.upsert_mentions([row])
        values = store.db.execute("SELECT id, company, external_id, extra FROM mentions").fetchone()
    stored = dict(zip(("id", "company", "external_id", "extra"), values, strict=True))
    assert stored == {
        "id": "T-1evil",
        "company": "Acme",
        "external_id": "1",
        "extra": '{"note": ["red"]}',
    }


@pytest.mark.parametrize("raw", [False, True], ids=["imported", "written-raw"])
def test_json_outputs_carry_no_controls(scan, tmp_path, raw):
    if raw:  # a database filled by an older version, or another tool: cleaned on output
        db = import_hostile(scan, tmp_path)
        with sqlite3.connect(db) as conn:
            for key in ("id", "source", "language", "author", "url", "title", "text"):
                conn.execute(f"UPDATE mentions SET {key} = ?", [HOSTILE[key]])  # noqa: S608
            conn.execute(
                "UPDATE mentions SET extra = ?",
                [json.dumps({"shop_note": HOSTILE["shop_note"]}, ensure_ascii=False)],
            )
    else:
        import_hostile(scan, tmp_path)
    listed = scan("--db", "x.db", "mentions", "--format", "json")
    stats = scan("--db", "x.db", "stats", "--json")
    for done in (listed, stats):
        assert done.returncode == 0, done.stderr
        assert bad_characters(done.stdout, free_text=True) == []
        assert "\u202e" not in done.stdout and "\u009b" not in done.stdout
    row = json.loads(listed.stdout)
    assert row["id"] == "T-1evil" and row["source"] == "box" and row["language"] == "en"
    assert json.loads(stats.stdout)["by_source"][0]["source"] == "box"


def test_sanitize_keeps_words_and_scripts():
    assert sanitize("plain ascii, kept as is") == "plain ascii, kept as is"
    assert sanitize("Ünïcödé ñame") == "Ünïcödé ñame"
    assert sanitize(f"{HINDI_ZWJ} {PERSIAN_ZWNJ}", free_text=True) == f"{HINDI_ZWJ} {PERSIAN_ZWNJ}"
    assert sanitize(f"{HINDI_ZWJ} {PERSIAN_ZWNJ}") == "क्ष میخواهم"  # never in a name
    assert sanitize("line one\nline two", free_text=True) == "line one\nline two"
    assert sanitize("line one\nline two") == "line one line two"
    assert sanitize("tag\U000e0041\U000e0042s") == "tags"  # invisible "tag" characters


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("👩\u200d👩\u200d👧 our family account", "👩\u200d👩\u200d👧 our family account"),
        ("👨🏽\u200d💻 the dev", "👨🏽\u200d💻 the dev"),  # after a skin tone
        ("🏳️\u200d🌈", "🏳️\u200d🌈"),
        ("★\u200dx pay\u200dpal", "★x paypal"),  # a joiner that joins no emoji still goes
    ],
)
def test_a_zwj_emoji_sequence_is_kept_whole(given, kept):
    """The joiner went from "👩‍👩‍👧" (one family) but stayed in "🏳️‍🌈" (its
    variation selector counted as a mark): three people, or one flag."""
    assert sanitize(given, free_text=True) == kept


def test_mojibake_is_stored_whole(scan, tmp_path):
    """UTF-8 read as Latin-1 holds U+009D, U+009F...: what follows them is the post."""
    said = "Die Straße war gesperrt. Übel! Доставка не пришла. Ich will mein Geld zurück."
    mojibake = said.encode().decode("latin-1")
    src = tmp_path / "mojibake.jsonl"
    src.write_text(json.dumps({"id": "m1", "text": mojibake}) + "\n", encoding="utf-8")
    done = scan("--db", "x.db", "--create", "import", str(src))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "x.db") as conn:
        (text,) = conn.execute("SELECT text FROM mentions").fetchone()
    assert text.startswith("Die StraÃe war gesperrt.")  # it had been cut here
    assert text.endswith("Ich will mein Geld zurÃ¼ck.")
    assert bad_characters(text, free_text=True) == []
