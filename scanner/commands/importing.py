"""``scan import``: load complaints exported from other channels."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner.commands._app import App, pass_app
from scanner.status import ExitStatus


@click.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    help="File format (default: from the extension: .jsonl/.json, .csv/.tsv).",
)
@click.option("--strict", is_flag=True, help="Store nothing if any row is bad.")
@click.option(
    "--source",
    "default_source",
    default="import",
    show_default=True,
    help="Source name for rows that have no 'source' field.",
)
@pass_app
def import_command(
    app: App, file: Path, fmt: str | None, strict: bool, default_source: str
) -> None:
    """Import complaints from a JSON Lines or CSV file.

    Fields: text (required), id, source, author, title, url, rating,
    rating_scale (default 5), published_at (ISO 8601), grievance. A record
    with a rating is a grievance by rules/complaint.toml, one without is one.
    Importing the same file twice adds nothing. Bad rows are reported with
    their line numbers; the good rows are stored and the exit status is 3
    (with --strict, nothing is stored and the status is 1).

    \b
    Example:
        scan import tickets.jsonl
        scan --db acme.db import complaint-box.csv --strict
    """
    from scanner.importing import RowError, import_file, import_notes

    def report(error: RowError) -> None:  # each bad row as soon as it is found
        click.echo(f"{file}: {error}", err=True)

    result = import_file(
        app.store(),
        file,
        company=app.config.company.name,
        fmt=fmt,
        strict=strict,
        default_source=default_source,
        on_error=report,
    )
    if result.strict_aborted:
        click.echo(f"{result.rejected} bad row(s); nothing imported (--strict).", err=True)
        sys.exit(ExitStatus.ERROR)
    stored = result.stored
    click.echo(
        f"{result.rows} row(s) read: {stored.new} new, {stored.updated} updated, "
        f"{stored.unchanged} unchanged, {result.rejected} rejected."
    )
    for note in import_notes(result, app.config):
        click.echo(f"{file}: {note}", err=True)
    if result.rejected:
        sys.exit(ExitStatus.PARTIAL)
