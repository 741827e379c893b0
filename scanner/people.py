"""Who is a person: the one place that decides when two posts come from one person.

A systemic grievance is one raised by many *different* people, so the count of
people is the product's central number. The rule (issue: "people, not posts"):

- an author handle, folded for case (Unicode casefold, NFKC), whitespace,
  invisible format characters and a leading ``@``, is one person on every site:
  someone who cross-posts the same grievance to three sites counts once;
- a placeholder author (empty, "Anonymous", "Guest", "A customer", "[deleted]"
  and their equivalents in other languages, listed in ``rules/systemic.toml``)
  identifies nobody, so each such post counts as its own person, except that
  identical text on the same source is taken as one post seen twice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Protocol

from scanner.rules import load_rules

_SPACE = re.compile(r"\s+")
# Zero-width and other format characters (Cf) make look-alike handles differ;
# ZWJ/ZWNJ are kept because they are spelling in Indic scripts.
_KEEP_FORMAT = {"\u200c", "\u200d"}


class MemberLike(Protocol):
    author: str | None
    source: str
    text: str


def _fold(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    value = "".join(
        ch for ch in value if ch in _KEEP_FORMAT or unicodedata.category(ch) not in {"Cf", "Cc"}
    )
    return _SPACE.sub(" ", value).strip().casefold()


@cache
def _placeholders() -> frozenset[str]:
    names = load_rules("systemic.toml").get("people", {}).get("placeholders", [])
    return frozenset(_fold(str(n)).lstrip("@").strip() for n in names) | {""}


def _folded_handle(author: str | None) -> str:
    if author is None:
        return ""
    return _fold(str(author)).lstrip("@").strip()


def is_placeholder(author: str | None) -> bool:
    """True when the author name says nothing about who wrote the post."""
    return _folded_handle(author) in _placeholders()


def normalise_handle(author: str | None) -> str | None:
    """The handle that names one person everywhere; ``None`` for placeholders."""
    handle = _folded_handle(author)
    return None if handle in _placeholders() else handle


def _text_key(text: str | None) -> str:
    folded = _fold(text or "")
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=12).hexdigest()


def _get(member: Any, name: str) -> Any:
    if isinstance(member, Mapping):
        return member.get(name)
    return getattr(member, name, None)


def person_key(author: str | None, source: str | None, text: str | None) -> str:
    """One person's key: the folded handle, or for a placeholder author the post itself."""
    handle = normalise_handle(author)
    if handle is not None:
        return "@" + handle
    return f"~{source or ''}\x1f{_text_key(text)}"


def person_keys(members: Sequence[MemberLike | Mapping[str, Any]]) -> list[str]:
    """One key per member, in order; equal keys mean the same person.

    Members are objects or mappings with ``author``, ``source`` and ``text``.
    """
    cache_: dict[str | None, str | None] = {}
    keys = []
    for member in members:
        author = _get(member, "author")
        if author not in cache_:
            cache_[author] = normalise_handle(author)
        handle = cache_[author]
        if handle is not None:
            keys.append("@" + handle)
        else:
            keys.append(f"~{_get(member, 'source') or ''}\x1f{_text_key(_get(member, 'text'))}")
    return keys


def count_people(members: Sequence[MemberLike | Mapping[str, Any]]) -> int:
    """How many distinct people wrote these posts."""
    return len(set(person_keys(members)))
