"""``scan sources``: the configured sources, their last run and their health."""

from __future__ import annotations

import json

import click

from scanner.commands._app import App, pass_app
from scanner.textsafe import sanitize_tree, terminal


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def sources(app: App, as_json: bool) -> None:
    """List the configured sources with their last crawl and health.

    Health: ok, failed, blocked (bot protection or robots.txt), empty (an API
    answered nothing), changed (possibly changed markup), silent (nothing
    found yet), truncated (a page arrived cut short), backlog (stopped at its
    page cap or time budget; the pages still pending are fetched first next
    time).

    \b
    Example:
        scan sources
        scan sources --json
    """
    from scanner.crawl.health import overview

    rows = overview(app.config, app.store())
    if as_json:
        # Health messages and URLs come from the web: as clean as every other JSON output.
        click.echo(json.dumps(sanitize_tree(rows), indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No sources configured: add [[sources]] to the config.", err=True)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title_justify="left")
    columns = ("source", "spider", "enabled", "last run", "status", "items", "new", "pending",
               "health", "since", "message")  # fmt: skip
    numbers = {"items", "new", "pending"}
    for column in columns:
        table.add_column(column, justify="right" if column in numbers else "left",
                         overflow="fold")  # fmt: skip
    for r in rows:
        cells = (r["source"], r["spider"], "yes" if r["enabled"] else "no",
                 (r["last_run"] or "never")[:19], r["status"] or "-", r["items"], r["new"],
                 r["pending"] or "", r["health"] or "-", (r["since"] or "")[:10],
                 r["message"] or "")  # fmt: skip
        table.add_row(*(Text(terminal("" if c is None else str(c))) for c in cells))
    console = Console(highlight=False)
    if not console.is_terminal:  # piped or captured: no folding into a narrow default
        console.width = 200
    console.print(table)
