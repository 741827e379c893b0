"""The hint for grievances older than the verdict window reads grievances, as the verdict does.

Three people raised one grievance on 30 June; a five-star post came in November.
Reported the next spring, nothing can be systemic: the report says so and names
the date that judges the grievance as of then (June's, not the praise's), and
following that advice finds it systemic.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import imported, run_scan

TEXT = "The checkout page loses my basket every single time I try to pay for it"
ROWS = [
    *(
        {"id": f"g{i}", "author": who, "text": TEXT, "rating": 1, "published_at": when}
        for i, (who, when) in enumerate(
            [
                ("alice", "2026-06-30T20:00:00Z"),
                ("bob", "2026-06-30T22:00:00Z"),
                ("carol", "2026-06-30T23:59:59Z"),  # exactly at a window's start below
            ]
        )
    ),
    {
        "id": "p1",
        "author": "dora",
        "text": "Lovely shop, quick delivery, will buy again",
        "rating": 5,
        "published_at": "2026-11-20T10:00:00Z",
    },
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return imported(tmp_path_factory.mktemp("window"), ROWS)


def report(site: Path, *args: str) -> str:
    done = run_scan("report", *args, cwd=site, env={"COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def systemic(site: Path, *args: str) -> int:
    return json.loads(report(site, *args, "--format", "json"))["totals"]["systemic"]


HINT = re.compile(r"No grievance in the 90 days .* the latest is from (\S+); add --as-of (\S+) ")


@pytest.mark.parametrize("as_of", ["2027-04-30", "2026-12-01"], ids=["all-old", "praise-recent"])
def test_a_recent_praise_post_neither_hides_the_hint_nor_names_its_date(site, as_of):
    screen = report(site, "--as-of", as_of, "--since", "2026-01-01")
    match = HINT.search(screen)
    assert match and match.group(1) == match.group(2) == "2026-06-30", screen
    assert systemic(site, "--as-of", as_of, "--since", "2026-01-01") == 0
    assert systemic(site, "--as-of", match.group(2), "--since", "2026-01-01") == 1
    # An empty period: the same date, before --since.
    empty = report(site, "--as-of", "2027-04-30")
    assert "try --as-of 2026-06-30 (as things stood at the latest grievance)" in empty, empty


def test_at_the_windows_very_start_the_hint_agrees_with_the_verdict(site):
    # The window of 28 September starts after 30 June 23:59:59, the latest grievance:
    # it is no longer in the window, as the verdict counts it, nor in the 90 days of
    # the period (1 July to 28 September), which says where it is. A day earlier it
    # is in both, and the grievance is systemic.
    assert systemic(site, "--as-of", "2026-09-27", "--days", "90") == 1
    assert not HINT.search(report(site, "--as-of", "2026-09-27", "--days", "90"))
    assert systemic(site, "--as-of", "2026-09-28", "--days", "90") == 0
    late = report(site, "--as-of", "2026-09-28", "--days", "90")
    assert "Period 2026-07-01 → 2026-09-28" in late, late
    assert "none in this period: try --since 2026-06-30" in late, late
    assert HINT.search(report(site, "--as-of", "2026-09-28", "--since", "2026-06-30"))


def test_the_digest_says_why_nothing_is_systemic_and_how_to_judge_it_then(site, tmp_path):
    # The digest is judged as of now, months after 30 June: both of its parts say so.
    out = tmp_path / "digest.eml"
    done = run_scan("digest", "--out", str(out), "--to", "ops@example.com", cwd=site)
    assert done.returncode == 0, done.stderr
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        assert part is not None
        said = " ".join(part.get_content().split())
        assert "No grievance in the 90 days before this digest, so none can be systemic" in said
        assert "the latest is from 2026-06-30 (scan report --as-of 2026-06-30" in said


def test_a_five_star_post_this_week_does_not_hide_the_digests_note(tmp_path):
    # The default 7-day period holds one post, praise: still no grievance in the window.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    praise = {**ROWS[-1], "published_at": yesterday}
    site = imported(tmp_path, [*ROWS[:-1], praise])
    done = run_scan("digest", "--dry-run", "--to", "ops@example.com", cwd=site)
    assert done.returncode == 0, done.stderr
    assert "the latest is from 2026-06-30" in " ".join(done.stdout.split())
    assert HINT.search(report(site))  # the report as of now says it too


def test_json_says_why_a_report_is_empty_as_the_screen_does(site):
    # A script reading --format json learns what the screen's hints say: the
    # grievances all predate the window (and since when), or where the posts are.
    def data(*args: str) -> dict:
        return json.loads(report(site, *args, "--format", "json"))

    stale = data("--as-of", "2027-04-30", "--since", "2026-01-01")
    assert stale["stale_since"][:10] == "2026-06-30"
    assert stale["outside_period"] is None  # the period holds the posts
    empty = data("--as-of", "2027-04-30")
    assert empty["totals"]["mentions"] == 0
    assert empty["outside_period"]["mentions"] == len(ROWS)
    assert empty["outside_period"]["last"][:10] == "2026-11-20"
    fresh = data("--as-of", "2026-07-01", "--since", "2026-06-01")
    assert fresh["stale_since"] is None and fresh["outside_period"] is None
    assert fresh["totals"]["systemic"] == 1
