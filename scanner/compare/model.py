"""What a comparison says, independent of how it is drawn.

``build`` fills a :class:`Comparison`; each format only draws one.
:meth:`Comparison.to_json_dict` is the JSON contract of ``scan compare --format
json``: its keys never change meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

OURS_ALONE, INDUSTRY_WIDE, THEIRS_ALONE = "ours_alone", "industry_wide", "theirs_alone"
SHARED, SCATTERED = "shared", "scattered"
STANDINGS = (OURS_ALONE, INDUSTRY_WIDE, THEIRS_ALONE, SHARED, SCATTERED)
STANDING_TITLES = {
    OURS_ALONE: "Ours alone: we have it, no competitor does",
    INDUSTRY_WIDE: "Industry-wide: most companies have it",
    THEIRS_ALONE: "Theirs alone: a competitor has it, we do not (an opening)",
    SHARED: "Shared with some competitors",
    SCATTERED: "Too few people anywhere to say",
}


def per_100(count: int, mentions: int) -> float | None:
    """A count per 100 mentions, one decimal; ``None`` when there were no mentions."""
    return round(100 * count / mentions, 1) if mentions else None


@dataclass
class Rate:
    """One company's share of one grievance in the period (and the period before)."""

    grievances: int
    people: int
    grievances_per_100: float | None
    people_per_100: float | None
    previous_people_per_100: float | None = None
    # Change in people per 100 mentions against the previous period, in points;
    # None when either period had too few mentions for the change to mean anything.
    trend: float | None = None
    has: bool = False  # counts as having it (rules/compare.toml [standing])
    systemic: bool = False  # issue rows: one of its issues is systemic at the as-of date

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "grievances": self.grievances,
            "people": self.people,
            "grievances_per_100": self.grievances_per_100,
            "people_per_100": self.people_per_100,
            "previous_people_per_100": self.previous_people_per_100,
            "trend": self.trend,
        }


@dataclass
class CompanyTotals:
    name: str
    ours: bool
    mentions: int
    previous_mentions: int
    all: Rate  # every grievance of the period
    few: bool  # fewer mentions than min_mentions: its rates mean little
    previous_few: bool  # the same for the previous period: its trend means little
    issues: int  # live issues (0: `scan issues` has not run for it)
    systemic_issues: list[tuple[int, str]] = field(default_factory=list)  # (id, name)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ours": self.ours,
            "mentions": self.mentions,
            "previous_mentions": self.previous_mentions,
            "few_mentions": self.few,
            "previous_few_mentions": self.previous_few,
            **self.all.to_json_dict(),
            "issues": self.issues,
            "systemic_issues": [{"id": i, "name": n} for i, n in self.systemic_issues],
        }


@dataclass
class Row:
    """One grievance (an issue theme or a category) across every compared company."""

    kind: str  # "issue" or "category"
    key: str  # issue rows: the leading issue's key; categories: the category key
    name: str
    standing: str  # one of STANDINGS
    rates: dict[str, Rate]  # company name -> its rate, for every company compared
    issues: dict[str, list[int]] = field(default_factory=dict)  # issue rows: company -> ids
    phrases: list[str] = field(default_factory=list)

    @property
    def top(self) -> float:
        return max((r.people_per_100 or 0.0 for r in self.rates.values()), default=0.0)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "name": self.name,
            "standing": self.standing,
            "issues": self.issues,
            "phrases": self.phrases,
            "rates": {
                name: {**rate.to_json_dict(), "has": rate.has, "systemic": rate.systemic}
                for name, rate in self.rates.items()
            },
        }


@dataclass
class Comparison:
    generated_at: datetime
    company: str  # ours
    period: dict[str, Any]  # since, until, days, previous_since
    companies: list[CompanyTotals]
    issues: list[Row]  # standing order, then the highest rate first
    categories: list[Row]
    min_mentions: int
    category_labels: dict[str, str] = field(default_factory=dict)
    authors: str = "keep"  # the database's privacy mode: what "people" means
    limit: int | None = None  # rows drawn per standing (text, Markdown, HTML); JSON has all

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.companies]

    @property
    def few(self) -> list[CompanyTotals]:
        return [c for c in self.companies if c.few]

    def rows(self, standing: str, kind: str = "issue") -> list[Row]:
        rows = self.issues if kind == "issue" else self.categories
        return [r for r in rows if r.standing == standing]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.replace(microsecond=0).isoformat(),
            "company": self.company,
            "period": self.period,
            "min_mentions": self.min_mentions,
            "companies": [c.to_json_dict() for c in self.companies],
            "issues": [r.to_json_dict() for r in self.issues],
            "categories": [r.to_json_dict() for r in self.categories],
            "privacy": {"authors": self.authors},
        }
