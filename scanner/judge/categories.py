"""What a grievance is about: category keys from the terms in ``rules/categories.toml``.

Word edges are the hard part. Python's ``\\b`` treats Indic vowel signs and
viramas (Unicode marks) as non-word characters, so ``\\bपैसा\\b`` never
matches "पैसा" (it ends in a vowel sign) and a short term can match inside a
longer word. Here a word is a maximal run of letters, digits and marks (plus
ZWJ/ZWNJ), text and terms are folded the same way (NFC, casefold, accents
dropped from Latin letters only, never the marks of other scripts), and terms
are looked up word by word: fast enough to run on every post (tens of
microseconds), which one big alternation of lookaround patterns was not.

A post is usually about one thing and mentions others in passing ("hidden fees
... nothing in the app showed the fee"), so categories are scored: each term
found adds 1, and half a point more for each further word of a phrase (the more
specific the term, the stronger the evidence); the best-scoring comes first. A
category's ``except`` phrases ("on site" for the "site" of app and website
problems) cancel its terms where they overlap.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from scanner.errors import RuleFileError
from scanner.rules import load_checked, load_rules, rules_path
from scanner.schema import setting
from scanner.text.clean import plain_letters

OTHER = "other"
RULE_FILE = "categories.toml"
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
    # first word -> (category, remaining words, stem) of the phrases that cancel its terms
    exceptions: dict[str, list[tuple[str, tuple[str, ...], bool]]] = field(default_factory=dict)
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

    def add_exception(self, key: str, phrase: str) -> None:
        words = tokens(phrase.rstrip("*"))
        if not words:
            raise ValueError(f"phrase {phrase!r} has no words")
        entry = (key, tuple(words[1:]), phrase.endswith("*"))
        self.exceptions.setdefault(words[0], []).append(entry)

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
    """NFC, styled letters plain (``plain_letters``), casefold, and accents removed
    from Latin letters (only)."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFD", plain_letters(text).casefold())
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


_PER_LANGUAGE = "a table of languages, each a list of terms"


@dataclass(frozen=True)
class Category:
    label: str = setting(nonempty=True)
    terms: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    exceptions: dict[str, list[str]] = setting({}, key="except", help=_PER_LANGUAGE)


@dataclass(frozen=True)
class CategoryRules:
    """``rules/categories.toml``: one ``[categories.<key>]`` table per category."""

    categories: dict[str, Category] = setting(nonempty=True)


def category_rules() -> CategoryRules:
    return load_checked(RULE_FILE, CategoryRules)


def reload_rules() -> None:
    """Read ``categories.toml`` again on next use (after ``SCAN_RULES_DIR`` changes):
    the parsed rule files and the index compiled from them are both cached."""
    load_rules.cache_clear()
    _index.cache_clear()


@cache
def _index() -> _Index:
    index = _Index()
    for key, entry in category_rules().categories.items():
        for part, add in (("terms", index.add), ("except", index.add_exception)):
            per_language = entry.terms if part == "terms" else entry.exceptions
            for lang, words in per_language.items():
                try:
                    for word in words:
                        add(key, word)
                except ValueError as exc:
                    where = f"categories.{key}.{part}.{lang}"
                    raise RuleFileError(rules_path(RULE_FILE), f"{where}: {exc}") from exc
        index.order.append(key)
    return index


def labels() -> dict[str, str]:
    """Category key to label, in display order (no patterns compiled)."""
    table = category_rules().categories
    found = {key: entry.label for key, entry in table.items()}
    other = found.pop(OTHER, "Other")
    return {**found, OTHER: other}


def categorise(text: str) -> list[str]:
    """Category keys whose terms appear in ``text``, best-scoring first; ``["other"]`` if none."""
    found = scores(text)
    return _best_first(found) or [OTHER]


def scores(text: str) -> dict[str, float]:
    """How strongly ``text`` is about each category (see the module docstring).

    "hidden fees ... the fee" (1.5 for the phrase, 1 each for "fees" and "fee")
    outweighs a passing "app" (1); "the app crashes" (app, crash*: 2) outweighs
    "stopped working" (1.5). Terms inside one of the category's ``except``
    phrases do not count.
    """
    index = _index()
    words = tokens(text or "")
    if not words:
        return {}
    memo, phrases = index.memo, index.phrases
    hits: list[tuple[str, int, int]] = []  # (category, first word, words)
    for i, word in enumerate(words):
        found = memo.get(word)
        if found is None:
            found = index.word_hits(word)
        for key in found:
            hits.append((key, i, 1))
        for key, rest, stem in phrases.get(word, ()):
            if _follows(words, i + 1, rest, stem):
                hits.append((key, i, 1 + len(rest)))
    blocked = _excepted(words, index) if index.exceptions else {}
    total: dict[str, float] = {}
    for key, start, length in hits:
        if key == OTHER or any(p in blocked.get(key, ()) for p in range(start, start + length)):
            continue
        total[key] = total.get(key, 0) + 1 + (length - 1) / 2
    return total


def _excepted(words: list[str], index: _Index) -> dict[str, set[int]]:
    """Per category, the word positions covered by one of its ``except`` phrases."""
    blocked: dict[str, set[int]] = {}
    firsts = index.exceptions.keys() & set(words)
    if not firsts:
        return blocked
    for i, word in enumerate(words):
        if word in firsts:
            for key, rest, stem in index.exceptions[word]:
                if _follows(words, i + 1, rest, stem):
                    blocked.setdefault(key, set()).update(range(i, i + 1 + len(rest)))
    return blocked


def _best_first(found: dict[str, float]) -> list[str]:
    order = {key: i for i, key in enumerate(_index().order)}
    keys = [k for k, v in found.items() if v > 0 and k != OTHER]
    return sorted(keys, key=lambda k: (-found[k], order.get(k, len(order))))


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
    """A cluster's categories from its members' lists: the most frequent first.

    "other" only when no member has a real category.
    """
    counts: Counter[str] = Counter()
    for cats in member_categories:
        counts.update(set(cats))
    return _best_first(dict(counts))[:limit] or [OTHER]


def ranked(texts: Iterable[str], *, limit: int = 3) -> list[str]:
    """A grievance's categories from its posts' texts, the best-scoring over all first."""
    total: dict[str, float] = {}
    for text in texts:
        for key, score in scores(text).items():
            total[key] = total.get(key, 0) + score
    return _best_first(total)[:limit] or [OTHER]
