"""What every command needs: the config, the database, and how to print safely."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner.config import Config, load_config

if TYPE_CHECKING:
    from scanner.store import Store


@dataclass
class App:
    """Global options, resolved lazily: a command that needs no config reads none."""

    config_path: Path | None = None
    db_override: Path | None = None
    verbose: int = 0
    debug: bool = False
    _stores: list[Store] = field(default_factory=list)

    @cached_property
    def config(self) -> Config:
        config = load_config(self.config_path)
        if config.path is None:
            # No config file: a database made elsewhere (`scan demo`, a colleague's
            # file) is about the company it holds, not the placeholder "My company".
            only = _only_company(self.db_override or config.db)
            if only:
                config.company.name = only
        return config

    @property
    def db_path(self) -> Path:
        return self.db_override or self.config.db

    def store(self, *, create: bool = True, writing: bool = False) -> Store:
        """Open (and migrate) the database; closed when the command ends.

        Commands that only read (report, mentions, stats) pass ``create=False``:
        a mistyped ``--db`` then says so instead of showing an empty new database.
        Commands that store posts pass ``writing=True`` (see ``apply_privacy``).
        """
        from scanner.errors import StoreError
        from scanner.store import Store

        if not create and not self.db_path.exists():
            raise StoreError(
                f"{self.db_path}: no such database (run `scan import` or `scan crawl` first, "
                "or pass --db PATH)"
            )
        store = Store(self.db_path)
        click.get_current_context().call_on_close(store.close)
        self.apply_privacy(store, writing=writing)
        return store

    def apply_privacy(self, store: Store | None = None, *, writing: bool = False) -> None:
        """Bring the database to the config's ``[privacy] authors`` mode before any use
        (``scanner.store.authors.for_config``) and say so when that switched it.

        ``writing`` checks the hashing key up front. Without ``store``, the database
        is opened for this and closed again (commands that hand the path on).
        """
        from scanner.store import Store
        from scanner.store.authors import for_config

        if store is None:
            with Store(self.db_path) as own:
                self.apply_privacy(own, writing=writing)
            return
        switched = for_config(store, self.config, writing=writing)
        if switched is not None:
            click.echo(switched.note, err=True)


pass_app = click.make_pass_decorator(App)


def exclusive(*groups: tuple[str, ...]) -> None:
    """Options of one group cannot go together: a usage error (exit 2), named as typed."""
    ctx = click.get_current_context()
    flags = {p.name: p.opts[0] for p in ctx.command.params if p.opts}
    for group in groups:
        given = [n for n in group if ctx.params.get(n) not in (None, False, ())]
        if len(given) > 1:
            named = [flags.get(n, n) for n in given]
            raise click.UsageError(f"use either {named[0]} or {named[1]}, not both", ctx)


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Option callback: a YYYY-MM-DD date, or a usage error that says so."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _only_company(db: Path) -> str | None:
    """The company of every mention in ``db``, when there is exactly one."""
    if not db.is_file():
        return None
    try:
        with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            names = conn.execute("SELECT DISTINCT company FROM mentions LIMIT 2").fetchall()
    except sqlite3.Error:
        return None  # not ours, or not yet migrated: opening the store will say what is wrong
    return names[0][0] if len(names) == 1 else None
