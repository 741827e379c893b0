"""One company's numbers for one period: mentions, and who complained about what.

Every grievance of the period is read once with its person key (``scanner.people``,
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

from sqlite_utils import Database

from scanner.categories import OTHER
from scanner.people import is_placeholder, person_key

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
        found = [self.person[i] for i in set(ids) if i in self.person]
        return len(found), len(set(found))

    def of_issues(self, issue_ids: Iterable[int]) -> tuple[int, int]:
        members: set[str] = set()
        for iid in issue_ids:
            members |= self.issue_members.get(iid, set())
        return self.count(members)


def read_figures(db: Database, company: str, *, low: str, high: str) -> Figures:
    """The company's figures for ``low < date <= high`` (ISO 8601 UTC strings)."""
    out = Figures(company)
    (out.mentions,) = db.execute(
        f"SELECT COUNT(*) FROM mentions m WHERE m.company = ? AND {WHEN} > ? AND {WHEN} <= ?",  # noqa: S608
        [company, low, high],
    ).fetchone()
    rows = db.execute(
        f"""SELECT m.id, m.author, m.source, m.categories FROM mentions m
            WHERE m.company = ? AND {WHEN} > ? AND {WHEN} <= ? AND m.is_grievance = 1""",  # noqa: S608
        [company, low, high],
    ).fetchall()
    texts = _placeholder_texts(db, [mid for mid, author, _, _ in rows if is_placeholder(author)])
    for mid, author, source, categories in rows:
        out.person[mid] = person_key(author, source, texts.get(mid, ""))
        for category in _categories(categories):
            out.categories.setdefault(category, set()).add(mid)
    for iid, mid in db.execute(
        """SELECT im.issue_id, im.mention_id FROM issue_members im
           JOIN issues i ON i.id = im.issue_id
           WHERE i.company = ? AND i.retired_at IS NULL AND im.at > ? AND im.at <= ?""",
        [company, low, high],
    ):
        out.issue_members.setdefault(iid, set()).add(mid)
    return out


def _placeholder_texts(db: Database, ids: list[str]) -> dict[str, str]:
    """The texts of posts by placeholder authors: what tells those people apart."""
    texts: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = json.dumps(ids[start : start + 500])
        texts.update(
            db.execute(
                "SELECT id, text FROM mentions WHERE id IN (SELECT value FROM json_each(?))",
                [chunk],
            ).fetchall()
        )
    return texts


def _categories(stored: str | None) -> list[str]:
    try:
        value = json.loads(stored or "[]")
    except ValueError:
        return []
    if not isinstance(value, list):
        return []
    return [str(c) for c in value if c != OTHER]
