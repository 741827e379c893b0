"""Build a :class:`Report`: which grievances are systemic, new or growing, and the rest.

The period is ``--since``/``--days`` (default ``period_days`` of
``rules/systemic.toml``) up to the as-of date. Systemic clusters are those with
enough people in the window before the as-of date, listed whatever the period (the
header says "systemic now"); isolated clusters are those active in the period,
newest first, single-post ones only with ``list_all`` (``--all``). ``--source``
narrows the lists to grievances with a post from it and the counts to its posts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from scanner.config import Config
from scanner.errors import OptionError, ScanError
from scanner.judge.categories import labels
from scanner.judge.systemic import SystemicRules, load_systemic_rules
from scanner.judge.verdict import ISOLATED, SYSTEMIC
from scanner.report import query
from scanner.report.checks import (
    category_key,
    check_source,
    not_yet,
    owned_elsewhere,
    suggested_options,
)
from scanner.report.issues import IssueFilter, issue_section, one_issue, systemic_issue_count
from scanner.report.model import ClusterView, Report
from scanner.report.sources import source_views
from scanner.report.views import cluster_view
from scanner.store import Store
from scanner.store.authors import recorded
from scanner.text.dates import EARLIEST_PUBLISHED, first_second, iso, parse_published, to_utc

SYSTEMIC_SHOWN = 25  # default cap of the systemic table (--limit changes it)
ISOLATED_SHOWN = 10  # default cap of the isolated list before the "N more" line


def build(
    store: Store,
    config: Config,
    *,
    company: str | None = None,
    since: date | datetime | str | None = None,
    days: int | None = None,
    as_of: date | datetime | str | None = None,
    category: str | None = None,
    source: str | None = None,
    verdict: str | None = None,
    min_people: int | None = None,
    include_all: bool = False,
    list_all: bool = False,
    cluster_id: int | None = None,
    issue_id: int | None = None,
    limit: int | None = None,
    rules: SystemicRules | None = None,
    members: bool = True,
    volume: bool = True,
    companies: bool = True,
) -> Report:
    """The report for one company and period (see the module docstring).

    ``members=False`` leaves each cluster's member list empty and reads only its
    recent posts: what the text view needs, fast on a million mentions.
    ``--cluster`` and ``--issue`` always list every member. Issues (themes
    over clusters, ``scan issues``) are filtered and capped like clusters.

    ``list_all`` (``--all``) lists every grievance and issue of the period, the
    single-post ones too, with no cap. ``include_all`` lists every live one whatever
    the period, uncapped: the digest compares each one's state with the last digest's.
    ``companies=False`` skips the companies table (each competitor's totals and
    systemic issues), which the digest does not show.
    """
    rules = rules or load_systemic_rules()
    name = config.company_named(company, stored=store.companies).name
    until = as_of_moment(as_of) if as_of is not None else datetime.now(UTC)
    if since is not None and days is not None:
        raise OptionError("use either --since or --days, not both")
    if since is not None:
        start = to_moment(since, end_of_day=False)
    else:
        # "--days 7 --as-of D" is the seven days D-6 to D, as "--since D-6"; the
        # period's first day read D-7 while it counted from D-6.
        span = timedelta(days=days if days is not None else rules.period_days)
        start = first_second(until - span)
    if start > until:
        raise OptionError(
            f"the period starts {bound_text(start)}, after the as-of date {bound_text(until)}"
        )
    if verdict not in (None, SYSTEMIC, ISOLATED):
        raise ScanError(f"verdict must be {SYSTEMIC!r} or {ISOLATED!r}, got {verdict!r}")
    if cluster_id is not None and issue_id is not None:
        raise OptionError("use either --cluster or --issue, not both")
    category = category_key(category)
    source = check_source(store.db, config, source)
    scope = _Scope(store, name, start, until, rules, members=members, source=source)
    category_labels = labels()
    report = Report(
        generated_at=datetime.now(UTC),
        company=name,
        period={
            "since": iso(start),
            "until": iso(until),
            "as_of": iso(until),
            "days": round((until - start).total_seconds() / 86400, 2),
            "window_days": rules.window_days,
            "min_people": rules.min_people,
        },
        totals=scope.totals(),
        companies=[],
        clusters=[],
        isolated_more=0,
        sources=source_views(store.db, config, name),
        category_labels=category_labels,
        authors=recorded(store.db).mode,
        source=source,
        filters=_filters(verdict, min_people, category, category_labels),
        options=suggested_options(name, config, until),
    )
    if volume:
        weeks = min(104, max(12, -(-int((until - start).days) // 7)))
        report.volume = query.weekly_volume(store.db, name, until=until, weeks=weeks, source=source)
    if cluster_id is not None:
        row = query.live_cluster(store.db, cluster_id)
        if row is None or row["company"] != name:
            owner = row["company"] if row else None
            elsewhere = owned_elsewhere("grievance", cluster_id, owner, name, config, until)
            raise ScanError(elsewhere or f"no grievance with id {cluster_id} for {name}")
        scope.members = True
        view = scope.view(row)
        if not view.mentions:  # grouped after the as-of day: an empty page read as a bug
            first = query.first_post(store.db, cluster_id=view.id)
            raise ScanError(not_yet(f"grievance #{view.id}", until, first))
        report.clusters = [view]
        report.detail = True
        return report
    if issue_id is not None:
        report.issues = [
            one_issue(
                store,
                config,
                company=name,
                start=start,
                until=until,
                rules=rules,
                issue_id=issue_id,
            )
        ]
        report.detail = True
        return report
    if not report.totals["mentions"]:
        report.outside_period = query.span(store.db, name, source)
    window_start = until - timedelta(days=rules.window_days)
    if not report.totals["grievances"] or start <= window_start:
        # No grievance in the period (a recent five-star post or two do not count), or
        # a period reaching back to the verdict window's start or before it (imported
        # old reviews): is any grievance in the window? (A grievance in a shorter period
        # is in it.) The verdict counts a post in the window when it is after its start.
        latest = query.latest_grievance(store.db, name, iso(until) or "")
        if latest is not None and latest <= (iso(window_start) or ""):  # stored as iso()
            report.stale_since = latest
    systemic, isolated, singles = scope.ordered(include_all=include_all, list_all=list_all)
    if verdict == SYSTEMIC:
        isolated = singles = []
    elif verdict == ISOLATED:
        systemic = []
    if min_people is not None:
        systemic = scope.people_at_least(systemic, min_people)
        isolated = scope.people_at_least(isolated, min_people)
        singles = singles if min_people <= 1 else []
    # Single-post grievances are listed only with --all; say how many there are. Under
    # --category their categories are unknown without reading them all: count unknown.
    report.isolated_hidden = None if category is not None and singles else len(singles)
    sys_cap = iso_cap = None
    if not (include_all or list_all):
        sys_cap, iso_cap = limit or SYSTEMIC_SHOWN, limit or ISOLATED_SHOWN
    elif limit:
        sys_cap = iso_cap = limit
    wanted = IssueFilter(verdict, min_people, category, source, include_all)
    section = issue_section(
        store,
        config,
        company=name,
        start=start,
        until=until,
        rules=rules,
        wanted=wanted,
        caps=(sys_cap, iso_cap),
        members=members,
    )
    report.issues = section.issues
    report.totals["systemic_issues"] = section.systemic_total
    if companies and len(config.companies) > 1:  # a list's, not a --cluster or --issue page's
        report.companies = [
            {
                "name": c.name,
                **_Scope(store, c.name, start, until, rules, source=source).totals(),
                # A competitor's "0 systemic grievances" read as nothing systemic
                # while its issues were.
                "systemic_issues": section.systemic_total
                if c.name == name
                else systemic_issue_count(
                    store,
                    config,
                    company=c.name,
                    start=start,
                    until=until,
                    rules=rules,
                    source=source,
                ),
            }
            for c in config.companies
        ]
    report.totals["issues_pending"] = query.issues_pending(
        store.db, name, low=iso(start) or "", high=iso(until) or "", source=source
    )
    report.issues_systemic_more, report.issues_isolated_more = (
        section.systemic_more,
        section.isolated_more,
    )
    if category is not None:  # needs every candidate's categories: read them all
        sys_views = [v for v in scope.views(systemic) if category in v.categories]
        iso_views = [v for v in scope.views(isolated) if category in v.categories]
        report.systemic_more = max(0, len(sys_views) - (sys_cap or len(sys_views)))
        report.isolated_more = max(0, len(iso_views) - (iso_cap or len(iso_views)))
        report.clusters = sys_views[:sys_cap] + iso_views[:iso_cap]
        return _with_issues(report)
    report.systemic_more = max(0, len(systemic) - (sys_cap or len(systemic)))
    report.isolated_more = max(0, len(isolated) - (iso_cap or len(isolated)))
    report.clusters = scope.views(systemic[:sys_cap]) + scope.views(isolated[:iso_cap])
    return _with_issues(report)


def _with_issues(report: Report) -> Report:
    """Each listed grievance names the listed systemic issues that hold it: "isolated"
    alone read as a one-off when the same grievance in other words was many people's."""
    holding: dict[int, list[int]] = {}
    for issue in report.systemic_issues:
        for cluster_id in issue.clusters:
            holding.setdefault(cluster_id, []).append(issue.id)
    for cluster in report.clusters:
        cluster.issues = holding.get(cluster.id, [])
    return report


class _Scope:
    """One company's clusters around one period: the cheap numbers, then views on demand."""

    def __init__(
        self,
        store: Store,
        company: str,
        start: datetime,
        until: datetime,
        rules: SystemicRules,
        *,
        members: bool = True,
        source: str | None = None,
    ) -> None:
        self.db, self.company, self.rules, self.members = store.db, company, rules, members
        self.source = source
        self.start, self.until = start, until
        self.window = until - timedelta(days=rules.window_days)
        self.act = query.activity(
            self.db,
            company,
            low=iso(min(start, self.window)) or "",
            high=iso(until) or "",
            window=iso(self.window) or "",
            period=iso(start) or "",
            min_people=rules.min_people,
        )
        self.people = {c: a.people for c, a in self.act.items() if a.people is not None}

    def people_at_least(self, ids: list[int], wanted: int) -> list[int]:
        """The clusters (in order) with at least ``wanted`` people in the window."""
        unknown = [c for c in ids if c not in self.people and self.act[c].in_window >= wanted]
        if unknown:
            self.people.update(
                query.count_people(
                    self.db,
                    query.window_posts(
                        self.db, unknown, low=iso(self.window) or "", high=iso(self.until) or ""
                    ),
                )
            )
        return [c for c in ids if self.people.get(c, 0) >= wanted]

    def systemic_ids(self) -> list[int]:
        found = [c for c, n in self.people.items() if n >= self.rules.min_people]
        return sorted(found, key=lambda c: (self.people[c], self.act[c].last, c), reverse=True)

    def totals(self) -> dict[str, Any]:
        """The header's numbers; under ``--source``, of that source's posts and of the
        grievances the lists show (those with a post from it)."""
        mentions, grievances, ungrouped = query.totals(
            self.db,
            self.company,
            low=iso(self.start) or "",
            high=iso(self.until) or "",
            source=self.source,
        )
        active = [c for c, a in self.act.items() if a.in_period]
        return {
            "mentions": mentions,
            "grievances": grievances,
            "ungrouped": ungrouped,
            "systemic": len(self.from_source(self.systemic_ids())),
            "active_clusters": len(self.from_source(active)),
        }

    def from_source(self, ids: list[int]) -> list[int]:
        """``ids`` (in order) that have a post from the report's source by the as-of
        date; all of them without ``--source``."""
        if self.source is None:
            return ids
        having = query.clusters_with_source(self.db, ids, self.source, high=iso(self.until) or "")
        return [c for c in ids if c in having]

    def ordered(
        self, *, include_all: bool, list_all: bool
    ) -> tuple[list[int], list[int], list[int]]:
        """Systemic clusters, the isolated ones listed, and the single-post ones left out.

        By default an isolated grievance active in the period is listed when it has
        more than one post; the singles are only counted. ``list_all`` lists them
        too; ``include_all`` lists every live cluster, whatever the period.
        """
        systemic = self.systemic_ids()
        chosen = set(systemic)
        singles: list[int] = []
        if include_all:
            rest = [c for c in query.all_cluster_ids(self.db, self.company) if c not in chosen]
            rest.sort(key=lambda c: (self.act[c].last if c in self.act else "", c), reverse=True)
        else:
            rest = [c for c, a in self.act.items() if a.in_period and c not in chosen]
            if not list_all:
                maybe_single = [c for c in rest if self.act[c].in_window < 2]
                several = query.more_than_one(self.db, maybe_single, high=iso(self.until) or "")
                singles = [c for c in maybe_single if c not in several]
                rest = [c for c in rest if self.act[c].in_window >= 2 or c in several]
            rest.sort(key=lambda c: (self.act[c].last, c), reverse=True)
        if self.source is not None:
            having = set(self.from_source(systemic + rest + singles))
            systemic = [c for c in systemic if c in having]
            rest = [c for c in rest if c in having]
            singles = [c for c in singles if c in having]
        return systemic, rest, singles

    def view(self, row: dict[str, Any]) -> ClusterView:
        return cluster_view(
            self.db,
            row,
            as_of=self.until,
            period_start=self.start,
            rules=self.rules,
            with_members=self.members,
        )

    def views(self, ids: list[int]) -> list[ClusterView]:
        rows = query.cluster_rows(self.db, ids)
        views = [self.view(rows[c]) for c in ids if c in rows]
        return [v for v in views if v.mentions]  # nothing of it existed yet on the as-of day


def bound_text(moment: datetime) -> str:
    """A period's bound as a user reads it: the day, and the time when it is not the
    day's first or last moment (``--as-of`` ends its day at 23:59:59)."""
    if (moment.hour, moment.minute, moment.second) in {(0, 0, 0), (23, 59, 59)}:
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _filters(
    verdict: str | None, min_people: int | None, category: str | None, names: dict[str, str]
) -> list[str]:
    """The lists' filters in words, for the header and for a list they left empty."""
    out = [f"{verdict} only"] if verdict else []
    if min_people is not None:
        out.append(f"at least {min_people} people")
    if category is not None:
        out.append(f"category {names.get(category, category)}")
    return out


def as_of_moment(value: date | datetime | str) -> datetime:
    """``--as-of`` as the end of its day. A day before ``EARLIEST_PUBLISHED`` is refused:
    no post is stored from before it, and clamping it silently headed the report with
    a day the user never asked for ("--as-of 1980-01-01" said "as of 1990-01-01")."""
    moment = _moment(value, end_of_day=True)
    if moment < EARLIEST_PUBLISHED:
        raise OptionError(
            f"--as-of {moment.date().isoformat()} is before {EARLIEST_PUBLISHED:%Y-%m-%d}, "
            "older than any review site: there is nothing to report as of then (use a later date)"
        )
    return moment


def to_moment(value: date | datetime | str, *, end_of_day: bool) -> datetime:
    """A user's date or datetime as a UTC moment; a bare date means its start or end.
    No earlier than ``EARLIEST_PUBLISHED``, before which no post is stored: "--since
    1000-01-01" means everything, and the period before it (for trends and the
    verdict's look-back) must not run out of the calendar."""
    return max(_moment(value, end_of_day=end_of_day), EARLIEST_PUBLISHED)


def _moment(value: date | datetime | str, *, end_of_day: bool) -> datetime:
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            parsed = parse_published(value)
            if parsed is None:
                raise ScanError(f"cannot read the date {value!r} (use YYYY-MM-DD)") from None
            return parsed
    moment = datetime.combine(value, time.max if end_of_day else time.min, tzinfo=UTC)
    return moment.replace(microsecond=0)
