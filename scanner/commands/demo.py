"""``scan demo``: the whole product on bundled pages of a fictional company."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from scanner.commands._app import App, pass_app


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("scan-demo"),
    show_default=True,
    help="Where to keep the database, the digest and the config it used.",
)
@pass_app
def demo(app: App, directory: Path) -> None:
    """Run the whole product on bundled pages, with no config, network or database.

    A small web server on 127.0.0.1 serves pages about a fictional company in
    the formats of six real sources (Trustpilot, the BBB, Reddit, Hacker News,
    the App Store, Google Alerts); the real spiders and pipeline crawl them into
    a fresh DIR/scan.db, grievances are grouped, the report is printed and the
    digest written to DIR/digest.eml. Nothing is left running. Run it again to
    start over (DIR/scan.db is replaced).

    \b
    Example:
        scan demo
        scan demo --dir /tmp/try-scan
    """
    from scanner.demo.run import run_demo

    if app.db_override or app.config_path:
        click.echo(
            "Note: the demo does not use --db, --config, SCAN_DB or SCAN_CONFIG; it\n"
            f"keeps its own database and config in {directory}.",
            err=True,
        )
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    run_demo(directory, echo=click.echo, color=color)
