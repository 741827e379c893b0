"""Writing a rebuild: the engine's decisions replace a company's clusters, in
one transaction (``append.py`` writes incremental runs).

Cluster ids are user-visible and must never change. A new cluster takes the
next free id when it is founded; a rebuild gives each cluster the id of the
stored cluster its founding grievance founded, so re-deriving the same
clusters changes no id. A stored cluster a rebuild no longer finds is marked
merged into the cluster that now holds its founder, and the merge recorded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scanner.clustering.store import GroupingStore, insert_many
from scanner.grouping.engine import Grouper
from scanner.store import utcnow


@dataclass
class Outcome:
    clusters_created: int = 0
    clusters_grown: int = 0
    merges: int = 0
    pairs: int = 0  # candidate pairs scored


def categories_union(values: Sequence[str]) -> str:
    """The union of JSON lists of category keys, as a sorted JSON list."""
    if not values:
        return "[]"
    found: set[str] = set()
    for value in values:
        try:
            items = json.loads(value)
        except (ValueError, TypeError):
            continue
        if isinstance(items, list):
            found.update(str(v) for v in items)
    return json.dumps(sorted(found), ensure_ascii=False)


def blob(row: np.ndarray) -> bytes:
    """A sketch as stored in ``grouping_index.bands``: little-endian uint16."""
    return row.astype("<u2").tobytes()


def representative(grouper: Grouper, label: int) -> int:
    c = grouper.clusters.get(label)
    return c.rep if c is not None else -label - 1


def write_rebuild(
    gs: GroupingStore,
    company: str,
    ids: list[str],
    hashes: dict[str, str],
    sketch: np.ndarray,
    labels: np.ndarray,
    grouper: Grouper,
    run_id: int,
    fingerprint: str,
) -> Outcome:
    """Replace the company's clusters with ``labels`` (provisional: -(founder + 1))."""
    db, now, out = gs.db, utcnow(), Outcome()
    old = {
        r[0]: r[1:]
        for r in db.execute(
            "SELECT id, size, representative_id, categories FROM clusters "
            "WHERE company = ? AND merged_into IS NULL",
            [company],
        )
    }
    old_members = {
        m: (c, added, run)
        for m, c, added, run in db.execute(
            "SELECT cm.mention_id, cm.cluster_id, cm.added_at, cm.run_id FROM cluster_members cm "
            "JOIN clusters c ON c.id = cm.cluster_id WHERE c.company = ?",
            [company],
        )
    }
    next_id = (db.execute("SELECT MAX(id) FROM clusters").fetchone()[0] or 0) + 1
    provisional, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    cluster_id = _match_ids(ids, inverse, old_members, set(old))
    # Clusters no stored one matches take new ids in founding (arrival) order,
    # which is the order of their provisional labels, -(founder + 1), descending.
    founding = np.argsort(-provisional, kind="stable")
    unmatched = founding[cluster_id[founding] == 0]
    cluster_id[unmatched] = next_id + np.arange(len(unmatched))
    out.clusters_created = len(unmatched)
    member_cluster = cluster_id[inverse]
    by_cluster: dict[int, list[str]] = {}
    categories = gs.categories(ids, company)
    if categories:
        for i, m in enumerate(ids):
            if m in categories:
                by_cluster.setdefault(int(member_cluster[i]), []).append(categories[m])
    # A provisional label is -(founder + 1); a cluster with members beyond its
    # founder has a representative of its own.
    reps = -provisional - 1
    where = {int(label): k for k, label in enumerate(provisional.tolist())}
    for label, c in grouper.clusters.items():
        if label in where:
            reps[where[label]] = c.rep
    cluster_rows = [
        (cid, company, now, now, ids[rep], size, categories_union(by_cluster.get(cid, [])))
        for cid, rep, size in zip(cluster_id.tolist(), reps.tolist(), sizes.tolist(), strict=True)
    ]
    # Grown: a stored cluster that gained a post, whatever it lost (an edited post
    # that left as a near-duplicate joined leaves its size as it was).
    gained = {
        cid
        for m, cid in zip(ids, member_cluster.tolist(), strict=True)
        if (prev := old_members.get(m)) is None or prev[0] != cid
    }
    out.clusters_grown = len(gained & old.keys())
    reused = set(cluster_id.tolist())
    retired = [c for c in old if c not in reused]
    heirs = _heirs(retired, ids, member_cluster, old_members)
    if old_members:
        member_rows = []
        for m, cid in zip(ids, member_cluster.tolist(), strict=True):
            prev = old_members.get(m)
            added, run = (prev[1], prev[2]) if prev and prev[0] == cid else (now, run_id)
            member_rows.append((m, cid, added, run))
    else:  # the first grouping of this company
        member_rows = [
            (m, cid, now, run_id) for m, cid in zip(ids, member_cluster.tolist(), strict=True)
        ]
    stored = sketch.astype("<u2").tobytes()
    width = len(stored) // max(1, len(ids))
    with db.atomic():
        gs.claim(company, next_id)
        db.execute(
            "DELETE FROM cluster_members WHERE cluster_id IN "
            "(SELECT id FROM clusters WHERE company = ?)",
            [company],
        )
        insert_many(
            db,
            "cluster_members",
            "INSERT INTO cluster_members (mention_id, cluster_id, added_at, run_id) "
            "VALUES (?, ?, ?, ?)",
            member_rows,
            len(member_rows),
        )
        insert_many(
            db,
            "clusters",
            "INSERT INTO clusters (id, company, created_at, updated_at, representative_id, size, "
            "merged_into, categories) VALUES (?, ?, ?, ?, ?, ?, NULL, ?) "
            "ON CONFLICT(id) DO UPDATE SET updated_at = CASE WHEN size != excluded.size "
            "OR representative_id IS NOT excluded.representative_id "
            "OR categories != excluded.categories THEN excluded.updated_at ELSE updated_at END, "
            "representative_id = excluded.representative_id, size = excluded.size, "
            "merged_into = NULL, categories = excluded.categories",
            cluster_rows,
            len(cluster_rows),
        )
        for cid in retired:
            into = heirs.get(cid)
            db.execute(
                "UPDATE clusters SET merged_into = ?, size = 0, updated_at = ? WHERE id = ?",
                [into, now, cid],
            )
            if into is not None:
                out.merges += 1
                db.execute(
                    "INSERT INTO cluster_merges (from_cluster, into_cluster, merged_at, run_id) "
                    "VALUES (?, ?, ?, ?)",
                    [cid, into, now, run_id],
                )
        db.execute("DELETE FROM grouping_index WHERE company = ?", [company])
        insert_many(
            db,
            "grouping_index",
            "INSERT INTO grouping_index (mention_id, company, seq, content_hash, bands) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (m, company, i, hashes[m], stored[i * width : (i + 1) * width])
                for i, m in enumerate(ids)
            ),
            len(ids),
        )
        gs.set_fingerprint(company, fingerprint)
    return out


def _match_ids(
    ids: list[str], inverse: np.ndarray, old_members: dict[str, tuple], live: set[int]
) -> np.ndarray:
    """Give each new cluster the stored id it shares most members with (0: none).

    Greedy by shared members, largest first; each stored id is used once, an
    older id first on a tie. Regrouping the same data therefore gives every
    cluster its old id back, and after an edit the bulk of a cluster keeps
    the id even if the grievance that founded it is gone.
    """
    cluster_id = np.zeros(int(inverse.max()) + 1 if len(inverse) else 0, dtype=np.int64)
    pairs = [(int(inverse[i]), old_members[m][0]) for i, m in enumerate(ids) if m in old_members]
    if not pairs:
        return cluster_id
    new_k, old_c = np.array(pairs, dtype=np.int64).T
    code = new_k * (int(old_c.max()) + 1) + old_c
    unique, counts = np.unique(code, return_counts=True)
    new_k, old_c = unique // (int(old_c.max()) + 1), unique % (int(old_c.max()) + 1)
    taken: set[int] = set()
    for x in np.lexsort((new_k, old_c, -counts)).tolist():
        k, c = int(new_k[x]), int(old_c[x])
        if cluster_id[k] == 0 and c not in taken and c in live:
            cluster_id[k] = c
            taken.add(c)
    return cluster_id


def _heirs(
    retired: list[int], ids: list[str], member_cluster: np.ndarray, old_members: dict[str, tuple]
) -> dict[int, int]:
    """For each stored cluster that no longer exists: the cluster holding most of its members."""
    wanted = set(retired)
    votes: dict[int, dict[int, int]] = {}
    for i, m in enumerate(ids):
        old = old_members.get(m)
        if old is not None and old[0] in wanted:
            tally = votes.setdefault(old[0], {})
            now = int(member_cluster[i])
            tally[now] = tally.get(now, 0) + 1
    return {c: min(t, key=lambda k: (-t[k], k)) for c, t in votes.items()}
