"""Opening a database file: the one rule for what a command may do to it.

Every command opens its database in one of three modes (``scanner.commands._app``
says which command uses which):

- ``read``: read-only (SQLite ``mode=ro``). Nothing is ever written: no
  migration, no switch to WAL. On a read-only mount, where SQLite cannot create
  the WAL index beside a WAL database, the file is opened ``immutable``.
- ``write``: an existing scan database, brought to the current schema.
- ``create``: as ``write``, and a missing file, or a SQLite file that holds no
  table at all, becomes a new scan database. Only ``scan init`` and ``--create``
  ask for this, so a mistyped ``--db`` never grows a new, empty database.

In every mode a file that holds tables but is not a scan database (another
application's) is refused before anything touches it: converting it would add
our tables to it and switch its journal. A scan database is one whose
``_sqlite_migrations`` table lists our migration set.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Literal

from scanner.errors import StoreError

Mode = Literal["read", "write", "create"]
MODES: tuple[Mode, ...] = ("read", "write", "create")
#: How long a statement waits for another connection's write transaction before
#: it gives up with "database is locked". A crawl batch, a grouping run and an
#: import can all be writing at once; each commits in well under this.
BUSY_TIMEOUT_S = 60.0
MIGRATION_SET = "scan"


def connect(path: Path, mode: Mode) -> sqlite3.Connection:
    """A connection to ``path`` as ``mode`` allows (the schema is the caller's job).

    Raises :class:`StoreError` with a one-line reason when the mode forbids it.
    """
    if mode not in MODES:
        raise ValueError(f"unknown store mode {mode!r}")
    exists = path.exists()
    if not exists and mode != "create":
        raise StoreError(f"{path}: no such database; {_how_to_make(mode)}")
    if exists and not path.is_file():
        raise StoreError(f"{path}: not a database file")
    # rw, not rwc, for a file that exists: deleting it meanwhile must not recreate it.
    conn = _read_only(path) if mode == "read" else _open(path, "rw" if exists else "rwc")
    try:
        kind = _kind(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise cannot_open(path, exc) from exc
    if kind == "foreign":
        tables = ", ".join(_user_tables(conn)[:5])
        conn.close()
        raise StoreError(
            f"{path}: not a scan database (it holds another application's tables: {tables}); "
            "nothing was changed. Pass a scan database with --db"
        )
    if kind == "empty" and mode != "create":
        conn.close()
        raise StoreError(f"{path}: not a scan database yet (no tables); {_how_to_make(mode)}")
    return conn


def cannot_open(path: Path, exc: sqlite3.DatabaseError) -> StoreError:
    """Why ``path`` cannot be opened for writing, in words a user can act on: the
    file may be writable while its directory is not, and SQLite must create the
    WAL and its index beside it ("attempt to write a readonly database")."""
    folder = path.resolve().parent
    if exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_READONLY and not os.access(folder, os.W_OK):
        return StoreError(
            f"{path}: cannot write the database: SQLite must create {path.name}-wal and "
            f"{path.name}-shm beside it and {folder} is not writable by you; run as its "
            "owner, or write a copy"
        )
    return StoreError(f"{path}: cannot open database: {exc}")


def is_scan_database(path: Path) -> bool:
    """Whether ``path`` is a scan database; opens it read-only, never raises."""
    try:
        conn = connect(path, "read")
    except StoreError:
        return False
    conn.close()
    return True


def _how_to_make(mode: Mode) -> str:
    if mode == "read":
        return "`scan init` creates one, `scan import` or `scan crawl` fill it; or pass --db PATH"
    return "`scan init` creates one, or add --create; or pass --db PATH"


def _uri(path: Path, query: str) -> str:
    return f"{path.absolute().as_uri()}?{query}"


def _open(path: Path, mode: str, extra: str = "") -> sqlite3.Connection:
    try:
        return sqlite3.connect(
            _uri(path, f"mode={mode}{extra}"),
            uri=True,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,
        )
    except sqlite3.OperationalError as exc:
        why = "its directory does not exist" if not path.parent.is_dir() else str(exc)
        raise StoreError(f"{path}: cannot open database: {why}") from exc


# SQLITE_READONLY_DIRECTORY: the -shm file cannot be created in the directory.
_READONLY_DIRECTORY = getattr(sqlite3, "SQLITE_READONLY_DIRECTORY", 1544)


def _read_only(path: Path) -> sqlite3.Connection:
    """``mode=ro``; ``immutable=1`` when even that cannot open the file.

    A WAL database needs its ``-shm`` index; on a read-only mount SQLite cannot
    create it and says "unable to open database file". Nothing can write the
    file through such a mount, which is what ``immutable`` promises.
    """
    conn = _open(path, "ro")
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        conn.close()
        if exc.sqlite_errorcode == _READONLY_DIRECTORY:
            # A directory this user may not write, on a mount others write through
            # (another user's nightly run): ``immutable`` could read a half-written
            # page, so say what SQLite needs instead.
            raise StoreError(
                f"{path}: cannot read the database: SQLite must create {path.name}-shm "
                f"beside it (a WAL database) and {path.resolve().parent} is not writable by you; "
                "run as its owner, or read a copy"
            ) from exc
        if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_CANTOPEN:
            raise StoreError(f"{path}: cannot open database: {exc}") from exc
        conn = _open(path, "ro", "&immutable=1")
    conn.execute("PRAGMA query_only = 1")
    return conn


def _user_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [r[0] for r in rows]


def _kind(conn: sqlite3.Connection) -> Literal["scan", "empty", "foreign"]:
    tables = _user_tables(conn)
    if not tables:
        return "empty"
    if "_sqlite_migrations" in tables:
        try:
            ours = conn.execute(
                "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1",
                [MIGRATION_SET],
            ).fetchone()
        except sqlite3.OperationalError:  # another tool's table of the same name
            ours = None
        if ours:
            return "scan"
    return "foreign"
