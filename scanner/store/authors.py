"""The privacy mode a database's authors are in, and switching it in place.

The database records its mode (table ``privacy``, one row), so the upsert path
applies it to every post whoever writes (``writing_policy``), and a config that
asks for another mode is honoured by rewriting what is stored (``enforce``).

Switching to ``hash`` or ``drop`` rewrites every post in one transaction (an
interrupted switch leaves the database as it was), loses none, and keeps the
people counts of ``hash`` equal (pseudonyms are one-to-one with person keys).
Posts that ``scan import`` named with a hash including the author get new
ids (``scanner.store.rewrite``). The file is then compacted (FTS ``optimize``,
``VACUUM``, WAL truncated): an update leaves the old text in free pages, which
is exactly what the user asked not to keep. A compaction that cannot run now
(another process has the file open) is retried the next time the database is
opened with the config.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scanner.privacy import (
    DROP,
    HASH,
    KEEP,
    KEY_ENV,
    AuthorPolicy,
    PrivacyError,
    key_check,
    key_from_env,
)
from scanner.store.rewrite import rewrite_posts

if TYPE_CHECKING:
    from sqlite_utils import Database

    from scanner.config import Config
    from scanner.store import Store

_REWRITES = {(KEEP, HASH), (KEEP, DROP), (HASH, DROP)}


@dataclass
class Recorded:
    mode: str = KEEP
    key_check: str | None = None
    compacted: bool = True


@dataclass
class Switch:
    before: str
    after: str
    posts: int = 0
    rewritten: int = 0  # posts whose stored author, text or facts changed
    renamed: int = 0  # imported posts without an id of their own, given a new one
    compacted: bool = True

    @property
    def note(self) -> str:
        """One line for the user: what happened to the stored names."""
        head = f"privacy: authors {self.before} -> {self.after}"
        if (self.before, self.after) in _REWRITES:
            tail = (
                ""
                if self.compacted
                else (
                    "; the file could not be compacted now (another process has it open), "
                    "so old names may remain in its free pages until the next run"
                )
            )
            renamed = ""
            if self.renamed:
                renamed = (
                    f"; {self.renamed} imported posts without an id of their own have new "
                    "ids (theirs were a hash that included the author)"
                )
            return (
                f"{head}: {self.rewritten} of {self.posts} stored posts rewritten in place"
                f"{renamed}{tail}"
            )
        if self.before == HASH:
            return (
                f"{head}: posts stored so far keep their pseudonyms; a person who posts "
                "again from now on is counted twice"
            )
        return f"{head}: posts stored so far have no author and still count one person each"


def recorded(db: Database) -> Recorded:
    row = db.execute("SELECT authors, key_check, compacted FROM privacy WHERE id = 1").fetchone()
    return Recorded(row[0], row[1], bool(row[2])) if row else Recorded()


def writing_policy(db: Database) -> AuthorPolicy:
    """The policy every upsert applies: the recorded mode, with the checked key."""
    found = recorded(db)
    if found.mode != HASH:
        return AuthorPolicy(found.mode)
    key = key_from_env(required=True)
    _same_key(found, key)
    return AuthorPolicy(HASH, key)


def for_config(store: Store, config: Config, *, writing: bool = False) -> Switch | None:
    """Bring the database to the config's ``[privacy] authors`` before any use.

    A config that sets the mode switches the database; without it the database
    keeps the mode it has, so a missing ``[privacy]`` table never brings names
    back. A config with no file (``--db`` alone) is no one's wish either way.
    """
    wanted = config.privacy.authors if config.path is not None else None
    return enforce(store, wanted or recorded(store.db).mode, writing=writing)


def check_for_reading(store: Store, config: Config) -> None:
    """A reading command never writes, so it cannot switch the database: when the
    config wants another mode than the one stored, it refuses rather than show
    what the config says must not be shown (names, under ``hash`` or ``drop``)."""
    wanted = config.privacy.authors if config.path is not None else None
    found = recorded(store.db).mode
    if wanted is None or wanted == found:
        return
    key = f" with {KEY_ENV} set" if wanted == HASH else ""
    raise PrivacyError(
        f'{store.path}: [privacy] authors = "{wanted}" but the database still stores authors '
        f'as "{found}"; run a command that writes (scan issues, scan cluster, scan import, '
        f"scan crawl){key} to rewrite it first"
    )


def enforce(store: Store, mode: str, *, writing: bool = False) -> Switch | None:
    """Bring the database to ``mode`` (the config's); ``None`` when it already was.

    ``writing`` commands (crawl, import) check the key up front, so a crawl never
    fetches pages it then cannot store.
    """
    found = recorded(store.db)
    if found.mode == mode:
        if mode == HASH:
            key = key_from_env(required=writing)
            if key is not None:
                _same_key(found, key)
        if not found.compacted and compact(store):
            _set_compacted(store.db.conn, True)
        return None
    return switch(store, mode)


def switch(store: Store, mode: str) -> Switch | None:
    """Record ``mode`` and rewrite what is stored to match (see the module docstring);
    ``None`` when another process switched it first."""
    key = key_from_env(required=True) if mode == HASH else None
    policy = AuthorPolicy(mode, key)
    conn = store.db.conn
    conn.execute("BEGIN IMMEDIATE")  # under the write lock: no post slips in meanwhile
    try:
        before = recorded(store.db).mode
        if before == mode:
            conn.execute("COMMIT")
            return None
        result = Switch(before, mode)
        result.posts = conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
        if (before, mode) in _REWRITES:
            result.rewritten, result.renamed = rewrite_posts(conn, policy)
        conn.execute(
            "INSERT INTO privacy (id, authors, key_check, compacted, changed_at) "
            "VALUES (1, ?, ?, 0, datetime('now')) ON CONFLICT (id) DO UPDATE SET "
            "authors = excluded.authors, key_check = excluded.key_check, compacted = 0, "
            "changed_at = excluded.changed_at",
            [mode, key_check(key) if key else None],
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    result.compacted = compact(store) if result.rewritten or result.renamed else True
    _set_compacted(conn, result.compacted)
    return result


def compact(store: Store) -> bool:
    """Rebuild the file so no old text survives in free pages or the WAL."""
    try:
        store.db.execute("INSERT INTO mentions_fts (mentions_fts) VALUES ('optimize')")
        store.db.execute("VACUUM")
        busy = store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    except sqlite3.OperationalError:
        return False
    return busy == 0


def _same_key(found: Recorded, key: bytes) -> None:
    if found.key_check and key_check(key) != found.key_check:
        raise PrivacyError(
            f"{KEY_ENV} is not the key this database's authors were hashed with; with "
            "another key every returning person would be counted twice. Set the original key"
        )


def _set_compacted(conn: sqlite3.Connection, done: bool) -> None:
    conn.execute("UPDATE privacy SET compacted = ? WHERE id = 1", [int(done)])
