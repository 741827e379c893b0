"""What every drawing of a comparison shares: the lines it says, the cells it shows.

Each format (text, Markdown, HTML) draws the same sections in the same order:
a header, the companies, the issues by standing (ours alone, industry-wide,
theirs alone, shared), then the categories. A table row is one company's rate
for one grievance, so any number of competitors fits. Strings here are not
escaped: each renderer escapes for its medium.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scanner.compare.model import (
    INDUSTRY_WIDE,
    OURS_ALONE,
    SCATTERED,
    SHARED,
    STANDING_TITLES,
    THEIRS_ALONE,
    CompanyTotals,
    Comparison,
    Rate,
    Row,
)
from scanner.report.common import AUTHORS_NOTE, day

LISTED = (OURS_ALONE, INDUSTRY_WIDE, THEIRS_ALONE, SHARED)
COMPANY_COLUMNS = ("Company", "Mentions", "Grievances /100", "People /100", "Trend",
                   "Systemic issues")  # fmt: skip
RATE_COLUMNS = ("Grievance", "Company", "Grievances /100", "People /100", "Trend")
STANDING_SHORT = {OURS_ALONE: "ours alone", INDUSTRY_WIDE: "industry-wide",
                  THEIRS_ALONE: "theirs alone", SHARED: "shared", SCATTERED: "-"}  # fmt: skip
FEW_MARK = "*"


@dataclass
class Line:
    """One row of a rate table: one company's share of one grievance."""

    label: str  # the grievance, on its first company's line only
    company: str
    grievances: str
    people: str
    trend: str
    row: Row
    rate: Rate
    first: bool


def title(cmp: Comparison) -> str:
    others = ", ".join(cmp.names[1:])
    return f"{cmp.company} compared with {others}"


def period_line(cmp: Comparison) -> str:
    p = cmp.period
    return (f"Period {day(p['since'])} to {day(p['until'])} ({p['days']:g} days); the trend is "
            f"the change in people per 100 mentions since {day(p['previous_since'])} to "
            f"{day(p['since'])}. Rates are per 100 of each company's mentions: a company with "
            "ten times the mentions is not ten times worse.")  # fmt: skip


def notes(cmp: Comparison) -> list[str]:
    """The footnotes: rates that rest on too few mentions, companies without issues."""
    out = []
    few = cmp.few
    if few:
        listed = ", ".join(f"{c.name} ({c.mentions})" for c in few)
        out.append(f"{FEW_MARK} Fewer than {cmp.min_mentions} mentions in the period: "
                   f"{listed}. Their rates rest on too few mentions to mean anything, and so "
                   "does any standing that depends on them.")  # fmt: skip
    missing = [c.name for c in cmp.companies if not c.issues]
    if missing:
        out.append(f"No issues found for {', '.join(missing)}: run `scan issues` (it finds "
                   "them for every company in scanner.toml).")  # fmt: skip
    if cmp.authors in AUTHORS_NOTE:
        out.append(AUTHORS_NOTE[cmp.authors].lstrip(". ") + ".")
    return out


def name(cmp: Comparison, company: str) -> str:
    """A company's name, marked when its rates rest on too few mentions."""
    few = {c.name for c in cmp.few}
    return company + (FEW_MARK if company in few else "")


def number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def trend(rate: Rate) -> str:
    if rate.trend is None:
        return "?" if rate.people_per_100 is not None else "-"
    if rate.trend > 0:
        return f"▲ {rate.trend:.1f}"
    if rate.trend < 0:
        return f"▼ {-rate.trend:.1f}"
    return "= 0.0"


def company_cells(cmp: Comparison, c: CompanyTotals) -> list[str]:
    systemic = f"{len(c.systemic_issues)} of {c.issues}" if c.issues else "-"
    return [name(cmp, c.name), str(c.mentions), number(c.all.grievances_per_100),
            number(c.all.people_per_100), trend(c.all), systemic]  # fmt: skip


def row_label(row: Row) -> str:
    if row.kind == "category":
        return row.name
    ids = ", ".join(f"#{i}" for ids in row.issues.values() for i in ids)
    return f"{row.name} ({ids})" if ids else row.name


def lines(cmp: Comparison, rows: list[Row]) -> Iterator[Line]:
    for row in rows:
        for i, company in enumerate(cmp.names):
            rate = row.rates[company]
            yield Line(row_label(row) if i == 0 else "", name(cmp, company),
                       number(rate.grievances_per_100), number(rate.people_per_100),
                       trend(rate), row, rate, i == 0)  # fmt: skip


def sections(cmp: Comparison, kind: str = "issue") -> Iterator[tuple[str, str, list[Row], str]]:
    """(standing, title, rows, "N more" line) of every standing that has rows, in the
    order they matter; at most ``cmp.limit`` rows each."""
    for standing in LISTED:
        rows = cmp.rows(standing, kind)
        if rows:
            shown = rows[: cmp.limit] if cmp.limit else rows
            more = len(rows) - len(shown)
            line = f"… {more} more (use --limit N or --all to list them)" if more else ""
            yield standing, STANDING_TITLES[standing], shown, line


def scattered_line(cmp: Comparison, kind: str = "issue") -> str:
    count = len(cmp.rows(SCATTERED, kind))
    what = "issues" if kind == "issue" else "categories"
    return (f"{count} more {what} with too few people at any company to say whose they are."
            if count else "")  # fmt: skip
