"""Asides: what a post says that is not its grievance.

Three kinds, all phrases of ``rules/phrases.toml`` matched on the words as
written (stop words included, apostrophes optional):

- ``[tolerance]``: what the person put up with. Real reviews often say what did
  *not* bother them on the way to what did: "I didn't mind the ads, but now I
  have to pay to chat". Read whole, such a review joins the ads issue; on one
  app, half the reviews that mention ads said they had not minded them. The
  whole *clause* holding the phrase is left out: clauses end at sentence ends,
  commas, the one-word ``[contrast]`` entries ("but", "pero") and the words of
  ``[clause_ends]`` ("and", "before", "now"), so "I don't mind the ads and
  the limit is awful" keeps "the limit is awful". A tolerated clause that opens
  with a word of ``[tolerance_back]`` ("they", "those") is about the clause
  before it in its sentence, which is left out too: "there are a lot of ads but
  they don't bother me". What a person praises ("the memory is great") is left
  out the same way, but never points back: "it was great" is the app.
- ``[not_issues]``: what the person did or advises ("I deleted it", "don't
  download"). Only the phrase is left out: "I deleted it because of the ads"
  is still about the ads.
- ``[concessions]``: what the person concedes ("despite the ads, I loved it").
  The phrase and at most four words after it, within its clause, are left
  out: "I still get ads even though I paid" is still about the ads.

Each becomes one break (no phrase joins the words on its two sides). This
runs on the raw tokens of :meth:`scanner.issues.lexicon.Lexicon.ids_into`
(bytes for ASCII text, str otherwise) before stop words are dropped, because
the phrases are made of them. Each phrase is indexed by an anchor word (its
longest word that is not a stop word, else its last): a text holding none
costs one set look-up. A tolerating phrase right after a word of ``[negators]``
("not fine with", "barely tolerable") is a complaint and stays.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from scanner.issues.tokens import BREAK, COMMA, words

_ENDS = (BREAK.decode(), COMMA.decode())
SENTENCE_ENDS = frozenset((BREAK, BREAK.decode()))  # a sentence end, in bytes or str tokens
# What each kind of aside leaves out: its whole clause, the phrase alone, or the
# phrase and what follows it in the clause, at most CONCEDED words ("despite the
# ads, I loved it"; "despite paying for premium | I still get ads").
CLAUSE, PRAISE, PHRASE, AFTER = "clause", "praise", "phrase", "after"
CONCEDED = 4
BACK_GAP = 2  # words between a pointing-back word and its tolerated phrase


class Asides:
    """The phrases of every kind, indexed by their anchor words in str and bytes
    forms. An anchor should be rarer than "it" or "app": a text holding one is
    read slowly."""

    def __init__(
        self,
        tolerated: Iterable[str],
        praised: Iterable[str],
        done: Iterable[str],
        conceded: Iterable[str],
        ends: Iterable[str],
        negators: Iterable[str],
        back: Iterable[str],
        stop: frozenset[str],
    ) -> None:
        self._at: dict[str | bytes, list[tuple[tuple, int, str]]] = {}
        kinds = ((tolerated, CLAUSE), (praised, PRAISE), (done, PHRASE), (conceded, AFTER))
        for phrases, kind in kinds:
            for phrase in phrases:
                for variant in _spellings(phrase):
                    self._add(variant, _anchor(variant, stop), kind)
        end_words = {ws[0] for e in ends if len(ws := words(e)) == 1}
        self._ends: frozenset[str | bytes] = frozenset(
            t for w in (*end_words, *_ENDS) for t in _forms(w)
        )
        self._negators: frozenset[str | bytes] = frozenset(
            t for e in negators for w in words(e) for t in _forms(w)
        )
        self._back: frozenset[str | bytes] = frozenset(
            t for e in back for w in words(e) for t in _forms(w)
        )
        self.anchors: frozenset[str | bytes] = frozenset(self._at)

    def _add(self, variant: tuple[str, ...], anchor: int, kind: str) -> None:
        self._at.setdefault(variant[anchor], []).append((variant, anchor, kind))
        if all(w.isascii() for w in variant):
            encoded = tuple(w.encode() for w in variant)
            self._at.setdefault(encoded[anchor], []).append((encoded, anchor, kind))

    def spans(self, tokens: list) -> list[tuple[int, int]]:
        """Where the asides of ``tokens`` stand, as (start, end) token ranges: the
        clause of a tolerating phrase, the phrase of a deed, a concession and what
        it concedes."""
        found = []
        for i, token in enumerate(tokens):
            for phrase, anchor, kind in self._at.get(token, ()):
                start = i - anchor
                end = start + len(phrase)
                if start >= 0 and end <= len(tokens) and tuple(tokens[start:end]) == phrase:
                    if kind in (CLAUSE, PRAISE) and not self._negators.isdisjoint(
                        tokens[max(0, start - 2) : start]
                    ):
                        continue  # "not bearable": the opposite of putting up with it
                    found.append((start, end, kind))
                    break
        ends = self._ends
        out = []
        for start, end, kind in found:
            phrase_start = start
            clause = kind in (CLAUSE, PRAISE)
            while clause and start > 0 and tokens[start - 1] not in ends:
                start -= 1
            if kind == CLAUSE and self._points_back(tokens, start, phrase_start):
                start -= 1  # the comma or "but" before it, then the clause it points at
                while start > 0 and tokens[start - 1] not in ends:
                    start -= 1
            limit = len(tokens) if clause else min(len(tokens), end + CONCEDED)
            while kind != PHRASE and end < limit and tokens[end] not in ends:
                end += 1
            out.append((start, end))
        return out

    def _points_back(self, tokens: list, start: int, phrase_start: int) -> bool:
        """Whether the tolerated clause from ``start`` opens with a word that points
        at a clause before it in its sentence ("they", "those"), at most
        ``BACK_GAP`` words before its phrase ("they honestly don't bother me")."""
        return (
            start > 1
            and tokens[start - 1] not in SENTENCE_ENDS
            and tokens[start] in self._back
            and phrase_start - start <= BACK_GAP
        )


def blank(spans: Iterable[tuple[int, int]], out: array, base: int) -> None:
    """Turn each aside (:meth:`Asides.spans`) into one break (-1) and dropped words
    (-2) in ``out``, which holds one slot per token from ``base``."""
    for start, end in spans:
        out[base + start] = -1
        for k in range(base + start + 1, base + end):
            out[k] = -2


def _anchor(variant: tuple[str, ...], stop: frozenset[str]) -> int:
    """Where a phrase is looked up: its longest word that is not a stop word ("mind"
    of "don't mind", "против" of "не против"), else its last ("understand")."""
    plain = [i for i, w in enumerate(variant) if w not in stop]
    if not plain:
        return len(variant) - 1
    return max(plain, key=lambda i: (len(variant[i]), -i))


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
