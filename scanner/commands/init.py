"""``scan init``: write a commented starter config."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands._app import App, pass_app
from scanner.config import DEFAULT_CONFIG


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_app
def init(app: App, force: bool) -> None:
    """Write a commented starter config (./scanner.toml, or --config PATH).

    \b
    Example:
        scan init
        scan --config ~/acme/scanner.toml init
    """
    from scanner.starter import write_starter

    path = app.config_path or Path(DEFAULT_CONFIG)
    try:
        write_starter(path, force=force)
    except FileExistsError:
        raise click.ClickException(f"{path} exists already; use --force to overwrite it") from None
    click.echo(f"Wrote {path}. Edit [company] and [[sources]], then run: scan crawl")
