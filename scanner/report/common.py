"""Small pieces every format shares: dates, sparklines, labels, the safe-text pass."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scanner import textsafe
from scanner.report.model import ClusterView, Report

BARS = "▁▂▃▄▅▆▇█"
# The grievance tables' columns in the HTML and Markdown reports (one list, so the
# two formats cannot drift apart; each renderer fills the rows in this order).
SYSTEMIC_COLUMNS = ("ID", "Category", "People", "Posts", "Sources", "First seen", "Last seen",
                    "Trend", "Flags", "Grievance")  # fmt: skip
ISOLATED_COLUMNS = ("ID", "Last seen", "Category", "Posts", "Sources", "Flags", "Grievance")
# Columns of numbers: right-aligned, their headings too, in HTML and Markdown alike.
NUMBER_COLUMNS = frozenset({"People", "Posts", "Mentions", "Grievances", "Systemic"})


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
    """``2026-11-02T10:00:00+00:00`` as ``2026-11-02 10:00``."""
    return (stamp or "")[:16].replace("T", " ")


def category_text(report: Report, cluster: ClusterView) -> str:
    labels = report.category_labels
    return ", ".join(labels.get(key, key) for key in cluster.categories)


def short_id(cluster: ClusterView) -> str:
    return f"#{cluster.id}"


def header_counts(report: Report) -> str:
    t = report.totals
    text = (
        f"{t['mentions']} mentions, {t['grievances']} grievances, "
        f"{t['systemic']} systemic (≥{report.period['min_people']} people in "
        f"{report.period['window_days']} days)"
    )
    if t.get("ungrouped"):
        text += f"; {t['ungrouped']} grievances not grouped yet (run `scan cluster`)"
    return text + AUTHORS_NOTE.get(report.authors, "")


# What the people counts mean when the database keeps no names ([privacy] authors).
AUTHORS_NOTE = {
    "hash": ". Authors stored as pseudonyms (privacy: hash)",
    "drop": ". No authors stored (privacy: drop): every post counts as its own person",
}


def more_line(count: int, what: str) -> str:
    return f"… {count} more {what} (use --limit N or --all to list them)" if count else ""


def hidden_line(report: Report) -> str:
    """How many single-post grievances the isolated list leaves out, and how to see them."""
    count = report.isolated_hidden
    if count == 0:
        return ""
    if count is None:
        return "Single-post grievances are not listed (use --all to list them)."
    what = "grievance" if count == 1 else "grievances"
    return f"{count} single-post {what} not listed (use --all to list them)."


def empty_period_line(report: Report) -> str:
    """When the period holds no mention but the database does: where they are, what to try."""
    span = report.outside_period
    if not span:
        return ""
    count = span["mentions"]
    if not count:
        others = ", ".join(span.get("other_companies") or [])
        if others:
            return (f"The database holds no mention of {report.company}; it has mentions of "
                    f"{others} (use --company NAME).")  # fmt: skip
        return "The database holds no mention yet: run `scan crawl` or `scan import FILE`."
    first, last = _when(span["first"]), _when(span["last"])
    until = _when(report.period["until"])
    if first is None or last is None or until is None:
        return ""
    mentions = "mention" if count == 1 else "mentions"
    everything = (
        f"The database holds {count} {mentions}, {day(span['first'])} to {day(span['last'])}"
    )
    if first > until:
        as_of = day(report.period["until"])
        return f"{everything}, all after the as-of date {as_of}: use a later --as-of."
    since = f"--since {day(span['first'])}"
    if last > until:  # posts after the as-of date too
        return f"{everything}; none in this period: try {since}."
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
