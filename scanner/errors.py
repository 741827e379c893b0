"""Domain errors. The library raises these; the CLI turns them into one clear line.

Every message says what went wrong, where (file, line, key) and, when we know,
how to fix it.
"""

from __future__ import annotations

from pathlib import Path


class ScanError(Exception):
    """Base of every error a user can cause and fix."""


class ConfigError(ScanError):
    """The config file is missing, unreadable, or has a wrong key or type."""

    def __init__(self, path: str | Path, reason: str, key: str | None = None) -> None:
        self.path, self.key, self.reason = Path(path), key, reason
        where = f"{path}: {key}: " if key else f"{path}: "
        super().__init__(where + reason)


class RuleFileError(ScanError):
    """A rule file in ``rules/`` is malformed or has an invalid value."""

    def __init__(self, path: str | Path, reason: str, line: int | None = None) -> None:
        self.path, self.line, self.reason = Path(path), line, reason
        where = f"{path} line {line}: " if line else f"{path}: "
        super().__init__(where + reason)


class StoreError(ScanError):
    """The database cannot be opened or written."""


class StoreLockedError(StoreError):
    """Another scan process holds the lock."""


class ImportFileError(ScanError):
    """An import file cannot be read at all (as opposed to single bad rows)."""
