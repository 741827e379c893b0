"""Reading what grouping needs from the database (the engine itself never does).

This and ``write.py`` are the only grouping modules that touch SQLite. Reads
are shaped for a million grievances: one scan per company where everything is
needed, ``IN`` lists of 500 where only a few rows are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from scanner.store import Store, utcnow

_CHUNK = 500
FULL_SCAN_AT = 20_000  # above this many ids, one scan of the company beats IN lists


@dataclass
class CompanyIndex:
    """The grouped grievances of one company, in arrival order."""

    ids: list[str] = field(default_factory=list)
    seq: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    hashes: list[str] = field(default_factory=list)
    bands: np.ndarray = field(default_factory=lambda: np.empty((0, 1), dtype=np.uint64))
    pos: dict[str, int] = field(default_factory=dict)  # mention id -> position
    unusable: bool = False  # band keys stored with other rules

    @property
    def next_seq(self) -> int:
        return int(self.seq[-1]) + 1 if len(self.seq) else 0


def chunks(items: list[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


class GroupingStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

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

    def grievances(self, company: str) -> dict[str, str]:
        """Mention id -> content hash, in arrival order (rowid)."""
        rows = self.db.execute(
            "SELECT id, content_hash FROM mentions WHERE company = ? AND is_grievance = 1 "
            "ORDER BY rowid",
            [company],
        )
        return dict(rows)

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

    def load_index(self, company: str, bands: int) -> CompanyIndex:
        rows = self.db.execute(
            "SELECT mention_id, seq, content_hash, bands FROM grouping_index WHERE company = ? "
            "ORDER BY seq",
            [company],
        ).fetchall()
        if not rows:
            return CompanyIndex(bands=np.empty((0, bands), dtype=np.uint64))
        ids, seqs, hashes, blobs = zip(*rows, strict=True)
        index = CompanyIndex(list(ids), np.array(seqs, dtype=np.int64), list(hashes))
        index.pos = {m: i for i, m in enumerate(index.ids)}
        if any(len(b) != bands * 8 for b in blobs):
            index.unusable = True
            index.bands = np.empty((0, bands), dtype=np.uint64)
        else:
            index.bands = np.frombuffer(b"".join(blobs), dtype="<u8").reshape(len(ids), bands)
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
            [company, value, utcnow()],
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
