"""Naming issues: the words people actually wrote, not stems.

Phrases are matched as sorted stems ("age verif"); a person reads "age
verification". Each phrase is shown as the most common way its grievances
write it, stop words between its words included ("verify my age").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from scanner.issues.lexicon import Key, Lexicon
from scanner.issues.tokens import segments

SAMPLE = 25  # grievances read per phrase to find how people write it


class _HasText(Protocol):
    text: str
    language: str | None


def best_name(keys: Sequence[Key], docs: dict[Key, set[int]]) -> Key:
    """The phrase that names an issue: among the phrases at least half as common as
    the most common one, the longest ("age verification" over "age")."""
    top = max(len(docs[k]) for k in keys)
    common = [k for k in keys if 2 * len(docs[k]) >= top]
    return min(common, key=lambda k: (-len(k), -len(docs[k]), k))


def surface_forms(
    keys: Sequence[Key], docs: dict[Key, set[int]], texts: Sequence[_HasText], lexicon: Lexicon
) -> dict[Key, str]:
    """Each phrase as most often written in the grievances that contain it."""
    out = {}
    for key in keys:
        seen: Counter[str] = Counter()
        for i in sorted(docs.get(key, ()))[:SAMPLE]:
            found = surface(texts[i].text, key, lexicon, texts[i].language)
            if found:
                seen[found] += 1
        out[key] = min(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0] if seen else " ".join(key)
    return out


def surface(text: str, key: Key, lexicon: Lexicon, language: str | None = None) -> str | None:
    """The words of ``text`` that make up phrase ``key``, or None."""
    size = len(key)
    for seg in segments(text):
        stems = [lexicon.classify(w, language) for w in seg]
        content = [i for i, s in enumerate(stems) if s is None or s]
        for j in range(len(content) - size + 1):
            span = content[j : j + size]
            parts = [s for s in (stems[i] for i in span) if s is not None]
            if len(parts) == size and tuple(sorted(parts)) == key:
                return " ".join(seg[span[0] : span[-1] + 1])
    return None
