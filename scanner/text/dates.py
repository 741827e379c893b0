"""Turn the many ways sites write a date into one timezone-aware UTC datetime.

Fast paths first (epoch numbers, ISO 8601, RFC 2822, the formats a rule file
names, English relative dates such as "2 days ago"); ``dateparser`` only as the
last resort, because it is slow to import and slow per call but knows relative
dates and month names in dozens of languages.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_RELATIVE = re.compile(
    r"^(?:about\s+|over\s+|almost\s+)?(?P<n>\d+|an?|one)\s*"
    r"(?P<unit>s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|"
    r"d|day|days|w|wk|wks|week|weeks|mo|month|months|y|yr|yrs|year|years)\.?\s+ago$",
    re.IGNORECASE,
)
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "wks": 604800,
    "week": 604800,
    "weeks": 604800,
    "mo": 2592000,
    "month": 2592000,
    "months": 2592000,
    "y": 31536000,
    "yr": 31536000,
    "yrs": 31536000,
    "year": 31536000,
    "years": 31536000,
}


#: No web review site or complaint board existed before 1990 (the web itself is from
#: 1991): an earlier date is a placeholder ("0001-01-01", an epoch of 0) or a typo, and
#: would stretch every report's timeline back to it.
EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=UTC)
#: How far past the present a post's date may be: a day covers the widest time-zone
#: gap (UTC+14 against UTC-12, or a date written without its zone) and clock skew.
FUTURE_SLACK = timedelta(days=1)


class DateOutOfRange(ValueError):
    """A date that has no UTC form: ``datetime`` holds only years 1 to 9999, so
    "9999-12-31T23:59:59-01:00" and "0001-01-01T00:00:00+01:00" cannot be converted."""


def to_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (what sites mean when they omit the zone).

    Raises ``DateOutOfRange`` (a ``ValueError``) where Python raises ``OverflowError``,
    so that callers reading dates from files and sites catch one kind of error."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise DateOutOfRange(f"{value.isoformat()} is out of range in UTC") from None


def why_implausible(moment: datetime, *, now: datetime | None = None) -> str | None:
    """Why ``moment`` cannot be when a post was published (which bound it breaks), or
    ``None`` when it can be. ``now`` is the present (default: the clock)."""
    moment = to_utc(moment)
    if moment < EARLIEST_PUBLISHED:
        return f"is before {EARLIEST_PUBLISHED:%Y-%m-%d}, older than any review site"
    now = to_utc(now) if now else datetime.now(UTC)
    if moment > now + FUTURE_SLACK:
        return f"is in the future (more than 1 day after now, {iso(now)})"
    return None


def parse_published(
    value: object,
    *,
    formats: tuple[str, ...] | list[str] = (),
    now: datetime | None = None,
) -> datetime | None:
    """Parse a published date as a site writes it; ``None`` when it cannot be read.

    ``formats`` are ``strptime`` formats tried before the generic parsers (from a
    site rule file). ``now`` anchors relative dates ("3 hours ago", "yesterday").
    A date out of ``datetime``'s range in UTC cannot be read either: a spider's
    post is then kept undated rather than lost with the rest of its page.
    """
    try:
        return _parse(value, formats, now)
    except (DateOutOfRange, OverflowError):  # OverflowError: "5000 years ago"
        return None


def _parse(
    value: object, formats: tuple[str, ...] | list[str], now: datetime | None
) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds since the epoch (JavaScript timestamps)
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):  # past year 9999, or the platform's time_t
            return None
    text = " ".join(str(value).split())
    if not text:
        return None
    now = to_utc(now) if now else datetime.now(UTC)
    for fmt in formats:
        try:
            return to_utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", text):
        return parse_published(float(text))
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return to_utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        return to_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    relative = _parse_relative(text, now)
    if relative is not None:
        return relative
    return _parse_with_dateparser(text, now)


def _parse_relative(text: str, now: datetime) -> datetime | None:
    lowered = text.lower().strip()
    if lowered in {"just now", "now", "today"}:
        return now
    if lowered == "yesterday":
        return now - timedelta(days=1)
    match = _RELATIVE.match(lowered)
    if not match:
        return None
    n = match["n"]
    count = 1 if n in {"a", "an", "one"} else int(n)
    return now - timedelta(seconds=count * _UNIT_SECONDS[match["unit"]])


def _parse_with_dateparser(text: str, now: datetime) -> datetime | None:
    import dateparser  # slow import: only for the dates nothing above could read

    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
    }
    parsed = dateparser.parse(text, settings=settings)
    return to_utc(parsed) if parsed else None


def is_date_only(moment: datetime) -> bool:
    """Midnight to the microsecond: how a date without a time of day is stored."""
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


#: What a stored date is precise to (``iso`` writes seconds).
ONE_SECOND = timedelta(seconds=1)


def first_second(bound: datetime) -> datetime:
    """The first second of the period (``bound``, ...]: what a heading or JSON names
    as its start. Dates are stored to the second, so the period after ``bound``
    holds the same posts as the one from this moment on; "--days 7 --as-of D"
    is headed D-6 as it counts, not D-7."""
    return bound + ONE_SECOND


def bound_before(first: datetime) -> datetime:
    """The open bound of a period that starts at ``first`` (``first_second``'s inverse):
    "--since D" holds the reviews dated D (at its midnight)."""
    return first - ONE_SECOND


def iso(value: datetime | None) -> str | None:
    """The one way dates are written to the database: ISO 8601 in UTC, seconds."""
    if value is None:
        return None
    return to_utc(value).replace(microsecond=0).isoformat()
