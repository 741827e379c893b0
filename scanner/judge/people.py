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
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, Protocol

from scanner.judge.systemic import load_systemic_rules


@dataclass
class Member:
    """A post as the verdict and the coordination check see it."""

    id: str
    source: str
    author: str | None
    published_at: datetime | None  # tz-aware; the caller falls back to first_seen_at
    text: str
    url: str | None = None


_SPACE = re.compile(r"\s+")
# Zero-width and other invisible format characters make look-alike handles (and
# texts) differ; ZWJ/ZWNJ are not here because they are spelling in Indic scripts.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


class MemberLike(Protocol):
    author: str | None
    source: str
    text: str


def _fold(value: str) -> str:
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    value = _INVISIBLE.sub("", value)
    return _SPACE.sub(" ", value).strip().casefold()


@cache
def _placeholders() -> frozenset[str]:

    names = load_systemic_rules().placeholders
    return frozenset(_fold(str(n)).lstrip("@").strip() for n in names) | {""}


@lru_cache(maxsize=65536)
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
    keys = []
    for member in members:
        handle = normalise_handle(_get(member, "author"))
        if handle is not None:
            keys.append("@" + handle)
        else:
            keys.append(f"~{_get(member, 'source') or ''}\x1f{_text_key(_get(member, 'text'))}")
    return keys


def count_people(members: Sequence[MemberLike | Mapping[str, Any]]) -> int:
    """How many distinct people wrote these posts."""
    return len(set(person_keys(members)))
