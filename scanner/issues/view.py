"""Issues as a report shows them: verdict, people, trend, phrases, clusters, examples.

The verdict is the clusters' rule (``scanner.judge.verdict.assess``: distinct people
within the window, cross-posts counted once), applied to every member of the
issue. Near-duplicate clusters roll up into an issue when at least half of
their members are in it. The dicts returned are the ``"issues"`` entries of
``scan report --format json``; systemic issues come first.

An issue of a big company can hold a hundred thousand posts, and the text
report has a one-second goal: without ``with_members`` only the posts the
verdict looks at are read (the window, and the period before the report's),
the rest comes from SQL aggregates (``History``), as for clusters. Every member
is read only for ``--issue ID`` and JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from scanner.config import Config
from scanner.store import Store
from scanner.text.dates import first_second

WHEN = "COALESCE(m.published_at, m.first_seen_at)"
EXAMPLES = 3
POOL = 20  # the newest posts of a wording among which the most focused is its example


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
    with_members: bool = True,
    source: str | None = None,
) -> list[dict[str, Any]]:
    """Every live issue of a company (or one, ``issue_id``), judged at ``as_of``.

    ``"members"`` holds every member up to ``as_of`` (newest first), or with
    ``with_members=False`` only the recent ones the verdict needs. With ``source``
    (``scan report --source``) an issue's examples are that source's posts, where
    it has some among them."""
    from scanner.judge.systemic import load_systemic_rules
    from scanner.judge.verdict import recent_since

    rules = rules or load_systemic_rules()
    as_of = as_of or datetime.now(UTC)
    period_start = period_start or first_second(as_of - timedelta(days=rules.period_days))
    low = None
    if not with_members:
        low = recent_since(as_of, period_start, rules)
    name = config.company_named(company, stored=store.companies).name
    sql = "SELECT id, name, phrases, pinned FROM issues WHERE company = ? AND retired_at IS NULL"
    params: list[Any] = [name]
    if issue_id is not None:
        sql += " AND id = ?"
        params.append(issue_id)
    views = [
        _view(
            store, row, as_of=as_of, period_start=period_start, rules=rules, low=low, source=source
        )
        for row in store.db.execute(sql, params).fetchall()
    ]
    views.sort(key=lambda v: (v["verdict"] != "systemic", -v["people"], v["id"]))
    return views


def _view(
    store: Store,
    row: tuple,
    *,
    as_of: datetime,
    period_start: datetime,
    rules: Any,
    low: datetime | None,
    source: str | None = None,
) -> dict[str, Any]:
    from scanner.judge.people import Member
    from scanner.judge.verdict import assess

    iid, iname, phrases, pinned = row
    high = as_of.isoformat()
    rows = store.db.execute(
        "SELECT m.id, m.source, m.author, m.url, m.text, im.at, im.phrase, m.title, m.language "
        "FROM issue_members im JOIN mentions m ON m.id = im.mention_id "
        "WHERE im.issue_id = ? AND im.at <= ? AND im.at > ? ORDER BY im.at DESC, m.id",
        [iid, high, low.isoformat() if low else ""],
    ).fetchall()
    members = [
        Member(
            id=r[0], source=r[1], author=r[2], published_at=_moment(r[5]), text=r[4] or "", url=r[3]
        )
        for r in rows
    ]
    history = _history(store, iid, low=low.isoformat(), high=high) if low else None
    verdict = assess(members, as_of=as_of, rules=rules, period_start=period_start, history=history)
    phrase_counts: dict[str, int] = {}
    for r in rows:
        phrase_counts[r[6]] = phrase_counts.get(r[6], 0) + 1
    stored = json.loads(phrases or "[]")
    own = [r for r in rows if r[1] == source] if source else []  # examples from it
    return {
        "id": iid,
        "name": iname,
        "phrases": stored,  # as discovery ranked them: by the posts that hold each
        "pinned": bool(pinned),
        "verdict": verdict.verdict,
        "people": verdict.people,
        "mentions": verdict.mentions,
        "flags": verdict.flags,
        "weekly": verdict.weekly,
        "sources": verdict.sources,
        "first_seen": verdict.first_seen.isoformat() if verdict.first_seen else None,
        "last_seen": verdict.last_seen.isoformat() if verdict.last_seen else None,
        "clusters": _clusters(store, iid, [r[0] for r in rows] if low else None, high=high),
        # Without every member, the clusters of its posts after ``low`` (its first
        # second here): all of them cost as much as reading every member.
        "clusters_since": first_second(low).isoformat() if low else None,
        "examples": _examples(
            own or rows,
            phrase_counts,
            lambda ids: _spread(store, ids),
            stored,
            lambda ids: _grouped(store, ids),
            any_wording=bool(own),
        ),
        "members": [
            {
                "id": r[0],
                "source": r[1],
                "author": r[2],
                "url": r[3],
                "published_at": r[5],
                "title": r[7],
                "text": r[4],
                "phrase": r[6],
                "language": r[8],
            }
            for r in rows
        ],
    }


def _history(store: Store, issue_id: int, *, low: str, high: str) -> Any:
    """All-time count, first post, sources and the latest post at or before ``low``,
    from the covering index on ``issue_members(issue_id, at, source)`` alone."""
    from scanner.judge.verdict import History

    count, first, sources = store.db.execute(
        "SELECT COUNT(*), MIN(at), json_group_array(DISTINCT source) FROM issue_members "
        "WHERE issue_id = ? AND at <= ?",
        [issue_id, high],
    ).fetchone()
    (previous,) = store.db.execute(
        "SELECT MAX(at) FROM issue_members WHERE issue_id = ? AND at <= ?", [issue_id, low]
    ).fetchone()
    return History(
        mentions=count,
        first_seen=_moment(first),
        previous=_moment(previous),
        sources=sorted({s for s in json.loads(sources or "[]") if s}),  # a name may hold ","
    )


def _clusters(
    store: Store, issue_id: int, recent: list[str] | None = None, *, high: str = "9999"
) -> list[int]:
    """Clusters at least half of whose members belong to the issue by ``high`` (the
    as-of moment: a report as of last year listed grievances that came after), most
    of its posts first; with ``recent`` (member ids), only the clusters those posts
    are in: the same test on fewer clusters, so a subset of the full list in its
    order, never a cluster it lacks."""
    if recent is None:
        rows = store.db.execute(
            """SELECT cm.cluster_id, COUNT(*) AS inside,
                      (SELECT COUNT(*) FROM cluster_members x WHERE x.cluster_id = cm.cluster_id)
               FROM issue_members im JOIN cluster_members cm ON cm.mention_id = im.mention_id
               WHERE im.issue_id = ? AND im.at <= ?
               GROUP BY cm.cluster_id ORDER BY inside DESC, cm.cluster_id""",
            [issue_id, high],
        ).fetchall()
    else:
        # One membership probe per cluster member (an ORDER BY on a correlated
        # SUM would run it twice); sorted here. The probe reads the primary key
        # alone: the issue's posts after ``high`` (none as of now) are taken off
        # after, from the index on (issue_id, at).
        rows = store.db.execute(
            """SELECT cm.cluster_id, COUNT(im.mention_id), COUNT(*)
               FROM cluster_members cm LEFT JOIN issue_members im
                 ON im.issue_id = ? AND im.mention_id = cm.mention_id
               WHERE cm.cluster_id IN (SELECT c.cluster_id FROM cluster_members c
                                       WHERE c.mention_id IN (SELECT value FROM json_each(?)))
               GROUP BY cm.cluster_id""",
            [issue_id, json.dumps(recent)],
        ).fetchall()
        later = dict(
            store.db.execute(
                """SELECT cm.cluster_id, COUNT(*) FROM issue_members im
                   JOIN cluster_members cm ON cm.mention_id = im.mention_id
                   WHERE im.issue_id = ? AND im.at > ? GROUP BY cm.cluster_id""",
                [issue_id, high],
            ).fetchall()
        )
        rows = [(cid, inside - later.get(cid, 0), size) for cid, inside, size in rows]
        rows.sort(key=lambda r: (-r[1], r[0]))
    return [cid for cid, inside, size in rows if 2 * inside >= size]


def _examples(
    rows: list[tuple],
    counts: dict[str, int],
    spread: Callable[[list[str]], dict[str, int]] = lambda ids: {},
    phrases: Sequence[str] = (),
    grouped: Callable[[list[str]], dict[str, int]] = lambda ids: {},
    *,
    any_wording: bool = False,
) -> list[dict[str, Any]]:
    """Up to three posts: one for each common phrase (one that holds at least a
    tenth as many posts as the commonest), topped up with more of the commonest. A
    word of a small theme merged into this one (four posts beside two hundred) never
    stands for the issue. Of a phrase's ``POOL`` newest posts, the one in the fewest
    issues (``spread``: post id -> issues) stands for it: a review about the price
    shows the price grievance better than one that lists the price fourth of five
    faults. Among those, the one that says the most of the issue's ``phrases`` in
    their words: a theme's head word stands for its synonyms too, and "the captcha
    never loads" joined the crashes through "not working" without saying "crashes".
    Then the newest. Each example is of another grievance (``grouped``: post id ->
    cluster; a post not grouped yet, by its text): three cross-posts of one text
    would show one grievance three times. ``any_wording``: ``rows`` are one
    source's posts (``--source``), and may be topped up from its rarer wordings."""
    if not counts:
        return []
    top = max(counts.values())
    ranked = sorted(counts, key=lambda p: (-counts[p], p or ""))  # NULL in old rows
    common = [p for p in ranked if 10 * counts[p] >= top][:EXAMPLES]
    pools: dict[str, list[tuple]] = {p: [] for p in common}
    for r in rows:  # newest first
        pool = pools.get(r[6])
        if pool is not None and len(pool) < POOL:
            pool.append(r)
    rarer = rows[:POOL] if any_wording else []  # the source's newest, in any wording
    ids = [r[0] for pool in pools.values() for r in pool]
    issues_of, cluster_of = spread(ids), grouped(ids + [r[0] for r in rarer])
    said = _Said(phrases)
    for pool in pools.values():
        # stable: newest first among equals
        pool.sort(key=lambda r: (issues_of.get(r[0], 1), -said(r)))
    chosen: list[tuple] = []
    shown: set[object] = set()  # the grievances chosen

    def grievance(row: tuple) -> object:
        # a post not grouped yet is known by its text: cross-posts are one grievance
        return cluster_of.get(row[0]) or "".join(filter(str.isalnum, (row[4] or "").casefold()))

    def take(row: tuple) -> None:
        chosen.append(row)
        shown.add(grievance(row))

    for p in common:
        pick = next((r for r in pools[p] if grievance(r) not in shown), None)
        if pick is not None:
            take(pick)
    # Topped up from the commonest wording first; for one source's posts
    # (``rows`` then holds only them), from any wording when those are too few.
    for pool in [*(pools[p] for p in common), rarer]:
        for r in pool:
            if len(chosen) < EXAMPLES and grievance(r) not in shown:
                take(r)
    return [{"id": r[0], "text": r[4], "phrase": r[6], "published_at": r[5]} for r in chosen]


class _Said:
    """How many of an issue's phrases a post says as written, in its title or text."""

    def __init__(self, phrases: Sequence[str]) -> None:
        self.patterns = [
            re.compile(rf"(?<!\w){re.escape(p.casefold())}(?!\w)") for p in phrases if p
        ]

    def __call__(self, row: tuple) -> int:
        said = " ".join(f"{row[7] or ''} {row[4] or ''}".casefold().split())
        return sum(1 for pattern in self.patterns if pattern.search(said))


def _grouped(store: Store, ids: Iterable[str]) -> dict[str, int]:
    """The grievance (cluster) each post is in."""
    return dict(
        store.db.execute(
            "SELECT mention_id, cluster_id FROM cluster_members "
            "WHERE mention_id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(ids))],
        ).fetchall()
    )


def _spread(store: Store, ids: Iterable[str]) -> dict[str, int]:
    """How many current issues each post is in."""
    return dict(
        store.db.execute(
            "SELECT im.mention_id, COUNT(*) FROM issue_members im "
            "JOIN issues i ON i.id = im.issue_id AND i.retired_at IS NULL "
            "WHERE im.mention_id IN (SELECT value FROM json_each(?)) GROUP BY im.mention_id",
            [json.dumps(list(ids))],
        ).fetchall()
    )
