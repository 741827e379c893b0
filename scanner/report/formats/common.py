"""What every format shares: dates, sparklines, the lines a report and a comparison say.

Each format (text, Markdown, HTML, CSV, JSON) draws the same sections in the
same order from these pieces, so the formats cannot drift apart. Strings here
are not escaped: each format escapes for its medium (``scanner.text.safe``).

A comparison's table row is one company's rate for one grievance, so any
number of competitors fits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

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
from scanner.report.model import ClusterView, IssueView, Report, SourceView
from scanner.store.runs import UNJUDGED
from scanner.text import safe as textsafe
from scanner.text.counts import counted
from scanner.text.dates import is_date_only

BARS = "▁▂▃▄▅▆▇█"
# The grievance tables' columns in the HTML and Markdown reports (one list, so the
# two formats cannot drift apart; each renderer fills the rows in this order).
SYSTEMIC_COLUMNS = (
    "ID",
    "Category",
    "People",
    "Posts",
    "Sources",
    "First seen",
    "Last seen",
    "Trend",
    "Flags",
    "Grievance",
)
ISOLATED_COLUMNS = (
    "ID",
    "Last seen",
    "Category",
    "Posts",
    "Sources",
    "Flags",
    "Issues",
    "Grievance",
)
# Columns of numbers: right-aligned, their headings too, in HTML and Markdown alike.
NUMBER_COLUMNS = frozenset(
    {"People", "Posts", "Mentions", "Grievance posts", "Systemic grievances", "Systemic issues"}
)
# The companies table: mentions and grievance posts in the period, systemic grievances
# (clusters) and issues now (in the verdict window, whatever the period: the header
# line says "systemic now" in words). Posts and grievances are counted apart:
# "Grievances 1286" beside a list of 40 grievances read as clusters. Issues are
# counted too: on real reviews, few posts are near-duplicates, and a competitor's "0"
# systemic grievances read as nothing systemic while a dozen of its issues were.
COMPANY_HEADS = ("Company", "Mentions", "Grievance posts", "Systemic grievances", "Systemic issues")
# Each heading's key in a ``Report.companies`` entry, in the same order.
COMPANY_KEYS = ("name", "mentions", "grievances", "systemic", "systemic_issues")


def sparkline(weekly: list[int]) -> str:
    """Weekly counts as bar characters, scaled to the busiest week."""
    if not weekly:
        return ""
    top = max(weekly)
    if top == 0:
        return BARS[0] * len(weekly)
    return "".join(BARS[0] if n == 0 else BARS[1 + (n * 6) // top] for n in weekly)


def day(stamp: str | None) -> str:
    """``2026-11-02T10:00:00+00:00`` as ``2026-11-02``."""
    return (stamp or "")[:10]


def moment(stamp: str | None) -> str:
    """``2026-11-02T10:00:00+00:00`` as ``2026-11-02 10:00``; a date known without
    its time of day (stored at midnight to the microsecond, as app stores and many
    imports give them) as the date alone: "00:00" beside every review read as a time."""
    text = stamp or ""
    try:
        if is_date_only(datetime.fromisoformat(text)):
            return text[:10]
    except ValueError:  # not a moment: shown as stored
        pass
    return clock(text)


def clock(stamp: str | None) -> str:
    """``2026-11-02T00:00:00+00:00`` as ``2026-11-02 00:00``, whatever the time: what
    scan itself recorded (a crawl run) always has one, even at midnight."""
    return (stamp or "")[:16].replace("T", " ")


def last_crawl(source: SourceView) -> str:
    """A source's last crawl as the report's Sources table shows it: its time, and
    its status when that run judged nothing ("2026-11-02 03:15 killed")."""
    when = clock(source.last_run_at) or "-"
    return f"{when} {source.last_run_status}" if source.last_run_status in UNJUDGED else when


def category_text(report: Report, cluster: ClusterView) -> str:
    labels = report.category_labels
    return ", ".join(labels.get(key, key) for key in cluster.categories)


def short_id(cluster: ClusterView) -> str:
    return f"#{cluster.id}"


def header_counts(report: Report) -> str:
    """The period in numbers. "Systemic" is said of grievances (near-duplicate
    clusters) and of issues (themes) apart: a theme that many people raise in their
    own words is a systemic issue though no two of its posts are near-duplicates.

    Mentions and grievances are the period's, but systemic ones are those of the
    verdict window, listed whatever the period: "systemic now", with the window's
    end, so "2 grievances; 9 systemic" is not read as 9 of the 2. The period's count is
    of grievance posts (``totals["grievances"]``), said so: the lists and "systemic"
    count grievances, near-duplicate clusters of them."""
    t, p = report.totals, report.period
    origin = f"From {report.source}: " if report.source else ""
    text = f"{origin}{t['mentions']} mentions, {t['grievances']} grievance posts in the period"
    if t.get("ungrouped") and t["ungrouped"] >= t["grievances"]:
        text += " (none grouped yet: run `scan cluster`)"
        systemic = []
    else:
        if t.get("ungrouped"):
            text += f" ({t['ungrouped']} not grouped yet: run `scan cluster`)"
        systemic = [counted(t["systemic"], "grievance")]
    if t.get("systemic_issues") is not None:
        pending = t.get("issues_pending", 0)
        if pending is None and t["grievances"]:
            systemic.append("issues not discovered yet (run `scan issues`)")
        else:
            issues = counted(t["systemic_issues"], "issue")
            if pending:
                issues += f" ({counted(pending, 'grievance')} since `scan issues` last ran)"
            systemic.append(issues)
    if systemic:
        text += (
            f"; systemic now (≥{p['min_people']} people in the {p['window_days']} days to "
            f"{day(p['as_of'])}): {', '.join(systemic)}"
        )
    if report.source:
        text += (
            f". Grievances and issues with a post from {report.source} are listed, their "
            "people and posts counted on every source"
        )
    if report.filters:
        text += f". Listed: {', '.join(report.filters)}"  # "systemic only, at least 2 people"
    return text + AUTHORS_NOTE.get(report.authors, "")


def none_line(report: Report, text: str) -> str:
    """A list's "No systemic grievance." line, saying when the filters emptied it."""
    if not report.filters:
        return text
    return f"{text.rstrip('.')} ({', '.join(report.filters)})."


# What the people counts mean when the database keeps no names ([privacy] authors).
AUTHORS_NOTE = {
    "hash": ". Authors stored as pseudonyms (privacy: hash)",
    "drop": ". No authors stored (privacy: drop): every post counts as its own person",
}


def people_window(report: Report, *, short: bool = False) -> str:
    """What the people of a grievance or an issue are counted over: the verdict's
    window before the as-of date, while its posts are all of them ("97 people · 103
    posts" read as six people who posted twice, where six posts were older)."""
    days = report.period["window_days"]
    return f"in {days} days" if short else f"in the {days} days to {day(report.period['as_of'])}"


def more_line(count: int, what: str) -> str:
    """``what`` is singular: "… 1 more systemic issue", "… 3 more systemic issues"."""
    more = counted(count, f"more {what}", f"more {what}s")
    return f"… {more} (use --limit N or --all to list them)" if count else ""


def hidden_line(report: Report) -> str:
    """How many single-post grievances the isolated list leaves out, and how to see them."""
    count = report.isolated_hidden
    if count == 0:
        return ""
    if count is None:
        return "Single-post grievances are not listed (use --all to list them)."
    return f"{counted(count, 'single-post grievance')} not listed (use --all to list them)."


def stale_line(report: Report, before: str) -> str:
    """Why nothing can be systemic when every grievance predates the verdict window
    ending at ``before`` (the report's as-of date, the digest's moment), the latest's
    date in it; "" when some grievance is in the window. The report and the digest
    each add how to judge them as of that date."""
    if not report.stale_since:
        return ""
    return (
        f"No grievance in the {report.period['window_days']} days before {before}, so none "
        f"can be systemic: the latest is from {day(report.stale_since)}"
    )


def period_hint(report: Report) -> str:
    """What to try when the report cannot show what the database holds: a period with
    no mention (where the mentions are), or one whose grievances all predate the
    verdict window, so that none can be systemic (reviews imported months later)."""
    latest = day(report.stale_since)
    as_of = f"--as-of {latest}"
    if report.totals.get("mentions"):
        if not latest:
            return ""
        return f"{stale_line(report, 'the as-of date')}; add {as_of} to judge as of then."
    span = report.outside_period
    if not span:
        return ""
    until = _when(report.period["until"])
    count = span["mentions"]
    origin = f" from {report.source}" if report.source else ""  # --source: span is its
    if not count:
        others = ", ".join(span.get("other_companies") or [])
        if others:
            return (
                f"The database holds no mention of {report.company}{origin}; it has mentions "
                f"of {others}{origin} (use --company NAME)."
            )
        return f"The database holds no mention{origin} yet: run `scan crawl` or `scan import FILE`."
    first, last = _when(span["first"]), _when(span["last"])
    if first is None or last is None or until is None:
        return ""
    everything = (
        f"The database holds {counted(count, 'mention')}{origin}, {day(span['first'])} to "
        f"{day(span['last'])}"
    )
    if first > until:
        return (
            f"{everything}, all after the as-of date {day(report.period['until'])}: "
            "use a later --as-of."
        )
    since = f"--since {day(span['first'])}"
    if last > until:  # posts after the as-of date too
        return f"{everything}; none in this period: try {since}."
    if latest:  # a longer period would judge every grievance isolated
        return (
            f"{everything}; none in this period: try {as_of} (as things stood at the latest "
            f"grievance) or {since} (all of them)."
        )
    days = (until - last).days + 1
    longer = f"--days {days} (to reach the latest) or " if days <= MAX_DAYS else ""
    return f"{everything}; none in this period: try {longer}{since} (all of them)."


MAX_DAYS = 3650  # the largest --days scan report accepts


def _when(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clean_json(value: Any) -> Any:
    """The JSON contract with web strings freed of control characters and bidi overrides.

    ``json`` escapes C0 controls itself, but not C1 controls (``\\x9b`` is a CSI
    on many terminals) or bidi overrides, which ``jq -r`` would print raw.
    """
    if isinstance(value, str):
        return textsafe.strip_controls(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):  # keys too: `scan compare` keys rates by company name
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    return value


# The comparison: a header, the companies, the issues by standing (ours alone,
# industry-wide, theirs alone, shared), then the categories.
LISTED = (OURS_ALONE, INDUSTRY_WIDE, THEIRS_ALONE, SHARED)
COMPANY_COLUMNS = (
    "Company",
    "Mentions",
    "Grievances /100",
    "People /100",
    "Trend",
    "Systemic issues",
)
RATE_COLUMNS = ("Grievance", "Company", "Grievances /100", "People /100", "Trend")
STANDING_SHORT = {
    OURS_ALONE: "ours alone",
    INDUSTRY_WIDE: "industry-wide",
    THEIRS_ALONE: "theirs alone",
    SHARED: "shared",
    SCATTERED: "-",
}
FEW_MARK = "*"
NOTHING_TO_COMPARE = "No issue is held by enough people at any company to compare."


@dataclass
class RateLine:
    """One row of a rate table: one company's share of one grievance."""

    label: str  # the grievance, on its first company's line only
    company: str
    grievances: str
    people: str
    trend: str
    row: Row
    rate: Rate
    first: bool


def comparison_title(cmp: Comparison) -> str:
    others = ", ".join(cmp.names[1:])
    return f"{cmp.company} compared with {others}"


def comparison_period(cmp: Comparison) -> str:
    p = cmp.period
    said = (
        f"Period {moment(p['since'])} to {day(p['until'])} ({p['days']:g} days); the trend is "
        f"the change in people per 100 mentions since {moment(p['previous_since'])} to "
        f"{moment(p['since'])}. Rates are per 100 of each company's mentions: a company with "
        "ten times the mentions is not ten times worse."
    )
    latest = p.get("latest")
    if latest and latest < (p["since"] or ""):
        said += (
            f" No company has a mention in the period; the latest is from {day(latest)}: "
            f"add --as-of {day(latest)} to compare as of then."
        )
    return said


def comparison_notes(cmp: Comparison) -> list[str]:
    """The footnotes: rates that rest on too few mentions, companies without issues."""
    out = []
    few = cmp.few
    if few:
        listed = ", ".join(f"{c.name} ({c.mentions})" for c in few)
        out.append(
            f"{FEW_MARK} Fewer than {cmp.min_mentions} mentions in the period: "
            f"{listed}. Their rates rest on too few mentions to mean anything, and so "
            "does any standing that depends on them."
        )
    missing = [c.name for c in cmp.companies if not c.issues]
    if missing:
        out.append(
            f"No issues found for {', '.join(missing)}: run `scan issues` (it finds "
            "them for every company in scanner.toml)."
        )
    if cmp.authors in AUTHORS_NOTE:
        out.append(AUTHORS_NOTE[cmp.authors].lstrip(". ") + ".")
    return out


def company_name(cmp: Comparison, company: str) -> str:
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
    return [
        company_name(cmp, c.name),
        str(c.mentions),
        number(c.all.grievances_per_100),
        number(c.all.people_per_100),
        trend(c.all),
        systemic,
    ]


def row_label(row: Row) -> str:
    if row.kind == "category":
        return row.name
    ids = ", ".join(f"#{i}" for ids in row.issues.values() for i in ids)
    return f"{row.name} ({ids})" if ids else row.name


def rate_lines(cmp: Comparison, rows: list[Row]) -> Iterator[RateLine]:
    for row in rows:
        for i, company in enumerate(cmp.names):
            rate = row.rates[company]
            yield RateLine(
                row_label(row) if i == 0 else "",
                company_name(cmp, company),
                number(rate.grievances_per_100),
                number(rate.people_per_100),
                trend(rate),
                row,
                rate,
                i == 0,
            )


def standings(cmp: Comparison, kind: str = "issue") -> Iterator[tuple[str, str, list[Row], str]]:
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
    return (
        f"{count} more {what} with too few people at any company to say whose they are."
        if count
        else ""
    )


SUMMARY_IDS = 20  # cluster ids an issue lists in a report; --issue ID lists all


class HasClusters(Protocol):
    """An issue as a report or a digest holds it: its id and its clusters' ids."""

    @property
    def id(self) -> int: ...

    @property
    def clusters(self) -> list[int]: ...


def grievance_ids(issue: HasClusters, limit: int | None = None, *, options: str = "") -> str:
    """The issue's clusters as "#12, #15, …": all of them, or the first ``limit``
    and how many more (a big issue holds hundreds, which bury the page), with the
    command that lists them (``options``: the report's ``Report.options``)."""
    ids, command = grievance_id_parts(issue, limit, options=options)
    return f"{ids} {command}" if command else ids


def grievance_id_parts(
    issue: HasClusters, limit: int | None = None, *, options: str = ""
) -> tuple[str, str]:
    """:func:`grievance_ids` as (the ids and how many more, the command that lists
    them all or ""): a terminal or a plain-text mail keeps the command on one line."""
    text, more = _first_ids(issue.clusters, limit)
    if not more:
        return text, ""
    return f"{text} and {more} more", f"(scan report{options} --issue {issue.id})"


def _first_ids(clusters: list[int], limit: int | None) -> tuple[str, int]:
    """The first ``limit`` (all: None) cluster ids as "#12, #15" ("none" if there
    are none), and how many more there are."""
    shown = clusters if limit is None else clusters[:limit]
    return ", ".join(f"#{c}" for c in shown) or "none", len(clusters) - len(shown)


def issue_grievances(issue: IssueView, limit: int | None, *, options: str = "") -> tuple[str, str]:
    """(label, ids) of an issue's grievances in a report's list of issues. Built
    without every member (text, Markdown, HTML) an issue holds only the grievances
    of its recent posts: the label says since when and the ids end with the command
    that lists all of them, so "and N more" never counts the recent ones as if they
    were all (JSON and ``--issue ID`` hold all)."""
    label, ids, command = issue_grievance_parts(issue, limit, options=options)
    return label, f"{ids} {command}" if command else ids


def issue_grievance_parts(
    issue: IssueView, limit: int | None, *, options: str = ""
) -> tuple[str, str, str]:
    """:func:`issue_grievances` as (label, ids, the command that lists all of them,
    or ""): the terminal keeps the command on one line, to be copied whole."""
    if issue.clusters_since is None:
        return "Grievances", grievance_ids(issue, limit, options=options), ""
    text, more = _first_ids(issue.clusters, limit)
    ids = f"{text} and {more} more" if more else text
    label = f"Grievances since {day(issue.clusters_since)}"  # with a post since then
    return label, ids, f"(all: scan report{options} --issue {issue.id})"


class InIssues(Protocol):
    """A grievance as a report or a digest holds it: the systemic issues that hold it."""

    @property
    def issues(self) -> list[int]: ...


def issue_ids(grievance: InIssues) -> str:
    """The systemic issues listed that hold a grievance ("1, 4"), in every format and
    the digest: the same grievance in other words is many people's, which "isolated"
    alone hides."""
    return ", ".join(str(i) for i in grievance.issues)
