"""``scan compare``: our grievances next to the competitors', as rates per 100 mentions."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from scanner.commands._app import App, iso_date, pass_app, say
from scanner.report.formats import COMPARISON_FORMATS
from scanner.termwidth import output_width


@click.command(name="compare")
@click.option("--since", callback=iso_date, metavar="DATE", help="Period start (YYYY-MM-DD).")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    help="Period: the last N days (default: rules/compare.toml, 30).",
)
@click.option(
    "--as-of",
    "as_of",
    callback=iso_date,
    metavar="DATE",
    help="Compare as it would have been at the end of DATE (default: now).",
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="List at most N grievances per standing (JSON lists all).",
)
@click.option("--all", "include_all", is_flag=True, help="List every grievance.")
@click.option(
    "--format", "fmt", type=click.Choice(COMPARISON_FORMATS), default="text", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@pass_app
def compare(
    app: App,
    fmt: str,
    output: Path | None,
    limit: int,
    include_all: bool,
    since: date | None,
    days: int | None,
    as_of: date | None,
) -> None:
    """Compare our grievances with the competitors' ([[competitors]] in scanner.toml).

    For each issue (matched across companies by its phrases) and each category:
    every company's grievances and distinct people per 100 of its mentions in
    the period, the trend against the period before, and whose it is: ours
    alone, industry-wide, or theirs alone (an opening). Rates resting on too
    few mentions are marked. Run `scan issues` first: it finds every company's.

    \b
    Example:
        scan compare
        scan compare --days 90 --format html -o compare.html
        scan compare --as-of 2026-06-30 --format json
    """
    from scanner.compare import build
    from scanner.report.formats import render_comparison

    store = app.store()
    result = build(store, app.config, since=since, days=days, as_of=as_of)
    result.limit = None if include_all else limit
    tty = output is None and sys.stdout.isatty()
    color = tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = output_width()
    text = render_comparison(result, fmt, width=width, color=color, tty=tty)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        say(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False, color=color)
