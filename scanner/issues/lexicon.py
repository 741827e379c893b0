"""Which words may take part in an issue phrase, and the phrase form of a text.

A text becomes a *content sequence*: the stems of its words with stop words
and bare sentiment words left out (so "verify my age", "stupid age
verification" and "age verification" all read ``age verif``), and a break
(``None``) wherever a sentence ends or a company or competitor name stands, so
that no phrase spans either. Phrases are then windows of 1-3 neighbouring
stems, taken as sorted tuples: word order does not make a new phrase.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from scanner.issues.tokens import ascii_words, segments, stem, words
from scanner.rules import load_rules

Key = tuple[str, ...]
Sequence_ = tuple[str | None, ...]
_DROP, _BREAK = "", None


@cache
def _compounds() -> dict[tuple[str, str], str]:
    """``(stem of first word, second word) -> stem of the one-word form``."""
    out = {}
    for pair, joined in load_rules("phrases.toml").get("compounds", {}).items():
        parts = words(str(pair))
        if len(parts) == 2 and isinstance(joined, str) and joined.strip():
            out[stem(parts[0]), parts[1]] = stem(words(joined)[0])
    return out


@cache
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    rules = load_rules("phrases.toml")

    def every(section: str) -> list[str]:
        table = rules.get(section, {})
        return [w for lang in table.values() if isinstance(lang, list) for w in lang]

    stop = frozenset(w for entry in every("stopwords") for w in words(str(entry)))
    sentiment = frozenset(stem(w) for entry in every("sentiment") for w in words(str(entry)))
    generic = frozenset(stem(w) for entry in every("generic") for w in words(str(entry)))
    return stop, sentiment, generic


@dataclass
class Lexicon:
    """Stop, sentiment and generic words from ``rules/phrases.toml``, plus the
    words of the names that must never become an issue (the company's own,
    its aliases, its competitors')."""

    names: Iterable[str] = ()
    stop: frozenset[str] = field(init=False)
    sentiment: frozenset[str] = field(init=False)
    generic: frozenset[str] = field(init=False)
    blocked: frozenset[str] = field(init=False)
    _cache: dict[str, str | None] = field(init=False, default_factory=dict, repr=False)
    _compounds: dict[tuple[str, str], str] = field(init=False, repr=False)
    _stems: dict[str, str] = field(init=False, default_factory=dict, repr=False)
    # Every stem seen, numbered, for the vectorised counting (scanner.issues.counting).
    vocab: dict[str, int] = field(init=False, default_factory=dict, repr=False)
    stems: list[str] = field(init=False, default_factory=list, repr=False)
    _str: dict[str, int] = field(init=False, default_factory=dict, repr=False)
    _bytes: dict[bytes, int] = field(init=False, default_factory=dict, repr=False)
    _seconds: frozenset[str] = field(init=False, repr=False)
    _seconds_b: frozenset[bytes] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.names = tuple(self.names)
        self.stop, self.sentiment, self.generic = _lists()
        self._compounds = _compounds()
        self._seconds = frozenset(second for _, second in self._compounds)
        self._seconds_b = frozenset(w.encode() for w in self._seconds if w.isascii())
        blocked = set()
        for name in self.names:
            # A name's distinctive words: "Acme Bank" blocks "acme", not the generic "bank".
            for word in words(name):
                if word not in self.stop and stem(word) not in self.generic:
                    blocked.add(stem(word))
        self.blocked = frozenset(blocked)

    def classify(self, word: str) -> str | None:
        """The stem a word contributes, ``""`` when it is left out, ``None`` for a break."""
        found = self._cache.get(word, 0)
        if found != 0:
            return found  # type: ignore[return-value]
        if word in self.stop or len(word) < 2 or word.isdigit():
            result: str | None = _DROP
        else:
            result = stem(word)
            if result in self.blocked:
                result = _BREAK
            elif result in self.sentiment:
                result = _DROP
        if len(self._cache) < 2_000_000:
            self._cache[word] = result
        return result

    def _stem(self, word: str) -> str:
        found = self._stems.get(word)
        if found is None:
            found = self._stems[word] = stem(word)
        return found

    def _number(self, word: str) -> int:
        """A word's stem number; -2 when it is left out, -1 for a break."""
        if word == "\x01":
            return -1
        stemmed = self.classify(word)
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

    def _tokens(self, text: str) -> tuple[list, dict, frozenset]:
        """The tokens of a text (bytes when ASCII, else str; ``\x01`` at sentence
        ends), with the number cache and compound second words of their kind."""
        if text.isascii():
            return ascii_words(text), self._bytes, self._seconds_b
        tokens = [w for seg in segments(text) for w in (*seg, "\x01")]
        return tokens, self._str, self._seconds

    def ids(self, text: str) -> list[int]:
        """The content sequence of a text as stem numbers, -1 for a break."""
        out = array("i")
        self.ids_into(text, out)
        return [n for n in out if n != -2]

    def ids_into(self, text: str, out: array) -> None:
        """Append one number per token of ``text`` to ``out``: its stem number, -1
        for a break, -2 for a word left out (the caller drops those). One dict
        look-up per token in C (``map``): this is most of the cost of discovery."""
        tokens, cache, seconds = self._tokens(text)
        base = len(out)
        try:
            out.extend(map(cache.__getitem__, tokens))
        except KeyError:
            del out[base:]
            for t in tokens:
                if t not in cache:
                    cache[t] = self._number(t.decode() if isinstance(t, bytes) else t)
            out.extend(map(cache.__getitem__, tokens))
        if seconds.isdisjoint(tokens):
            return
        # Compounds ("log in" -> "login"), left to right: a word joined to the one
        # before it cannot start another.
        taken = -2
        for i in [i for i, t in enumerate(tokens) if i and t in seconds]:
            if i - 1 == taken + 1:
                continue
            word, following = tokens[i - 1], tokens[i]
            if isinstance(word, bytes):
                word, following = word.decode(), following.decode()
            joined = self._compounds.get((self._stem(word), following))
            if joined:
                out[base + i - 1], out[base + i], taken = self._number(joined), -2, i - 1

    def sequence(self, text: str) -> Sequence_:
        """The content sequence of a text (see the module docstring)."""
        out: list[str | None] = []
        for number in self.ids(text):
            if number >= 0:
                out.append(self.stems[number])
            elif out and out[-1] is not None:
                out.append(_BREAK)
        if out and out[-1] is None:
            out.pop()
        return tuple(out)

    def is_generic(self, key: Key) -> bool:
        """A phrase made only of generic words ("app", "customer service") is never an issue."""
        return all(part in self.generic for part in key)


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
            out.add(tuple(sorted(window)) if n > 1 else window)  # type: ignore[arg-type]
    return out


def phrase_key(text: str, lexicon: Lexicon) -> Key:
    """The key of a phrase written by a person (a pinned phrase, a CLI argument)."""
    return tuple(sorted(s for s in lexicon.sequence(text) if s))


def key_text(key: Key) -> str:
    """The canonical text of a key: what ``issues.key`` stores and ids hang on."""
    return " ".join(key)
