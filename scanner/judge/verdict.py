"""The verdict on a group of posts: ``systemic`` or ``isolated``, plus flags.

The verdict is only ever one of those two words and depends on one number: the
distinct people (``scanner.judge.people``) who raised the grievance within the window
before the as-of date. Flags say more without changing it: ``new``,
``growing``, ``back`` (after a quiet spell), ``cross-posted`` and
``coordinated`` (near-verbatim text from several accounts within hours: a
possible review-bombing campaign, flagged and never silently dropped).
Clusters and issues are both judged here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter

from scanner.judge import people
from scanner.judge.coordination import near_verbatim_burst
from scanner.judge.people import Member
from scanner.judge.systemic import SystemicRules
from scanner.text.dates import bound_before

SYSTEMIC, ISOLATED = "systemic", "isolated"
FLAGS = ("new", "growing", "back", "cross-posted", "coordinated")


@dataclass
class History:
    """All-time facts about a group too big to load whole, from SQL aggregates.

    With a history, ``assess`` needs only the recent members (the window and the
    period before it): counts, first seen and sources come from here, and
    ``previous`` (the latest post before the loaded ones) lets it see a return
    after a quiet spell.
    """

    mentions: int
    first_seen: datetime | None
    sources: list[str]
    previous: datetime | None = None


@dataclass
class Assessment:
    verdict: str
    people: int  # distinct people within the window
    mentions: int  # every member up to the as-of date
    sources: list[str]
    first_seen: datetime | None
    last_seen: datetime | None
    flags: list[str] = field(default_factory=list)
    weekly: list[int] = field(default_factory=list)  # mentions per week, oldest first


def assess(
    members: Sequence[Member],
    *,
    as_of: datetime,
    rules: SystemicRules,
    period_start: datetime | None = None,
    history: History | None = None,
) -> Assessment:
    """Judge one cluster (or issue) as it stood at ``as_of``.

    Members dated after ``as_of`` are ignored, so a report can be replayed for
    any past day. ``period_start`` is the reporting period's first second (what
    "new" means; a report's "--since D" is D's midnight, where a review dated D
    sits); by default the period is the ``rules.period_days`` before ``as_of``.
    With a ``history``, ``members`` may be only the recent ones (see
    :class:`History`).
    """
    # The period is (bound, as_of]: a review dated on its first day is in it, for
    # "new", "growing" and "back" alike; "growing" and "back" had counted it in the
    # period before.
    if period_start is not None:
        bound = bound_before(period_start)
    else:
        bound = as_of - timedelta(days=rules.period_days)
    known = [m for m in members if m.published_at is None or m.published_at <= as_of]
    # (date, member) of the dated members, oldest first: the date kept beside the
    # member is one that is known not to be None.
    dated = sorted(
        ((m.published_at, m) for m in known if m.published_at is not None), key=itemgetter(0)
    )
    window_start = as_of - timedelta(days=rules.window_days)
    in_window = [(when, m) for when, m in dated if when > window_start]
    # One key per post, worked out once: the head count, the flags and the
    # coordinated check all ask who wrote what.
    key_of = dict(zip(map(id, known), people.person_keys(known), strict=True))
    keys = [key_of[id(m)] for _, m in in_window]
    head = len(set(keys))
    first = dated[0][0] if dated else None
    last = dated[-1][0] if dated else None
    if history is not None:
        first = history.first_seen or first
        last = last or history.previous  # nothing loaded: the latest post is older
    flags = []
    is_new = first is not None and first > bound
    if is_new:
        flags.append("new")
    recent = {k for (when, _), k in zip(in_window, keys, strict=True) if when > bound}
    if not is_new and len(recent) > _people_in(dated, key_of, bound - (as_of - bound), bound):
        flags.append("growing")
    previous = history.previous if history is not None else None
    if not is_new and _came_back(dated, bound, timedelta(days=rules.quiet_days), previous):
        flags.append("back")
    if _cross_posted(known, [key_of[id(m)] for m in known]):
        flags.append("cross-posted")
    if _coordinated([m for _, m in in_window], keys, rules):
        flags.append("coordinated")
    return Assessment(
        verdict=SYSTEMIC if head >= rules.min_people else ISOLATED,
        people=head,
        mentions=history.mentions if history is not None else len(known),
        sources=sorted(history.sources if history is not None else {m.source for m in known}),
        first_seen=first,
        last_seen=last,
        flags=flags,
        weekly=weekly_counts([when for when, _ in dated], as_of, rules.trend_weeks),
    )


def recent_since(as_of: datetime, period_start: datetime, rules: SystemicRules) -> datetime:
    """The open bound of the posts :func:`assess` reads, for a caller that loads only
    those (a grievance of ten thousand posts costs no more than its recent ones): the
    verdict window, or the period before the report's when that reaches further,
    (bound - (as_of - bound), bound] for the report's (bound, as_of], so that a
    review dated on that period's first day (at its midnight) is read too."""
    bound = bound_before(period_start)
    return min(as_of - timedelta(days=rules.window_days), bound - (as_of - bound))


def _people_in(
    dated: Sequence[tuple[datetime, Member]], key_of: dict[int, str], low: datetime, high: datetime
) -> int:
    """People in (low, high], counted over every dated member (not only the window)."""
    return len({key_of[id(m)] for when, m in dated if low < when <= high})


def weekly_counts(dates: Sequence[datetime], as_of: datetime, weeks: int) -> list[int]:
    """Mentions per 7-day bucket ending at ``as_of``, oldest bucket first."""
    counts = [0] * weeks
    for date in dates:
        age = (as_of - date).total_seconds()
        if age < 0:
            continue
        bucket = int(age // (7 * 86400))
        if bucket < weeks:
            counts[weeks - 1 - bucket] += 1
    return counts


def _came_back(
    dated: Sequence[tuple[datetime, Member]],
    start: datetime,
    quiet: timedelta,
    previous: datetime | None,
) -> bool:
    """Active in the period (after ``start``) after a silence of at least ``quiet``."""
    for when, _ in dated:
        if previous is not None and when > start and when - previous >= quiet:
            return True
        previous = when
    return False


def _cross_posted(members: Sequence[Member], keys: Sequence[str]) -> bool:
    """One identifiable person posted this grievance on more than one site."""
    sources: dict[str, set[str]] = {}
    for member, key in zip(members, keys, strict=True):
        if key.startswith("@"):
            sources.setdefault(key, set()).add(member.source)
    return any(len(s) > 1 for s in sources.values())


def _coordinated(members: Sequence[Member], keys: Sequence[str], rules: SystemicRules) -> bool:
    return near_verbatim_burst(
        members,
        keys=keys,
        accounts=rules.coordinated_accounts,
        hours=rules.coordinated_hours,
        similarity=rules.coordinated_similarity,
        day_words=rules.coordinated_day_words,
    )
