"""One company's numbers for some periods: mentions, and who complained about what.

Every grievance of the period is read once with its person key (``scanner.judge.people``,
the one rule: a handle is one person on every site, a placeholder author one
person per post) and its categories; issue members of the period are read by
the ``issue_members(issue_id, at)`` index. People in a category, an issue or a
theme of several issues are then counted from those keys, so a person who
cross-posts is one person everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlite_utils import Database

from scanner.judge.categories import OTHER
from scanner.judge.people import normalise_handle, person_key
from scanner.report.query import texts_of

WHEN = "COALESCE(m.published_at, m.first_seen_at)"


@dataclass
class Figures:
    """A company in ``(low, high]``: mentions, and per grievance post its person."""

    company: str
    mentions: int = 0
    person: dict[str, str] = field(default_factory=dict)  # grievance id -> person key
    categories: dict[str, set[str]] = field(default_factory=dict)  # category -> grievance ids
    issue_members: dict[int, set[str]] = field(default_factory=dict)  # issue id -> grievance ids

    @property
    def grievances(self) -> int:
        return len(self.person)

    @property
    def people(self) -> int:
        return len(set(self.person.values()))

    def count(self, ids: Iterable[str]) -> tuple[int, int]:
        """(grievances, people) among these grievance ids."""
        person = self.person
        found = [person[i] for i in (ids if isinstance(ids, set) else set(ids)) if i in person]
        return len(found), len(set(found))

    def of_issues(self, issue_ids: Iterable[int]) -> tuple[int, int]:
        members: set[str] = set()
        for iid in issue_ids:
            members |= self.issue_members.get(iid, set())
        return self.count(members)


def read_figures(
    db: Database, company: str, periods: dict[str, tuple[str, str]]
) -> dict[str, Figures]:
    """The company's figures for each named period ``(low, high]`` (ISO 8601 UTC).

    The comparison needs the period, the one before it and the verdict's window,
    which overlap: one read of the span covers them all, and each post's person
    key is worked out once (measured 1.6 times faster than a read per period).
    """
    out = {name: Figures(company) for name in periods}
    for name, (low, high) in periods.items():
        (out[name].mentions,) = db.execute(
            f"SELECT COUNT(*) FROM mentions m WHERE m.company = ? AND {WHEN} > ? "  # noqa: S608
            f"AND {WHEN} <= ?",
            [company, low, high],
        ).fetchone()
    low, high = min(p[0] for p in periods.values()), max(p[1] for p in periods.values())
    rows = db.execute(
        f"""SELECT m.id, m.author, m.source, m.categories, {WHEN} FROM mentions m
            WHERE m.company = ? AND {WHEN} > ? AND {WHEN} <= ? AND m.is_grievance = 1""",  # noqa: S608
        [company, low, high],
    ).fetchall()
    keys, anonymous = {}, []
    for mid, author, source, _, _ in rows:
        handle = normalise_handle(author)  # the one rule (scanner.judge.people), folded once
        if handle is None:
            anonymous.append((mid, author, source))
        else:
            keys[mid] = "@" + handle
    texts = texts_of(db, [mid for mid, _, _ in anonymous])
    for mid, author, source in anonymous:
        keys[mid] = person_key(author, source, texts.get(mid, ""))
    spans = [(out[name], a, b) for name, (a, b) in periods.items()]
    for mid, _, _, categories, when in rows:
        for figures, a, b in spans:
            if a < when <= b:
                figures.person[mid] = keys[mid]
                for category in _categories(categories):
                    figures.categories.setdefault(category, set()).add(mid)
    for iid, mid, at in db.execute(
        """SELECT im.issue_id, im.mention_id, im.at FROM issue_members im
           JOIN issues i ON i.id = im.issue_id
           WHERE i.company = ? AND i.retired_at IS NULL AND im.at > ? AND im.at <= ?""",
        [company, low, high],
    ):
        for figures, a, b in spans:
            if a < at <= b:
                figures.issue_members.setdefault(iid, set()).add(mid)
    return out


@lru_cache(maxsize=4096)
def _categories(stored: str | None) -> tuple[str, ...]:
    """A stored JSON list of category keys (few distinct lists: cached)."""
    try:
        value = json.loads(stored or "[]")
    except ValueError:
        return ()
    if not isinstance(value, list):
        return ()
    return tuple(str(c) for c in value if c != OTHER)
