"""One cluster as a report shows it: its members read, judged, and summarised."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from scanner.judge.categories import ranked
from scanner.judge.people import Member
from scanner.judge.systemic import SystemicRules
from scanner.judge.verdict import assess, recent_since
from scanner.report import query
from scanner.report.model import ClusterView, MemberView, shown_title
from scanner.text.dates import iso


def cluster_view(
    db: Database,
    row: dict[str, Any],
    *,
    as_of: datetime,
    period_start: datetime,
    rules: SystemicRules,
    with_members: bool = True,
) -> ClusterView:
    """Read a cluster up to ``as_of`` and judge it.

    Without ``with_members`` only its recent posts are read (the window, and the
    period before the report's) and the rest comes from SQL aggregates: a
    grievance with ten thousand posts costs no more than its recent ones.
    """
    high = iso(as_of) or ""
    history = None
    if with_members:
        loaded = query.members(db, row["id"], high=high)
    else:
        low = recent_since(as_of, period_start, rules)
        loaded = query.members(db, row["id"], high=high, low=iso(low))
        history = query.history(db, row["id"], low=iso(low) or "", high=high)
    members = [m for m, _ in loaded]
    result = assess(members, as_of=as_of, rules=rules, period_start=period_start, history=history)
    rep, title = _representative(db, row, loaded)
    return ClusterView(
        id=row["id"],
        verdict=result.verdict,
        people=result.people,
        mentions=result.mentions,
        sources=result.sources,
        first_seen=iso(result.first_seen),
        last_seen=iso(result.last_seen),
        categories=cluster_categories(row, loaded),
        flags=result.flags,
        representative=rep,
        title=title,
        members=[
            MemberView(
                id=m.id,
                source=m.source,
                author=m.author,
                url=m.url,
                published_at=extra["at"],
                text=m.text,
                title=extra["title"],
            )
            for m, extra in loaded
        ]
        if with_members
        else [],
        weekly=result.weekly,
    )


def _representative(
    db: Database, row: dict[str, Any], loaded: list[tuple[Member, dict[str, Any]]]
) -> tuple[str, str]:
    """The text of the post that stands for a cluster, and its title as shown ("" for
    none): the representative grouping chose (read with the members when it is among
    them), else the latest post read."""
    wanted = row.get("representative_id")
    for member, extra in loaded:
        if member.id == wanted:
            return member.text, shown_title(extra["title"], member.text)
    if wanted:
        found = db.execute("SELECT text, title FROM mentions WHERE id = ?", [wanted]).fetchone()
        if found:
            return found[0] or "", shown_title(found[1], found[0] or "")
    if not loaded:
        return "", ""
    member, extra = loaded[-1]
    return member.text, shown_title(extra["title"], member.text)


# Categorising every post of a big grievance would cost more than the rest of
# the report; its latest posts say what it is about.
CATEGORY_SAMPLE = 20


def cluster_categories(
    row: dict[str, Any], loaded: list[tuple[Member, dict[str, Any]]]
) -> list[str]:
    """Best-scoring first, from the latest members' texts.

    The grouping step stores a cluster's categories as a sorted set, which
    would put "App and website problems" first for every grievance that names
    the app in passing; scoring the texts again also applies rule changes to
    posts stored before them. The stored set is the fallback for a cluster
    whose posts are not readable.
    """
    texts = [member.text for member, _ in loaded[-CATEGORY_SAMPLE:] if member.text]
    if texts:
        return ranked(texts)
    return _json_list(row.get("categories")) or ["other"]


def _json_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return []
    return [str(v) for v in parsed] if isinstance(parsed, list) else []
