"""A cheap guess of a post's language, for the languages scan is tuned for.

py3langid costs about 50 µs per 300-character post (and 0.7 s to load its model)
on our 2-core machine, more than the whole per-item budget of the crawl thread
(about 30 µs: measured facts, ../shared/GROUPING-FACTS.md, not shipped). So the
script decides first (Tamil, Telugu), a handful of frequent words separate
English from Spanish and Hindi from Nepali, and py3langid is consulted only
when those say nothing (about 1 post in 10 in our fixtures), on the first 300
characters.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Split on what is not a letter, digit or combining mark (vowel signs stay in words).
_SEPARATORS = re.compile(r"[\s.,;:!?¿¡()\"'।॥“”‘’«»/-]+")
_EN = frozenset(
    [
        "the",
        "and",
        "is",
        "was",
        "it",
        "to",
        "of",
        "my",
        "i",
        "you",
        "not",
        "this",
        "that",
        "for",
        "with",
        "have",
        "they",
        "but",
        "are",
        "be",
        "me",
        "no",
        "at",
        "on",
        "we",
        "after",
        "never",
        "been",
        "had",
        "what",
        "from",
        "your",
        "an",
        "or",
    ]
)
_ES = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "que",
        "de",
        "y",
        "es",
        "no",
        "un",
        "una",
        "por",
        "para",
        "con",
        "mi",
        "pero",
        "se",
        "lo",
        "me",
        "muy",
        "su",
        "al",
        "del",
        "fue",
        "han",
        "ha",
        "sin",
        "nunca",
        "más",
        "esta",
        "este",
    ]
)
_HI = frozenset(
    [
        "है",
        "हैं",
        "का",
        "की",
        "के",
        "नहीं",
        "मेरा",
        "मेरी",
        "था",
        "थी",
        "और",
        "में",
        "से",
        "ने",
        "हो",
        "गया",
    ]
)
_NE = frozenset(
    [
        "छ",
        "छन्",
        "भयो",
        "गर्न",
        "गरेको",
        "मेरो",
        "हुन्छ",
        "थियो",
        "पनि",
        "मा",
        "लाई",
        "बाट",
        "छैन",
        "गरे",
    ]
)
_SCRIPTS = {  # counted with C-speed regexes: a Python loop over characters costs 25 µs
    "latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "deva": re.compile(r"[\u0900-\u097f]"),
    "ta": re.compile(r"[\u0b80-\u0bff]"),
    "te": re.compile(r"[\u0c00-\u0c7f]"),
}


def script_of(text: str) -> str:
    """``latin``, ``deva``, ``ta``, ``te`` or ``other``, by majority in the first 300 chars."""
    if text.isascii():
        return "latin"
    sample = text[:300]
    counts = {name: len(pattern.findall(sample)) for name, pattern in _SCRIPTS.items()}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else "other"


def guess_language(text: str, tokens: list[str] | None = None) -> str | None:
    """An ISO 639-1 code, or ``None`` for an empty text.

    ``tokens``: ``scanner.text.matching.words(text)`` when the caller has them already.
    """
    if not text or not text.strip():
        return None
    script = script_of(text)
    if script in {"ta", "te"}:
        return script
    sample = text[:300]
    words = tokens[:60] if tokens is not None else _SEPARATORS.split(sample.lower())
    if script == "latin":
        if any(c in sample for c in "ñ¿¡"):
            return "es"
        vote = _vote(words, "en", _EN, "es", _ES)
        # py3langid guesses wildly on a few words ("Refund pending" -> Icelandic).
        return vote or (_langid(sample) if len(words) >= 5 else None)
    if script == "deva":
        return _vote(words, "ne", _NE, "hi", _HI) or _langid(sample, ("hi", "ne", "mr"))
    return _langid(sample)


def _vote(
    words: list[str], a: str, a_words: frozenset[str], b: str, b_words: frozenset[str]
) -> str | None:
    present = set(words)
    score_a = len(a_words & present)
    score_b = len(b_words & present)
    if score_a > score_b and score_a >= 2:
        return a
    if score_b > score_a and score_b >= 2:
        return b
    return None


def _langid(text: str, only: tuple[str, ...] | None = None) -> str | None:
    return str(_identifier(only).classify(text)[0])


@cache
def _identifier(only: tuple[str, ...] | None) -> LanguageIdentifier:
    """A model of its own per language set: ``set_languages`` on the module-wide
    identifier (``py3langid.set_languages``) would change it for every caller.
    Imported here: numpy and the module cost 0.1 s that most commands never need."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    if only:
        identifier.set_languages(list(only))
    return identifier
