"""The same grievance at several companies: their issues matched by phrases, not ids.

Issues are discovered per company (``scanner.issues``), so "hidden fees" at us
and "surprise fee" at a competitor are two rows with unrelated ids. What they
share is their phrases, read the same way for every company (the one
``Lexicon``: stems, stop words, cross-language synonyms, so "anuncios" and "ads"
are one key). Two issues of different companies are one grievance when they
share at least ``match_share`` of the smaller one's phrase keys, or of its head
words (its one-stem keys: "fee", "refund"). Matches join transitively, so a
theme may hold two issues of one company that one competitor issue bridges.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from sqlite_utils import Database

from scanner.issues.lexicon import Lexicon, key_text, phrase_key


@dataclass(frozen=True)
class IssueRef:
    company: str
    id: int
    name: str
    key: str
    phrases: tuple[str, ...]  # as people write them
    phrase_keys: tuple[str, ...]  # the key (``key_text``) of each phrase, in order

    @cached_property
    def keys(self) -> frozenset[str]:
        """Every phrase key, the issue's own key included (empty keys left out)."""
        return frozenset(k for k in (*self.phrase_keys, self.key) if k)

    @cached_property
    def heads(self) -> frozenset[str]:
        return frozenset(k for k in self.keys if " " not in k)


@dataclass
class Theme:
    """One grievance across companies: each company's issues that say it."""

    issues: dict[str, list[IssueRef]] = field(default_factory=dict)

    def add(self, ref: IssueRef) -> None:
        self.issues.setdefault(ref.company, []).append(ref)

    def lead(self, order: list[str]) -> IssueRef:
        """The issue that names the theme: the first company's (ours first), its first."""
        for company in order:
            if self.issues.get(company):
                return self.issues[company][0]
        raise ValueError("an empty theme")

    def phrases(self, limit: int = 6) -> list[str]:
        """Phrases said at more than one company first, then the lead's own."""
        seen: dict[str, str] = {}
        counts: dict[str, int] = {}
        for refs in self.issues.values():
            for key in {k for r in refs for k in r.keys}:
                counts[key] = counts.get(key, 0) + 1
            for ref in refs:
                for text, key in zip(ref.phrases, ref.phrase_keys, strict=True):
                    seen.setdefault(key, text)
        ranked = sorted(seen, key=lambda k: -counts.get(k, 0))
        return [seen[k] for k in ranked[:limit]]


def live_issues(db: Database, companies: Iterable[str], lexicon: Lexicon) -> list[IssueRef]:
    """Every live issue of these companies with its phrase keys."""
    out = []
    for company in companies:
        rows = db.execute(
            "SELECT id, name, key, phrases FROM issues WHERE company = ? AND retired_at IS NULL "
            "ORDER BY id",
            [company],
        ).fetchall()
        for iid, name, key, phrases_json in rows:
            phrases = tuple(_phrases(phrases_json))
            keys = tuple(key_text(phrase_key(p, lexicon)) for p in phrases)
            out.append(IssueRef(company, iid, name, key, phrases, keys))
    return out


def match_themes(refs: list[IssueRef], share: float) -> list[Theme]:
    """Group issues of different companies that say the same grievance."""
    parent = list(range(len(refs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(refs):
        for j in range(i + 1, len(refs)):
            b = refs[j]
            if a.company != b.company and same_grievance(a, b, share):
                parent[find(j)] = find(i)
    themes: dict[int, Theme] = {}
    for i, ref in enumerate(refs):
        themes.setdefault(find(i), Theme()).add(ref)
    return list(themes.values())


def same_grievance(a: IssueRef, b: IssueRef, share: float) -> bool:
    return _overlap(a.keys, b.keys) >= share or _overlap(a.heads, b.heads) >= share


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _phrases(phrases_json: str | None) -> list[str]:
    try:
        value = json.loads(phrases_json or "[]")
    except ValueError:
        return []
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []
