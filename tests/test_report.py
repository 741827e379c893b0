"""``scan report`` on a database built through ``scan import`` with known groups."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.report_support import AS_OF, GROUPS, HOSTILE, cluster_of


@pytest.fixture
def site(report_site):
    """One database for the session (tests/conftest.py): these tests only read it."""
    return report_site


@pytest.fixture
def report(site):
    def _run(*args: str, check: bool = True, env: dict[str, str] | None = None):
        from tests.conftest import run_scan

        done = run_scan("report", "--as-of", AS_OF, *args, cwd=site, env=env)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    return _run


def by_member(site, data: dict) -> dict[str, dict]:
    """Clusters of a JSON report keyed by the group name they were built from."""
    wanted = {name: cluster_of(site / "report.db", rows[0]["id"]) for name, rows in GROUPS.items()}
    wanted["hostile"] = cluster_of(site / "report.db", HOSTILE[0]["id"])
    clusters = {c["id"]: c for c in data["clusters"]}
    return {name: clusters[cid] for name, cid in wanted.items() if cid in clusters}


def test_json_all_lists_every_cluster_with_people_and_members(site, report):
    data = json.loads(report("--format", "json", "--all").stdout)
    assert set(data) >= {"generated_at", "company", "period", "clusters"}
    assert data["company"] == "Acme"
    got = by_member(site, data)
    assert set(got) == {*GROUPS, "hostile"}  # Globex's cluster is not Acme's
    expected = {  # name: (verdict, people, mentions)
        "refund": ("systemic", 3, 4),  # cross-post by Ravi counts once
        "app": ("isolated", 1, 2),
        "dup": ("isolated", 2, 3),  # placeholders: same text + same source = one
        "old": ("isolated", 1, 4),  # Maria and Chen fell out of the 90-day window
        "bomb": ("systemic", 3, 3),
        "solo": ("isolated", 1, 1),
        "hostile": ("systemic", 3, 3),
    }
    for name, (verdict, people, mentions) in expected.items():
        cluster = got[name]
        assert (cluster["verdict"], cluster["people"], cluster["mentions"]) == (
            verdict,
            people,
            mentions,
        ), name
    for name, rows in GROUPS.items():
        assert sorted(m["id"] for m in got[name]["members"]) == sorted(r["id"] for r in rows)
    keys = {
        "id",
        "verdict",
        "people",
        "mentions",
        "sources",
        "first_seen",
        "last_seen",
        "categories",
        "flags",
        "representative",
        "members",
    }
    member_keys = {"id", "source", "author", "url", "published_at", "text", "title"}
    for cluster in data["clusters"]:
        assert set(cluster) >= keys
        assert cluster["verdict"] in {"systemic", "isolated"}
        assert all(set(m) == member_keys for m in cluster["members"])


def test_flags_say_more_without_changing_the_verdict(site, report):
    got = by_member(site, json.loads(report("--format", "json", "--all").stdout))
    assert "cross-posted" in got["refund"]["flags"]
    assert {"new", "cross-posted"} <= set(got["app"]["flags"])
    assert "coordinated" in got["bomb"]["flags"] and got["bomb"]["verdict"] == "systemic"
    assert "coordinated" not in got["refund"]["flags"]
    assert "back" in got["old"]["flags"]  # silent from August to November
    assert got["refund"]["sources"] == ["bbb", "reddit", "trustpilot"]
    assert "refunds_cancellations" in got["refund"]["categories"]
    assert "billing_fees" in got["hostile"]["categories"]


def test_as_of_moves_the_window(site, report):
    data = json.loads(report("--format", "json", "--all").stdout)
    assert by_member(site, data)["old"]["verdict"] == "isolated"
    from tests.conftest import run_scan

    earlier = run_scan("report", "--as-of", "2026-09-01", "--format", "json", "--all", cwd=site)
    got = by_member(site, json.loads(earlier.stdout))
    assert (got["old"]["verdict"], got["old"]["people"], got["old"]["mentions"]) == (
        "systemic",
        3,
        3,
    )
    assert "refund" not in got  # nothing of it existed yet on that day


def test_default_view_has_the_right_sections(site, report):
    out = report().stdout
    systemic, _, isolated = out.partition("Isolated grievances")
    assert "Systemic grievances (3)" in systemic
    ids = {
        name: f"#{cluster_of(site / 'report.db', rows[0]['id'])}" for name, rows in GROUPS.items()
    }
    for name in ("refund", "bomb"):
        assert ids[name] in systemic
    for name in ("app", "dup", "old"):
        assert ids[name] in isolated and ids[name] not in systemic.split("\n", 3)[-1]
    assert ids["solo"] not in out  # a singleton shows only with --all
    # Systemic rows: most people first; isolated rows: newest first.
    assert isolated.index(ids["dup"]) < isolated.index(ids["app"]) < isolated.index(ids["old"])
    assert "Acme" in out and "Globex" in out  # competitors side by side
    assert "trustpilot" in out and "changed" in out  # source health in the header
    assert "\x1b" not in out  # piped: plain text


def test_filters_and_limit(site, report):
    def ids(*args: str) -> set[int]:
        return {c["id"] for c in json.loads(report("--format", "json", *args).stdout)["clusters"]}

    db = site / "report.db"
    refund, bomb, app = (cluster_of(db, g) for g in ("R-1", "B-1", "A-1"))
    assert ids("--verdict", "isolated") & {refund, bomb} == set()
    assert refund in ids("--category", "refunds_cancellations")
    assert bomb not in ids("--category", "Refunds and cancellations")
    assert ids("--source", "bbb") >= {refund, app} and bomb not in ids("--source", "bbb")
    assert ids("--min-people", "3") >= {refund, bomb} and app not in ids("--min-people", "3")
    limited = json.loads(report("--format", "json", "--limit", "1").stdout)
    assert [c["verdict"] for c in limited["clusters"]] == ["systemic", "isolated"]
    assert limited["isolated_more"] == 2 and limited["systemic_more"] == 2
    # What is left out is counted in words that agree with the count, in every format.
    for fmt in ("text", "markdown", "html"):
        two = report("--format", fmt, "--limit", "1").stdout
        one = report("--format", fmt, "--limit", "2").stdout
        assert "2 more systemic grievances (use --limit N" in two, fmt
        assert "1 more systemic grievance (use --limit N" in one, fmt


def test_one_cluster_in_full(site, report):
    cid = cluster_of(site / "report.db", "R-1")
    out = report("--cluster", str(cid)).stdout
    for row in GROUPS["refund"]:
        assert row["id"] in out and row["source"] in out
    assert "Anonymous" in out and "@RAVI" in out
    missing = report("--cluster", "99999", check=False)
    assert missing.returncode == 1 and "no grievance with id 99999" in missing.stderr


def test_fail_on_systemic_exit_status(site, report):
    assert report("--fail-on", "systemic", "--format", "json", check=False).returncode == 3
    # Nothing systemic first seen since the 9th except the campaign; none since the 10th.
    assert report("--since", "2026-11-09", "--fail-on", "systemic", check=False).returncode == 3
    quiet = report("--since", "2026-11-10", "--fail-on", "systemic", check=False)
    assert quiet.returncode == 0
    assert report("--verdict", "isolated", "--fail-on", "systemic", check=False).returncode == 0


def test_bad_options_are_one_line_errors(report):
    for args, words in [
        (("--category", "weather"), "no category 'weather'"),
        (("--since", "yesterday-ish"), "expected a date"),
        (("--since", "2026-11-01", "--days", "3"), "either --since or --days"),
        (("--company", "Initech"), "no company named 'Initech'"),
    ]:
        done = report(*args, check=False)
        assert done.returncode == 2 and words in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_every_format_parses(site, report):
    from html.parser import HTMLParser

    from markdown_it import MarkdownIt

    data = json.loads(report("--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(report("--format", "csv").stdout)))
    assert [int(r["id"]) for r in rows] == [c["id"] for c in data["clusters"]]
    assert rows[0]["verdict"] == "systemic"
    tokens = MarkdownIt("commonmark").enable("table").parse(report("--format", "markdown").stdout)
    assert sum(t.type == "table_open" for t in tokens) >= 2

    class Collect(HTMLParser):
        tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    page = report("--format", "html").stdout
    parser = Collect()
    parser.feed(page)
    parser.close()
    assert {"html", "table", "svg", "rect"} <= set(parser.tags)
    assert "script" not in parser.tags and "<link" not in page and "src=" not in page


def test_html_written_to_a_file(site, report):
    done = report("--format", "html", "-o", "out.html")
    assert done.stdout == "" and "Wrote out.html" in done.stderr
    page = (site / "out.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # The file holds the report itself: every listed grievance, by id, and no other.
    listed = {c["id"] for c in json.loads(report("--format", "json").stdout)["clusters"]}
    solo = cluster_of(site / "report.db", GROUPS["solo"][0]["id"])
    assert listed and solo not in listed
    for cid in listed:
        assert f"#{cid}<" in page or f"#{cid} " in page, cid
    assert f"#{solo}<" not in page and f"#{solo} " not in page
    assert "Acme" in page and "Systemic" in page


def test_a_grievance_as_of_a_day_before_its_first_post_says_so(site, report):
    # Asked as of a day before its first post, a grievance showed "People 0 · posts 0".
    refund = cluster_of(site / "report.db", GROUPS["refund"][0]["id"])
    done = report("--as-of", "2026-10-01", "--cluster", str(refund), check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert (
        f"grievance #{refund} had no post yet as of 2026-10-01: its first is from 2026-11-01 "
        "(use a later --as-of)"
    ) in done.stderr
    assert (
        f"Grievance #{refund}" in report("--as-of", "2026-11-01", "--cluster", str(refund)).stdout
    )


def test_an_as_of_day_before_any_review_site_is_refused(site, report):
    # It was moved to 1990-01-01 without a word, and the report said "as of 1990-01-01".
    for fmt in ("text", "json"):
        done = report("--as-of", "1980-01-01", "--format", fmt, check=False)
        assert done.returncode == 2 and done.stdout == ""
        assert "--as-of 1980-01-01 is before 1990-01-01, older than any review site" in done.stderr
    assert "as of 1990-01-01" in report("--as-of", "1990-01-01").stdout
    from tests.conftest import run_scan

    done = run_scan("compare", "--as-of", "1980-01-01", cwd=site)  # the same reading
    assert done.returncode == 2 and "older than any review site" in done.stderr
