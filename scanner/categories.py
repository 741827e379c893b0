"""What a grievance is about: category keys from the terms in ``rules/categories.toml``.

Word edges are the hard part. Python's ``\\b`` treats Indic vowel signs and
viramas (Unicode marks) as non-word characters, so ``\\bपैसा\\b`` never
matches "पैसा" (it ends in a vowel sign) and a short term can match inside a
longer word. Here a word is a maximal run of letters, digits and marks (plus
ZWJ/ZWNJ), text and terms are folded the same way (NFC, casefold, accents
dropped from Latin letters only, never the marks of other scripts), and terms
are looked up word by word: fast enough to run on every post (tens of
microseconds), which one big alternation of lookaround patterns was not.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from scanner.errors import RuleFileError
from scanner.rules import load_rules, rules_path

OTHER = "other"
_MEMO_MAX = 200_000


def _word_ranges() -> str:
    """Letters, marks and digits from U+0300 to U+10FF as compact class ranges."""
    ranges: list[list[int]] = []
    for c in range(0x0300, 0x1100):
        if unicodedata.category(chr(c))[0] in "LMN":
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


_TOKEN = re.compile(r"[\w\u200c\u200d" + _word_ranges() + "]+")
# In ASCII text a word character is a letter, a digit or "_": the rest separates words.
_ASCII_SEPARATORS = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}


@dataclass
class _Index:
    """Every term of every category, keyed for word-by-word lookup."""

    order: list[str] = field(default_factory=list)
    words: dict[str, set[str]] = field(default_factory=dict)  # whole word -> categories
    stems: dict[str, set[str]] = field(default_factory=dict)  # word prefix -> categories
    stem_lengths: set[int] = field(default_factory=set)
    # first word -> (category, the remaining words, last word is a stem)
    phrases: dict[str, list[tuple[str, tuple[str, ...], bool]]] = field(default_factory=dict)
    # word -> categories of its whole-word and stem terms: posts repeat their words, so
    # each distinct word is looked up once (about 30 µs a post without it, 8 with it).
    memo: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(self, key: str, term: str) -> None:
        stem = term.endswith("*")
        words = tokens(term.rstrip("*"))
        if not words:
            raise ValueError(f"term {term!r} has no words")
        if len(words) > 1:
            self.phrases.setdefault(words[0], []).append((key, tuple(words[1:]), stem))
        elif stem:
            self.stems.setdefault(words[0], set()).add(key)
            self.stem_lengths.add(len(words[0]))
        else:
            self.words.setdefault(words[0], set()).add(key)

    def word_hits(self, word: str) -> frozenset[str]:
        """Categories whose single-word terms (whole or stem) match ``word``."""
        hits = self.memo.get(word)
        if hits is None:
            found = set(self.words.get(word, ()))
            for length in self.stem_lengths:
                if length <= len(word):
                    found |= self.stems.get(word[:length], set())
            hits = frozenset(found)
            if len(self.memo) >= _MEMO_MAX:  # a bound, for crawls of endless new words
                self.memo.clear()
            self.memo[word] = hits
        return hits


def tokens(text: str) -> list[str]:
    """The folded words of ``text``."""
    folded = fold(text)
    if folded.isascii():  # the same words as _TOKEN finds, at a third of the cost
        return folded.translate(_ASCII_SEPARATORS).split()
    return _TOKEN.findall(folded)


def fold(text: str) -> str:
    """NFC, casefold, and accents removed from Latin letters (only)."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFD", text.casefold())
    out: list[str] = []
    base = ""
    for ch in decomposed:
        if unicodedata.combining(ch):
            if base and ord(base) < 0x250:  # a mark on a Latin letter: an accent
                continue
        else:
            base = ch
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@cache
def _index() -> _Index:
    name = "categories.toml"
    table = load_rules(name).get("categories")
    if not isinstance(table, dict) or not table:
        raise RuleFileError(rules_path(name), "no [categories.<key>] tables")
    index = _Index()
    for key, entry in table.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            raise RuleFileError(rules_path(name), f"categories.{key}: needs a label string")
        terms = entry.get("terms", {})
        if not isinstance(terms, dict):
            raise RuleFileError(rules_path(name), f"categories.{key}.terms: expected a table")
        for lang, words in terms.items():
            where = f"categories.{key}.terms.{lang}"
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise RuleFileError(rules_path(name), f"{where}: expected a list of strings")
            try:
                for word in words:
                    index.add(key, word)
            except ValueError as exc:
                raise RuleFileError(rules_path(name), f"{where}: {exc}") from exc
        index.order.append(key)
    return index


def labels() -> dict[str, str]:
    """Category key to label, in display order (no patterns compiled)."""
    table = load_rules("categories.toml").get("categories") or {}
    found = {k: str(v.get("label", k)) for k, v in table.items() if isinstance(v, dict)}
    found.pop(OTHER, None)
    return {**found, OTHER: table.get(OTHER, {}).get("label", "Other")}


def categorise(text: str) -> list[str]:
    """Category keys whose terms appear in ``text``; ``["other"]`` when none do."""
    index = _index()
    words = tokens(text or "")
    present = set(words)
    memo, phrases = index.memo, index.phrases
    hits: set[str] = set()
    for word in present:  # each distinct word once
        found = memo.get(word)
        if found is None:
            found = index.word_hits(word)
        if found:
            hits |= found
    firsts = present.intersection(phrases)  # phrases are rare: most posts skip the scan below
    if firsts:
        for i, word in enumerate(words):
            if word in firsts:
                for key, rest, stem in phrases[word]:
                    if key not in hits and _follows(words, i + 1, rest, stem):
                        hits.add(key)
    found = [key for key in index.order if key in hits and key != OTHER]
    return found or [OTHER]


def _follows(words: list[str], start: int, rest: tuple[str, ...], stem: bool) -> bool:
    if start + len(rest) > len(words):
        return False
    last = len(rest) - 1
    for offset, expected in enumerate(rest):
        got = words[start + offset]
        if got != expected and not (stem and offset == last and got.startswith(expected)):
            return False
    return True


def combine(member_categories: Iterable[Iterable[str]], *, limit: int = 3) -> list[str]:
    """A cluster's categories from its members': the most frequent first.

    "other" only when no member has a real category.
    """
    counts: Counter[str] = Counter()
    for cats in member_categories:
        counts.update(set(cats))
    real = [k for k, _ in counts.most_common() if k != OTHER]
    order = {key: i for i, key in enumerate(_index().order)}
    real.sort(key=lambda k: (-counts[k], order.get(k, len(order))))
    return real[:limit] or [OTHER]
