"""``scan report``'s options mean what they say in every part of the report.

``--source`` counts that source's posts in the header, the companies table and the
JSON totals, not only in the lists, and an unknown one is refused; ``--all`` lists
the period's grievances, not every one ever stored; "systemic" is said to be now
(the verdict window), not of the period; a source named with a comma stays one
source; and an id of a competitor's grievance or issue says whose it is.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import imported, run_scan
from tests.report_support import AS_OF, GROUPS, cluster_of
from tests.report_support import HOSTILE as HOSTILE_ROWS

COMPARE_AS_OF = "2026-06-30"  # tests/compare_support.py


def _report(site: Path, *args: str, as_of: str = AS_OF) -> str:
    done = run_scan("report", "--as-of", as_of, *args, cwd=site)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _json(site: Path, *args: str, as_of: str = AS_OF) -> dict:
    return json.loads(_report(site, "--format", "json", *args, as_of=as_of))


def _counted(db: Path, source: str, period: dict) -> dict[str, tuple[int, int]]:
    """(mentions, grievances) per company from ``source`` in the report's period, read
    from the database itself."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT company, COUNT(*), SUM(is_grievance) FROM mentions WHERE source = ? "
            "AND COALESCE(published_at, first_seen_at) BETWEEN ? AND ? GROUP BY company",
            [source, period["since"], period["until"]],
        ).fetchall()
    return {company: (n, g) for company, n, g in rows}


def _ids(site: Path) -> dict[str, int]:
    """Each planted group's cluster id, by the group's name (``report_support``)."""
    db = site / "report.db"
    found = {name: cluster_of(db, rows[0]["id"]) for name, rows in GROUPS.items()}
    return {**found, "hostile": cluster_of(db, HOSTILE_ROWS[0]["id"])}


# --source: every count is that source's ------------------------------------------


@pytest.mark.parametrize("source", ["bbb", "reddit"])
def test_source_totals_and_companies_count_only_that_sources_posts(report_site, source):
    data = _json(report_site, "--source", source)
    everything = _json(report_site)
    counted = _counted(report_site / "report.db", source, data["period"])
    acme, globex = counted.get("Acme", (0, 0)), counted.get("Globex", (0, 0))
    assert acme[0] and acme[0] < everything["totals"]["mentions"]  # a real narrowing
    assert (data["totals"]["mentions"], data["totals"]["grievances"]) == acme
    companies = {c["name"]: (c["mentions"], c["grievances"]) for c in data["companies"]}
    assert companies == {"Acme": acme, "Globex": globex}
    assert data["source"] == source and everything["source"] is None
    # Systemic grievances counted are the ones listed: those with a post from it.
    listed = [c for c in data["clusters"] if c["verdict"] == "systemic"]
    assert data["totals"]["systemic"] == len(listed) == data["companies"][0]["systemic"]
    assert all(source in c["sources"] for c in data["clusters"])
    header = " ".join(_report(report_site, "--source", source).split())
    assert f"From {source}: {acme[0]} mentions, {acme[1]} grievance posts in the period" in header
    assert f"with a post from {source} are listed" in header


def test_source_lists_only_systemic_grievances_with_a_post_from_it(report_site):
    ids = _ids(report_site)
    data = _json(report_site, "--source", "bbb")
    systemic = {c["id"] for c in data["clusters"] if c["verdict"] == "systemic"}
    assert systemic == {ids["refund"]}  # bomb and hostile are trustpilot's alone
    assert data["totals"]["systemic"] == 1


def test_an_unknown_source_is_refused_like_an_unknown_company(report_site):
    company = run_scan("report", "--company", "Initech", cwd=report_site)
    for fmt in ("text", "json"):
        done = run_scan("report", "--source", "nosuch", "--format", fmt, cwd=report_site)
        assert done.returncode == company.returncode != 0, done.stdout
        assert done.stdout == ""
        assert "no source named 'nosuch' (known: bbb, reddit, trustpilot)" in done.stderr
        assert "Traceback" not in done.stderr


def test_source_issue_examples_are_that_sources_posts(compare_site):
    # Acme's refund issue: six customers on "reviews", one of whom cross-posts to "forum".
    data = _json(compare_site, "--source", "forum", "--days", "30", as_of=COMPARE_AS_OF)
    assert data["issues"] and all("forum" in i["sources"] for i in data["issues"])
    for issue in data["issues"]:
        assert {e["source"] for e in issue["examples"]} == {"forum"}, issue["name"]
    assert data["totals"]["systemic_issues"] == sum(
        i["verdict"] == "systemic" for i in data["issues"]
    )
    # The issue's own numbers stay its numbers on every source, and the header says so.
    whole = {i["id"]: i for i in _json(compare_site, "--days", "30", as_of=COMPARE_AS_OF)["issues"]}
    for issue in data["issues"]:
        assert (issue["people"], issue["mentions"]) == (
            whole[issue["id"]]["people"],
            whole[issue["id"]]["mentions"],
        )
    screen = _report(compare_site, "--source", "forum", "--days", "30", as_of=COMPARE_AS_OF)
    quotes = [line for line in screen.splitlines() if line.startswith("  “")]
    assert quotes and all("(forum, " in line for line in quotes)
    assert "counted on every source" in " ".join(screen.split())


def test_a_source_with_no_post_in_the_period_says_where_its_posts_are(compare_site):
    screen = " ".join(_report(compare_site, "--source", "forum", as_of=COMPARE_AS_OF).split())
    assert "From forum: 0 mentions" in screen
    assert "The database holds 1 mention from forum, 2026-06-13 to 2026-06-13" in screen


# --all: the period's grievances, all of them -------------------------------------


def test_all_lists_the_periods_grievances_not_every_one_ever(report_site):
    ids = _ids(report_site)
    # Three days to the as-of date: the solo post and the last "dup" post are in it,
    # "app" and "old" are not (and are isolated: nothing lists them but activity).
    data = _json(report_site, "--days", "3", "--all")
    listed = {c["id"] for c in data["clusters"]}
    systemic = {c["id"] for c in data["clusters"] if c["verdict"] == "systemic"}
    assert systemic == {ids["refund"], ids["bomb"], ids["hostile"]}
    assert listed - systemic == {ids["dup"], ids["solo"]}
    assert data["isolated_hidden"] == 0 and data["isolated_more"] == 0
    # Without --all the single-post one is counted, not listed; with it, it is listed.
    short = _json(report_site, "--days", "3")
    assert short["isolated_hidden"] == 1 and ids["solo"] not in {c["id"] for c in short["clusters"]}
    # Every format lists the same grievances.
    screen = _report(report_site, "--days", "3", "--all")
    shown = {int(word[1:]) for word in screen.split() if word[:1] == "#" and word[1:].isdigit()}
    assert shown == listed
    assert "not listed" not in screen
    rows = csv.DictReader(
        io.StringIO(_report(report_site, "--days", "3", "--all", "--format", "csv"))
    )
    assert {int(r["id"]) for r in rows if r["kind"] == "cluster"} == listed


# "systemic" is now, not the period's -------------------------------------------------


def test_systemic_counts_are_labelled_as_now_not_the_periods(report_site):
    # One day: one grievance in the period, three systemic in the verdict window.
    data = _json(report_site, "--days", "1")
    assert data["totals"]["grievances"] < data["totals"]["systemic"]
    for fmt in ("text", "markdown", "html"):
        page = " ".join(_report(report_site, "--days", "1", "--format", fmt).split())
        assert (
            f"{data['totals']['grievances']} grievance posts in the period; systemic now "
            f"(≥3 people in the 90 days to {AS_OF}): 3 grievances"
        ) in page, fmt
        # The companies table names what it counts: grievances, and apart from them
        # the issues also systemic now (a competitor read "0" as nothing systemic).
        assert "Systemic grievances" in page and "Systemic issues" in page, fmt


def test_the_companies_table_counts_each_companys_systemic_issues(compare_site):
    """Each company's systemic issues, as its own report counts them: the table had
    only systemic grievances, and a competitor with systemic issues read "0"."""
    ours = _json(compare_site, "--days", "30", as_of=COMPARE_AS_OF)
    counts = {c["name"]: c["systemic_issues"] for c in ours["companies"]}
    own = {
        name: _json(compare_site, "--company", name, "--days", "30", as_of=COMPARE_AS_OF)
        for name in counts
    }
    assert counts == {name: data["totals"]["systemic_issues"] for name, data in own.items()}
    assert len(counts) == 3 and counts["Globex"] > 0  # told from a missing one
    theirs = own["Globex"]
    assert [c["systemic_issues"] for c in theirs["companies"]] == list(counts.values())
    page = _report(compare_site, "--days", "30", as_of=COMPARE_AS_OF)
    globex = next(line for line in page.splitlines() if line.startswith("Globex"))
    assert globex.split()[-1] == str(counts["Globex"])
    # A page about one issue has no companies table to build.
    issue = ours["issues"][0]["id"]
    detail = _json(compare_site, "--issue", str(issue), "--days", "30", as_of=COMPARE_AS_OF)
    assert detail["companies"] == []


def test_grievance_posts_are_not_called_grievances_which_are_clusters(report_site):
    # The week holds more grievance posts than grievances (a cross-post, near-duplicates):
    # "Grievances: 12" in the header and the companies table, beside lists of clusters.
    data = _json(report_site, "--days", "7")
    acme = data["companies"][0]
    posts, clusters = data["totals"]["grievances"], data["totals"]["active_clusters"]
    assert posts > clusters and acme["grievances"] == posts
    for fmt in ("text", "markdown", "html"):
        page = " ".join(_report(report_site, "--days", "7", "--format", fmt).split())
        assert f"{posts} grievance posts in the period" in page, fmt
        assert f"{posts} grievances" not in page, fmt
        assert "Grievance posts" in page, fmt  # the companies table's heading
    html = _report(report_site, "--days", "7", "--format", "html")
    assert ">grievance posts</text>" in html  # the volume chart's legend


# A source name with a comma ---------------------------------------------------------


def test_a_source_named_with_a_comma_stays_one_source(tmp_path):
    rows = [
        {
            "id": f"e{i}",
            "author": f"u{i}",
            "source": "Email, Tier 2",
            "published_at": "2026-11-09T09:00:00Z",
            "rating": 1,
            "text": "The card was charged twice for one order and nobody replies to my emails",
        }
        for i in range(3)
    ]
    site = imported(tmp_path, rows)
    table = _report(site, "--format", "csv", as_of="2026-11-10")
    clusters = [r for r in csv.DictReader(io.StringIO(table)) if r["kind"] == "cluster"]
    assert [r["sources"] for r in clusters] == ["Email, Tier 2"]
    page = _report(site, "--format", "markdown", as_of="2026-11-10")
    assert "Email, Tier 2" in page and "Tier 2, Email" not in page
    wide = run_scan("report", "--as-of", "2026-11-10", cwd=site, env={"COLUMNS": "200"})
    assert "Email, Tier 2" in wide.stdout and "Tier 2, Email" not in wide.stdout
    picked = _json(site, "--source", "Email, Tier 2", as_of="2026-11-10")
    assert picked["totals"]["mentions"] == 3 and len(picked["clusters"]) == 1
    # an issue's sources too (read from its members' index in the text view)
    assert run_scan("issues", cwd=site).returncode == 0
    only = run_scan(
        "report",
        "--as-of",
        "2026-11-10",
        "--source",
        "Email, Tier 2",
        cwd=site,
        env={"COLUMNS": "200"},
    )
    assert "Systemic issues (1)" in only.stdout, only.stdout


# An id of another watched company's ---------------------------------------------------


def test_a_competitors_grievance_id_says_whose_it_is(report_site):
    globex = cluster_of(report_site / "report.db", "G-1")
    done = run_scan("report", "--as-of", AS_OF, "--cluster", str(globex), cwd=report_site)
    assert done.returncode == 1
    hint = f"scan report --company Globex --as-of {AS_OF} --cluster {globex}"
    assert f"grievance {globex} is Globex's, not Acme's: {hint}" in done.stderr
    assert "G-1" in _report(report_site, "--company", "Globex", "--cluster", str(globex))
    missing = run_scan("report", "--cluster", "99999", cwd=report_site)
    assert "no grievance with id 99999 for Acme" in missing.stderr


def test_a_competitors_issue_id_says_whose_it_is(compare_site):
    theirs = _json(compare_site, "--company", "Globex", "--days", "30", as_of=COMPARE_AS_OF)
    issue = theirs["issues"][0]["id"]
    done = run_scan("report", "--issue", str(issue), cwd=compare_site)
    assert done.returncode == 1
    hint = f"scan report --company Globex --issue {issue}"
    assert f"issue {issue} is Globex's, not Acme's: {hint}" in done.stderr
    shown = _report(compare_site, "--company", "Globex", "--issue", str(issue), as_of=COMPARE_AS_OF)
    assert shown.startswith(f"Issue {issue} ")
    missing = run_scan("report", "--issue", "99999", cwd=compare_site)
    assert "no issue with id 99999 for Acme (see `scan issues`)" in missing.stderr


# What people and posts count ------------------------------------------------------------


def test_people_say_the_window_they_are_counted_in_beside_all_the_posts(tmp_path):
    """An issue's people are counted in the verdict window, its posts all of them:
    "4 people · 6 posts" read as two repeat posters where two posts were older."""
    wordings = [
        "The age verification rejects my selfie",
        "Age verification failed again for my ID",
        "Stuck on age verification for days",
        "Why does the age verification need my passport",
        "age verification loop, cannot chat",
        "Age verification is broken since the update",
    ]
    dates = ["2026-10-20", "2026-10-25", "2026-11-01", "2026-11-05", "2026-05-01", "2026-04-01"]
    rows = [
        {"id": f"a{i}", "author": f"p{i}", "published_at": f"{d}T10:00:00Z", "rating": 1, "text": t}
        for i, (t, d) in enumerate(zip(wordings, dates, strict=True))
    ]
    site = imported(tmp_path, rows)
    assert run_scan("issues", cwd=site).returncode == 0
    issue = next(i for i in _json(site, as_of="2026-11-10")["issues"] if "age" in i["name"])
    assert (issue["people"], issue["mentions"]) == (4, 6)
    wide = {"COLUMNS": "200"}
    summary = run_scan("report", "--as-of", "2026-11-10", cwd=site, env=wide).stdout
    assert "4 people in 90 days · 6 posts" in summary
    said = "People 4 in the 90 days to 2026-11-10 · posts 6 in all"
    detail = run_scan(
        "report", "--as-of", "2026-11-10", "--issue", str(issue["id"]), cwd=site, env=wide
    )
    assert said in detail.stdout
    assert said in _report(
        site, "--format", "html", "--issue", str(issue["id"]), as_of="2026-11-10"
    )
    page = _report(site, "--format", "markdown", "--issue", str(issue["id"]), as_of="2026-11-10")
    assert "- People in the 90 days to 2026-11-10: 4\n- Posts in all: 6" in page


def test_since_a_day_holds_a_post_made_at_its_first_moment(tmp_path):
    """Imported reviews are dated by day (00:00): ``--since`` that day left one out."""
    rows = [
        {"id": f"d{i}", "author": f"p{i}", "published_at": day, "rating": 1, "text": text}
        for i, (day, text) in enumerate(
            [("2026-06-01", "The card was declined at the till"), ("2026-06-03", "No refund yet")]
        )
    ]
    site = imported(tmp_path, rows)
    # a period longer than the verdict window: the query starts at the period's start
    listed = _json(site, "--all", "--since", "2026-06-01", as_of="2026-11-05")["clusters"]
    assert len(listed) == 2


def test_a_command_a_report_suggests_is_judged_as_of_the_same_day():
    """ "… and 180 more (scan report --issue 1)" under a report of last year's reviews
    showed the issue as of today: isolated, no one inside the window."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from scanner.report.checks import suggested_options
    from scanner.report.formats.common import grievance_ids

    config = SimpleNamespace(company=SimpleNamespace(name="Acme"))
    then = suggested_options("Acme", config, datetime(2026, 7, 1, 23, 59, 59, tzinfo=UTC))
    assert then == " --as-of 2026-07-01"
    assert suggested_options("Acme", config, datetime.now(UTC)) == ""
    issue = SimpleNamespace(id=1, clusters=list(range(30)))
    said = grievance_ids(issue, 20, options=then)
    assert said.endswith("and 10 more (scan report --as-of 2026-07-01 --issue 1)")


def test_a_period_that_starts_after_the_as_of_date_is_a_wrong_invocation(tmp_path):
    site = imported(tmp_path, [{"id": "x", "text": "No refund yet", "rating": 1}])
    done = run_scan("report", "--since", "2099-01-01", cwd=site)  # as of now
    assert done.returncode == 2
    assert "the period starts 2099-01-01, after the as-of date 20" in done.stderr
    assert "T00:00:00+00:00" not in done.stderr  # dates as a user writes them


def test_a_period_from_long_ago_means_everything_and_does_not_run_out_of_calendar(tmp_path):
    """ "--since 1000-01-01" crashed (OverflowError) when the look-back before it was
    computed: it now starts when posts can start."""
    site = imported(tmp_path, [{"id": "x", "text": "No refund yet", "rating": 1}])
    assert run_scan("issues", cwd=site).returncode == 0
    done = run_scan("report", "--since", "1000-01-01", cwd=site)
    assert done.returncode == 0, done.stderr
    assert "1990-01-01" in done.stdout.splitlines()[1]
    # An as-of day that early is refused, not moved to 1990 without a word.
    done = run_scan("report", "--as-of", "0001-01-01", cwd=site)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--as-of 0001-01-01 is before 1990-01-01" in done.stderr
