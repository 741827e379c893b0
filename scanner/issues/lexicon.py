"""Which words may take part in an issue phrase, and the phrase form of a text.

A text becomes a *content sequence*: the stems of its words with stop words
and bare sentiment words left out (so "verify my age", "stupid age
verification" and "age verification" all read ``age verif``), and a break
(``None``) wherever a sentence ends or a company or competitor name stands, so
that no phrase spans either. Phrases are then windows of 1-3 neighbouring
stems, taken as sorted tuples: word order does not make a new phrase.

Stop words are the lists of ``rules/phrases.toml`` in every text, plus, for a
text whose language is known, that language's list from stopwords-iso (so a
Russian review loses "из" and "за" without a hand-made Russian list; the lists
of other languages never apply, since "ad" is an Italian stop word). Words of
``[synonyms]`` become one stem whatever their language ("реклама" and
"anuncios" read ``ad``). Asides become a break (``scanner.issues.asides``):
what a person put up with ("I didn't mind the ads") and what they did or
advise ("I deleted it", "don't download") say nothing of what is wrong.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scanner.issues.asides import blank
from scanner.issues.tokens import ascii_words, stem, unicode_words, words
from scanner.issues.wordlists import MAX_COMPOUND, WordLists, language_stopwords, word_lists

Key = tuple[str, ...]
Sequence_ = tuple[str | None, ...]
_DROP, _BREAK = "", None
_STRETCHED = re.compile(r"(\w)\1{2,}")  # a letter three times or more: "limittt", "sooo"
MAX_GAP = 3  # left-out words a phrase may span
JOINED = -3  # a word joined into the compound after it: dropped, yet no gap


@dataclass
class Lexicon:
    """Stop, sentiment and generic words from ``rules/phrases.toml``, plus the
    words of the names that must never become an issue (the company's own,
    its aliases, its competitors'), plus ``learnt`` generic stems (the nouns of
    the company's trade, learnt from its posts: ``scanner.issues.praise``)."""

    names: Iterable[str] = ()
    learnt: Iterable[str] = ()
    stop: frozenset[str] = field(init=False)
    sentiment: frozenset[str] = field(init=False)
    generic: frozenset[str] = field(init=False)
    blocked: frozenset[str] = field(init=False)
    _lists: WordLists = field(init=False, repr=False)
    _cache: dict[tuple[str, str | None], str | None] = field(
        init=False, default_factory=dict, repr=False
    )
    _stems: dict[str, str] = field(init=False, default_factory=dict, repr=False)
    # Every stem seen, numbered, for the vectorised counting (scanner.issues.counting).
    vocab: dict[str, int] = field(init=False, default_factory=dict, repr=False)
    stems: list[str] = field(init=False, default_factory=list, repr=False)
    # Token -> number caches, one pair (str, bytes) per language.
    _numbers: dict[str | None, tuple[dict[str, int], dict[bytes, int]]] = field(
        init=False, default_factory=dict, repr=False
    )
    # Tokens stretched for emphasis, seen so far -> as written plainly (str or bytes
    # alike): compounds and asides read "make it freeee" as "make it free".
    _plain: dict[Any, Any] = field(init=False, default_factory=dict, repr=False)
    _compounds: dict[tuple[str, ...], str] = field(init=False, repr=False)
    _seconds: frozenset[str] = field(init=False, repr=False)
    _seconds_b: frozenset[bytes] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.names = tuple(self.names)
        self.learnt = frozenset(self.learnt)
        self._lists = word_lists()
        self.stop, self.sentiment = self._lists.stop, self._lists.sentiment
        self.generic = self._lists.generic | self.learnt
        blocked = set()
        self._compounds = dict(self._lists.compounds)
        for name in self.names:
            # A name's distinctive words: "Acme Bank" blocks "acme", not the generic "bank".
            distinct = [
                stem(w) for w in words(name) if w not in self.stop and stem(w) not in self.generic
            ]
            blocked.update(distinct)
            # The whole name reads as one of them, like a compound: "Orvella Pay froze my
            # account" has no phrase "pay froze".
            parts = words(name)
            if distinct and 2 <= len(parts) <= MAX_COMPOUND:
                self._compounds[(stem(parts[0]), *parts[1:])] = distinct[0]
        self.blocked = frozenset(blocked)
        self._seconds = frozenset(key[-1] for key in self._compounds)
        self._seconds_b = frozenset(w.encode() for w in self._seconds if w.isascii())

    def classify(self, written: str, language: str | None = None) -> str | None:
        """The stem a word contributes, ``""`` when it is left out, ``None`` for a break."""
        found = self._cache.get((written, language), 0)
        if not isinstance(found, int):  # 0: not cached yet (None and "" are answers)
            return found
        word = self._unstretched(written) if _STRETCHED.search(written) else written
        word = self._lists.respellings.get(word, word)  # "adds" is "ads"
        if word in self._lists.contrast:
            result: str | None = _BREAK
        elif (
            word in self.stop
            or len(word) < 2
            or word.isdigit()
            or word in language_stopwords(language)
            or (len(word) >= 4 and self._stem(word) in self._lists.stop_stems)
        ):
            result = _DROP
        else:
            result = self._lists.synonyms.get(self._stem(word), self._stem(word))
            if result in self.blocked:
                result = _BREAK
            elif result in self.sentiment:
                result = _DROP
        if len(self._cache) < 2_000_000:
            self._cache[written, language] = result
        return result

    def _unstretched(self, word: str) -> str:
        """A word stretched for emphasis as written plainly: "limittt" is "limit",
        "adsss" "ads", "freeee" "free", "soooo" "so". No word repeats a letter three
        times, but some hold it twice, so each run of three or more becomes two
        letters where that is a word these lists know ("free", "good"), else one."""
        double, single = _STRETCHED.sub(r"\1\1", word), _STRETCHED.sub(r"\1", word)
        return double if self._known(double) else single

    def _known(self, word: str) -> bool:
        """Whether a word is in the lists: a stop, sentiment, generic or theme word."""
        stemmed = self._stem(word)
        return (
            word in self.stop
            or word in self._lists.respellings
            or stemmed in self._lists.synonyms
            or stemmed in self.sentiment
            or stemmed in self.generic
        )

    def _stem(self, word: str) -> str:
        found = self._stems.get(word)
        if found is None:
            found = self._stems[word] = stem(word)
        return found

    def _number(self, word: str, language: str | None) -> int:
        """A word's stem number; -2 when it is left out, -1 for a break."""
        if word == "\x01":
            return -1
        stemmed = self.classify(word, language)
        if stemmed is None:
            return -1
        if not stemmed:
            return -2
        return self.number_of(stemmed)

    def number_of(self, stemmed: str) -> int:
        """The number of a stem in this lexicon's vocabulary (added when new)."""
        number = self.vocab.get(stemmed)
        if number is None:
            number = self.vocab[stemmed] = len(self.stems)
            self.stems.append(stemmed)
        return number

    def ids(self, text: str, language: str | None = None) -> list[int]:
        """The content sequence of a text as stem numbers, -1 for a break."""
        return [int(n) for n in self._gap_broken(text, language)[1] if n >= -1]

    def numbered(self, text: str, language: str | None = None) -> tuple[list[str], list[int]]:
        """Each token of ``text`` (case-folded, sentence ends and commas as marks) with
        its number as :meth:`ids_into` gives it, long gaps broken as for counting."""
        tokens, numbers = self._gap_broken(text, language)
        return [t.decode() if isinstance(t, bytes) else t for t in tokens], numbers.tolist()

    def _gap_broken(self, text: str, language: str | None) -> tuple[list, np.ndarray]:
        """:meth:`ids_into` of one text, with :func:`break_long_gaps` applied as
        counting applies it to the whole corpus."""
        out = array("i")
        tokens = self.ids_into(text, out, language)
        numbers = np.array(out, dtype=np.int32)
        break_long_gaps(numbers)
        return tokens, numbers

    def ids_into(self, text: str, out: array, language: str | None = None) -> list:
        """Append one number per token of ``text`` to ``out``: its stem number, -1
        for a break, -2 for a word left out, -3 for one joined into the compound
        after it (the caller drops both, after ``break_long_gaps``). One dict
        look-up per token in C (``map``): this is most of the cost of discovery.
        Returns the tokens (bytes for ASCII text, str otherwise)."""
        caches = self._numbers.get(language)
        if caches is None:
            caches = self._numbers[language] = ({}, {})
        if text.isascii():
            tokens: list = ascii_words(text)
            cache: dict = caches[1]
            seconds: frozenset = self._seconds_b
        else:
            tokens = unicode_words(text)
            cache, seconds = caches[0], self._seconds
        base = len(out)
        try:
            out.extend(map(cache.__getitem__, tokens))
        except KeyError:
            del out[base:]
            for t in tokens:
                if t not in cache:
                    word = t.decode() if isinstance(t, bytes) else t
                    cache[t] = self._number(word, language)
                    if _STRETCHED.search(word):
                        plain = self._unstretched(word)
                        self._plain[t] = plain.encode() if isinstance(t, bytes) else plain
            out.extend(map(cache.__getitem__, tokens))
        if self._plain and not self._plain.keys().isdisjoint(tokens):
            tokens = [self._plain.get(t, t) for t in tokens]
        asides = self._lists.asides
        spans = asides.spans(tokens) if not asides.anchors.isdisjoint(tokens) else []
        if not seconds.isdisjoint(tokens):
            self._join_compounds(tokens, out, base, language, spans)
        if spans:
            blank(spans, out, base)
        return tokens

    def _join_compounds(
        self,
        tokens: list,
        out: array,
        base: int,
        language: str | None,
        asides: list[tuple[int, int]],
    ) -> None:
        """Compounds ("log in" -> "login", "waste of money" -> "waste"), left to right
        and longest first: a word already joined into one cannot start another, nor
        can a word of an aside (in "ad-free chats", "ad free" is left out, and
        "free chats" is no message limit)."""
        seconds = self._seconds_b if tokens and isinstance(tokens[0], bytes) else self._seconds
        compounds = self._compounds
        end = -1  # the last token joined into a compound
        for i in [i for i, t in enumerate(tokens) if i and t in seconds]:
            for start in range(i - MAX_COMPOUND + 1, i):
                if start <= end or (asides and any(a <= i and start < b for a, b in asides)):
                    continue
                parts = [t.decode() if isinstance(t, bytes) else t for t in tokens[start : i + 1]]
                joined = compounds.get((self._stem(parts[0]), *parts[1:]))
                if joined:
                    for k in range(start, i):
                        out[base + k] = JOINED
                    out[base + i] = self._number(joined, language)
                    end = i
                    break

    def sequence(self, text: str, language: str | None = None) -> Sequence_:
        """The content sequence of a text (see the module docstring)."""
        out: list[str | None] = []
        for number in self.ids(text, language):
            if number >= 0:
                out.append(self.stems[number])
            elif out and out[-1] is not None:
                out.append(_BREAK)
        if out and out[-1] is None:
            out.pop()
        return tuple(out)

    def names_nothing(self, text: str, language: str | None = None) -> bool:
        """True when a text holds no word beyond stop and sentiment words, the
        company's names and ``[vague]`` words: "bad", "I hate it", "worst app
        ever" say that something is wrong, not what."""
        vague, stems = self._lists.vague, self.stems
        out = array("i")
        self.ids_into(text, out, language)
        return all(n < 0 or stems[n] in vague for n in out)

    @property
    def leans(self) -> dict[str, str]:
        """``[leans]``: generic stems and the theme (a stem) each leans towards."""
        return self._lists.leans

    def learn(self, trade: Iterable[str]) -> None:
        """Add learnt generic stems (the nouns of the company's trade)."""
        self.learnt = frozenset(self.learnt) | frozenset(trade)
        self.generic = self.generic | self.learnt

    def is_generic(self, key: Key) -> bool:
        """A phrase made only of generic words ("app", "customer service") is never an issue."""
        return all(part in self.generic for part in key)


def break_long_gaps(tok: np.ndarray) -> None:
    """Where more than ``MAX_GAP`` left-out words stand between two words, the first
    of them becomes a break: "deleted and I'm not even able to start" holds no
    phrase "deleted start", while "verify my age" is still "age verif"."""
    at = np.flatnonzero(tok != -2)
    if len(at) < 2:
        return
    wide = np.flatnonzero(np.diff(at) - 1 > MAX_GAP)
    tok[at[wide] + 1] = -1


def ngrams(seq: Sequence_, n_max: int, n_min: int = 1) -> set[Key]:
    """Every window of ``n_min``..``n_max`` stems, as a sorted tuple."""
    out: set[Key] = set()
    length = len(seq)
    for i in range(length):
        if seq[i] is None:
            continue
        for n in range(n_min, n_max + 1):
            window = seq[i : i + n]
            if len(window) < n or None in window:
                break
            # No None in window (checked above); a hot loop, so no copy to tell mypy so.
            out.add(tuple(sorted(window)) if n > 1 else window)  # type: ignore[arg-type]
    return out


def phrase_key(text: str, lexicon: Lexicon) -> Key:
    """The key of a phrase written by a person (a pinned phrase, a CLI argument)."""
    return tuple(sorted(s for s in lexicon.sequence(text) if s))


def key_text(key: Key) -> str:
    """The canonical text of a key: what ``issues.key`` stores and ids hang on."""
    return " ".join(key)
