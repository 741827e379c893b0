"""``scan sources``: the configured sources, their last run and their health; the
crawled ones no longer configured; the imported ones."""

from __future__ import annotations

import json

import click

from scanner.commands._app import App, pass_app
from scanner.text.safe import sanitize_tree


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--details", "-l", is_flag=True, help="Every fact of every source, one per line.")
@pass_app
def sources(app: App, as_json: bool, details: bool) -> None:
    """List the configured sources with their last crawl and health, then those
    removed from the config whose crawled posts are still stored (post count and
    last crawl), then the sources of imported posts (`scan import`) with their
    post count and last import: nothing crawls those, so they have no health.

    Health: ok, failed, blocked (bot protection or robots.txt), empty (an API
    answered nothing), changed (possibly changed markup), silent (nothing
    found yet), truncated (a page arrived cut short), backlog (stopped at its
    page cap or time budget; the pages still pending are fetched first next
    time). A source's health message is on the line under it. A last run
    still going, killed (its process ended without finishing it: killed, or
    unable to write to the database, as on a full disk) or interrupted says so
    beside its time: its health is an earlier run's.

    \b
    Example:
        scan sources
        scan sources --details
        scan sources --json
    """
    from scanner.report.source_lines import sources_text
    from scanner.sources import listing
    from scanner.termwidth import output_width

    rows = listing(app.config, app.store())
    if as_json:
        # Health messages and URLs come from the web: as clean as every other JSON output.
        click.echo(json.dumps(sanitize_tree(rows), indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo(
            "No sources configured or imported: add [[sources]] to the config, "
            "or bring posts in with `scan import FILE`.",
            err=True,
        )
        return
    click.echo(sources_text(rows, width=output_width(), details=details), nl=False)
