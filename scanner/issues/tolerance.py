"""What people put up with: a clause that tolerates something names no grievance.

Real reviews often say what did *not* bother them on the way to what did: "I
didn't mind the ads, but now I have to pay to chat", "the ads were fine, the
message limit is not". Read whole, such a review joins the ads issue; on one
app, half the reviews that mention ads said they had not minded them. So each
clause holding a phrase of ``[tolerance]`` (``rules/phrases.toml``) is left
out of the phrases, as a break: clauses end at sentence ends, commas, "and",
"until" and the contrast words ("but", "pero"), so "I don't mind the ads and
the limit is awful" keeps "the limit is awful".

This runs on the raw tokens of :meth:`scanner.issues.lexicon.Lexicon.ids_into`
(bytes for ASCII text, str otherwise), before stop words are dropped, because
the phrases are made of them ("was fine", "don't mind"). A text holding none
of the phrases' anchor words costs one set look-up.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from scanner.issues.tokens import COMMA, words

# Words that end a clause besides the contrast words: they join two statements.
JOINS = ("and", "until", "till", "til", "y", "hasta", "и", "пока", "और", "तक")
_ENDS = ("\x01", COMMA.decode())


class Tolerance:
    """The ``[tolerance]`` phrases, indexed by an anchor word each (its last word
    that is not a stop word, "mind" of "don't mind", else its last word, "ok" of
    "was ok"), in str and bytes forms. A phrase should end in a word rarer than
    "it" or "with": a text holding an anchor is read slowly."""

    def __init__(self, phrases: Iterable[str], ends: Iterable[str], stop: frozenset[str]) -> None:
        self._at: dict[str | bytes, list[tuple[tuple, int]]] = {}
        for phrase in phrases:
            for variant in _spellings(phrase):
                plain = [i for i, w in enumerate(variant) if w not in stop]
                self._add(variant, plain[-1] if plain else len(variant) - 1)
        end_words = {ws[0] for e in ends if len(ws := words(e)) == 1}
        self._ends: frozenset[str | bytes] = frozenset(
            t for w in (*end_words, *JOINS, *_ENDS) for t in _forms(w)
        )
        self.anchors: frozenset[str | bytes] = frozenset(self._at)

    def _add(self, variant: tuple[str, ...], anchor: int) -> None:
        self._at.setdefault(variant[anchor], []).append((variant, anchor))
        if all(w.isascii() for w in variant):
            encoded = tuple(w.encode() for w in variant)
            self._at.setdefault(encoded[anchor], []).append((encoded, anchor))

    def blank(self, tokens: list, out: array, base: int) -> None:
        """Turn each clause of ``tokens`` that holds a phrase into one break (-1)
        and dropped words (-2) in ``out`` (one slot per token from ``base``)."""
        spans = []
        for i, token in enumerate(tokens):
            for phrase, anchor in self._at.get(token, ()):
                start = i - anchor
                end = start + len(phrase)
                if start >= 0 and end <= len(tokens) and tuple(tokens[start:end]) == phrase:
                    spans.append((start, end))
                    break
        ends = self._ends
        for start, end in spans:
            while start > 0 and tokens[start - 1] not in ends:
                start -= 1
            while end < len(tokens) and tokens[end] not in ends:
                end += 1
            out[base + start] = -1
            for k in range(base + start + 1, base + end):
                out[k] = -2


def _spellings(phrase: str) -> set[tuple[str, ...]]:
    """The token sequences a phrase is written as: with its apostrophes as word
    breaks ("don't" -> don, t, as the tokenisers split it) or left out ("dont")."""
    out = set()
    for text in (phrase, phrase.replace("'", "").replace("\u2019", "")):
        tokens = tuple(words(text))
        if tokens:
            out.add(tokens)
    return out


def _forms(word: str) -> tuple[str | bytes, ...]:
    return (word, word.encode()) if word.isascii() else (word,)
