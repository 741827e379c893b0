"""What changed in the comparison since the last digest that was sent.

Two things are news: a grievance that became **ours alone** (no competitor has
it any more, or we just started to), and a **systemic issue at a competitor**
that was not systemic before. The digest records, with what it reported, our
issues and categories that were ours alone and each competitor's systemic
issue ids (all ids are stable), and the next digest compares with that. A first
digest (or the first after this section existed) reports what holds now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scanner.compare.model import OURS_ALONE, Comparison, Row

if TYPE_CHECKING:
    from scanner.config import Config
    from scanner.store import Store


@dataclass
class CompetitorIssue:
    """A competitor's newly systemic issues that are one grievance across companies
    (one row of the comparison), told once: Chai's "ads" and "over and over" both
    matched the ads row, and each was announced with the row's 192 people, where
    "over and over" had 13 and the two together were the same 192 people."""

    company: str
    issues: list[tuple[int, str]]  # (id, name), smallest id first
    people: int  # of the row at that company, in the comparison period
    row: Row | None  # the grievance across companies, for its standing and our rate
    # The row's issues at that company that were systemic already: its people
    # count theirs too, so they are named beside the new ones.
    before: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class CompareNews:
    comparison: Comparison
    ours_alone: list[Row] = field(default_factory=list)  # became ours alone since
    systemic: list[CompetitorIssue] = field(default_factory=list)  # newly systemic at theirs
    state: dict[str, Any] = field(default_factory=dict)  # recorded with the digest
    listed: int = 5  # at most this many of each are shown (rules/compare.toml [digest])

    @property
    def changed(self) -> bool:
        return bool(self.ours_alone or self.systemic)


def compare_news(
    store: Store, config: Config, *, as_of: datetime, previous: dict[str, Any] | None
) -> CompareNews | None:
    """The news for a digest at ``as_of``; ``None`` without competitors to compare with."""
    from scanner.compare.build import build

    if not config.competitors:
        return None
    from scanner.compare.settings import load_compare_rules

    cmp = build(store, config, as_of=as_of)
    found = news(cmp, (previous or {}).get("compare"))
    found.listed = load_compare_rules().digest_listed
    return found


def news(cmp: Comparison, before: dict[str, Any] | None) -> CompareNews:
    """Compare ``cmp`` with the state the last digest recorded (``None``: report all)."""
    out = CompareNews(cmp, state=state(cmp))
    was_ours = set((before or {}).get("ours_alone", []))
    was_systemic = (before or {}).get("systemic", {})
    for row in cmp.issues + cmp.categories:
        if row.standing == OURS_ALONE and not _marks(cmp, row) & was_ours:
            out.ours_alone.append(row)
    for company in cmp.companies:
        if company.ours:
            continue
        known = set(was_systemic.get(company.name, []))
        # each of its issues' (first) row of the comparison, by the row's place
        row_of: dict[int, tuple[int, Row]] = {}
        for place, row in enumerate(cmp.issues):
            for iid in row.issues.get(company.name, []):
                row_of.setdefault(iid, (place, row))
        systemic = sorted(company.systemic_issues)
        rows: dict[int, CompetitorIssue] = {}
        for iid, name in systemic:
            if iid in known:
                continue
            place, shared = row_of.get(iid, (-iid, None))  # in no row: an item of its own
            if place in rows:
                rows[place].issues.append((iid, name))
                continue
            people = shared.rates[company.name].people if shared else 0
            earlier = [
                (other, other_name)
                for other, other_name in systemic
                if other in known and shared and other in shared.issues.get(company.name, [])
            ]
            rows[place] = CompetitorIssue(company.name, [(iid, name)], people, shared, earlier)
        out.systemic.extend(rows.values())
    out.systemic.sort(key=lambda s: (-s.people, s.company, s.issues[0][0]))
    return out


def state(cmp: Comparison) -> dict[str, Any]:
    """What a digest records: our marks that are ours alone, competitors' systemic ids."""
    ours_alone = sorted(
        m for r in cmp.issues + cmp.categories if r.standing == OURS_ALONE for m in _marks(cmp, r)
    )
    systemic = {c.name: [i for i, _ in c.systemic_issues] for c in cmp.companies if not c.ours}
    return {"ours_alone": ours_alone, "systemic": systemic}


def _marks(cmp: Comparison, row: Row) -> set[str]:
    """Stable names of a row on our side: our issue ids, or the category key."""
    if row.kind == "category":
        return {f"category:{row.key}"}
    return {f"issue:{i}" for i in row.issues.get(cmp.company, [])}
