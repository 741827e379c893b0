"""Where a post says it: an issue's example quoted from the words that put it there.

A report shows two or three posts per issue, each cut to a line. Quoted from its
start, a long review that names the issue in its fifth sentence (or only in its
title: "Sucks, says to take a break" over a text of "M") shows nothing of why it
is in the issue. :func:`quote` starts a few words before the issue's phrase,
within its sentence, with "…" where it skips, and puts the title in front.

The phrase is found where discovery found it (``scanner.issues.names.locate``):
words stemmed, synonyms as one word, ``[compounds]`` joined ("not working" is
the bug word), stop words left out, and never in an aside ("I didn't mind the
ads, but…" is not where a post complains of ads). Where it cannot be found whole,
the quote starts at one of its words; where none can be found (a phrase of
another script), at the start of the post.
"""

from __future__ import annotations

import re
from functools import cache

from scanner.issues.lexicon import Lexicon, phrase_key
from scanner.issues.names import MARKS, occurrences
from scanner.issues.store import own_words
from scanner.issues.tokens import RAW_WORD, SENTENCE, fold, stem, words
from scanner.report.model import TITLE_MARK, shown_title

LEAD_WORDS = 5  # words kept before the phrase, within its sentence
LEAD_CHARS = 30  # ... and no more characters than this (long words, links)
# A phrase that ends this near the start is quoted from it: at 80 columns a text
# view has some 50 cells for a quote.
EARLY = 40
_BOUND = re.compile(rf"\s|{SENTENCE.pattern}")  # where a reader's word begins, at the latest


def _in_number(said: str, at: int) -> bool:
    """Whether the mark at ``at`` is inside a number ("$3.50", "10:30"), where
    neither a sentence nor a word ends: quoted from there, "… 50 on a transfer"
    reads as fifty."""
    return (
        0 < at < len(said) - 1
        and said[at] in ".:,"
        and said[at - 1].isdigit()
        and said[at + 1].isdigit()
    )


def _ends_sentence(said: str, start: int, end: int) -> bool:
    """Whether a sentence ends between ``start`` and ``end`` of ``said``."""
    return any(
        not (len(m.group()) == 1 and _in_number(said, m.start()))
        for m in SENTENCE.finditer(said, start, end)
    )


def quote(
    title: str | None,
    text: str,
    phrase: str | None,
    *,
    lexicon: Lexicon | None = None,
    language: str | None = None,
) -> str:
    """One line of the title and text of a post, from a little before ``phrase``.
    ``lexicon`` is the company's (its names break phrases, as in discovery)."""
    title = shown_title(title, text)
    said = own_words(title, text)  # read as discovery read it: the title a sentence
    start = _lead_in(said, phrase, lexicon or _plain(), language) if phrase else 0
    if title and start <= len(title):
        shown = f"{said[start : len(title)]}{TITLE_MARK}{text}"
    else:
        shown = said[start:]
    shown = " ".join(shown.split())
    return f"… {shown}" if start else shown


@cache
def _plain() -> Lexicon:
    return Lexicon()


def _lead_in(said: str, phrase: str, lexicon: Lexicon, language: str | None) -> int:
    """Where to start quoting ``said`` so that ``phrase`` shows: 0 when it is early."""
    key = phrase_key(phrase, lexicon)
    tokens, numbers = lexicon.numbered(said, language)
    word_at = [i for i, t in enumerate(tokens) if t not in MARKS]  # token index of each word
    spans = [m for m in RAW_WORD.finditer(said) if fold(m.group())]
    if not key or len(spans) != len(word_at):
        return 0  # nothing to find, or words that cannot be told apart here
    written = {stem(w) for w in words(phrase)}
    places = list(occurrences(tokens, numbers, key, lexicon.stems))
    if not places:  # not whole: one of its words, outside any aside
        wanted = set(key)
        places = [
            (i, i, False) for i, n in enumerate(numbers) if n >= 0 and lexicon.stems[n] in wanted
        ]
    if not places:
        return 0

    def rank(place: tuple[int, int, bool]) -> tuple[bool, bool, int]:
        # the words as the phrase writes them ("subscription", not its synonym
        # "greedy"); then a plain phrase over a compound; then the earliest
        start, end, joined = place
        return not written.isdisjoint(map(stem, tokens[start : end + 1])), not joined, -start

    at = max(places, key=rank)
    best = word_at.index(at[0])
    if spans[best].end() <= EARLY:
        return 0
    begin = spans[best].start()
    first = best
    while (
        first > 0 and best - first < LEAD_WORDS and begin - spans[first - 1].start() <= LEAD_CHARS
    ):
        # within the phrase's sentence, unless it opens it: "… deleting." says nothing
        if first < best and _ends_sentence(said, spans[first - 1].end(), spans[first].start()):
            break
        first -= 1
    if not first:
        return 0
    # A quote starts where a reader's word does: "can't", not "t talk"; "rock-n'roll",
    # not "roll" (unless that word is long: a link holding the phrase).
    start = spans[first].start()
    word = start
    while (
        word > 0
        and (not _BOUND.match(said, word - 1) or _in_number(said, word - 1))
        and start - word < LEAD_CHARS
    ):
        word -= 1
    return word if word == 0 or said[word - 1].isspace() else start
