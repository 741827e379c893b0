"""The SQLite store: one file, opened in WAL mode, schema kept current by migrations.

Every database is opened through :class:`Store`: it takes the lock mode, sets WAL,
applies the migrations and owns the writes of posts and runs. The stages that
own a table of their own (grouping, issues, digest, report queries: about twenty
modules) run their SQL on ``store.db``, always with parameters, and write
inside ``Store.atomic()``. Writes are batched inside transactions so that a
killed process loses at most the batch in flight and never leaves a
half-written row.
"""

from __future__ import annotations

import hashlib
import json
import operator
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from scanner import __version__, jsonsafe
from scanner.errors import StoreError
from scanner.privacy import AuthorPolicy
from scanner.store import authors, migrations, runs
from scanner.store.opening import Mode, cannot_open, connect
from scanner.store.search import fts_query
from scanner.text.clean import nfc
from scanner.text.safe import needs_sanitizing, sanitize, sanitize_tree

MENTION_FIELDS = (
    "id",
    "company",
    "source",
    "external_id",
    "origin",
    "url",
    "author",
    "title",
    "text",
    "rating",
    "rating_scale",
    "language",
    "published_at",
    "fetched_at",
    "content_hash",
    "is_grievance",
    "categories",
    "extra",
)
# Columns an edited post may change; first_seen_* never changes.
_EDITABLE = tuple(f for f in MENTION_FIELDS if f not in {"id", "source", "external_id", "origin"})
# Multi-row statements (see _many); VALUES names its columns column1 (the id), column2, ...
_INSERT = "INSERT INTO mentions ({}) VALUES {{rows}}".format(  # noqa: S608 - fixed names
    ", ".join((*MENTION_FIELDS, "first_seen_run", "last_seen_run", "first_seen_at", "updated_at"))
)
_UPDATE = (  # noqa: S608 - fixed names
    "UPDATE mentions SET {}, last_seen_run = ?, updated_at = ? "
    "FROM (VALUES {{rows}}) AS v WHERE mentions.id = v.column1"
).format(", ".join(f"{f} = v.column{i}" for i, f in enumerate(_EDITABLE, 2)))
_SEEN = "UPDATE mentions SET last_seen_run = ? WHERE id IN (VALUES {rows})"


def utcnow() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def content_hash(row: dict[str, Any]) -> str:
    """What makes two versions of a post different: an edit changes this hash."""
    parts = [str(row.get(k) or "") for k in ("title", "text", "author", "rating", "url")]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()  # noqa: S324 - not security


@dataclass
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    new_ids: list[str] | None = None

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        if other.new_ids:
            self.new_ids = (self.new_ids or []) + other.new_ids
        return self


class Store:
    """A scan database file.

    ``mode`` is what the caller may do to the file (``scanner.store.opening``):
    ``read`` never writes, ``write`` needs an existing scan database, ``create``
    (the library default, as with ``sqlite3.connect``) may make a new one. The
    command line chooses the mode per command; see ``scanner.commands._app``.

    Example::

        store = Store("scan.db")
        store.upsert_mentions([{"id": "t1", "source": "import", ...}], run_id=None)
    """

    def __init__(self, path: str | Path, *, mode: Mode = "create", migrate: bool = True) -> None:
        self.path = Path(path)
        self.mode = mode
        conn = connect(self.path, mode)
        try:
            self.db = Database(conn) if mode == "read" else _WriterDatabase(conn)
            _refuse_newer_schema(self.db, self.path)
            if mode == "read":
                _refuse_old_schema(self.db, self.path)
                return
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = OFF")
            if migrate:
                migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise cannot_open(self.path, exc) from exc
        except BaseException:
            conn.close()
            raise

    # -- lifecycle -----------------------------------------------------------------
    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return migrations.schema_version(self.db)

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # -- mentions -------------------------------------------------------------------
    def upsert_mentions(
        self, rows: Sequence[dict[str, Any]], *, run_id: int | None = None
    ) -> UpsertResult:
        """Insert new posts, update edited ones in place, leave unchanged ones alone.

        One transaction for the whole batch. ``rows`` hold the ``MENTION_FIELDS``;
        ``content_hash``, ``fetched_at`` and the JSON columns are filled in here
        when missing. A post seen again keeps its first-seen time and run. This is
        the one door every post comes in by, so the database's privacy mode
        (``[privacy] authors``, ``scanner.privacy``) is applied here.
        """
        result = UpsertResult(new_ids=[])
        if not rows:
            return result
        now = utcnow()
        conn = self.db.conn
        with self.db.atomic():
            # Read inside the transaction: a privacy switch (scanner.store.authors)
            # cannot slip in between reading the mode and writing the posts.
            policy = authors.writing_policy(self.db)
            # The same id twice in one batch: the last version wins.
            by_id = {r["id"]: r for r in (_prepare(row, now, policy) for row in rows)}
            existing = self._column_by_id("content_hash", list(by_id))
            inserts, updates, seen = [], [], []
            for mention_id, row in by_id.items():
                old = existing.get(mention_id)
                if old is None:
                    inserts.append(row)
                elif old != row["content_hash"]:
                    updates.append(row)
                else:
                    seen.append(mention_id)
            if inserts:
                extra = (run_id, run_id, now, now)
                _many(conn, _INSERT, [(*_ALL(r), *extra) for r in inserts])
            if updates:
                edits = [(r["id"], *_EDITED(r)) for r in updates]
                _many(conn, _UPDATE, edits, head=(run_id, now))
            if seen and run_id is not None:
                _many(conn, _SEEN, [(i,) for i in seen], head=(run_id,))
            if run_id is not None:  # what the run committed, with it: a run killed or
                # locked out before it could close itself still says what it stored
                conn.execute(
                    "UPDATE runs SET items = items + ?, new = new + ?, updated = updated + ? "
                    "WHERE id = ? AND status = 'running'",
                    [len(by_id), len(inserts), len(updates), run_id],
                )
        result.new, result.updated, result.unchanged = len(inserts), len(updates), len(seen)
        result.new_ids = [r["id"] for r in inserts]
        return result

    def existing_sources(self, ids: Iterable[str]) -> dict[str, str]:
        """Which of these mention ids exist already, and under which source."""
        return self._column_by_id("source", list(ids))

    def written_by_run(self, ids: Iterable[str], run_id: int) -> dict[str, str]:
        """Which of these mention ids the run ``run_id`` stored or saw already, with
        the content hash each has (see :meth:`content_hash_of`)."""
        return self._column_by_id("content_hash", list(ids), last_seen_run=run_id)

    def content_hash_of(self, row: dict[str, Any]) -> str:
        """The content hash ``row`` would be stored with, under this database's
        privacy mode: equal to a stored one when nothing of it changed."""
        prepared = _prepare(row, utcnow(), authors.writing_policy(self.db))
        return str(prepared["content_hash"])

    def _column_by_id(
        self, column: str, ids: list[str], *, last_seen_run: int | None = None
    ) -> dict[str, Any]:
        """``{id: column}`` for the stored mentions among ``ids`` (those the run
        ``last_seen_run`` stored or saw, when given), 500 ids a query (SQLite's limit
        on bound parameters). ``column`` is one of ours, never input."""
        found: dict[str, Any] = {}
        for start in range(0, len(ids), 500):
            chunk: list[str | int] = list(ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT id, {column} FROM mentions WHERE id IN ({marks})"  # noqa: S608
            if last_seen_run is not None:
                sql += " AND last_seen_run = ?"
                chunk.append(last_seen_run)
            found.update(self.db.execute(sql, chunk).fetchall())
        return found

    def companies(self) -> list[str]:
        """Every company name the stored mentions carry, as stored."""
        rows = self.db.execute("SELECT DISTINCT company FROM mentions ORDER BY company")
        return [r[0] for r in rows if r[0]]

    def posts_by_source(self, origin: str) -> dict[str, tuple[int, str | None]]:
        """Each source of posts of ``origin`` ("crawl", "import"), by name: how many
        it holds, and when the last run that stored or saw one of them started (when
        the last was fetched, for posts no run saw)."""
        rows = self.db.execute(
            "SELECT m.source, COUNT(*), MAX(r.started_at), MAX(m.fetched_at) FROM mentions m "
            "LEFT JOIN runs r ON r.id = m.last_seen_run "
            "WHERE m.origin = ? GROUP BY m.source ORDER BY m.source",
            [origin],
        )
        return {source: (posts, last_run or fetched) for source, posts, last_run, fetched in rows}

    def known_external_ids(self, source: str) -> set[str]:
        """The ids of the source's stored posts, as stored (``clean_id``): compare
        a site's id with them once it is cleaned so too."""
        rows = self.db.execute("SELECT external_id FROM mentions WHERE source = ?", [source])
        return {r[0] for r in rows}

    def page_marks(self, source: str) -> dict[str, str]:
        """``{external id: mark}``: what each stored post's own page looked like when
        the source's crawl last read it (see ``m010_page_marks``). The ids are as
        the store keeps a post's (``clean_id``), whatever form the page's request
        carried when its mark was written."""
        rows = self.db.execute(
            "SELECT external_id, mark FROM page_marks WHERE source = ?", [source]
        )
        return {clean_id(str(r[0])): str(r[1]) for r in rows}

    def search_mentions(
        self,
        *,
        search: str | None = None,
        source: str | None = None,
        company: str | Sequence[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        grievances_only: bool = False,
        limit: int | None = 50,
    ) -> Iterator[dict[str, Any]]:
        """Mentions newest first, filtered; ``search`` is full-text over title and text;
        ``company`` one name as stored, or every spelling of one ("Acme", "ACME")."""
        where: list[str] = []
        params: list[str | int] = []
        if search:
            where.append("m.rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)")
            params.append(fts_query(search))
        if source:
            where.append("m.source = ?")
            params.append(source)
        if company:
            names = [company] if isinstance(company, str) else list(company)
            where.append("m.company IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(names))
        if since:
            where.append("COALESCE(m.published_at, m.first_seen_at) >= ?")
            params.append(since)
        if until:
            where.append("COALESCE(m.published_at, m.first_seen_at) < ?")
            params.append(until)
        if grievances_only:
            where.append("m.is_grievance = 1")
        sql = "SELECT m.* FROM mentions m"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY COALESCE(m.published_at, m.first_seen_at) DESC, m.id"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        cursor = self.db.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        for values in cursor:
            yield dict(zip(columns, values, strict=True))

    # -- runs ---------------------------------------------------------------------------
    def start_run(
        self, kind: str, *, source: str | None = None, parent_id: int | None = None
    ) -> int:
        """Record a run as running; first close those of processes that were killed."""
        with self.db.atomic():
            runs.mark_killed(self.db)
            cursor = self.db.execute(
                "INSERT INTO runs (kind, source, parent_id, started_at, owner) "
                "VALUES (?, ?, ?, ?, ?)",
                [kind, source, parent_id, utcnow(), runs.owner()],
            )
        # sqlite3 types lastrowid as optional; after an INSERT it is the new row's id
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def finish_run(self, run_id: int, *, status: str, **fields: Any) -> None:
        """Close a run: status, counts (items, new, ...), ``stats``/``errors`` as JSON."""
        allowed = {
            "health",
            "items",
            "new",
            "updated",
            "dropped",
            "requests",
            "stats",
            "errors",
            "message",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown run fields: {sorted(unknown)}")
        values = {
            k: json.dumps(v, default=str) if k in {"stats", "errors"} else v
            for k, v in fields.items()
        }
        started = self.db.execute("SELECT started_at FROM runs WHERE id = ?", [run_id]).fetchone()
        now = datetime.now(UTC)
        duration = (now - datetime.fromisoformat(started[0])).total_seconds() if started else None
        assignments = "".join(f", {k} = ?" for k in values)
        with self.db.atomic():
            self.db.execute(
                f"UPDATE runs SET status = ?, finished_at = ?, duration_s = ?{assignments} "  # noqa: S608
                "WHERE id = ?",
                [
                    status,
                    now.replace(microsecond=0).isoformat(),
                    duration,
                    *values.values(),
                    run_id,
                ],
            )

    def stats(self) -> dict[str, Any]:
        """Counts for ``scan stats``: per source and company, grievances, runs."""
        q = self.db.execute
        return {
            "database": str(self.path),
            "schema_version": self.schema_version,
            "mentions": q("SELECT COUNT(*) FROM mentions").fetchone()[0],
            "grievances": q("SELECT COUNT(*) FROM mentions WHERE is_grievance = 1").fetchone()[0],
            "clusters": q("SELECT COUNT(*) FROM clusters WHERE merged_into IS NULL").fetchone()[0],
            "by_source": [
                {"source": s, "mentions": n, "grievances": g, "first": f, "last": lst}
                for s, n, g, f, lst in q(
                    "SELECT source, COUNT(*), SUM(is_grievance), MIN(published_at), "
                    "MAX(published_at) FROM mentions GROUP BY source ORDER BY source"
                )
            ],
            "by_company": [
                {"company": c, "mentions": n}
                for c, n in q("SELECT company, COUNT(*) FROM mentions GROUP BY company")
            ],
            "runs": q("SELECT COUNT(*) FROM runs").fetchone()[0],
            "authors": authors.recorded(self.db).mode,  # [privacy]: keep, hash or drop
        }


_ALL = operator.itemgetter(*MENTION_FIELDS)
_EDITED = operator.itemgetter(*_EDITABLE)
_ROWS_PER_STATEMENT = 500


def _many(
    conn: sqlite3.Connection, sql: str, rows: list[tuple[Any, ...]], head: tuple[Any, ...] = ()
) -> None:
    """Run ``sql`` with its ``{rows}`` as many ``(?, ...)`` as fit in one statement.

    One multi-row statement is one ``sqlite3_step``, run without the GIL from start
    to end, at half the CPU of ``executemany``, which steps (and takes the GIL back)
    once per row: on a crawl, whose reactor thread holds the GIL, the writer thread
    then waited for it after every row. ``head`` binds before the rows (the ``?``
    that come before ``{rows}`` in ``sql``).
    """
    width = len(rows[0])
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - len(head)
    per = max(1, min(_ROWS_PER_STATEMENT, limit // width))
    one = "(" + ", ".join("?" * width) + ")"
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        statement = sql.replace("{rows}", ", ".join([one] * len(chunk)))
        conn.execute(statement, [*head, *(v for row in chunk for v in row)])


# Cleaned at the door (textsafe.sanitize), whoever writes: names, ids and URLs
# keep nothing invisible; free text keeps its line breaks and script joiners.
_NAMES = ("id", "company", "source", "external_id", "origin", "url", "author", "language")
_FREE_TEXT = ("title", "text")


def clean_name(value: str) -> str:
    """An id, source, name or URL as the store keeps it. Whoever compares ids before
    storing them (``scan import``'s check that an id is not another source's) must
    clean them with this first: "victim\u200b-1" is stored as "victim-1"."""
    return sanitize(value)


#: What must compare equal however its letters were composed, so kept in Unicode
#: NFC: a post's ids, and the names posts are counted under. "Café" typed with one
#: "é" and "Café" from an export that wrote "e" and a combining accent are one
#: company (one line of the report, one set of clusters), one source, one author.
KEYS = ("id", "external_id", "company", "source", "author")


def clean_id(value: str) -> str:
    """A post's id, or a name in ``KEYS`` (company, source, author), as the store
    keeps it: a clean name, in Unicode NFC, so that "café" typed with one "é" and
    "café" pasted from a file that wrote "e" and a combining accent name one post,
    not two. Whoever compares such values before storing them, or with stored
    ones (an import's id clash check, a crawl's list of posts it has seen), must
    clean them with this first, as ``clean_name``."""
    return nfc(clean_name(value))


def _prepare(row: dict[str, Any], now: str, policy: AuthorPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {f: row.get(f) for f in MENTION_FIELDS}
    names = [out[key] for key in _NAMES if isinstance(out[key], str)]
    if needs_sanitizing(" ".join(names)):  # one search for all of them, almost always clean
        for key in _NAMES:
            if isinstance(out[key], str):
                out[key] = clean_name(out[key])
    for key in KEYS:
        if isinstance(out[key], str):
            out[key] = nfc(out[key])
    for key in _FREE_TEXT:
        if isinstance(out[key], str):
            out[key] = sanitize(out[key], free_text=True)
    if not policy.keeps:
        out = policy.scrub(out)
        # A given hash was worked out over the raw author and text: a hash of a
        # name next to the stored text would let anyone test guessed names.
        out["content_hash"] = None
    out["fetched_at"] = out["fetched_at"] or now
    out["is_grievance"] = 1 if out["is_grievance"] else 0
    categories = out["categories"]
    if categories is None or not isinstance(categories, str):
        out["categories"] = json.dumps(categories or [], ensure_ascii=False, sort_keys=True)
    extra = _parsed(out["extra"]) if isinstance(out["extra"], str) else out["extra"]
    extra_json = json.dumps(extra or {}, ensure_ascii=False, sort_keys=True)
    if needs_sanitizing(extra_json, free_text=True):  # JSON escapes C0, not the rest
        extra_json = json.dumps(sanitize_tree(extra), ensure_ascii=False, sort_keys=True)
    out["extra"] = extra_json
    out["content_hash"] = out["content_hash"] or content_hash(out)
    return out


def _parsed(extra: str) -> Any:
    """``extra`` handed over as JSON text: its value, or the text if it is not JSON."""
    try:
        return jsonsafe.loads(extra) if extra else None
    except ValueError:
        return extra


class _WriterDatabase(Database):
    """sqlite-utils' ``Database`` whose transactions start with ``BEGIN IMMEDIATE``.

    A plain ``BEGIN`` reads first and asks for the write lock only at its first
    write. If another connection commits in between, SQLite cannot let the stale
    reader write and fails at once with "database is locked", without waiting
    for the busy timeout: a crawl batch (which reads which posts it knows, then
    writes) failed that way while a grouping run was writing. Taking the write
    lock first makes the busy timeout apply: the batch waits its turn.
    """

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise


def _refuse_newer_schema(db: Database, path: Path) -> None:
    """A database a newer scan has changed is neither read nor written: this version
    would misread its tables, and writing would leave rows the newer one cannot
    trust. Nothing is changed."""
    newer = migrations.unknown(db)
    if newer:
        raise StoreError(
            f"{path}: this database was made by a newer scan (schema update "
            f"{', '.join(newer[:3])} is unknown to scan {__version__}); upgrade scan "
            "to use it. Nothing was changed"
        )


def _refuse_old_schema(db: Database, path: Path) -> None:
    """A reading command cannot bring an older schema forward (that writes)."""
    pending = migrations.migrations.pending(db)
    if pending:
        raise StoreError(
            f"{path}: this database was made by an older scan ({len(pending)} schema "
            "update(s) pending); run a command that writes, such as `scan cluster`, "
            "once to update it"
        )
