"""Naming issues: the words people actually wrote, not stems.

Phrases are matched as sorted stems ("age verif"); a person reads "age
verification". Each phrase is shown as the most common way its grievances
write it, stop words between its words included ("verify my age").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from scanner.issues.lexicon import JOINED, Key, Lexicon

SAMPLE = 25  # grievances read per phrase to find how people write it
NAME_SAMPLE = 200  # ... and for the phrase that names an issue, which a person reads first
MARKS = ("\x01", "\x02")  # sentence ends and commas, as the tokenisers mark them


class _HasText(Protocol):
    text: str
    language: str | None


def best_name(keys: Sequence[Key], docs: dict[Key, set[int]]) -> Key:
    """The phrase that names an issue: among the phrases at least half as common as
    the most common one, the longest ("age verification" over "age"); among equals,
    the one made of the issue's commonest words (:func:`name_order`)."""
    top = max(len(docs[k]) for k in keys)
    common = [k for k in keys if 2 * len(docs[k]) >= top]
    return min(common, key=name_order(keys, docs))


def name_order(
    keys: Sequence[Key], docs: dict[Key, set[int]]
) -> Callable[[Key], tuple[int, int, int, int, Key]]:
    """How well each of an issue's phrases ``keys`` names it, as a sort key, best
    first: the longest phrase, then the commonest, then the one that holds the
    issue's commonest word, then the one whose words are more of the issue's
    words. Five people who cross-post one complaint share every phrase of it
    equally; of those, "charged me hidden fees" (the issue's words "charged",
    "fees" and "hidden") names it, "app showed the fee" does not; "account was
    limited" names an issue of limits, though "treated like a criminal" holds two
    of its smaller words. Then by the words, so that the name is stable."""
    words = {k[0]: len(docs.get(k, ())) for k in keys if len(k) == 1}

    def order(key: Key) -> tuple[int, int, int, int, Key]:
        counts = [words.get(word, 0) for word in key]
        return -len(key), -len(docs.get(key, ())), -max(counts), -sum(counts), key

    return order


def surface_forms(
    keys: Sequence[Key],
    docs: dict[Key, set[int]],
    texts: Sequence[_HasText],
    lexicon: Lexicon,
    sample: int = SAMPLE,
) -> dict[Key, str]:
    """Each phrase as most often written in the grievances that contain it (read in
    ``sample`` of them, evenly spaced: the first few may share a review title)."""
    out = {}
    for key in keys:
        seen: Counter[str] = Counter()
        holders = sorted(docs.get(key, ()))
        for i in holders[:: max(1, len(holders) // sample)][:sample]:
            found = surface(texts[i].text, key, lexicon, texts[i].language)
            if found:
                seen[found] += 1
        out[key] = min(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0] if seen else " ".join(key)
    return out


def surface(text: str, key: Key, lexicon: Lexicon, language: str | None = None) -> str | None:
    """The words of ``text`` that make up phrase ``key`` as written there, or None."""
    tokens, numbers = lexicon.numbered(text, language)
    span = locate(tokens, numbers, key, lexicon.stems)
    if span is None:
        return None
    return _written(t for t in tokens[span[0] : span[1] + 1] if t not in MARKS)


def locate(
    tokens: Sequence[str], numbers: Sequence[int], key: Key, stems: Sequence[str]
) -> tuple[int, int] | None:
    """Where phrase ``key`` first stands in a text read by :meth:`Lexicon.numbered`
    (the index of its first token and of its last), or None; a compound only where
    the text has no plainer way of saying it ("premium" before "money hungry")."""
    found = None
    for start, end, joined in occurrences(tokens, numbers, key, stems):
        if not joined:
            return start, end
        found = found or (start, end)
    return found


def occurrences(
    tokens: Sequence[str], numbers: Sequence[int], key: Key, stems: Sequence[str]
) -> Iterator[tuple[int, int, bool]]:
    """Every place phrase ``key`` stands in a text read by :meth:`Lexicon.numbered`:
    its first and last token, and whether it starts inside a compound. Read as
    discovery reads it: never in an aside or across a long gap, and a compound
    from its first word ("not working" for ``bug``)."""
    size = len(key)
    kept = [i for i, n in enumerate(numbers) if n >= -1]
    for j in range(len(kept) - size + 1):
        span = kept[j : j + size]
        if any(numbers[i] < 0 for i in span):
            continue
        if tuple(sorted(stems[numbers[i]] for i in span)) == key:
            start = span[0]
            while start > 0 and numbers[start - 1] == JOINED:
                start -= 1
            yield start, span[-1], start != span[0]


_CONTRACTED = frozenset({"t", "s", "m", "d", "ll", "re", "ve"})


def _written(tokens: Iterable[str]) -> str:
    """Tokens as a person wrote them: "doesn t work" is "doesn't work" again."""
    out: list[str] = []
    for token in tokens:
        if out and token in _CONTRACTED and out[-1].isascii() and out[-1].isalpha():
            out[-1] += "'" + token
        else:
            out.append(token)
    return " ".join(out)
