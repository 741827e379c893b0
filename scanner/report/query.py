"""The SQL behind a report: aggregates first, member rows only for what is shown.

A report over a million mentions must come back in well under a second, so the
per-cluster numbers come from one grouped query over the period's rows (an
index on ``(company, COALESCE(published_at, first_seen_at), ...)`` covers it),
and members are read only for the few clusters a report lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from scanner.judge.people import Member, is_placeholder, person_keys
from scanner.judge.verdict import History
from scanner.text.dates import first_second, iso, to_utc

WHEN = "COALESCE(m.published_at, m.first_seen_at)"


@dataclass
class Activity:
    """One cluster's posts between the report's earliest bound and the as-of date."""

    cluster_id: int
    in_window: int = 0
    in_period: int = 0
    last: str = ""
    people: int | None = None  # exact, only for clusters that could be systemic


def activity(
    db: Database, company: str, *, low: str, high: str, window: str, period: str, min_people: int
) -> dict[int, Activity]:
    """Per cluster: posts in the window and the period, latest post, and people.

    One pass over the period's rows (from the covering date index), grouped here
    (a GROUP BY in SQL measured slower: nearly every cluster is a singleton).
    People are counted (by ``scanner.judge.people``, the one rule) only for clusters
    with at least ``min_people`` posts in the window, and text is read only for
    their placeholder authors, the one case where it matters.
    """
    rows = db.execute(
        f"""SELECT cm.cluster_id, {WHEN}, m.author, m.source, m.id
            FROM mentions m JOIN cluster_members cm ON cm.mention_id = m.id
            WHERE m.company = ? AND {WHEN} >= ? AND {WHEN} <= ?""",  # noqa: S608
        [company, low, high],  # from the first moment: --since DAY holds a post at 00:00
    ).fetchall()
    found: dict[int, Activity] = {}
    recent: dict[int, list[tuple[str | None, str, str]]] = {}
    for cid, when, author, source, mid in rows:
        act = found.get(cid)
        if act is None:
            act = found[cid] = Activity(cid)
        if when > window:
            act.in_window += 1
            recent.setdefault(cid, []).append((author, source, mid))
        if when >= period:
            act.in_period += 1
        if when > act.last:
            act.last = when
    candidates = {c: recent[c] for c, a in found.items() if a.in_window >= min_people}
    for cid, count in count_people(db, candidates).items():
        found[cid].people = count
    return found


def texts_of(db: Database, ids: Sequence[str]) -> dict[str, str]:
    """``{id: text}`` of the posts ``ids`` name: the texts that tell apart people
    posting under a placeholder name (``scanner.judge.people``), for the report's
    counts and the comparison's alike. 500 ids a query, as one JSON parameter."""
    texts: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = json.dumps(list(ids[start : start + 500]))
        texts.update(
            db.execute(
                "SELECT id, text FROM mentions WHERE id IN (SELECT value FROM json_each(?))",
                [chunk],
            ).fetchall()
        )
    return texts


def count_people(
    db: Database, posts: dict[int, list[tuple[str | None, str, str]]]
) -> dict[int, int]:
    """Distinct people per cluster from (author, source, mention id) triples."""
    anonymous = [mid for triples in posts.values() for a, _, mid in triples if is_placeholder(a)]
    texts = texts_of(db, anonymous)
    return {
        cid: len(
            set(
                person_keys(
                    [
                        {"author": a, "source": s, "text": texts.get(mid, "")}
                        for a, s, mid in triples
                    ]
                )
            )
        )
        for cid, triples in posts.items()
    }


def totals(
    db: Database, company: str, *, low: str, high: str, source: str | None = None
) -> tuple[int, int, int]:
    """Mentions, grievances, and grievances not in any cluster yet, in [low, high];
    with ``source``, only that source's (``--source``: the header counts what the
    report is about, not every site)."""
    row = db.execute(
        f"""SELECT COUNT(*), COALESCE(SUM(m.is_grievance), 0),
                   COALESCE(SUM(m.is_grievance AND NOT EXISTS (
                       SELECT 1 FROM cluster_members cm WHERE cm.mention_id = m.id)), 0)
            FROM mentions m WHERE m.company = ? AND {WHEN} >= ? AND {WHEN} <= ?
              AND (? IS NULL OR m.source = ?)""",  # noqa: S608
        [company, low, high, source, source],
    ).fetchone()
    return row[0], row[1], row[2]


def issues_pending(
    db: Database, company: str, *, low: str, high: str, source: str | None = None
) -> int | None:
    """Grievances in [low, high] first stored by a run (a crawl, an import) later than
    the last ``scan issues`` (or nightly roll-up) that covered the company: not in
    any issue yet, though they may belong to one. Run ids, not clock times: a post
    stored in the second the roll-up started is still told apart. None when issues
    were never discovered for the company. With ``source``, only that source's."""
    row = db.execute(
        "SELECT id FROM runs WHERE kind = 'issues' AND status = 'ok' "
        "AND EXISTS (SELECT 1 FROM json_each(runs.stats) WHERE json_each.key = ?) "
        "ORDER BY id DESC LIMIT 1",
        [company],
    ).fetchone()
    if row is None:
        return None
    return db.execute(
        f"SELECT COUNT(*) FROM mentions m WHERE m.company = ? AND m.is_grievance = 1 "  # noqa: S608
        f"AND {WHEN} >= ? AND {WHEN} <= ? AND m.first_seen_run > ? "
        "AND (? IS NULL OR m.source = ?)",
        [company, low, high, row[0], source, source],
    ).fetchone()[0]


def span(db: Database, company: str, source: str | None = None) -> dict[str, Any]:
    """All of a company's mentions (from ``source`` only, if given), whatever the
    period: how many, the first and last date.

    Read only when a report's period is empty, to say where the posts are.
    """
    row = db.execute(
        f"SELECT COUNT(*), MIN({WHEN}), MAX({WHEN}) FROM mentions m "  # noqa: S608
        "WHERE m.company = ? AND (? IS NULL OR m.source = ?)",
        [company, source, source],
    ).fetchone()
    others = (
        [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT company FROM mentions WHERE company != ? "
                "AND (? IS NULL OR source = ?) ORDER BY company LIMIT 5",
                [company, source, source],
            )
        ]
        if not row[0]
        else []
    )
    return {"mentions": row[0], "first": row[1], "last": row[2], "other_companies": others}


def latest_grievance(db: Database, company: str, until: str) -> str | None:
    """When the company's latest grievance at or before ``until`` was posted, or None:
    the one date at which a verdict can find it systemic. Read down the index from
    ``until`` to the first grievance, not over all posts."""
    row = db.execute(
        f"SELECT {WHEN} AS at FROM mentions m WHERE m.company = ? AND {WHEN} <= ? "  # noqa: S608
        "AND m.is_grievance = 1 ORDER BY at DESC LIMIT 1",
        [company, until],
    ).fetchone()
    return row[0] if row else None


def _ids(ids: Iterable[int]) -> str:
    return json.dumps(sorted(set(ids)))


def window_posts(
    db: Database, ids: Sequence[int], *, low: str, high: str
) -> dict[int, list[tuple[str | None, str, str]]]:
    """(author, source, id) of each cluster's posts in (low, high]."""
    rows = db.execute(
        f"""SELECT cm.cluster_id, m.author, m.source, m.id FROM cluster_members cm
            JOIN mentions m ON m.id = cm.mention_id
            WHERE cm.cluster_id IN (SELECT value FROM json_each(?))
              AND {WHEN} > ? AND {WHEN} <= ?""",  # noqa: S608
        [_ids(ids), low, high],
    )
    out: dict[int, list[tuple[str | None, str, str]]] = {}
    for cid, author, source, mid in rows:
        out.setdefault(cid, []).append((author, source, mid))
    return out


def more_than_one(db: Database, ids: Sequence[int], *, high: str) -> set[int]:
    """Which of these clusters had more than one post by the as-of date.

    Each cluster stops at its second post, so a huge old cluster costs no more
    than a singleton.
    """
    rows = db.execute(
        f"""SELECT j.value FROM json_each(?) j WHERE (
                SELECT COUNT(*) FROM (
                    SELECT 1 FROM cluster_members cm JOIN mentions m ON m.id = cm.mention_id
                    WHERE cm.cluster_id = j.value AND {WHEN} <= ? LIMIT 2)) > 1""",  # noqa: S608
        [_ids(ids), high],
    )
    return {r[0] for r in rows}


def clusters_with_source(db: Database, ids: Sequence[int], source: str, *, high: str) -> set[int]:
    """Which of these clusters have a member from ``source`` posted by ``high`` (the
    as-of date: a post written after it was not there yet)."""
    rows = db.execute(
        f"""SELECT DISTINCT cm.cluster_id FROM cluster_members cm
           JOIN mentions m ON m.id = cm.mention_id
           WHERE cm.cluster_id IN (SELECT value FROM json_each(?)) AND m.source = ?
             AND {WHEN} <= ?""",  # noqa: S608
        [_ids(ids), source, high],
    )
    return {r[0] for r in rows}


def has_source(db: Database, source: str) -> bool:
    """Does any mention come from ``source``? (One probe of the (source, external_id)
    index: ``--source`` is checked on every report.)"""
    row = db.execute("SELECT 1 FROM mentions WHERE source = ? LIMIT 1", [source]).fetchone()
    return row is not None


def sources(db: Database) -> list[str]:
    """Every source a mention comes from: what ``--source`` may name. Read only to say
    so when it names none of them."""
    return [r[0] for r in db.execute("SELECT DISTINCT source FROM mentions ORDER BY source")]


def issue_company(db: Database, issue_id: int) -> str | None:
    """Whose is this issue? None when there is no such live (not retired) one."""
    row = db.execute(
        "SELECT company FROM issues WHERE id = ? AND retired_at IS NULL", [issue_id]
    ).fetchone()
    return row[0] if row else None


def cluster_rows(db: Database, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    cursor = db.execute(
        "SELECT id, company, representative_id, size, merged_into, categories FROM clusters "
        "WHERE id IN (SELECT value FROM json_each(?))",
        [_ids(ids)],
    )
    columns = [c[0] for c in cursor.description]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor}


def members(
    db: Database, cluster_id: int, *, high: str, low: str | None = None
) -> list[tuple[Member, dict[str, Any]]]:
    """Members up to the as-of date (after ``low`` if given), oldest first, with extras."""
    cursor = db.execute(
        f"""SELECT m.id, m.source, m.author, m.url, m.text, m.categories, {WHEN} AS at, m.title
            FROM cluster_members cm JOIN mentions m ON m.id = cm.mention_id
            WHERE cm.cluster_id = ? AND {WHEN} <= ? AND {WHEN} > ? ORDER BY at, m.id""",  # noqa: S608
        [cluster_id, high, low or ""],
    )
    out = []
    for mid, source, author, url, text, cats, at, title in cursor:
        when = _parse(at)
        member = Member(
            id=mid, source=source, author=author, published_at=when, text=text or "", url=url
        )
        out.append((member, {"at": at, "categories": cats, "title": title}))
    return out


def history(db: Database, cluster_id: int, *, low: str, high: str) -> History:
    """All-time count, first post, sources, and the latest post at or before ``low``."""
    count, first, previous, sources = db.execute(
        f"""SELECT COUNT(*), MIN({WHEN}), MAX(CASE WHEN {WHEN} <= :low THEN {WHEN} END),
                   json_group_array(DISTINCT m.source)
            FROM cluster_members cm JOIN mentions m ON m.id = cm.mention_id
            WHERE cm.cluster_id = :cid AND {WHEN} <= :high""",  # noqa: S608
        {"cid": cluster_id, "low": low, "high": high},
    ).fetchone()
    return History(
        mentions=count,
        first_seen=_parse(first),
        # a JSON array, not GROUP_CONCAT: a source's name may hold a comma ("Email, Tier 2")
        sources=sorted(s for s in json.loads(sources or "[]") if s),
        previous=_parse(previous),
    )


def all_cluster_ids(db: Database, company: str) -> list[int]:
    rows = db.execute(
        "SELECT id FROM clusters WHERE company = ? AND merged_into IS NULL", [company]
    )
    return [r[0] for r in rows]


def live_cluster(db: Database, cluster_id: int) -> dict[str, Any] | None:
    """The cluster, following ``merged_into`` so an old id still finds its grievance."""
    seen: set[int] = set()
    while cluster_id not in seen:
        seen.add(cluster_id)
        row = cluster_rows(db, [cluster_id]).get(cluster_id)
        if row is None or row["merged_into"] is None:
            return row
        cluster_id = row["merged_into"]
    return None


def first_post(db: Database, *, cluster_id: int | None = None, issue_id: int | None = None) -> str:
    """When a grievance's (or an issue's) first post was written, "" if it has none:
    what a ``--cluster`` or ``--issue`` page as of an earlier day says it must wait for."""
    if issue_id is not None:
        row = db.execute("SELECT MIN(at) FROM issue_members WHERE issue_id = ?", [issue_id])
    else:
        row = db.execute(
            f"SELECT MIN({WHEN}) FROM cluster_members cm JOIN mentions m "  # noqa: S608
            "ON m.id = cm.mention_id WHERE cm.cluster_id = ?",
            [cluster_id],
        )
    return row.fetchone()[0] or ""


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return to_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def weekly_volume(
    db: Database, company: str, *, until: datetime, weeks: int, source: str | None = None
) -> list[dict[str, Any]]:
    """Mentions and grievances (from ``source`` only, if given) per 7-day bucket ending
    at ``until``, oldest first."""
    low = until - timedelta(days=7 * weeks)
    rows = db.execute(
        f"""SELECT CAST((julianday(:until) - julianday({WHEN})) / 7 AS INTEGER) AS age,
                   COUNT(*), SUM(m.is_grievance)
            FROM mentions m WHERE m.company = :company AND {WHEN} > :low AND {WHEN} <= :until
              AND (:source IS NULL OR m.source = :source)
            GROUP BY age""",  # noqa: S608
        {"until": iso(until), "low": iso(low), "company": company, "source": source},
    ).fetchall()
    counts = {age: (n, g or 0) for age, n, g in rows}
    out = []
    for age in range(weeks - 1, -1, -1):
        n, g = counts.get(age, (0, 0))
        # The bucket is (until - 7 days, until]: it is named by its first second.
        start = first_second(until - timedelta(days=7 * (age + 1)))
        out.append({"week_start": iso(start), "mentions": n, "grievances": g})
    return out
