"""Reading what grouping needs from the database (the engine itself never does).

This and ``write.py`` are the only grouping modules that touch SQLite. Reads
are shaped for a million grievances: one scan per company where everything is
needed, ``IN`` lists of 500 where only a few rows are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlite_utils import Database

from scanner.errors import ScanError
from scanner.store import Store

_CHUNK = 500
FULL_SCAN_AT = 20_000  # above this many ids, one scan of the company beats IN lists


@dataclass
class CompanyIndex:
    """The grouped grievances of one company, in arrival order."""

    ids: list[str] = field(default_factory=list)
    seq: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    hashes: list[str] = field(default_factory=list)
    sketch: np.ndarray = field(default_factory=lambda: np.empty((0, 1), dtype=np.uint16))
    pos: dict[str, int] = field(default_factory=dict)  # mention id -> position
    unusable: bool = False  # sketches stored with other rules (or band keys, before #14)

    @property
    def next_seq(self) -> int:
        return int(self.seq[-1]) + 1 if len(self.seq) else 0


def chunks(items: list[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


def insert_many(
    db: Database, table: str, sql: str, rows: Iterable[tuple], count: int, least: int = 10_000
) -> None:
    """``executemany(sql, rows)`` into ``table``, inside the caller's transaction.

    When the ``count`` new rows are at least as many as the table holds (a
    company's first grouping, or a rebuild of the only company), the table's
    own indexes are dropped first and made again from their stored definitions
    after: one sort per index instead of a B-tree insert per row per index, a
    third of the time at a million rows. A unique index made again still
    refuses duplicates, failing the whole transaction.
    """
    held = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - our names
    indexes = []
    if count >= max(least, held):
        indexes = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            [table],
        ).fetchall()
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    db.conn.executemany(sql, rows)
    for _, definition in indexes:
        db.execute(definition)


class GroupedMeanwhile(ScanError):  # noqa: N818 - a condition, not a failure: run() retries
    """Another run grouped this company after this one read its grouping (said to
    the user only when it kept happening: ``scanner.clustering.run``)."""


class GroupingStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        self._read: dict[str, tuple[str, str] | None] = {}  # company -> state when read

    def remember(self, company: str) -> None:
        """Note the company's grouping as this run reads it (before its index)."""
        self._read[company] = self._state(company)

    def claim(self, company: str, first_new_id: int) -> None:
        """Refuse to write a grouping decided on what another run has since changed.

        Called first in the write transaction, which holds the write lock: a
        second ``scan cluster`` started beside the first (a manual run while the
        nightly groups) had read the same new grievances, decided on the same
        index, and then wrote its clusters over the first's ("UNIQUE constraint
        failed: clusters.id", a traceback) or, rebuilding, counted as created
        what the first had made. Every grouping write stamps the state
        (``set_fingerprint``), so a changed one means decisions made on a
        grouping that is gone. New cluster ids are numbered from ``first_new_id``,
        the next free one when this run read them: a run grouping another company
        meanwhile (``scan cluster --company Globex`` beside the nightly) may have
        taken them, which no company's state shows."""
        (taken,) = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM clusters").fetchone()
        if self._state(company) != self._read.get(company) or taken >= first_new_id:
            raise GroupedMeanwhile(
                f"{company}: other scan cluster runs kept grouping it meanwhile; "
                "what they stored is kept and this run wrote nothing"
            )

    def _state(self, company: str) -> tuple[str, str] | None:
        row = self.db.execute(
            "SELECT fingerprint, updated_at FROM grouping_state WHERE company = ?", [company]
        ).fetchone()
        return (row[0], row[1]) if row else None

    def companies(self) -> list[str]:
        rows = self.db.execute(
            "SELECT company FROM mentions WHERE is_grievance = 1 "
            "UNION SELECT company FROM grouping_index ORDER BY 1"
        )
        return [r[0] for r in rows]

    def live_clusters(self, company: str | None) -> int:
        sql = "SELECT COUNT(*) FROM clusters WHERE merged_into IS NULL AND size > 0"
        args: list[str] = []
        if company:
            sql += " AND company = ?"
            args.append(company)
        return int(self.db.execute(sql, args).fetchone()[0])

    def grievances(self, company: str) -> tuple[dict[str, str], dict[str, int]]:
        """Mention id -> content hash, in arrival order (rowid), and id -> rowid."""
        rows = self.db.execute(
            "SELECT id, content_hash, rowid FROM mentions WHERE company = ? AND is_grievance = 1 "
            "ORDER BY rowid",
            [company],
        ).fetchall()
        if not rows:
            return {}, {}
        ids, hashes, rowids = zip(*rows, strict=True)
        del rows
        return dict(zip(ids, hashes, strict=True)), dict(zip(ids, rowids, strict=True))

    def changed_since_grouped(self, company: str) -> int:
        """Grouped grievances since edited, withdrawn or deleted."""
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM grouping_index gi "
                "LEFT JOIN mentions m ON m.id = gi.mention_id WHERE gi.company = ? "
                "AND (m.id IS NULL OR m.is_grievance != 1 OR m.content_hash != gi.content_hash "
                "OR m.company != gi.company)",
                [company],
            ).fetchone()[0]
        )

    def ungrouped(self, company: str) -> dict[str, str]:
        """Grievances not grouped yet: id -> content hash, in arrival order."""
        rows = self.db.execute(
            "SELECT id, content_hash FROM mentions m WHERE company = ? AND is_grievance = 1 "
            "AND NOT EXISTS (SELECT 1 FROM grouping_index gi WHERE gi.mention_id = m.id) "
            "ORDER BY rowid",
            [company],
        )
        return dict(rows)

    def load_index(self, company: str, columns: int) -> CompanyIndex:
        """The company's grouped grievances with their sketches (``columns``
        little-endian uint16 each, in the ``bands`` column)."""
        rows = self.db.execute(
            "SELECT mention_id, seq, content_hash, bands FROM grouping_index WHERE company = ? "
            "ORDER BY seq",
            [company],
        ).fetchall()
        if not rows:
            return CompanyIndex(sketch=np.empty((0, columns), dtype=np.uint16))
        ids, seqs, hashes, blobs = zip(*rows, strict=True)
        del rows
        index = CompanyIndex(list(ids), np.array(seqs, dtype=np.int64), list(hashes))
        index.pos = {m: i for i, m in enumerate(index.ids)}
        if any(len(b) != columns * 2 for b in blobs):
            index.unusable = True
            index.sketch = np.empty((0, columns), dtype=np.uint16)
        else:
            joined = b"".join(blobs)
            del blobs
            index.sketch = (
                np.frombuffer(joined, dtype="<u2").reshape(len(ids), columns).astype(np.uint16)
            )
        return index

    def fingerprint(self, company: str) -> str | None:
        row = self.db.execute(
            "SELECT fingerprint FROM grouping_state WHERE company = ?", [company]
        ).fetchone()
        return row[0] if row else None

    def set_fingerprint(self, company: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO grouping_state (company, fingerprint, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT(company) DO UPDATE SET fingerprint = excluded.fingerprint, "
            "updated_at = excluded.updated_at",
            # to the microsecond: the stamp tells one grouping write from the next
            # (``claim``), even two in one second
            [company, value, datetime.now(UTC).isoformat()],
        )

    def texts(self, ids: list[str], company: str | None = None) -> dict[str, str]:
        """The grouped text of each mention: its body (titles are too often generic)."""
        if company is not None and len(ids) > FULL_SCAN_AT:
            wanted = set(ids)
            rows = self.db.execute(
                "SELECT id, text FROM mentions WHERE company = ? AND is_grievance = 1", [company]
            )
            return {m: t for m, t in rows if m in wanted}
        out: dict[str, str] = {}
        for part in chunks(ids):
            sql = f"SELECT id, text FROM mentions WHERE id IN ({marks(len(part))})"  # noqa: S608
            out.update(self.db.execute(sql, part).fetchall())
        return out

    def categories(self, ids: Iterable[str], company: str | None = None) -> dict[str, str]:
        """Non-empty ``mentions.categories`` of these mentions."""
        ids = list(ids)
        if company is not None and len(ids) > FULL_SCAN_AT:
            wanted = set(ids)
            rows = self.db.execute(
                "SELECT id, categories FROM mentions WHERE company = ? AND categories != '[]'",
                [company],
            )
            return {m: c for m, c in rows if m in wanted}
        out: dict[str, str] = {}
        for part in chunks(ids):
            sql = (
                f"SELECT id, categories FROM mentions WHERE id IN ({marks(len(part))}) "  # noqa: S608
                "AND categories != '[]'"
            )
            out.update(self.db.execute(sql, part).fetchall())
        return out

    def clusters_of(self, mention_ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in chunks(mention_ids):
            sql = (
                "SELECT mention_id, cluster_id FROM cluster_members "  # noqa: S608
                f"WHERE mention_id IN ({marks(len(part))})"
            )
            out.update(self.db.execute(sql, part).fetchall())
        return out

    def cores(
        self, cluster_ids: list[int], core_size: int
    ) -> tuple[dict[int, list[str]], dict[int, int]]:
        """Each cluster's first ``core_size`` members in arrival order, and its size."""
        cores: dict[int, list[str]] = {c: [] for c in cluster_ids}
        sizes: dict[int, int] = {}
        for part in chunks([str(c) for c in cluster_ids]):
            sql = (
                "SELECT cluster_id, mention_id FROM (SELECT cm.cluster_id, cm.mention_id, "  # noqa: S608
                "ROW_NUMBER() OVER (PARTITION BY cm.cluster_id ORDER BY gi.seq) AS rn "
                "FROM cluster_members cm JOIN grouping_index gi ON gi.mention_id = cm.mention_id "
                f"WHERE cm.cluster_id IN ({marks(len(part))})) "
                "WHERE rn <= ? ORDER BY cluster_id, rn"
            )
            for cid, mention in self.db.execute(sql, [*part, core_size]):
                cores[cid].append(mention)
            sql = f"SELECT id, size FROM clusters WHERE id IN ({marks(len(part))})"  # noqa: S608
            sizes.update(self.db.execute(sql, part).fetchall())
        return cores, sizes


class StoredTexts:
    """The texts of some mentions, read by rowid from a database file, in
    order: what ``prepare`` reads, slice by slice, in each of its processes.

    Each process opens its own connection (one made before a fork must not be
    used after it), so the parent never holds all the texts at once, and the
    children read their slices instead of copying the parent's memory.
    """

    def __init__(self, path: Path, rowids: np.ndarray) -> None:
        self.path, self.rowids = path, rowids
        self._opened: tuple[int, Store] | None = None

    def __len__(self) -> int:
        return len(self.rowids)

    def __enter__(self) -> StoredTexts:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._opened is not None and self._opened[0] == os.getpid():
            self._opened[1].close()
        self._opened = None

    def __getitem__(self, part: slice) -> list[str]:
        wanted = self.rowids[part]
        if self._opened is None or self._opened[0] != os.getpid():
            self._opened = (os.getpid(), Store(self.path, migrate=False))
        db = self._opened[1].db
        texts: dict[int, str] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = np.sort(wanted[start : start + _CHUNK]).tolist()
            sql = f"SELECT rowid, text FROM mentions WHERE rowid IN ({marks(len(chunk))})"  # noqa: S608
            texts.update(db.execute(sql, chunk).fetchall())
        return [texts[r] for r in wanted.tolist()]
