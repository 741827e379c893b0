"""Writing an incremental run: tonight's grievances into last night's clusters.

New clusters take the next free ids in founding order; stored clusters that
grew get their new size, representative and categories; a stored cluster
merged into an older one keeps its row (``merged_into`` set, size 0), its
members move, and the merge is recorded in ``cluster_merges``. All of it in one
transaction.
"""

from __future__ import annotations

import numpy as np

from scanner.clustering.store import GroupingStore, marks
from scanner.clustering.write import Outcome, blob, categories_union, representative
from scanner.grouping.engine import Grouper
from scanner.store import utcnow


def write_incremental(
    gs: GroupingStore,
    company: str,
    old_ids: list[str],
    new_ids: list[str],
    hashes: dict[str, str],
    new_sketch: np.ndarray,
    grouper: Grouper,
    next_seq: int,
    run_id: int,
    fingerprint: str,
) -> Outcome:
    """Add tonight's grievances: new clusters, grown clusters, merges."""
    db, now, out = gs.db, utcnow(), Outcome()
    local_ids = old_ids + new_ids
    m_old = len(old_ids)
    labels = grouper.final_labels()[m_old:]
    first_new_id = next_id = (db.execute("SELECT MAX(id) FROM clusters").fetchone()[0] or 0) + 1
    final: dict[int, int] = {}
    for label in sorted({int(x) for x in labels if x < 0}, reverse=True):  # founding order
        final[label], next_id = next_id, next_id + 1
    out.clusters_created = len(final)
    member_cluster = [final.get(int(x), int(x)) for x in labels]
    merged = [(y, o) for y, o in grouper.merges if y > 0]  # stored clusters merged away
    touched = {grouper.resolve(c) for c in grouper.touched if grouper.resolve(c) > 0}
    touched |= {o for _, o in merged}
    out.clusters_grown, out.merges = len(touched), len(merged)
    cats = gs.categories(new_ids)
    gained: dict[int, list[str]] = {}
    for m, c in zip(new_ids, member_cluster, strict=True):
        if m in cats:
            gained.setdefault(c, []).append(cats[m])
    with db.atomic():
        gs.claim(company, first_new_id)
        for young, older in merged:
            db.execute(
                "UPDATE cluster_members SET cluster_id = ? WHERE cluster_id = ?", [older, young]
            )
            db.execute(
                "UPDATE clusters SET merged_into = ?, size = 0, updated_at = ? WHERE id = ?",
                [older, now, young],
            )
            db.execute(
                "INSERT INTO cluster_merges (from_cluster, into_cluster, merged_at, run_id) "
                "VALUES (?, ?, ?, ?)",
                [young, older, now, run_id],
            )
        for cid in sorted(touched):
            ids = [cid] + [y for y, o in merged if grouper.resolve(y) == cid]
            stored = db.execute(
                f"SELECT categories FROM clusters WHERE id IN ({marks(len(ids))})",  # noqa: S608
                ids,
            ).fetchall()
            cluster = grouper.clusters[cid]
            db.execute(
                "UPDATE clusters SET size = ?, representative_id = ?, updated_at = ?, "
                "categories = ? WHERE id = ?",
                [
                    cluster.size,
                    local_ids[cluster.rep],
                    now,
                    categories_union([r[0] for r in stored] + gained.get(cid, [])),
                    cid,
                ],
            )
        counts: dict[int, int] = {}
        for c in member_cluster:
            counts[c] = counts.get(c, 0) + 1
        db.conn.executemany(
            "INSERT INTO clusters (id, company, created_at, updated_at, representative_id, size, "
            "categories) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    cid,
                    company,
                    now,
                    now,
                    local_ids[representative(grouper, label)],
                    counts[cid],
                    categories_union(gained.get(cid, [])),
                )
                for label, cid in final.items()
            ],
        )
        db.conn.executemany(
            "INSERT INTO cluster_members (mention_id, cluster_id, added_at, run_id) "
            "VALUES (?, ?, ?, ?)",
            [(m, c, now, run_id) for m, c in zip(new_ids, member_cluster, strict=True)],
        )
        db.conn.executemany(
            "INSERT INTO grouping_index (mention_id, company, seq, content_hash, bands) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (m, company, next_seq + k, hashes[m], blob(new_sketch[k]))
                for k, m in enumerate(new_ids)
            ],
        )
        gs.set_fingerprint(company, fingerprint)
    return out
