"""Where a post says it: an issue's example quoted from the words that put it there.

A report shows two or three posts per issue, each cut to a line. Quoted from its
start, a long review that names the issue in its fifth sentence (or only in its
title: "Sucks, says to take a break" over a text of "M") shows nothing of why it
is in the issue. :func:`quote` starts a few words before the issue's phrase,
within its sentence, with "…" where it skips, and puts the title in front.

The phrase is found as discovery reads it: words folded and stemmed, synonyms as
one word, stop words left out, so "adverts" is found for "ads" and "Werbung" too.
Where none of its words can be found (a phrase of another script), the post is
quoted from its start, as before.
"""

from __future__ import annotations

import re

from scanner.issues.tokens import SENTENCE, WORD, stem, words
from scanner.issues.wordlists import MAX_COMPOUND, word_lists
from scanner.text.clean import REPLY_PREFIX

LEAD_WORDS = 5  # words kept before the phrase, within its sentence (at least two)
EARLY = 60  # a phrase that ends this near the start (in characters) is quoted from it
TITLE_MARK = " — "
_BREAK = re.compile(rf"{SENTENCE.pattern}|{TITLE_MARK}")


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

    def norm(word: str) -> str:
        stemmed = stem(word)
        return lists.synonyms.get(stemmed, stemmed)

    said = words(phrase)
    content = [w for w in said if w not in lists.stop] or said
    wanted, written = {norm(w) for w in content}, {stem(w) for w in content}
    tokens = list(WORD.finditer(whole))
    folded = [t.group().casefold() for t in tokens]
    stems = [stem(w) for w in folded]
    found = [lists.synonyms.get(s, s) for s in stems]
    _join_compounds(folded, stems, found)
    hits = [i for i, w in enumerate(found) if w in wanted]
    if not hits:
        return 0
    reach = len(said) + 3

    def rank(i: int) -> tuple[int, bool, int]:
        # most of the phrase's words near token i; then the word as the phrase
        # writes it ("subscription" before its synonym "coins"); then the earliest
        return len(wanted.intersection(found[i : i + reach])), stems[i] in written, -i

    best = max(hits, key=rank)
    if tokens[best].end() <= EARLY:
        return 0
    first = best
    while first > 0 and best - first < LEAD_WORDS:
        # within the phrase's sentence, unless it opens it: "… deleting." says nothing
        if best - first >= 2 and _BREAK.search(
            whole, tokens[first - 1].end(), tokens[first].start()
        ):
            break
        first -= 1
    while first > 0 and whole[tokens[first].start() - 1] in "'’":  # not "t talk" of "can't"
        first -= 1
    return tokens[first].start()


def _join_compounds(folded: list[str], stems: list[str], found: list[str]) -> None:
    """``[compounds]`` as discovery joins them, in place: "not working" is the bug
    word at its first token ("" after it), so a phrase "crashes" finds it."""
    lists = word_lists()
    i = 0
    while i < len(folded):
        for size in range(MAX_COMPOUND, 1, -1):
            joined = lists.compounds.get((stems[i], *folded[i + 1 : i + size]))
            if joined and i + size <= len(folded):
                found[i : i + size] = [lists.synonyms.get(joined, joined)] + [""] * (size - 1)
                stems[i : i + size] = [joined] + [""] * (size - 1)
                i += size - 1
                break
        i += 1
