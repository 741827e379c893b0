"""``rules/phrases.toml``, read once: the word lists that decide what a phrase is.

:class:`PhraseLists` is the file as written (checked key by key, ``scanner.schema``);
:func:`word_lists` is what the lexicon reads: stop, sentiment, generic and vague
stems, synonyms as one stem, compounds, leaning words, the contrast words that
break phrases and the asides (``scanner.issues.asides``). Cached: a rule file
changes between runs, never within one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from scanner.issues.asides import Asides
from scanner.issues.tokens import stem, words
from scanner.rules import load_checked
from scanner.schema import setting

# stopwords-iso's English list (1,300 words) holds "free", "order" and "ad": ours is curated.
_OWN_LISTS = frozenset({"en"})
MAX_COMPOUND = 4  # words in a [compounds] key: "waste of my money"

_PER_LANGUAGE = "a table of languages, each a list of words"


def _to_one_word(low: int, high: int) -> Callable[[dict[str, str]], str | None]:
    """The check of a word table: each key ``low`` to ``high`` words, each value one."""
    keys = "one word" if high == 1 else f"{low} to {high} words"

    def problem(table: dict[str, str]) -> str | None:
        for written, meant in table.items():
            if not low <= len(words(written)) <= high or len(words(meant)) != 1:
                return f"must map {keys} to one word, got {written!r} = {meant!r}"
        return None

    return problem


def _variants_of(high: int) -> Callable[[dict[str, list[str]]], str | None]:
    """The check of ``[synonyms]``: each variant one to ``high`` words (a longer
    one could never be read as a whole)."""

    def problem(table: dict[str, list[str]]) -> str | None:
        for key, variants in table.items():
            for variant in variants:
                if not 1 <= len(words(variant)) <= high:
                    return f"{key}: each word must be 1 to {high} words, got {variant!r}"
        return None

    return problem


@dataclass(frozen=True)
class PhraseLists:
    """``rules/phrases.toml`` as written; each field is a table of it (``scanner.schema``)."""

    stopwords: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    content_words: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    sentiment: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    generic: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    vague: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    praise: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    negation: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    contrast: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    not_issues: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    tolerance: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    tolerance_back: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    praise_openers: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    praise_degrees: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    concessions: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    clause_ends: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    negators: dict[str, list[str]] = setting({}, help=_PER_LANGUAGE)
    # a word, then the words of any language that mean the same
    synonyms: dict[str, list[str]] = setting(
        {}, check=_variants_of(MAX_COMPOUND), help="a table of words, each a list of words"
    )
    # a theme, then generic words that join it where a company uses them with it
    leans: dict[str, list[str]] = setting({}, help="a table of words, each a list of words")
    # "log in" = "login": two words read as one
    compounds: dict[str, str] = setting(
        {}, check=_to_one_word(2, MAX_COMPOUND), help="a table of two to four words, each a word"
    )
    # "adds" = "ads": a word as people write it, read as the word they mean
    respellings: dict[str, str] = setting(
        {}, check=_to_one_word(1, 1), help="a table of words, each a word"
    )

    def every(self, section: str) -> list[str]:
        """The words of a per-language table, every language together."""
        table: dict[str, list[str]] = getattr(self, section)
        return [word for words in table.values() for word in words]

    def praised(self) -> list[str]:
        """The praising clauses of every language: a ``[praise_openers]`` word, at
        most one ``[praise_degrees]`` word, then a one-word ``[praise]`` entry ("is
        the best", "are really good", "I really love")."""
        out = []
        for language, openers in self.praise_openers.items():
            degrees = ["", *self.praise_degrees.get(language, [])]
            praised = [w for w in self.praise.get(language, []) if len(words(w)) == 1]
            out += [
                " ".join(filter(None, (o, d, p))) for o in openers for d in degrees for p in praised
            ]
        return out

    def aside_tables(
        self,
    ) -> tuple[list[str], list[str], list[str], list[str], list[str], list[str], list[str]]:
        """What :class:`~scanner.issues.asides.Asides` is built of, in its order: the
        tolerated clauses (``[tolerance]``), the praising ones, the deeds, the
        concessions, the clause ends (one-word ``[contrast]`` entries among them),
        the negators and the words with which a tolerated clause points back at the
        one before (``[tolerance_back]``)."""
        return (
            self.every("tolerance"),
            self.praised(),
            self.every("not_issues"),
            self.every("concessions"),
            [*self.every("contrast"), *self.every("clause_ends")],
            self.every("negators"),
            self.every("tolerance_back"),
        )


def phrase_lists() -> PhraseLists:
    return load_checked("phrases.toml", PhraseLists)


@dataclass(frozen=True)
class WordLists:
    stop: frozenset[str]
    stop_stems: frozenset[str]
    sentiment: frozenset[str]
    generic: frozenset[str]
    vague: frozenset[str]
    synonyms: dict[str, str]
    compounds: dict[tuple[str, ...], str]  # (stem of the first word, other words) -> stem
    respellings: dict[str, str]  # a word as written -> the word meant
    leans: dict[str, str]  # stem of a generic word -> the stem of the theme it leans to
    contrast: frozenset[str]  # one-word [contrast] entries: no phrase runs across "but"
    asides: Asides


@cache
def word_lists() -> WordLists:
    rules = phrase_lists()
    stop = frozenset(w for entry in rules.every("stopwords") for w in words(entry))
    # "making" and "tries" are stop words when "make" and "tried" are: compared by stem,
    # for words of four letters or more (shorter stems collide: "us", "use").
    stop_stems = frozenset(stem(w) for w in stop if len(w) >= 4)
    sentiment = frozenset(stem(w) for entry in rules.every("sentiment") for w in words(entry))
    sentiment |= frozenset(stem(w) for entry in rules.every("praise") for w in words(entry))
    generic = frozenset(stem(w) for entry in rules.every("generic") for w in words(entry))
    vague = frozenset(stem(w) for entry in rules.every("vague") for w in words(entry))
    synonyms: dict[str, str] = {}
    compounds = {}
    for pair, joined in rules.compounds.items():
        parts = words(pair)
        compounds[(stem(parts[0]), *parts[1:])] = stem(words(joined)[0])
    for canonical, variants in rules.synonyms.items():
        target = stem(words(canonical)[0])
        for variant in variants:
            parts = words(variant)
            if len(parts) == 1:
                synonyms.setdefault(stem(parts[0]), target)
            else:  # "se cierra" is a crash as a whole; "cierra" alone closes anything
                compounds.setdefault((stem(parts[0]), *parts[1:]), target)
    leans = {
        stem(word): synonyms.get(stem(target), stem(target))
        for target, variants in rules.leans.items()
        for variant in variants
        for word in words(variant)
    }
    asides = Asides(*rules.aside_tables(), stop)
    contrast = frozenset(ws[0] for e in rules.every("contrast") if len(ws := words(e)) == 1)
    respellings = {words(k)[0]: words(v)[0] for k, v in rules.respellings.items()}
    return WordLists(
        stop,
        stop_stems,
        sentiment,
        generic,
        vague,
        synonyms,
        compounds,
        respellings,
        leans,
        contrast,
        asides,
    )


def vague_fingerprint() -> str:
    """Changes whenever a word list that ``Lexicon.names_nothing`` reads changes."""
    lists = word_lists()
    words = [sorted(x) for x in (lists.stop, lists.sentiment, lists.vague)]
    rules = phrase_lists()
    asides = sorted(w for table in rules.aside_tables() for w in table)
    text = repr(
        [
            words,
            sorted(lists.synonyms.items()),
            sorted(lists.compounds.items()),
            sorted(lists.respellings.items()),
            asides,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def language_stopwords(language: str | None) -> frozenset[str]:
    """stopwords-iso's list for an ISO 639-1 code (empty for English or unknown),
    less the language's ``[content_words]``."""
    if not language or language in _OWN_LISTS:
        return frozenset()
    import stopwordsiso

    if not stopwordsiso.has_lang(language):
        return frozenset()
    kept = {w for entry in phrase_lists().content_words.get(language, []) for w in words(entry)}
    listed = {w for entry in stopwordsiso.stopwords(language) for w in words(entry)}
    return frozenset(listed - kept)
