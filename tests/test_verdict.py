"""The verdict (systemic or isolated) and its flags, on members built in the test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from scanner import rules as rules_module
from scanner.errors import RuleFileError
from scanner.judge.people import Member
from scanner.judge.systemic import SystemicRules, load_systemic_rules
from scanner.judge.verdict import assess

AS_OF = datetime(2026, 11, 10, 12, tzinfo=UTC)
RULES = SystemicRules()


def member(
    n: int, author: str | None, days_ago: float, *, source: str = "reddit", text: str | None = None
) -> Member:
    return Member(
        id=f"m{n}",
        source=source,
        author=author,
        published_at=AS_OF - timedelta(days=days_ago),
        text=text if text is not None else f"complaint number {n} about refunds",
    )


def test_three_people_in_the_window_is_systemic():
    members = [member(1, "Ann", 10), member(2, "Bob", 20), member(3, "Cy", 89)]
    result = assess(members, as_of=AS_OF, rules=RULES)
    assert (result.verdict, result.people, result.mentions) == ("systemic", 3, 3)
    older = [member(1, "Ann", 10), member(2, "Bob", 20), member(3, "Cy", 91)]
    assert assess(older, as_of=AS_OF, rules=RULES).verdict == "isolated"


def test_the_threshold_comes_from_the_rules():
    members = [member(1, "Ann", 10), member(2, "Bob", 20)]
    assert assess(members, as_of=AS_OF, rules=SystemicRules(min_people=2)).verdict == "systemic"
    assert assess(members, as_of=AS_OF, rules=SystemicRules(min_people=3)).verdict == "isolated"


def test_as_of_replays_a_past_day():
    members = [
        member(1, "Ann", 200),
        member(2, "Bob", 190),
        member(3, "Cy", 180),
        member(4, "Di", 1),
    ]
    now = assess(members, as_of=AS_OF, rules=RULES)
    assert (now.verdict, now.people, now.mentions) == ("isolated", 1, 4)
    then = assess(members, as_of=AS_OF - timedelta(days=170), rules=RULES)
    assert (then.verdict, then.people, then.mentions) == ("systemic", 3, 3)  # Di not yet there


def test_cross_posts_and_placeholders():
    members = [
        member(1, "Ravi", 3, source="a"),
        member(2, "@RAVI", 4, source="b"),
        member(3, "Anonymous", 5, text="same"),
        member(4, "Guest", 6, text="same"),
    ]
    result = assess(members, as_of=AS_OF, rules=RULES)
    assert result.people == 2 and result.verdict == "isolated"
    assert "cross-posted" in result.flags
    one_site = [member(1, "Ravi", 3), member(2, "Zed", 4)]
    assert "cross-posted" not in assess(one_site, as_of=AS_OF, rules=RULES).flags


def test_new_growing_and_back():
    new = assess([member(1, "Ann", 2), member(2, "Bob", 1)], as_of=AS_OF, rules=RULES)
    assert new.flags == ["new"]  # growing says nothing about a brand-new grievance
    growing = [member(1, "Ann", 30), member(2, "Bob", 10), member(3, "Cy", 2), member(4, "Di", 1)]
    assert assess(growing, as_of=AS_OF, rules=RULES).flags == ["growing"]
    steady = [member(1, "Ann", 30), member(2, "Bob", 9), member(3, "Cy", 2)]
    assert "growing" not in assess(steady, as_of=AS_OF, rules=RULES).flags
    back = [member(1, "Ann", 80), member(2, "Bob", 75), member(3, "Cy", 2)]
    assert "back" in assess(back, as_of=AS_OF, rules=RULES).flags
    # the period can be given: "new since" a date
    since = assess(
        [member(1, "Ann", 20)], as_of=AS_OF, rules=RULES, period_start=AS_OF - timedelta(days=30)
    )
    assert "new" in since.flags


def test_reviews_dated_on_the_periods_first_day_are_in_the_period():
    """Reviews known by their day sit at its midnight, the first second of a report's
    period ("--since D", "--days 7": D-6 00:00). "new" counted them in the period,
    "growing" and "back" in the one before: three people on the first day, after one
    the week before, was no growth, and a grievance back after months was not back."""
    as_of = datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)
    start = datetime(2026, 6, 24, tzinfo=UTC)  # --days 7 --as-of 2026-06-30

    def on(n: int, author: str, day: datetime) -> Member:
        return Member(
            id=f"d{n}",
            source="appstore",
            author=author,
            published_at=day,
            text=f"refund {n} never came",
        )

    week_before = datetime(2026, 6, 17, tzinfo=UTC)  # the previous period's first day
    grown = [on(1, "Ann", week_before), on(2, "Bob", start), on(3, "Cy", start), on(4, "Di", start)]
    assert "growing" in assess(grown, as_of=as_of, rules=RULES, period_start=start).flags
    # ... and the week before counts its own first day: two people then, two now.
    steady = [
        on(1, "Ann", week_before),
        on(5, "Eve", week_before),
        on(2, "Bob", start),
        on(3, "Cy", start),
    ]
    assert "growing" not in assess(steady, as_of=as_of, rules=RULES, period_start=start).flags
    back = [on(1, "Ann", datetime(2026, 3, 1, tzinfo=UTC)), on(2, "Bob", start)]
    assert "back" in assess(back, as_of=as_of, rules=RULES, period_start=start).flags


def test_coordinated_needs_several_accounts_near_verbatim_within_hours():
    text = "Worst bank ever, they froze my account for no reason, avoid!"
    hours = 1 / 24
    burst = [member(i, f"acct{i}", i * hours, text=text + "!" * i) for i in range(3)]
    result = assess(burst, as_of=AS_OF, rules=RULES)
    assert "coordinated" in result.flags and result.verdict == "systemic"  # flagged, still counted
    spread = [member(i, f"acct{i}", i * 2, text=text) for i in range(3)]  # days apart
    assert "coordinated" not in assess(spread, as_of=AS_OF, rules=RULES).flags
    one_account = [member(i, "acct", i * hours, text=text) for i in range(3)]
    assert "coordinated" not in assess(one_account, as_of=AS_OF, rules=RULES).flags
    different = [
        member(i, f"a{i}", i * hours, text=f"{i} " + "unrelated words " * i) for i in range(3)
    ]
    assert "coordinated" not in assess(different, as_of=AS_OF, rules=RULES).flags


def test_posts_dated_to_the_day_are_never_a_burst_of_hours():
    """App stores give dates only: every post sits at midnight, so three one-word
    reviews of one day would look posted in the same second."""
    day = datetime(2026, 11, 9, tzinfo=UTC)
    same_day = [
        Member(id=f"d{i}", source="appstore", author=f"user{i}", published_at=day, text="bad")
        for i in range(4)
    ]
    assert "coordinated" not in assess(same_day, as_of=AS_OF, rules=RULES).flags
    # With times of day the same posts are a burst, and with a window of days, dates are enough.
    timed = [
        replace(m, published_at=day + timedelta(minutes=7 * i)) for i, m in enumerate(same_day)
    ]
    assert "coordinated" in assess(timed, as_of=AS_OF, rules=RULES).flags
    daily = replace(RULES, coordinated_hours=48)
    assert "coordinated" in assess(same_day, as_of=AS_OF, rules=daily).flags


def test_copies_of_a_long_review_on_one_day_are_a_burst_without_times():
    """Five accounts posted one long review word for word on one day (seen on Google
    Play, dates only): never flagged, since dates had no hours. A text of
    ``day_words`` words or more is evidence enough within its day; its copies on
    other days are not within it."""
    day = datetime(2026, 11, 9, tzinfo=UTC)
    text = "the app is no longer even functional unless you subscribe to it"
    copies = [
        Member(id=f"c{i}", source="googleplay", author=f"user{i}", published_at=day, text=text)
        for i in range(3)
    ]
    assert "coordinated" in assess(copies, as_of=AS_OF, rules=RULES).flags
    spread = [replace(m, published_at=day - timedelta(days=i)) for i, m in enumerate(copies)]
    assert "coordinated" not in assess(spread, as_of=AS_OF, rules=RULES).flags
    short = replace(RULES, coordinated_day_words=len(text.split()) + 1)
    assert "coordinated" not in assess(copies, as_of=AS_OF, rules=short).flags
    two = copies[:2] + [replace(copies[2], text="my refund never came and support hung up")]
    assert "coordinated" not in assess(two, as_of=AS_OF, rules=RULES).flags


def test_weekly_trend_ends_at_the_as_of_date():
    members = [member(1, "Ann", 1), member(2, "Bob", 2), member(3, "Cy", 8), member(4, "Di", 100)]
    assert assess(members, as_of=AS_OF, rules=RULES).weekly == [0, 0, 0, 0, 0, 0, 1, 2]


def test_rules_file_is_read_and_checked(tmp_path, monkeypatch):
    shipped = load_systemic_rules()
    assert len(shipped.placeholders) > 50
    assert replace(shipped, placeholders=()) == SystemicRules()  # the file holds the defaults
    (tmp_path / "systemic.toml").write_text("min_people = 0\n", encoding="utf-8")
    monkeypatch.setenv("SCAN_RULES_DIR", str(tmp_path))
    rules_module.load_rules.cache_clear()
    try:
        with pytest.raises(
            RuleFileError, match="line 1: `min_people` must be a whole number from 1 to 1000, got 0"
        ):
            load_systemic_rules()
    finally:
        monkeypatch.delenv("SCAN_RULES_DIR")
        rules_module.load_rules.cache_clear()


def test_a_rules_directory_that_does_not_exist_is_refused(scan, tmp_path):
    """A typo in SCAN_RULES_DIR meant the built-in rules, silently: a report judged
    by min_people = 3 where the user had set 1."""
    assert scan("init").returncode == 0
    report = scan("report", env={"SCAN_RULES_DIR": str(tmp_path / "myrule")})
    assert report.returncode == 1
    assert f"{tmp_path / 'myrule'}: SCAN_RULES_DIR names no directory" in report.stderr
