"""Domain errors. The library raises these; the CLI turns them into one clear line.

Every message says what went wrong, where (file, line, key) and, when we know,
how to fix it.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scanner.status import ExitStatus


class ScanError(Exception):
    """Base of every error a user can cause and fix."""


class OptionError(ScanError):
    """Options that contradict each other ("--since" after "--as-of"): a wrong
    invocation, exit status 2 as click gives its own."""

    exit_status = ExitStatus.USAGE


class UnknownNameError(OptionError):
    """A company, source or category named on the command line that is not there to
    report on (a company the config does not watch; a source neither the config nor
    the database has): a typo, told with the names that exist (exit 2, like an
    invalid choice in click), never a report that reads as "no complaints"."""


class CheckedFileError(ScanError):
    """A file the user edits (config, rule file) has problems: all of them, one per line.

    Each line names the file, the line when known, and the problem, so that a
    file with eight typos is fixed in one run (``scanner.schema`` finds them).
    """

    def __init__(
        self,
        path: str | Path,
        reason: str,
        line: int | None = None,
        *,
        problems: list[tuple[int | None, str]] | None = None,
    ) -> None:
        self.path = Path(path)
        self.problems = problems or [(line, reason)]
        self.line, self.reason = self.problems[0]
        super().__init__(
            "\n".join(
                f"{path} line {at}: {why}" if at else f"{path}: {why}" for at, why in self.problems
            )
        )


class ConfigError(CheckedFileError):
    """The config file is missing, unreadable, or has a wrong key or type."""


class RuleFileError(CheckedFileError):
    """A rule file in ``rules/`` is malformed or has an invalid value."""


class StoreError(ScanError):
    """The database cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another scan process holds the lock."""


class ImportFileError(ScanError):
    """An import file cannot be read at all (as opposed to single bad rows)."""


class BadRow(ValueError):
    """One row of an import file cannot be imported; the message is the reason shown
    to the user. Not a ``ScanError``: the import reports it with its line number and
    reads on (``scanner.importing``)."""


# What the machine, not the user's input, can make a command fail with: a full
# disk, a lock held too long, a read-only or damaged file. Each becomes one line
# that says what to do (the CLI shows the traceback only with --debug).
_SQLITE_FAILURES = {
    sqlite3.SQLITE_FULL: "the write in progress was rolled back and nothing stored was lost; "
    "free some space and run the command again",
    sqlite3.SQLITE_BUSY: "another process kept the database locked for too long; "
    "run the command again when it has finished",
    sqlite3.SQLITE_LOCKED: "run the command again",
    sqlite3.SQLITE_READONLY: "the file, its directory (SQLite keeps its -wal and -shm files "
    "beside it) or its mount is read-only; reading commands still work",
    sqlite3.SQLITE_IOERR: "check the disk, then run the command again",
    sqlite3.SQLITE_CORRUPT: "the file is damaged; restore it from a backup",
    sqlite3.SQLITE_NOTADB: "pass a scan database with --db",
    sqlite3.SQLITE_CANTOPEN: "check that the file and its directory exist and can be written",
}
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def environment_failure(
    exc: BaseException, db: Path | None = None, stream: str | None = None
) -> str | None:
    """One line for a failure of the machine (disk full, I/O error, locked), or
    ``None`` when ``exc`` is not one (a bug, which keeps its traceback).

    ``db`` names the database in SQLite's messages; ``stream`` names what an
    ``OSError`` without a file name was writing to ("standard output")."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        reason = _SQLITE_FAILURES.get(code & 0xFF) if code is not None else None
        if reason is None:
            return None
        return f"{db}: {exc}: {reason}" if db else f"{exc}: {reason}"
    if isinstance(exc, OSError) and not isinstance(exc, BrokenPipeError):
        target = exc.filename if exc.filename is not None else stream
        if exc.errno in _NO_SPACE:
            if exc.filename is None:
                return f"{target or 'a file'}: no space left on device"
            return (
                f"{target}: no space left on device; the file may be incomplete. "
                "Free some space and run the command again"
            )
        if exc.strerror:
            return f"{target}: {exc.strerror}" if target else exc.strerror
    return None


@contextmanager
def writing(target: str | Path) -> Iterator[None]:
    """Name ``target`` in an ``OSError`` raised by the block.

    A failed ``write`` (a full disk) carries no file name, only a failed
    ``open`` does; the user needs to know which file is incomplete.
    """
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(target)
        raise
