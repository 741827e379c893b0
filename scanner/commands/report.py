"""``scan report``: which grievances are systemic, which are new, and the rest."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner.commands._app import App, exclusive, iso_date, pass_app, say
from scanner.errors import writing
from scanner.report.formats import REPORT_FORMATS
from scanner.status import ExitStatus
from scanner.termwidth import output_width
from scanner.text.counts import counted

if TYPE_CHECKING:
    from scanner.report.model import ClusterView, IssueView, Report


@click.command(name="report")
@click.option("--company", help="Company to report on (default: the main company).")
@click.option("--since", callback=iso_date, metavar="DATE", help="Period start (YYYY-MM-DD).")
@click.option("--days", type=click.IntRange(1, 3650), help="Period: the last N days.")
@click.option(
    "--as-of",
    "as_of",
    callback=iso_date,
    metavar="DATE",
    help="Report as it would have been at the end of DATE (default: now).",
)
@click.option("--category", help="Only grievances in this category (key or label).")
@click.option(
    "--source",
    help="Only grievances and issues with a post from this source; the totals count its posts.",
)
@click.option("--verdict", type=click.Choice(["systemic", "isolated"]), help="Only this verdict.")
@click.option("--min-people", type=click.IntRange(1), help="Only grievances with >= N people.")
@click.option(
    "--all",
    "list_all",
    is_flag=True,
    help="Every grievance and issue of the period, single-post ones included, with no cap.",
)
@click.option(
    "--cluster",
    "cluster_id",
    type=int,
    metavar="ID",
    help="One grievance in full: every post with author, source, date, link, text.",
)
@click.option(
    "--issue",
    "issue_id",
    type=int,
    metavar="ID",
    help="One issue (theme, see `scan issues`) in full: its phrases, clusters and every post.",
)
@click.option("--limit", type=click.IntRange(1), help="List at most N grievances per section.")
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["systemic"]),
    help="Exit with status 3 when a systemic grievance or issue is reported "
    "(with --since/--days: one first seen in that period).",
)
@pass_app
def report(
    app: App,
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    company: str | None,
    since: date | None,
    days: int | None,
    as_of: date | None,
    category: str | None,
    source: str | None,
    verdict: str | None,
    min_people: int | None,
    list_all: bool,
    cluster_id: int | None,
    issue_id: int | None,
    limit: int | None,
) -> None:
    """Show which issues and grievances are systemic, new or growing, and the isolated ones.

    A grievance is systemic when enough distinct people raised it within the
    window before the as-of date (rules/systemic.toml: 3 people in 90 days).
    Colours and layout follow the terminal; output is plain when piped, and
    NO_COLOR is honoured. Exit status 3 with --fail-on systemic when one is found.

    \b
    Example:
        scan report
        scan report --days 30 --verdict systemic
        scan report --cluster 42
        scan report --issue 7
        scan report --format html -o report.html
        scan report --since 2026-11-01 --fail-on systemic --format json
    """
    from scanner.report import build
    from scanner.report.formats import render

    exclusive(("since", "days"), ("cluster_id", "issue_id"))
    if since is not None and as_of is not None and since > as_of:
        raise click.UsageError(f"--since {since} is after --as-of {as_of}")

    # Only JSON lists every post of every grievance; the other views need the
    # recent posts alone (and --cluster and --issue always read them all).
    members = fmt == "json"
    store = app.store()
    result = build(
        store,
        app.config,
        company=company,
        since=since,
        days=days,
        as_of=as_of,
        category=category,
        source=source,
        verdict=verdict,
        min_people=min_people,
        list_all=list_all,
        cluster_id=cluster_id,
        issue_id=issue_id,
        limit=limit,
        members=members,
        volume=fmt == "html",
    )
    stream = sys.stdout
    tty = output is None and stream.isatty()
    color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = output_width()
    text = render(result, fmt, width=width, color=color, tty=tty)
    if output is not None:
        with writing(output):
            output.write_text(text, encoding="utf-8")
        say(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False, color=color)
    if fmt == "csv" and (left := _left_out(result)):
        # A spreadsheet has no place for "... 7 more": said beside it, or it reads whole.
        say(f"note: not in this CSV: {left}; --all lists them", err=True)
    if fail_on == "systemic" and _has_systemic(result, new_only=bool(since or days)):
        sys.exit(ExitStatus.SYSTEMIC)


def _left_out(result: Report) -> str:
    """What the report's lists left out, in words ("" for nothing)."""
    parts = [
        (result.issues_systemic_more, "systemic issue"),
        (result.issues_isolated_more, "isolated issue"),
        (result.systemic_more, "systemic grievance"),
        (result.isolated_more, "isolated grievance"),
        (result.isolated_hidden or 0, "single-post grievance"),
    ]
    return ", ".join(counted(n, what) for n, what in parts if n)


def _has_systemic(result: Report, *, new_only: bool) -> bool:
    """A systemic grievance: a near-duplicate cluster or an issue (a shared theme)."""
    shown: list[ClusterView | IssueView] = [*result.clusters, *result.issues]
    systemic = [g for g in shown if g.verdict == "systemic"]
    if new_only:
        return any("new" in g.flags for g in systemic)
    hidden = result.systemic_more + result.issues_systemic_more
    return bool(systemic) or hidden > 0
