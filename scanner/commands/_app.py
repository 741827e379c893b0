"""What every command needs: the config, the database, and how to print safely."""

from __future__ import annotations

import copy
import functools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scanner.config import Config, load_config

if TYPE_CHECKING:
    from scanner.store import Store
    from scanner.store.opening import Mode


#: What each command may do to its database (modes: ``scanner.store.opening``).
#: The database is opened in that mode before the command's body runs, so a
#: refused file is refused before anything else happens. ``--create`` turns
#: ``write`` into ``create``; a reading command never writes, whatever flag it
#: gets. ``init`` and ``demo`` make their databases themselves; ``cron-line``
#: and ``crawl-worker`` (it sends what it finds to the writer) open none.
ACCESS: dict[str, Mode | Callable[[dict[str, Any]], Mode]] = {
    "import": "write",
    "crawl": "write",
    "ingest": "write",
    "cluster": "write",
    "issues": "write",
    "nightly": "write",
    # --dry-run and --out send nothing, so they record nothing either.
    "digest": lambda params: "read" if params.get("dry_run") or params.get("out") else "write",
    "report": "read",
    "compare": "read",
    "stats": "read",
    "mentions": "read",
    "sources": "read",
}
NO_DATABASE = ("init", "demo", "cron-line", "crawl-worker")


@dataclass
class App:
    """Global options, resolved lazily: a command that needs no config reads none."""

    config_path: Path | None = None
    db_override: Path | None = None
    verbose: int = 0
    debug: bool = False
    create: bool = False  # --create: a writing command may make a new database
    #: Where ``db_override`` came from, as a message names it: "--db", or "SCAN_DB"
    #: when the environment set it (a user who typed no --db is not told of one).
    db_named_by: str = "--db"
    _store: Store | None = None

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

    @property
    def known_db_path(self) -> Path | None:
        """The database path if already known; reads no config (for error messages)."""
        if self._store is not None:
            return self._store.path
        return self.db_override

    def open_store(self, mode: Mode) -> Store:
        """Open the database as ``mode`` allows; closed when the command ends."""
        from scanner.store import Store

        if mode == "write" and self.create:
            mode = "create"
        store = Store(self.db_path, mode=mode)
        click.get_current_context().call_on_close(store.close)
        self._store = store
        if mode == "read":  # a reading command never writes, not even the privacy switch
            from scanner.store.authors import check_for_reading

            check_for_reading(store, self.config)
        else:
            self.apply_privacy(store, writing=True)
        return store

    def store(self) -> Store:
        """The command's database, opened by its ``ACCESS`` entry before it ran."""
        if self._store is None:
            raise RuntimeError("this command has no ACCESS entry in scanner.commands._app")
        return self._store

    def apply_privacy(self, store: Store | None = None, *, writing: bool = False) -> None:
        """Bring the database to the config's ``[privacy] authors`` mode before any use
        (``scanner.store.authors.for_config``) and say so when that switched it.

        ``writing`` checks the hashing key up front. Without ``store``, the command's
        own database is used."""
        from scanner.store.authors import for_config

        switched = for_config(store or self.store(), self.config, writing=writing)
        if switched is not None:
            say(switched.note, err=True)


def with_database(command: click.Command, name: str) -> click.Command:
    """``command``, opening its database by ``ACCESS[name]`` before its body runs.

    A copy, so the module's command object stays as its module defined it.
    """
    access = ACCESS.get(name)
    if access is None or command.callback is None:
        return command
    body = command.callback

    @functools.wraps(body)
    def opened_first(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        mode = access(ctx.params) if callable(access) else access
        app_of(ctx).open_store(mode)
        return body(*args, **kwargs)

    wrapped = copy.copy(command)
    wrapped.callback = opened_first
    return wrapped


pass_app = click.make_pass_decorator(App)


def app_of(ctx: click.Context) -> App:
    """The ``App`` the ``scan`` group made; an error as ``pass_app``'s when there is none."""
    app = ctx.find_object(App)
    if app is None:
        raise RuntimeError("no scan App in this click context (run through `scan`)")
    return app


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
    from scanner.errors import StoreError
    from scanner.store.opening import connect

    if not db.is_file():
        return None
    try:
        conn = connect(db, "read")
    except StoreError:
        return None  # not ours, or not a database: opening the store will say what is wrong
    try:
        names = conn.execute("SELECT DISTINCT company FROM mentions LIMIT 2").fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return names[0][0] if len(names) == 1 else None


def say(message: str, *, err: bool = False) -> None:
    """Print a message in prose (a summary, a note, a bad row), word-wrapped when it
    goes to a terminal (``scanner.termwidth.for_terminal``); a line for scripts
    otherwise. Made safe for the terminal as errors are (``scanner.cli``): it may
    quote a file's name, a source's or an SMTP server's answer, and a file saved
    from the web may be named with an escape sequence that retitles the terminal."""
    from scanner.termwidth import for_terminal
    from scanner.text.safe import terminal

    click.echo(for_terminal(terminal(message, single_line=False), err=err), err=err)
