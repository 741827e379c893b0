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
    company: str
    id: int
    name: str
    people: int  # in the comparison period
    row: Row | None  # the grievance across companies, for its standing and our rate


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
        for iid, name in company.systemic_issues:
            if iid not in known:
                shared = next(
                    (r for r in cmp.issues if iid in r.issues.get(company.name, [])), None
                )
                people = shared.rates[company.name].people if shared else 0
                out.systemic.append(CompetitorIssue(company.name, iid, name, people, shared))
    out.systemic.sort(key=lambda s: (-s.people, s.company, s.id))
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
