"""Overall complaint volume: is today a spike against the recent daily mean?

"Today" is the 24 hours before the as-of time, and the baseline the
``baseline_days`` 24-hour periods before that, so a digest sent at 06:00 compares
like with like instead of a quarter of a calendar day with whole days. A post is
dated by when it was published, or when we first saw it if the site gives no date.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from scanner.digest.model import Spike
from scanner.digest.rules import DigestRules
from scanner.store import Store


def daily_counts(store: Store, company: str, as_of: datetime, days: int) -> list[int]:
    """Grievances per 24-hour period ending at ``as_of``, the latest period last."""
    start = as_of - timedelta(days=days)
    rows = store.db.execute(
        "SELECT COALESCE(published_at, first_seen_at) AS d FROM mentions "
        "WHERE company = ? AND is_grievance = 1 AND d > ? AND d <= ?",
        [company, _iso(start), _iso(as_of)],
    )
    counts = [0] * days
    for (value,) in rows:
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=as_of.tzinfo)
        age = int((as_of - when).total_seconds() // 86400)
        if 0 <= age < days:
            counts[days - 1 - age] += 1
    return counts


def spike(store: Store, company: str, as_of: datetime, rules: DigestRules) -> Spike | None:
    """A Spike when today reaches ``ratio`` x the baseline mean (and ``min_today``)."""
    counts = daily_counts(store, company, as_of, rules.spike_baseline_days + 1)
    today, baseline = counts[-1], counts[:-1]
    first = store.db.execute(
        "SELECT MIN(COALESCE(published_at, first_seen_at)) FROM mentions "
        "WHERE company = ? AND is_grievance = 1",
        [company],
    ).fetchone()[0]
    if not first:
        return None
    first_at = datetime.fromisoformat(first)
    if first_at.tzinfo is None:
        first_at = first_at.replace(tzinfo=as_of.tzinfo)
    history = int((as_of - first_at).total_seconds() // 86400)  # whole days before today
    days = min(history, len(baseline))
    if days < rules.spike_min_history_days or today < rules.spike_min_today:
        return None
    mean = sum(baseline[-days:]) / days
    if today >= rules.spike_ratio * mean:
        return Spike(today=today, mean=round(mean, 1), days=days)
    return None


def _iso(when: datetime) -> str:
    return when.replace(microsecond=0).isoformat()
