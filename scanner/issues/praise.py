"""What people praise: the background of keyness, and the nouns of a company's trade.

Two facts of real reviews drive this module.

A five-star review often complains ("love it, but the ads every three
messages...", "five stars so you see this: the ads are unbearable"), so the
company's non-grievance posts cannot serve whole as the background that issue
phrases are compared with: the ads would look as common in praise as in
complaints and never become an issue. :func:`praise_part` keeps only what
comes before the first contrast word ("but", "pero", "но"...), and of that
only the sentences that praise: a word of praise, no sentiment word against,
no negation ("the ads are unbearable" is a complaint wherever it is posted).
Where the other posts hardly praise (news, forums), the sentences that
complain of nothing stand in.

And every review of a chat app talks about its bots, as every review of a bank
talks about its accounts: a word like that is in most themes and is none of
them. Lists cannot know every trade, so :func:`trade_words` learns them from
the company's own posts: a word used in praising sentences ("the bots are
amazing", "love the characters") at least ``praise_share`` of the time names
what the product is, not what is wrong with it. A grievance theme is rarely
praised ("too many ads" has no good side), so it stays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import cache

from scanner.issues import forked
from scanner.issues.lexicon import Lexicon
from scanner.issues.tokens import segments, stem, words
from scanner.issues.wordlists import phrase_lists

SAMPLE = 30_000  # posts read to learn the trade's words: shares, not counts, matter
MIN_USES = 10  # a word seen fewer times tells nothing about how it is used


@cache
def _cues() -> tuple[frozenset[str], frozenset[str], frozenset[str], re.Pattern[str]]:
    every = phrase_lists().every
    # A number is never praise, though "10/10" is: its words are "10" and "10".
    praise = frozenset(
        stem(w) for entry in every("praise") for w in words(entry) if not w.isdigit()
    )
    negative = frozenset(stem(w) for entry in every("sentiment") for w in words(entry)) - praise
    # "don't" is the words "don" and "t": the "t" marks every contraction.
    negation = frozenset(words(e)[-1] for e in every("negation") if words(e))
    contrast = sorted({" ".join(words(e)) for e in every("contrast") if words(e)}, key=len)[::-1]
    # Word boundaries that hold in every script: not preceded or followed by a word character
    # or a combining mark (Indic vowel signs are marks, not \w).
    pattern = re.compile(
        r"(?<![\w\u0300-\u036f\u0900-\u0d7f])(?:"
        + "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in contrast)
        + r")(?![\w\u0300-\u036f\u0900-\u0d7f])",
        re.IGNORECASE,
    )
    return praise, negative, negation, pattern


def praise_part(text: str, *, praising: bool = True) -> str:
    """The sentences of a post that praise (with ``praising=False``: that complain of
    nothing, see :func:`_complaining`), cut at the first contrast word, one per line."""
    _, _, _, contrast = _cues()
    keep = _praising if praising else (lambda sentence: not _complaining(sentence))
    return "\n".join(
        " ".join(sentence)
        for part in contrast.split(text)[:1]
        for sentence in segments(part)
        if keep(sentence)
    )


def _complaining(sentence: list[str]) -> bool:
    """A sentiment word against, or a negation ("not good", "would be great if")."""
    _, negative, negation, _ = _cues()
    return bool({stem(w) for w in sentence} & negative) or not negation.isdisjoint(sentence)


def _praising(sentence: list[str]) -> bool:
    """A word of praise, and no complaint: the sentence likes what it names."""
    praise = _cues()[0]
    return bool({stem(w) for w in sentence} & praise) and not _complaining(sentence)


def trade_words(texts: Sequence[str], lexicon: Lexicon, praise_share: float) -> frozenset[str]:
    """Stems used in praising sentences at least ``praise_share`` of the time
    (over an even sample of ``texts``, the company's posts of every kind)."""
    contrast = _cues()[3]
    sample = texts[:: max(1, len(texts) // SAMPLE)]

    def count(start: int, end: int) -> tuple[Counter[str], Counter[str]]:
        uses: Counter[str] = Counter()
        praised: Counter[str] = Counter()
        for text in sample[start:end]:
            for part in contrast.split(text):
                for sentence in segments(part):
                    kind = _praising(sentence)
                    for content in {lexicon.classify(w) for w in sentence}:
                        if content:
                            uses[content] += 1
                            praised[content] += kind
        return uses, praised

    uses: Counter[str] = Counter()
    praised: Counter[str] = Counter()
    for part_uses, part_praised in forked.split_map(count, len(sample)):
        uses.update(part_uses)
        praised.update(part_praised)
    return frozenset(w for w, n in uses.items() if n >= MIN_USES and praised[w] >= praise_share * n)


def praise_parts(
    posts: Sequence[tuple[str, str | None]], *, praising: bool = True
) -> list[tuple[str, str | None]]:
    """:func:`praise_part` of each (text, language) post that has one, with its
    language, in order: over the CPU cores for many posts (``forked``)."""

    def parts(start: int, end: int) -> list[tuple[str, str | None]]:
        return [
            (part, language)
            for text, language in posts[start:end]
            if (part := praise_part(text, praising=praising))
        ]

    return [kept for chunk in forked.split_map(parts, len(posts)) for kept in chunk]
