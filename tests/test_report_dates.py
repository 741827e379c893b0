"""A review known only by its day is shown by its day, not at "00:00".

App stores and most exports date a review without its time of day; it is stored
at midnight. Shown as "2026-06-29 00:00" beside every post, that read as a time
nobody gave. A post with a time of day keeps it.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import imported, run_scan

ROWS = [
    {"id": "d1", "author": "Ann", "text": "Refund never arrived", "published_at": "2026-06-27"},
    {"id": "d2", "author": "Bob", "text": "Refund never arrived!", "published_at": "2026-06-28"},
    {
        "id": "d3",
        "author": "Cy",
        "text": "Refund never arrived.",
        "published_at": "2026-06-29T14:35:00+00:00",
    },
]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_date_without_a_time_is_shown_as_the_date(tmp_path, fmt):
    site = imported(tmp_path, ROWS)
    shown = run_scan("report", "--as-of", "2026-06-30", "--cluster", "1", "--format", fmt, cwd=site)
    assert shown.returncode == 0, shown.stderr
    page = shown.stdout
    assert "2026-06-27" in page and "2026-06-28" in page  # each post, and first seen
    assert "00:00" not in page
    assert "2026-06-29 14:35" in page  # a time of day that was given is kept


def test_a_grievance_as_steady_as_the_period_before_is_not_growing(tmp_path):
    """Two people on the first day of the 60 days before the report's, two on the
    first day of its own: no growth. Reviews sit at their day's midnight, the first
    second of a period; the verdict counted them in the period before ("growing"
    then needed three), and the text report read that period from its second second
    (its reviews not read at all: "growing" with two)."""
    text = "The refund never arrived and support stopped answering"
    days = [
        ("Ann", "2026-03-03"),
        ("Eve", "2026-03-03"),
        ("Ann", "2026-04-15"),  # not quiet long enough to be "back"
        ("Bob", "2026-05-02"),
        ("Cy", "2026-05-02"),
    ]
    rows = [
        {"id": f"s{n}", "author": who, "text": text, "published_at": day, "rating": 1}
        for n, (who, day) in enumerate(days)
    ]
    site = imported(tmp_path, rows)
    period = ("report", "--as-of", "2026-06-30", "--days", "60")
    done = run_scan(*period, "--format", "json", cwd=site)
    assert done.returncode == 0, done.stderr
    (cluster,) = json.loads(done.stdout)["clusters"]
    assert (cluster["people"], cluster["mentions"], cluster["flags"]) == (3, 5, [])
    # The text reads only the recent posts: the window, or the period before when longer.
    shown = run_scan(*period, cwd=site)
    assert shown.returncode == 0 and "#1 " in shown.stdout and "growing" not in shown.stdout
    rows.append({"id": "s9", "author": "Di", "text": text, "published_at": "2026-05-02"})
    grown = tmp_path / "grown"
    grown.mkdir()
    imported(grown, rows)
    done = run_scan(*period, "--format", "json", cwd=grown)
    (cluster,) = json.loads(done.stdout)["clusters"]
    # Three people now, two in the period before (and three copies on one day: coordinated).
    assert cluster["flags"] == ["growing", "coordinated"]
    assert "growing" in run_scan(*period, cwd=grown).stdout


def test_a_time_scan_recorded_keeps_its_time_even_at_midnight():
    """A crawl run stored at 00:00:00 was shown as a bare date, as a review is."""
    from scanner.report.formats.common import clock, moment

    run = "2026-12-03T00:00:00+00:00"
    assert clock(run) == "2026-12-03 00:00" and moment(run) == "2026-12-03"
    assert clock("2026-12-03T03:15:09+00:00") == moment("2026-12-03T03:15:09+00:00")
