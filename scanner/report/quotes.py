"""Where a post says it: an issue's example quoted from the words that put it there.

A report shows two or three posts per issue, each cut to a line. Quoted from its
start, a long review that names the issue in its fifth sentence (or only in its
title: "Sucks, says to take a break" over a text of "M") shows nothing of why it
is in the issue. :func:`quote` starts a few words before the issue's phrase,
within its sentence, with "…" where it skips, and puts the title in front.

The phrase is found as discovery reads it: words folded and stemmed, synonyms as
one word, ``[compounds]`` joined ("not working" is the bug word), stop words
left out, so "adverts" is found for "ads" and "Werbung" too. Where none of its
words can be found (a phrase of another script), the post is quoted from its
start, as before.
"""

from __future__ import annotations

import re

from scanner.issues.tokens import RAW_WORD, SENTENCE, fold, stem, words
from scanner.issues.wordlists import MAX_COMPOUND, word_lists
from scanner.text.clean import REPLY_PREFIX

LEAD_WORDS = 5  # words kept before the phrase, within its sentence
LEAD_CHARS = 30  # ... and no more characters than this (long words, links)
# A phrase that ends this near the start is quoted from it: at 80 columns a text
# view has some 50 cells for a quote.
EARLY = 40
TITLE_MARK = " — "
_BREAK = re.compile(rf"{SENTENCE.pattern}|{TITLE_MARK}")
_SEPARATE = re.compile(rf"{SENTENCE.pattern}|[,\u060c\u3001\uff0c]")  # no compound across


def quote(title: str | None, text: str, phrase: str | None) -> str:
    """One line of the title and text of a post, from a little before ``phrase``."""
    if not title or title.startswith(REPLY_PREFIX) or not any(c.isalnum() for c in title):
        title = ""  # a reply's title is its thread's; "." says nothing
    title = title.strip()
    whole = f"{title}{TITLE_MARK}{text}" if title else text
    start = _lead_in(whole, phrase) if phrase else 0
    shown = " ".join(whole[start:].split())
    return f"… {shown}" if start else shown


def _lead_in(whole: str, phrase: str) -> int:
    """Where to start quoting ``whole`` so that ``phrase`` shows: 0 when it is early."""
    lists = word_lists()
    said = words(phrase)
    content = [w for w in said if w not in lists.stop] or said
    wanted = {lists.synonyms.get(s, s) for s in map(stem, content)}
    written = {stem(w) for w in content}
    tokens = list(RAW_WORD.finditer(whole))
    folded = [fold(t.group()) for t in tokens]
    stems = [stem(w) for w in folded]
    found = [lists.synonyms.get(s, s) for s in stems]
    apart = [
        i > 0 and bool(_SEPARATE.search(whole, tokens[i - 1].end(), t.start()))
        for i, t in enumerate(tokens)
    ]
    _join_compounds(folded, stems, found, apart)
    hits = [i for i, w in enumerate(found) if w in wanted]
    if not hits:
        return 0
    reach = len(said) + 3

    def rank(i: int) -> tuple[int, bool, int]:
        # most of the phrase's words near token i; then the word as the phrase
        # writes it ("subscription" before its synonym "coins"); then the earliest
        return len(wanted.intersection(found[i : i + reach])), stems[i] in written, -i

    best = max(hits, key=rank)
    at = tokens[best].start()
    if tokens[best].end() <= EARLY:
        return 0
    first = best
    while first > 0 and best - first < LEAD_WORDS and at - tokens[first - 1].start() <= LEAD_CHARS:
        # within the phrase's sentence, unless it opens it: "… deleting." says nothing
        if first < best and _BREAK.search(whole, tokens[first - 1].end(), tokens[first].start()):
            break
        first -= 1
    if first > 0 and whole[tokens[first].start() - 1] in "'’":  # "can't", not "t talk"
        first -= 1
    return tokens[first].start() if first else 0


def _join_compounds(
    folded: list[str], stems: list[str], found: list[str], apart: list[bool]
) -> None:
    """``[compounds]`` as discovery joins them, in place, never across a sentence end
    or a comma: "not working" is the bug word at its first token ("" after it), so
    a phrase "crashes" finds it."""
    lists = word_lists()
    i = 0
    while i < len(folded):
        for size in range(MAX_COMPOUND, 1, -1):
            if i + size > len(folded) or any(apart[i + 1 : i + size]):
                continue
            joined = lists.compounds.get((stems[i], *folded[i + 1 : i + size]))
            if joined:
                found[i : i + size] = [lists.synonyms.get(joined, joined)] + [""] * (size - 1)
                stems[i : i + size] = [joined] + [""] * (size - 1)
                i += size - 1
                break
        i += 1
