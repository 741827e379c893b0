"""What ``scan mentions --search`` asks the full-text index: words, any case, any accent.

The index's tokenizer (``migrations.fts_tokenizer``) folds case and removes the
accents of Latin letters (``remove_diacritics 2``: "zuverlässig" is indexed as
"zuverlassig"), while the vowel signs and viramas of Indic scripts stay part of
their words. SQLite's tokenizer does not fold Greek accents or the Russian "ё",
which people often write as "е", so for those a query word is widened into the
spellings it may have been written in: "καφες" also asks for "καφές", "елка"
for "ёлка". Greek words carry one accent and Russian ones at most one "ё", so
that is one spelling per vowel, not a product of them.

The joiners ZWNJ and ZWJ after a virama choose how an Indic word is drawn (an
explicit virama, a half form) and are invisible: one keyboard writes the Telugu
"నంబర్‌కు" (number-to) with a ZWNJ, another without, and the index parts a word
at either joiner. A word is asked for without its joiners and with one after any
of its viramas, as it may have been stored.
"""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import unicodedata

from scanner.store.migrations import fts_tokenizer

# Greek vowels and the accented forms (tonos, dialytika) a written word may have.
_GREEK = {
    "α": "ά",
    "ε": "έ",
    "η": "ή",
    "ι": "ίϊΐ",
    "ο": "ό",
    "υ": "ύϋΰ",
    "ω": "ώ",
}
_GREEK_MARKS = {"\u0301", "\u0308", "\u0344", "\u0385"}  # acute/tonos, diaeresis
_JOINERS = ("\u200c", "\u200d")  # ZWNJ, ZWJ
_VIRAMA = 9  # the canonical combining class of every script's virama (halant, pulli)
MAX_SPELLINGS = 32  # per word: a pasted 200-letter "word" must not become a huge query


def fts_query(text: str) -> str:
    """User words to an FTS5 query: every word must appear; no FTS syntax is honoured.

    Each word becomes a quoted phrase, so quotes, ``*``, ``NEAR`` or ``-`` typed by a
    user (or pasted from a post) are searched for, never interpreted. A word with
    several spellings (Greek accents, "ё", joiners after a virama) asks for any of
    them. A "word" the index makes no word of (punctuation, "€") is left out:
    asking for it found nothing at all.
    """
    groups = []
    words = text.split()
    indexed = _indexed(words)
    for word in words:
        if word not in indexed:
            continue  # "-", "|" or "€" between words is in no post's index: it matched none
        phrases = ['"' + w.replace('"', '""') + '"' for w in spellings(word)]
        groups.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    return " AND ".join(groups) or '""'


def _indexed(words: list[str]) -> set[str]:
    """Those of ``words`` the index's own tokenizer makes a word of: no table of
    characters in Python agrees with SQLite's (it keeps the emoji "🥺" but no "€",
    "★" or "→"), so it is asked, in a table in memory."""
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        tokenizer = fts_tokenizer().replace("'", "''")
        conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(word, tokenize='{tokenizer}')")
        conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        conn.executemany("INSERT INTO t (rowid, word) VALUES (?, ?)", enumerate(words))
        found = {row[0] for row in conn.execute("SELECT DISTINCT doc FROM v")}
    return {word for n, word in enumerate(words) if n in found}


def spellings(word: str) -> list[str]:
    """``word`` and the other ways its Greek accents, Russian "ё" or joiners may be written."""
    word = unicodedata.normalize("NFC", word.lower())  # not casefold: "ß" must stay "ß"
    out = [word]
    if any("\u0370" <= ch <= "\u03ff" or "\u1f00" <= ch <= "\u1fff" for ch in word):
        out = _greek(word)
    if "е" in word or "ё" in word:
        out = [v for w in out for v in _yo(w)]
    if any(unicodedata.combining(ch) == _VIRAMA for ch in word):
        out = [v for w in out for v in _joined(w)]
    return list(dict.fromkeys(out))[:MAX_SPELLINGS]


def _greek(word: str) -> list[str]:
    """Unaccented, then accented on each vowel in turn; final sigma either way."""
    bare = unicodedata.normalize(
        "NFC",
        "".join(c for c in unicodedata.normalize("NFD", word) if c not in _GREEK_MARKS),
    ).replace("ς", "σ")
    out = [bare]
    for i, ch in enumerate(bare):
        for accented in _GREEK.get(ch, ""):
            out.append(bare[:i] + accented + bare[i + 1 :])
    with_final = [w[:-1] + "ς" if w.endswith("σ") else w for w in out]
    return [word, *out, *with_final]


def _yo(word: str) -> list[str]:
    """ "е" for "ё" throughout, then "ё" in each place an "е" is."""
    plain = word.replace("ё", "е")
    return [
        word,
        plain,
        *(plain[:i] + "ё" + plain[i + 1 :] for i, ch in enumerate(plain) if ch == "е"),
    ]


def _joined(word: str) -> list[str]:
    """Without its joiners, then with a joiner after the viramas it may be typed
    after: one, then two, ... up to :data:`MAX_SPELLINGS` spellings. The index parts
    a word at a ZWNJ and at a ZWJ alike, so one of them stands for both."""
    bare = word.replace(_JOINERS[0], "").replace(_JOINERS[1], "")
    at = [i + 1 for i, ch in enumerate(bare[:-1]) if unicodedata.combining(ch) == _VIRAMA]
    out = [word, bare]
    for size in range(1, len(at) + 1):
        for chosen in itertools.combinations(at, size):
            joined = bare
            for i in reversed(chosen):
                joined = joined[:i] + _JOINERS[0] + joined[i:]
            out.append(joined)
            if len(out) >= MAX_SPELLINGS:
                return out
    return out
