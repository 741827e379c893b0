"""Build a :class:`Comparison`: each company's grievances as rates, side by side.

For every compared company (``[company]`` and each ``[[competitors]]``) and
every grievance (an issue theme matched across companies by its phrases, or a
category), the grievances and the distinct people per 100 of the company's
mentions in the period, and the people rate of the period just before (the
trend). A company *has* a grievance when enough people raised it and its rate
is near the highest company's (``rules/compare.toml``); that decides whether
it is ours alone, industry-wide, theirs alone, or shared.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from scanner.compare.figures import Figures, read_figures
from scanner.compare.model import (
    INDUSTRY_WIDE,
    OURS_ALONE,
    SCATTERED,
    SHARED,
    STANDINGS,
    THEIRS_ALONE,
    CompanyTotals,
    Comparison,
    Rate,
    Row,
    per_100,
)
from scanner.compare.settings import CompareRules, load_compare_rules
from scanner.compare.themes import IssueRef, Theme, live_issues, match_themes
from scanner.config import Config
from scanner.errors import OptionError, ScanError
from scanner.issues.lexicon import Lexicon
from scanner.judge.categories import labels
from scanner.judge.systemic import load_systemic_rules
from scanner.report import query
from scanner.store import Store
from scanner.store.authors import recorded
from scanner.text.dates import bound_before, first_second, iso


def build(
    store: Store,
    config: Config,
    *,
    since: date | datetime | str | None = None,
    days: int | None = None,
    as_of: date | datetime | str | None = None,
    rules: CompareRules | None = None,
) -> Comparison:
    """The comparison for the period ending at ``as_of`` (default: now)."""
    rules = rules or load_compare_rules()
    if not config.competitors:
        raise ScanError(
            "nothing to compare with: add a [[competitors]] table (name, aliases) to "
            "scanner.toml and [[sources]] about it (company = its name)"
        )
    start, until = _period(since, days, as_of, rules)
    previous = start - (until - start)
    window = until - timedelta(days=load_systemic_rules().window_days)
    periods = {
        "now": (iso(start) or "", iso(until) or ""),
        "before": (iso(previous) or "", iso(start) or ""),
        "window": (iso(window) or "", iso(until) or ""),
    }
    names = [c.name for c in config.companies]
    figures = {n: read_figures(store.db, n, periods) for n in names}
    now = {n: f["now"] for n, f in figures.items()}
    before = {n: f["before"] for n, f in figures.items()}
    refs = live_issues(store.db, names, Lexicon(names=config.names))
    systemic = _systemic(refs, {n: f["window"] for n, f in figures.items()})
    issue_rows = [
        _theme_row(theme, names, now, before, systemic, rules)
        for theme in match_themes(refs, rules.match_share)
    ]
    category_names = labels()
    keys = sorted({k for n in names for k in now[n].categories} & set(category_names))
    category_rows = [_category_row(k, category_names[k], names, now, before, rules) for k in keys]
    companies = [
        _totals(
            n,
            n == names[0],
            now[n],
            before[n],
            rules,
            issues=sum(r.company == n for r in refs),
            systemic=systemic.get(n, {}),
        )
        for n in names
    ]
    period = {
        "since": iso(first_second(start)),
        "until": iso(until),
        "previous_since": iso(first_second(previous)),
        "days": round((until - start).total_seconds() / 86400, 2),
    }
    if not any(c.mentions for c in companies):  # where the posts are (an old import)
        lasts = [query.span(store.db, n)["last"] for n in names]
        period["latest"] = max((d for d in lasts if d), default=None)
    return Comparison(
        generated_at=datetime.now(UTC),
        company=names[0],
        period=period,
        companies=companies,
        issues=_ordered(issue_rows),
        categories=_ordered(category_rows),
        min_mentions=rules.min_mentions,
        category_labels=category_names,
        authors=recorded(store.db).mode,
    )


def _period(
    since: date | datetime | str | None,
    days: int | None,
    as_of: date | datetime | str | None,
    rules: CompareRules,
) -> tuple[datetime, datetime]:
    """(start, until) of the period, as ``scan report`` reads its options."""
    from scanner.report.builder import as_of_moment, bound_text, to_moment

    if since is not None and days is not None:
        raise OptionError("use either --since or --days, not both")
    until = as_of_moment(as_of) if as_of is not None else datetime.now(UTC)
    until = until.replace(microsecond=0)
    # A period is (start, until]: "--since D" starts the second before D (a review
    # dated D is at its midnight), and the JSON and the headings name its first second.
    if since is not None:
        start = bound_before(to_moment(since, end_of_day=False))
    else:
        start = until - timedelta(days=days if days is not None else rules.period_days)
    if start >= until:
        raise OptionError(
            f"the period starts {bound_text(start)}, after the as-of date {bound_text(until)}"
        )
    return start, until


def _rate(
    now: Figures,
    before: Figures,
    counted: tuple[int, int],
    counted_before: tuple[int, int],
    min_mentions: int,
) -> Rate:
    grievances, people = counted
    rate = Rate(
        grievances=grievances,
        people=people,
        grievances_per_100=per_100(grievances, now.mentions),
        people_per_100=per_100(people, now.mentions),
        previous_people_per_100=per_100(counted_before[1], before.mentions),
    )
    now_rate, before_rate = rate.people_per_100, rate.previous_people_per_100
    # Both are None only without mentions, which min_mentions (at least 1) rules out.
    enough = min(now.mentions, before.mentions) >= min_mentions
    if enough and now_rate is not None and before_rate is not None:
        rate.trend = round(now_rate - before_rate, 1)
    return rate


def _theme_row(
    theme: Theme,
    names: list[str],
    now: dict[str, Figures],
    before: dict[str, Figures],
    systemic: dict[str, dict[int, str]],
    rules: CompareRules,
) -> Row:
    rates, issues = {}, {}
    for name in names:
        ids = [ref.id for ref in theme.issues.get(name, [])]
        rate = _rate(
            now[name],
            before[name],
            now[name].of_issues(ids),
            before[name].of_issues(ids),
            rules.min_mentions,
        )
        rate.systemic = any(i in systemic.get(name, {}) for i in ids)
        rates[name] = rate
        if ids:
            issues[name] = ids
    lead = theme.lead(names)
    return Row(
        "issue",
        lead.key,
        lead.name,
        standing(rates, names[0], rules),
        rates,
        issues,
        theme.phrases(),
    )


def _category_row(
    key: str,
    label: str,
    names: list[str],
    now: dict[str, Figures],
    before: dict[str, Figures],
    rules: CompareRules,
) -> Row:
    rates = {
        n: _rate(
            now[n],
            before[n],
            now[n].count(now[n].categories.get(key, ())),
            before[n].count(before[n].categories.get(key, ())),
            rules.min_mentions,
        )
        for n in names
    }
    return Row("category", key, label, standing(rates, names[0], rules), rates)


def standing(rates: dict[str, Rate], ours: str, rules: CompareRules) -> str:
    """Mark who has the grievance (enough people, a rate near the top) and say whose it is."""
    top = max((r.people_per_100 or 0.0 for r in rates.values()), default=0.0)
    for rate in rates.values():
        rate.has = (
            top > 0
            and rate.people >= rules.present_people
            and (rate.people_per_100 or 0.0) >= rules.present_share * top
        )
    we = rates[ours].has
    they = any(r.has for n, r in rates.items() if n != ours)
    having = sum(r.has for r in rates.values())
    if we and not they:
        return OURS_ALONE
    if they and not we:
        return THEIRS_ALONE
    if we and having > rules.industry_share * len(rates):
        return INDUSTRY_WIDE
    return SHARED if we else SCATTERED


def _ordered(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (STANDINGS.index(r.standing), -r.top, r.name))


def _totals(
    name: str,
    ours: bool,
    now: Figures,
    before: Figures,
    rules: CompareRules,
    *,
    issues: int,
    systemic: dict[int, str],
) -> CompanyTotals:
    return CompanyTotals(
        name=name,
        ours=ours,
        mentions=now.mentions,
        previous_mentions=before.mentions,
        all=_rate(
            now,
            before,
            (now.grievances, now.people),
            (before.grievances, before.people),
            rules.min_mentions,
        ),
        few=now.mentions < rules.min_mentions,
        previous_few=before.mentions < rules.min_mentions,
        issues=issues,
        systemic_issues=sorted(systemic.items()),
    )


def _systemic(refs: list[IssueRef], window: dict[str, Figures]) -> dict[str, dict[int, str]]:
    """Each company's systemic issues at the as-of date: the verdict's own rule
    (``scanner.judge.verdict``: enough distinct people within the window before it)."""
    min_people = load_systemic_rules().min_people
    out: dict[str, dict[int, str]] = {}
    for ref in refs:
        if window[ref.company].of_issues([ref.id])[1] >= min_people:
            out.setdefault(ref.company, {})[ref.id] = ref.name
    return out
