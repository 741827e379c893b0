"""``scan import``: load complaints exported from other channels."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner.commands._app import App, pass_app, say
from scanner.status import ExitStatus


@click.command(name="import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
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
    app: App, files: tuple[Path, ...], fmt: str | None, strict: bool, default_source: str
) -> None:
    """Import complaints from JSON Lines or CSV files, one after the other.

    Fields: text (required), id, source, author, title, url, rating,
    rating_scale (default 5), published_at (ISO 8601), grievance. A record
    with a rating is a grievance by rules/complaint.toml, one without is one.
    Importing the same file twice adds nothing. Bad rows are reported with
    their line numbers; the good rows are stored and the exit status is 3
    (with --strict, nothing of that file is stored and the status is 1).

    \b
    Example:
        scan import tickets.jsonl
        scan import exports/*.jsonl
        scan --db acme.db import complaint-box.csv --strict
    """
    statuses = [
        _import_one(app, file, fmt, strict, default_source, len(files) > 1) for file in files
    ]
    # A file refused whole (--strict) fails the command; bad rows make it partial.
    for status in (ExitStatus.ERROR, ExitStatus.PARTIAL):
        if status in statuses:
            sys.exit(status)


def _import_one(
    app: App, file: Path, fmt: str | None, strict: bool, default_source: str, named: bool
) -> ExitStatus:
    """One file in, its summary said (``named``: after its name, among several)."""
    from scanner.importing import RowError, import_file, import_notes

    def report(error: RowError) -> None:  # each bad row as soon as it is found
        say(f"{file}: {error}", err=True)

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
        said = f"{result.rejected} bad row(s); nothing imported (--strict)."
        say(f"{file}: {said}" if named else said, err=True)
        return ExitStatus.ERROR
    stored = result.stored
    summary = (
        f"{result.rows} row(s) read: {stored.new} new, {stored.updated} updated, "
        f"{stored.unchanged} unchanged, {result.rejected} rejected."
    )
    say(f"{file}: {summary}" if named else summary)
    for note in import_notes(result, app.config):
        say(f"{file}: {note}", err=True)
    return ExitStatus.PARTIAL if result.rejected else ExitStatus.OK
