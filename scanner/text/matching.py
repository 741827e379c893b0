"""Does a text mention a company (or a phrase) as a word? Case- and script-aware.

Python's ``\\b`` is wrong for Indic scripts: vowel signs and viramas are not
``\\w``, so ``\\bजिय\\b`` would match inside "जियो". Here a boundary is "no
letter, digit or combining mark on that side", and both sides are compared
casefolded and NFC-composed, so "ACME", "Acme" and "acme" match alike while
"acmecorp" and "subacme" do not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scanner.config import Company
from scanner.text.clean import plain_letters


def fold(text: str) -> str:
    """The comparable form of a text: NFC, styled letters plain ("𝘈𝘤𝘮𝘦" is "Acme":
    ``plain_letters``), casefolded."""
    return unicodedata.normalize("NFC", plain_letters(text)).casefold()


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char) in _MARKS


_MARKS = frozenset({"Mn", "Mc", "Me"})


class PhraseFinder:
    """Finds phrases as whole words; ``str.find`` first, so a miss costs almost nothing.

    Much faster than one big regex with look-arounds (measured 36 µs against a few
    µs per 300-character post), which matters on the crawl thread.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = sorted(
            {" ".join(fold(p).split()) for p in phrases if p and p.strip()}, key=len, reverse=True
        )

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the phrases occur as words in ``text`` (already folded, spaces single)."""
        found = []
        for phrase in self.phrases:
            start = text.find(phrase)
            while start != -1:
                end = start + len(phrase)
                if (start == 0 or not _is_word_char(text[start - 1])) and (
                    end == len(text) or not _is_word_char(text[end])
                ):
                    found.append((start, end))
                start = text.find(phrase, start + 1)
        return found

    def search(self, text: str) -> bool:
        return bool(self.spans(text))


@dataclass
class _Target:
    name: str
    names: PhraseFinder
    exclude: PhraseFinder


class CompanyMatcher:
    """Which watched company (main first, then competitors) a text is about."""

    def __init__(self, companies: Sequence[Company]) -> None:
        self.targets = [
            _Target(c.name, PhraseFinder(c.names), PhraseFinder(c.exclude)) for c in companies
        ]

    def match(self, *texts: str | None, only: str | None = None) -> str | None:
        """The first company mentioned in any of ``texts`` (``only``: just that one).

        A mention inside an exclusion phrase ("apple pie" for Apple) does not count;
        another mention elsewhere in the same text still does.
        """
        folded = " ".join(fold(" \n ".join(t for t in texts if t)).split())
        if not folded:
            return None
        for target in self.targets:
            if only and target.name.casefold() != only.casefold():
                continue
            spans = target.names.spans(folded)
            if not spans:
                continue
            if target.exclude:
                excluded = target.exclude.spans(folded)
                spans = [
                    (a, b) for a, b in spans if not any(x <= a and b <= y for x, y in excluded)
                ]
            if spans:
                return target.name
        return None


def _separator_table() -> dict[int, str]:
    """Punctuation, symbols and odd spaces -> a space (combining marks are kept)."""
    table = {}
    for code in range(0x30000):  # the planes in use for text; higher ones stay as they are
        category = unicodedata.category(chr(code))
        if category[0] in "PSZ" or category == "Cc":
            table[code] = " "
    return table


_SEPARATORS = _separator_table()


def words(text: str) -> list[str]:
    """The folded words of a text: split on spaces, punctuation and symbols."""
    return fold(text).translate(_SEPARATORS).split()


class PhraseSet:
    """Whole-word phrase lookup through a set of the text's words: about 5 µs a post.

    Built for many phrases against every post (complaint language), where
    ``PhraseFinder``'s one ``str.find`` per phrase costs 15 µs.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        normalised = {" ".join(words(p)) for p in phrases if p and p.strip()}
        normalised.discard("")
        self.single = frozenset(p for p in normalised if " " not in p)
        self.multi = [(p.split(" ", 1)[0], f" {p} ") for p in normalised if " " in p]

    def search(self, tokens: list[str]) -> bool:
        present = set(tokens)
        if not self.single.isdisjoint(present):
            return True
        joined = None
        for first, padded in self.multi:
            if first in present:
                joined = joined or f" {' '.join(tokens)} "
                if padded in joined:
                    return True
        return False
