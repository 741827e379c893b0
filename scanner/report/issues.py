"""Issues in a report: the themes above clusters, filtered and capped like clusters.

``scanner.issues.view.issue_views`` judges every live issue by the clusters'
rule (distinct people within the window, cross-posts counted once). Here they
become :class:`IssueView` and meet the report's options: a systemic issue is
listed whatever the period (like a systemic cluster), an isolated one only when
it had a post in the period (every one, whatever the period, with ``include_all``:
the digest's); ``--verdict``, ``--min-people``, ``--source`` and ``--category``
(what its latest posts are about) narrow the list, and caps leave an "N more" count.

Under ``--source`` an issue is listed when it has a post from that source, and its
examples are that source's posts where it has recent ones. Its verdict, people and
posts stay the issue's on every source, as a grievance's do: systemic says how many
people raised it, and looking at one site must not make a forty-person problem
isolated (nor disagree with the grievances listed beside it). The header says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scanner.config import Config
from scanner.errors import ScanError
from scanner.issues.lexicon import Lexicon
from scanner.issues.view import issue_views
from scanner.judge.categories import ranked
from scanner.judge.systemic import SystemicRules
from scanner.judge.verdict import SYSTEMIC
from scanner.report import query
from scanner.report.checks import not_yet, owned_elsewhere
from scanner.report.model import IssueMember, IssueView
from scanner.report.quotes import quote
from scanner.store import Store

CATEGORY_SAMPLE = 20  # latest posts read to say what an issue is about
EXAMPLES = 3


@dataclass
class IssueFilter:
    verdict: str | None = None
    min_people: int | None = None
    category: str | None = None  # a category key
    source: str | None = None
    include_all: bool = False  # every isolated issue, whatever the period (the digest)


@dataclass
class IssueSection:
    issues: list[IssueView]
    systemic_more: int = 0
    isolated_more: int = 0
    # systemic issues, whatever the filters but --source (those with a post from it)
    systemic_total: int = 0


def one_issue(
    store: Store,
    config: Config,
    *,
    company: str,
    start: datetime,
    until: datetime,
    rules: SystemicRules,
    issue_id: int,
) -> IssueView:
    """One issue with every member (``scan report --issue ID``)."""
    found = issue_views(
        store,
        config,
        company=company,
        as_of=until,
        period_start=start,
        issue_id=issue_id,
        rules=rules,
    )
    if not found:
        owner = query.issue_company(store.db, issue_id)
        elsewhere = owned_elsewhere("issue", issue_id, owner, company, config, until)
        missing = f"no issue with id {issue_id} for {company} (see `scan issues`)"
        raise ScanError(elsewhere or missing)
    if not found[0]["mentions"]:  # discovered from posts after the as-of day
        first = query.first_post(store.db, issue_id=issue_id)
        raise ScanError(not_yet(f"issue {issue_id}", until, first))
    return to_view(found[0], members=True, lexicon=Lexicon(names=config.names))


def issue_section(
    store: Store,
    config: Config,
    *,
    company: str,
    start: datetime,
    until: datetime,
    rules: SystemicRules,
    wanted: IssueFilter,
    caps: tuple[int | None, int | None],
    members: bool,
) -> IssueSection:
    """The issues a report lists, systemic first (most people), then isolated (newest).

    Without ``members`` (every format but JSON) only each issue's recent posts
    are read: what the verdict, the examples and the categories need."""
    in_period = _standing(
        store,
        config,
        company=company,
        start=start,
        until=until,
        rules=rules,
        members=members,
        source=wanted.source,
    )
    systemic, isolated = [], []
    total = _systemic(in_period)
    for view in in_period:
        if wanted.min_people is not None and view["people"] < wanted.min_people:
            continue
        if view["verdict"] == SYSTEMIC:
            systemic.append(view)
        elif wanted.include_all or _after(view["last_seen"], start):
            isolated.append(view)
    if wanted.verdict == SYSTEMIC:
        isolated = []
    elif wanted.verdict is not None:
        systemic = []
    isolated.sort(key=lambda v: (v["last_seen"] or "", v["id"]), reverse=True)
    lexicon = Lexicon(names=config.names)
    views = [to_view(v, members=members, lexicon=lexicon) for v in systemic + isolated]
    if wanted.category is not None:
        views = [v for v in views if wanted.category in v.categories]
    sys_views = [v for v in views if v.verdict == SYSTEMIC]
    iso_views = [v for v in views if v.verdict != SYSTEMIC]
    sys_cap, iso_cap = caps
    return IssueSection(
        issues=sys_views[:sys_cap] + iso_views[:iso_cap],
        systemic_more=max(0, len(sys_views) - (sys_cap or len(sys_views))),
        isolated_more=max(0, len(iso_views) - (iso_cap or len(iso_views))),
        systemic_total=total,
    )


def systemic_issue_count(
    store: Store,
    config: Config,
    *,
    company: str,
    start: datetime,
    until: datetime,
    rules: SystemicRules,
    source: str | None = None,
) -> int:
    """How many of a company's issues are systemic as of ``until``: the companies
    table's count for a company the report is not about, counted as
    :func:`issue_section` counts its own, without building a view of each."""
    standing = _standing(
        store,
        config,
        company=company,
        start=start,
        until=until,
        rules=rules,
        members=False,
        source=source,
    )
    return _systemic(standing)


def _standing(
    store: Store,
    config: Config,
    *,
    company: str,
    start: datetime,
    until: datetime,
    rules: SystemicRules,
    members: bool,
    source: str | None,
) -> list[dict[str, Any]]:
    """The issues that stand as of the report's day, judged (``issue_views``): those
    with a post by then (one found from later posts has none yet), and under
    ``--source`` one of them from it (an issue's sources are those of its posts by
    the as-of date). ``members``: with every member, else only the recent ones."""
    raw = issue_views(
        store,
        config,
        company=company,
        as_of=until,
        period_start=start,
        rules=rules,
        with_members=members,
        source=source,
    )
    standing = [view for view in raw if view["mentions"]]
    if source is not None:
        standing = [view for view in standing if source in view["sources"]]
    return standing


def _systemic(views: list[dict[str, Any]]) -> int:
    return sum(1 for view in views if view["verdict"] == SYSTEMIC)


def _after(moment: str | None, start: datetime) -> bool:
    """Is an issue's latest post (ISO 8601, as ``issue_views`` gives it) in the period?"""
    if not moment:
        return False
    when = datetime.fromisoformat(moment)
    return (when if when.tzinfo else when.replace(tzinfo=UTC)) >= start


def _member(row: dict[str, Any], *, quoted: Lexicon | None = None) -> IssueMember:
    """A member as the report shows it; an example (``quoted`` by the company's
    lexicon) also with the line that says why it is in its issue."""
    text, title, phrase = row["text"] or "", row.get("title"), row.get("phrase")
    language = row.get("language")
    return IssueMember(
        id=row["id"],
        source=row["source"],
        author=row["author"],
        url=row["url"],
        published_at=row["published_at"],
        text=text,
        phrase=phrase,
        title=title,
        quote=quote(title, text, phrase, lexicon=quoted, language=language) if quoted else "",
    )


def to_view(raw: dict[str, Any], *, members: bool, lexicon: Lexicon) -> IssueView:
    """An ``issue_views`` dict as the report's :class:`IssueView` (its examples are
    already those of the ``--source`` asked for, ``issue_views``)."""
    rows = raw["members"]
    by_id = {r["id"]: r for r in rows}
    examples = _examples(raw, by_id, lexicon)
    return IssueView(
        id=raw["id"],
        name=raw["name"],
        phrases=list(raw["phrases"]),
        verdict=raw["verdict"],
        people=raw["people"],
        mentions=raw["mentions"],
        flags=list(raw["flags"]),
        clusters=list(raw["clusters"]),
        clusters_since=raw.get("clusters_since"),
        sources=list(raw["sources"]),
        categories=_categories(rows[:CATEGORY_SAMPLE]),
        first_seen=raw["first_seen"],
        last_seen=raw["last_seen"],
        pinned=raw["pinned"],
        weekly=list(raw["weekly"]),
        examples=examples,
        members=[_member(r) for r in rows] if members else [],
    )


def _examples(
    raw: dict[str, Any], by_id: dict[str, dict[str, Any]], lexicon: Lexicon
) -> list[IssueMember]:
    """``issue_views``'s examples (a post per wording, each of another grievance,
    from the ``--source`` asked for where it has some), quoted."""
    chosen = [by_id[e["id"]] for e in raw.get("examples", []) if e["id"] in by_id]
    return [_member(r, quoted=lexicon) for r in chosen[:EXAMPLES]]


def _categories(rows: list[dict[str, Any]]) -> list[str]:
    """Best-scoring first over the sampled posts' texts, as for a cluster (``views``)."""
    if not rows:
        return []
    return ranked([r["text"] for r in rows if r["text"]])
