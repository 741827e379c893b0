"""Issues as a report shows them: verdict, people, trend, phrases, clusters, examples.

The verdict is the clusters' rule (``scanner.verdict.assess``: distinct people
within the window, cross-posts counted once), applied to every member of the
issue. Near-duplicate clusters roll up into an issue when at least half of
their members are in it. The dicts returned are the ``"issues"`` entries of
``scan report --format json``; systemic issues come first.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from scanner.config import Config
from scanner.store import Store

WHEN = "COALESCE(m.published_at, m.first_seen_at)"
EXAMPLES = 3


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def issue_views(
    store: Store,
    config: Config,
    *,
    company: str | None = None,
    as_of: datetime | None = None,
    period_start: datetime | None = None,
    issue_id: int | None = None,
    rules: Any = None,
) -> list[dict[str, Any]]:
    """Every live issue of a company (or one, ``issue_id``), judged at ``as_of``."""
    from scanner.verdict import Member, assess, load_systemic_rules

    rules = rules or load_systemic_rules()
    as_of = as_of or datetime.now(UTC)
    name = config.company_named(company).name
    db = store.db
    sql = "SELECT id, name, phrases, pinned FROM issues WHERE company = ? AND retired_at IS NULL"
    params: list[Any] = [name]
    if issue_id is not None:
        sql += " AND id = ?"
        params.append(issue_id)
    views = []
    for iid, iname, phrases, pinned in db.execute(sql, params).fetchall():
        rows = db.execute(
            f"SELECT m.id, m.source, m.author, m.url, m.text, {WHEN}, im.phrase "  # noqa: S608
            "FROM issue_members im JOIN mentions m ON m.id = im.mention_id "
            f"WHERE im.issue_id = ? AND {WHEN} <= ? ORDER BY {WHEN} DESC, m.id",
            [iid, as_of.isoformat()],
        ).fetchall()
        members = [
            Member(id=r[0], source=r[1], author=r[2], published_at=_moment(r[5]), text=r[4] or "",
                   url=r[3])
            for r in rows
        ]  # fmt: skip
        verdict = assess(members, as_of=as_of, rules=rules, period_start=period_start)
        phrase_counts: dict[str, int] = {}
        for r in rows:
            phrase_counts[r[6]] = phrase_counts.get(r[6], 0) + 1
        stored = json.loads(phrases or "[]")
        views.append({
            "id": iid, "name": iname,
            "phrases": sorted(stored, key=lambda p: -phrase_counts.get(p, 0)),
            "pinned": bool(pinned), "verdict": verdict.verdict, "people": verdict.people,
            "mentions": verdict.mentions, "flags": verdict.flags, "weekly": verdict.weekly,
            "first_seen": verdict.first_seen.isoformat() if verdict.first_seen else None,
            "last_seen": verdict.last_seen.isoformat() if verdict.last_seen else None,
            "clusters": _clusters(store, iid),
            "examples": _examples(rows),
            "members": [{"id": r[0], "source": r[1], "author": r[2], "url": r[3],
                         "published_at": r[5], "text": r[4], "phrase": r[6]} for r in rows],
        })  # fmt: skip
    views.sort(key=lambda v: (v["verdict"] != "systemic", -v["people"], v["id"]))
    return views


def _clusters(store: Store, issue_id: int) -> list[int]:
    """Clusters at least half of whose members belong to the issue, largest first."""
    rows = store.db.execute(
        """SELECT cm.cluster_id, COUNT(*) AS inside,
                  (SELECT COUNT(*) FROM cluster_members x WHERE x.cluster_id = cm.cluster_id)
           FROM issue_members im JOIN cluster_members cm ON cm.mention_id = im.mention_id
           WHERE im.issue_id = ? GROUP BY cm.cluster_id ORDER BY inside DESC, cm.cluster_id""",
        [issue_id],
    ).fetchall()
    return [cid for cid, inside, size in rows if 2 * inside >= size]


def _examples(rows: list[tuple]) -> list[dict[str, Any]]:
    """Two or three posts in different wordings: one per matched phrase, newest first."""
    seen, out = set(), []
    for r in rows:
        if r[6] not in seen:
            seen.add(r[6])
            out.append({"id": r[0], "text": r[4], "phrase": r[6], "published_at": r[5]})
        if len(out) == EXAMPLES:
            break
    return out
