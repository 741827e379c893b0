"""``scan mentions``: list stored posts, filtered, with full-text search."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from typing import TYPE_CHECKING

import click

from scanner.commands._app import App, iso_date, pass_app
from scanner.report.model import shown_title, titled
from scanner.termwidth import output_width
from scanner.text.safe import csv_cell, sanitize_tree, terminal, text_cells, width_cut

if TYPE_CHECKING:
    from scanner.store import Store

#: Terminal cells of the company column at most: at 80 columns, the id and the
#: author keep the most of the line.
COMPANY_CELLS = 14


@click.command()
@click.option(
    "--search", "-s", help="Full-text search over title and text (all words must appear)."
)
@click.option("--source", help="Only this source.")
@click.option("--company", help="Only mentions about this company or competitor.")
@click.option("--since", callback=iso_date, help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", callback=iso_date, help="Published before this date (YYYY-MM-DD).")
@click.option("--grievances", is_flag=True, help="Only grievances (complaints).")
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=50,
    show_default=True,
    help="At most this many (0: all).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@pass_app
def mentions(
    app: App,
    search: str | None,
    source: str | None,
    company: str | None,
    since: date | None,
    until: date | None,
    grievances: bool,
    limit: int,
    fmt: str,
) -> None:
    """List stored mentions, newest first.

    A "!" before the date marks a grievance (a post that complains); each post is
    shown as the report shows it, its title, then its text.

    \b
    Example:
        scan mentions --search "refund" --since 2026-01-01
        scan mentions --source acme-trustpilot --format json --limit 0
    """
    from scanner.report.checks import check_source, stored_company

    store = app.store()
    # A typo is refused, not "No mentions match"; the name compared is the stored form.
    source = check_source(store.db, app.config, source)
    rows = store.search_mentions(
        search=search,
        source=source,
        company=stored_company(store, app.config, company),
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        grievances_only=grievances,
        limit=limit or None,
    )
    if fmt == "json":
        for row in rows:
            row["categories"] = json.loads(row["categories"])
            row["extra"] = json.loads(row["extra"])
            click.echo(json.dumps(sanitize_tree(row), ensure_ascii=False))
        return
    if fmt == "csv":
        # The fields of ``scan import``, so an export is read back as it was stored:
        # a rating with its scale, and whether it is a grievance (1/0).
        columns = [
            "id",
            "source",
            "company",
            "author",
            "published_at",
            "rating",
            "url",
            "title",
            "text",
            # after the columns of old, which scripts may read by position
            "rating_scale",
            "grievance",
            "language",
        ]
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            row["grievance"] = row["is_grievance"]
            writer.writerow([csv_cell(row[c]) for c in columns])
        return
    width = max(40, min(output_width(), 200) - 2)
    column = 0 if company else _company_cells(store)
    count = 0
    for row in rows:
        count += 1
        when = (row["published_at"] or row["first_seen_at"] or "")[:10]
        mark = "!" if row["is_grievance"] else " "
        whose = f"{_padded(terminal(row['company']), column)}  " if column else ""
        head = f"{mark} {when}  {whose}{terminal(row['id'])}  {terminal(row['author'] or '-')}"
        click.echo(width_cut(head, width))
        # As the report shows a post: an app-store review may say it all in its title
        # ("Sucks say to take a break" over "M"), and a search may match only there.
        shown = titled(shown_title(row["title"], row["text"]), row["text"])
        click.echo("    " + width_cut(terminal(shown), width - 4))
    if count == 0:
        click.echo("No mentions match.", err=True)


def _company_cells(store: Store) -> int:
    """How wide the company column is: 0 (none) when the database holds the posts
    of one company only (spellings in other cases are one), as ``--company`` asks;
    else its longest name, up to ``COMPANY_CELLS``. Worked out from every stored
    name, not the rows listed, so the listing is read once, as it streams."""
    names = store.companies()
    if len({name.casefold() for name in names}) < 2:
        return 0
    return min(max(text_cells(terminal(name)) for name in names), COMPANY_CELLS)


def _padded(text: str, cells: int) -> str:
    """``text`` in exactly ``cells`` terminal cells: cut with an ellipsis, or padded."""
    cut = width_cut(text, cells)
    return cut + " " * (cells - text_cells(cut))
