"""``scan init``: write a commented starter config and create the database."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands._app import App, pass_app, say
from scanner.config import DEFAULT_CONFIG


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@pass_app
def init(app: App, force: bool) -> None:
    """Write a commented starter config (./scanner.toml, or --config PATH) and
    create the database it names (or --db PATH).

    This is the one command that creates a database (besides --create): the
    others refuse a missing one, so a mistyped path never starts a new, empty
    database. An existing config is kept unless --force is given.

    \b
    Example:
        scan init
        scan --config ~/acme/scanner.toml init
        scan --db acme.db init
    """
    from scanner.starter import UnnamableDatabase, write_starter
    from scanner.store import Store
    from scanner.store.opening import is_scan_database

    path = app.config_path or Path(DEFAULT_CONFIG)
    wrote = force or not path.exists()
    if wrote:
        try:
            write_starter(path, db=app.db_override, force=force)
        except UnnamableDatabase as exc:
            raise click.UsageError(f"{app.db_named_by} {exc}") from None
    db = app.db_path
    existed = is_scan_database(db)
    if not wrote and existed:
        raise click.ClickException(
            f"{path} and {db} exist already; use --force to overwrite the config"
        )
    Store(db, mode="create").close()
    config_line = f"Wrote {path}." if wrote else f"Kept {path} (--force overwrites it)."
    named = _named_db(app) if not wrote and app.db_override else None
    if named is not None and named.resolve() != db.resolve():
        keep = f"pass --db {db} to" if app.db_named_by == "--db" else "keep SCAN_DB set for"
        config_line += (
            f" It names the database {named}, not {db}: {keep} each command or change db in it."
        )
    db_line = f"Database {db} is ready." if existed else f"Created database {db}."
    say(f"{config_line} {db_line} Edit [company] and [[sources]], then run: scan crawl")


def _named_db(app: App) -> Path | None:
    """The database a kept config names, if it loads: init with --db never needed a
    config that loads (one with a typo is for the user to mend, not a failure here)."""
    from scanner.errors import ConfigError

    try:
        return app.config.db
    except ConfigError:
        return None
