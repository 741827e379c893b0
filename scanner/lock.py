"""One run at a time per database: a lock file beside it, held with ``flock``.

Cron starts ``scan nightly`` whether or not last night's run has finished, and
two runs would crawl twice and could send two digests. The kernel releases a
``flock`` when its process dies, however it dies, so a run killed with -9 never
leaves a lock that blocks the next night. The file also holds the holder's pid
and start time: that is what the "already running" message shows, and leftover
content found by a new holder means the last run did not finish cleanly (it is
logged, then taken over). The file is never deleted, only emptied: deleting a
locked file lets a third process lock a fresh inode while the second holds the old.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from scanner.errors import StoreLockedError, writing
from scanner.status import ExitStatus

logger = logging.getLogger(__name__)


class LockedError(StoreLockedError):
    """Another scan run holds the lock on this database (exit status 4)."""

    exit_status = ExitStatus.LOCKED


def lock_path(db_path: Path) -> Path:
    """``<db>.lock`` beside the database file itself, wherever ``db_path`` points.

    Symlinks and ``..`` are resolved first: ``--db link.db`` and ``--db scan.db``
    are one database and must share one lock, or both runs would crawl and mail.
    """
    real = Path(db_path).resolve()
    return real.with_name(real.name + ".lock")


class RunLock:
    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(db_path)
        self.fd: int | None = None
        self.stale: str | None = None  # what a run that died holding the lock left behind

    def acquire(self, purpose: str) -> None:
        # No mkdir: the database (and so its directory) exists, or the command
        # was refused before it came here (scanner.store.opening).
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd) or "pid unknown"
            os.close(fd)
            raise LockedError(
                f"another scan run holds the lock ({holder}); lock file {self.path}. "
                "It is released when that run ends."
            ) from None
        self.stale = _read(fd) or None
        if self.stale:
            logger.warning(
                "taking over the lock left by a run that did not finish (%s)", self.stale
            )
        started = datetime.now(UTC).replace(microsecond=0).isoformat()
        try:
            with writing(self.path):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{purpose}, pid {os.getpid()}, started {started}\n".encode(), 0)
                os.fsync(fd)
        except OSError:
            os.close(fd)  # closing releases the flock too
            raise
        self.fd = fd

    def release(self) -> None:
        if self.fd is None:
            return
        os.ftruncate(self.fd, 0)
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None


@contextmanager
def held(db_path: Path, purpose: str) -> Iterator[RunLock]:
    """Hold the database's run lock for the block; raise :class:`LockedError` if taken."""
    lock = RunLock(db_path)
    lock.acquire(purpose)
    try:
        yield lock
    finally:
        lock.release()


def _read(fd: int) -> str:
    data = os.pread(fd, 512, 0)
    return data.decode("utf-8", "replace").strip()
