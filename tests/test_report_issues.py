"""Issues in ``scan report``: one theme in different words, built as a user builds it.

Posts go in through ``scan import``; a hostile post (what a page could put in
the database) goes in raw; then ``scan cluster`` and ``scan issues`` run as
they would at night. The theme (an age check) is written differently by four
people, one of whom cross-posts; the other grievances share none of its words.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest

from scanner.store import Store
from scanner.text.safe import text_cells
from tests.conftest import run_scan

AS_OF = "2026-11-10"
CONFIG = """
db = "report.db"
[company]
name = "Acme"
[[sources]]
name = "trustpilot"
spider = "trustpilot"
url = "http://127.0.0.1:9/acme"
"""
AGE_SELFIE = "The age verification step wants a selfie and my passport before I can even chat"
REFUND = "Still waiting for my refund for the cancelled order, support never answers emails"
FEE = "Hidden fee of forty dollars appeared on my monthly bill without any explanation"
POSTS = [  # id, author, source, date, text
    # The theme: four people (Asha cross-posts under a folded handle), four wordings.
    ("V-1", "Asha", "trustpilot", "2026-11-01T09:00:00Z", AGE_SELFIE),
    ("V-2", " @asha ", "reddit", "2026-11-02T09:00:00Z", AGE_SELFIE + "!"),
    (
        "V-3",
        "Bruno",
        "reddit",
        "2026-11-03T09:00:00Z",
        "Stuck on age verification for three days now, the selfie upload keeps failing",
    ),
    (
        "V-4",
        "Chloe",
        "bbb",
        "2026-11-05T09:00:00Z",
        "Why does age verification reject my driving licence photo every single time",
    ),
    (
        "V-5",
        "Dev",
        "trustpilot",
        "2026-11-06T09:00:00Z",
        "Could not verify my age, the verification screen just spins forever",
    ),
    # Other grievances.
    ("R-1", "Ravi", "trustpilot", "2026-11-01T10:00:00Z", REFUND),
    ("R-2", "Kim", "reddit", "2026-11-02T10:00:00Z", REFUND + "!"),
    ("R-3", "Lou", "bbb", "2026-11-04T10:00:00Z", REFUND.replace("answers", "answers my")),
    (
        "A-1",
        "Zed",
        "reddit",
        "2026-11-06T09:00:00Z",
        "The mobile app crashes every time I open the payment screen after the update",
    ),
    ("F-1", "Maria", "trustpilot", "2026-11-03T09:00:00Z", FEE),
    ("F-2", "Chen", "reddit", "2026-11-07T09:00:00Z", FEE + "."),
    (
        "S-1",
        "Lee",
        "reddit",
        "2026-11-08T09:00:00Z",
        "Delivery driver left the parcel in the rain and it was soaked through completely",
    ),
]
THEME = {"V-1", "V-2", "V-3", "V-4", "V-5", "H-1"}
HOSTILE = {
    "id": "H-1",
    "company": "Acme",
    "external_id": "H-1",
    "origin": "crawl",
    "is_grievance": 1,
    "source": "trustpilot",
    "author": "=cmd|' /C calc'!A0",
    "url": "javascript:alert(1)",
    "published_at": "2026-11-08T08:00:00+00:00",
    # the newest post that says the theme's words the most: the issue's first example
    "text": "\x1b]0;owned\x07 age verification \x1b[2J demanded again, selfie and my passport "
    "\u202eevil\u202c "
    '<script>alert(1)</script> =HYPERLINK("http://x.example","click")',
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report-issues")
    (path / "scanner.toml").write_text(CONFIG, encoding="utf-8")
    rows = [
        {
            "id": pid,
            "author": author,
            "source": source,
            "published_at": when,
            "text": text,
            "url": f"https://{source}.example/{pid}",
        }
        for pid, author, source, when, text in POSTS
    ]
    (path / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    done = run_scan("--create", "import", "posts.jsonl", cwd=path)
    assert done.returncode == 0, done.stderr
    with Store(path / "report.db") as store:
        store.upsert_mentions([HOSTILE])
    for command in ("cluster", "issues"):
        done = run_scan(command, cwd=path)
        assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def report(site):
    def _run(*args: str, check: bool = True):
        done = run_scan("report", "--as-of", AS_OF, *args, cwd=site)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    return _run


def _theme(data: dict) -> dict:
    found = [i for i in data["issues"] if THEME & {m["id"] for m in i["members"]}]
    assert len(found) == 1, [i["name"] for i in data["issues"]]
    return found[0]


def _cluster_of(site: Path, mention_id: str) -> int:
    with sqlite3.connect(site / "report.db") as conn:
        query = "SELECT cluster_id FROM cluster_members WHERE mention_id = ?"
        return conn.execute(query, [mention_id]).fetchone()[0]


def test_json_issue_is_systemic_with_people_counted_once(site, report):
    data = json.loads(report("--format", "json").stdout)
    issue = _theme(data)
    assert {
        "id",
        "name",
        "phrases",
        "verdict",
        "people",
        "mentions",
        "flags",
        "clusters",
        "members",
    } <= set(issue)
    assert issue["verdict"] == "systemic"
    assert issue["people"] == 5  # Asha, Bruno, Chloe, Dev and the hostile account
    assert issue["mentions"] == 6
    assert {m["id"] for m in issue["members"]} == THEME
    for member in issue["members"]:
        assert {"id", "source", "author", "url", "published_at", "text"} <= set(member)
    v4 = next(m for m in issue["members"] if m["id"] == "V-4")
    assert (v4["author"], v4["source"], v4["url"]) == ("Chloe", "bbb", "https://bbb.example/V-4")
    assert "age verification" in issue["phrases"]
    assert _cluster_of(site, "V-1") in issue["clusters"]
    assert _cluster_of(site, "R-1") not in issue["clusters"]
    assert issue["verdict"] == "systemic" and data["issues"][0]["verdict"] == "systemic"
    # As of a day when only Asha had written, it was one person: isolated, and her
    # cross-post does not make a second.
    early = json.loads(report("--format", "json", "--all", "--as-of", "2026-11-02").stdout)
    assert (_theme(early)["verdict"], _theme(early)["people"]) == ("isolated", 1)


def test_filters_apply_to_issues(report):
    def theme_ids(*args: str) -> set[int]:
        data = json.loads(report("--format", "json", *args).stdout)
        return {i["id"] for i in data["issues"] if THEME & {m["id"] for m in i["members"]}}

    theme = _theme(json.loads(report("--format", "json").stdout))["id"]
    assert theme_ids("--verdict", "systemic") == {theme}
    assert theme_ids("--verdict", "isolated") == set()
    assert theme_ids("--min-people", "5") == {theme} and theme_ids("--min-people", "6") == set()
    assert theme_ids("--source", "bbb") == {theme}
    assert "no source named 'appstore'" in report("--source", "appstore", check=False).stderr
    limited = json.loads(report("--format", "json", "--limit", "1").stdout)
    systemic = [i for i in limited["issues"] if i["verdict"] == "systemic"]
    assert len(systemic) == 1 and limited["issues_systemic_more"] >= 1


def test_one_issue_in_full(site, report):
    data = json.loads(report("--format", "json").stdout)
    issue_id = _theme(data)["id"]
    out = report("--issue", str(issue_id)).stdout
    assert out.startswith(f"Issue {issue_id} · age verification · systemic")
    for pid, author, source, _, text in POSTS:
        if pid in THEME:
            assert pid in out and author.strip() in out and text[:40] in out
            assert f"https://{source}.example/{pid}" in out
    assert REFUND[:30] not in out and "R-1" not in out
    assert f"#{_cluster_of(site, 'V-1')}" in out and "Phrases: age verification" in out
    # where a user reads a discovered issue whole, they learn how to dismiss it
    assert "List “age verification” under [[ignored]] in rules/issues.toml" in " ".join(out.split())
    full = json.loads(report("--issue", str(issue_id), "--format", "json").stdout)
    assert [i["id"] for i in full["issues"]] == [issue_id] and full["clusters"] == []
    assert {m["id"] for m in full["issues"][0]["members"]} == THEME
    rows = list(
        csv.DictReader(io.StringIO(report("--issue", str(issue_id), "--format", "csv").stdout))
    )
    assert {r["id"] for r in rows} == THEME and {r["issue_id"] for r in rows} == {str(issue_id)}
    missing = report("--issue", "99999", check=False)
    assert missing.returncode == 1 and "no issue with id 99999" in missing.stderr
    both = report("--issue", str(issue_id), "--cluster", "1", check=False)
    assert both.returncode == 2 and "not both" in both.stderr  # a usage error


def test_text_view_leads_with_systemic_issues(report):
    out = report().stdout
    assert out.index("Systemic issues") < out.index("Systemic grievances")
    section = out[out.index("Systemic issues") : out.index("Systemic grievances")]
    assert "age verification" in section and "5 people" in section and "Phrases:" in section
    quotes = [line for line in section.splitlines() if line.startswith("  “")]
    assert 2 <= len(quotes) <= 6  # two or three examples for each systemic issue
    assert all(len(line) <= 120 for line in out.splitlines())  # examples cut to the width


def test_an_issue_older_than_the_window_is_listed_by_its_posts_not_by_no_one(site):
    # A year on, no one is inside the 90-day window: "0 people · 5 posts" read wrong.
    def run(*args: str) -> str:
        # --all lists the period's issues: the period reaches back to the theme's posts
        done = run_scan("report", "--as-of", "2027-11-10", "--since", "2026-11-01", *args, cwd=site)
        assert done.returncode == 0, done.stderr
        return done.stdout

    data = json.loads(run("--format", "json"))
    age = next(i for i in data["issues"] if i["name"] == "age verification")
    assert age["people"] == 0 and age["mentions"] >= 5 and age["last_seen"]
    line = f"age verification · {age['mentions']} posts · last {age['last_seen'][:10]}"
    assert line in run()
    assert line in run("--format", "html")
    assert "0 people" not in run() + run("--format", "html")


def test_every_format_parses_with_issue_rows(report):
    from html.parser import HTMLParser

    from markdown_it import MarkdownIt

    data = json.loads(report("--format", "json").stdout)
    theme = _theme(data)
    rows = list(csv.DictReader(io.StringIO(report("--format", "csv").stdout)))
    assert [int(r["id"]) for r in rows if r["kind"] == "cluster"] == [
        c["id"] for c in data["clusters"]
    ]
    issue_rows = [r for r in rows if r["kind"] == "issue"]
    assert [int(r["id"]) for r in issue_rows] == [i["id"] for i in data["issues"]]
    assert next(r for r in issue_rows if int(r["id"]) == theme["id"])["name"] == theme["name"]
    text = report("--format", "markdown").stdout
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings.index("Systemic issues") < headings.index("Systemic grievances")
    assert f"Issue {theme['id']}: age verification" in headings

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

        def handle_data(self, data):
            self.text.append(data)

    parser = Collect()
    parser.feed(report("--format", "html").stdout)
    parser.close()
    page_text = "".join(parser.text)
    assert page_text.index("Systemic issues") < page_text.index("Systemic grievances")
    assert "script" not in parser.tags


def test_hostile_issue_example_is_harmless_everywhere(report):
    theme = _theme(json.loads(report("--format", "json").stdout))
    text = report().stdout + report("--issue", str(theme["id"])).stdout
    assert "demanded again" in text  # the hostile post is one of the examples
    for bad in ("\x1b", "\x07", "\u202e"):
        assert bad not in text
    for fmt in ("markdown", "html"):
        for args in ((), ("--issue", str(theme["id"]))):
            out = report("--format", fmt, *args).stdout
            assert "demanded again" in out
            assert "<script>" not in out and "\x1b" not in out and "javascript:" not in out
    for args in ((), ("--issue", str(theme["id"]))):
        cells = [
            c
            for row in csv.reader(io.StringIO(report("--format", "csv", *args).stdout))
            for c in row
        ]
        assert any("demanded again" in c for c in cells)
        assert not any(c.lstrip().startswith(("=", "@", "+", "-")) for c in cells)
    raw = report("--format", "json", "--issue", str(theme["id"])).stdout
    assert "\\u001b" not in raw and "\u202e" not in raw


def test_report_build_is_the_builders_function_with_its_signature():
    import inspect

    import scanner.report
    import scanner.report.builder

    assert scanner.report.build is scanner.report.builder.build
    params = inspect.signature(scanner.report.build).parameters
    assert list(params)[:2] == ["store", "config"] and "as_of" in params and "volume" in params
    with pytest.raises(AttributeError, match="no attribute 'buildd'"):
        scanner.report.buildd  # noqa: B018


def test_fail_on_systemic_counts_a_systemic_issue(report):
    # With at least 4 people, the one systemic near-duplicate cluster (3 people) is
    # filtered out; the theme said in different words is systemic only as an issue,
    # and that alone must trip the alarm.
    data = json.loads(report("--format", "json", "--min-people", "4").stdout)
    assert not [c for c in data["clusters"] if c["verdict"] == "systemic"]
    assert _theme(data)["verdict"] == "systemic"
    done = report("--min-people", "4", "--fail-on", "systemic", check=False)
    assert done.returncode == 3
    assert report("--min-people", "6", "--fail-on", "systemic", check=False).returncode == 0


def test_a_report_lists_a_big_issues_first_grievances_and_how_many_more():
    from scanner.report.formats.common import SUMMARY_IDS, grievance_ids
    from scanner.report.model import IssueView

    big = IssueView(7, "ads", ["ads"], "systemic", 500, 520, [], clusters=list(range(1, 501)))
    summary = grievance_ids(big, SUMMARY_IDS)
    assert summary.startswith("#1, #2, ") and summary.count("#") == SUMMARY_IDS
    assert summary.endswith(f"#{SUMMARY_IDS} and {500 - SUMMARY_IDS} more (scan report --issue 7)")
    assert grievance_ids(big).count("#") == 500  # --issue ID: every one
    small = IssueView(8, "age", ["age"], "systemic", 3, 3, [], clusters=[4, 9])
    assert grievance_ids(small, SUMMARY_IDS) == "#4, #9"


def test_the_report_says_when_issues_lag_behind_the_grievances(tmp_path):
    # Imported and grouped, not yet rolled up: "0 issues" would read as "no theme".
    def rows(posts):
        return "".join(
            json.dumps({"id": p, "author": a, "source": s, "published_at": w, "text": t}) + "\n"
            for p, a, s, w, t in posts
        )

    def run(*args: str) -> str:
        done = run_scan(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def pending() -> int | None:
        data = json.loads(run("report", "--as-of", AS_OF, "--format", "json"))
        return data["totals"]["issues_pending"]

    def header(fmt: str) -> str:  # Markdown escapes the backticks
        out = run("report", "--as-of", AS_OF, "--format", fmt).replace("\\`", "`")
        return " ".join(out.split())

    (tmp_path / "scanner.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "posts.jsonl").write_text(rows(POSTS[:-1]), "utf-8")
    run("--create", "import", "posts.jsonl")
    run("cluster")
    for fmt in ("text", "markdown", "html"):
        assert "issues not discovered yet (run `scan issues`)" in header(fmt), fmt
    assert pending() is None
    run("issues")
    assert pending() == 0
    text = header("text")
    assert "not discovered" not in text and "since `scan issues`" not in text
    assert re.search(r"systemic .*: 1 grievance, 2 issues", text), text
    # A post stored after the roll-up is counted until the next one.
    (tmp_path / "later.jsonl").write_text(rows(POSTS[-1:]), "utf-8")
    run("import", "later.jsonl")
    run("cluster")
    assert "2 issues (1 grievance since `scan issues` last ran)" in header("text")
    assert pending() == 1
    run("issues")
    assert "since `scan issues`" not in header("markdown")


def test_a_list_of_issues_says_its_grievances_are_the_recent_ones(tmp_path):
    # An issue's grievance older than the verdict window: JSON and --issue list it,
    # the text views read only recent posts and listed the rest as if it were all.
    (tmp_path / "scanner.toml").write_text(CONFIG, encoding="utf-8")
    old = "Age verification rejected my selfie twice in June, support never replied"
    rows = [
        {"id": pid, "author": author, "source": source, "published_at": when, "text": text}
        for pid, author, source, when, text in [
            *POSTS,
            ("O-1", "Olga", "reddit", "2026-06-01T09:00:00Z", old),
            ("O-2", "Omar", "bbb", "2026-06-02T09:00:00Z", old + "!"),
        ]
    ]
    (tmp_path / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    for args in (("--create", "import", "posts.jsonl"), ("cluster",), ("issues",)):
        done = run_scan(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr

    def run(*args: str) -> str:
        done = run_scan("report", "--as-of", AS_OF, *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    issue = next(
        i for i in json.loads(run("--format", "json"))["issues"] if i["name"] == "age verification"
    )
    june = _cluster_of(tmp_path, "O-1")
    assert june in issue["clusters"]  # JSON: every grievance up to the as-of moment
    recent = [c for c in issue["clusters"] if c != june]
    every = f"(all: scan report --as-of {AS_OF} --issue {issue['id']})"
    # The 90 days to 2026-11-10 start on 2026-08-13; the same ids, in JSON's order.
    said = f"Grievances since 2026-08-13: {', '.join(f'#{c}' for c in recent)} {every}"
    assert f"- {said}" in run("--format", "markdown")
    assert said in run("--format", "html")
    assert " ".join(said.split()) in " ".join(run().split())  # wrapped at 80 columns
    assert f"#{june}" in run("--issue", str(issue["id"]))


def test_a_recent_list_of_grievances_counts_more_of_its_own():
    from scanner.report.formats.common import grievance_ids, issue_grievances
    from scanner.report.model import IssueView

    big = IssueView(7, "ads", ["ads"], "systemic", 50, 52, [], clusters=list(range(1, 31)))
    big.clusters_since = "2026-08-13T00:00:00+00:00"
    label, ids = issue_grievances(big, 20, options=" --as-of 2026-11-10")
    assert label == "Grievances since 2026-08-13"
    assert ids.endswith("#20 and 10 more (all: scan report --as-of 2026-11-10 --issue 7)")
    big.clusters_since = None  # all of them: as before
    assert issue_grievances(big, 20) == ("Grievances", grievance_ids(big, 20))


@pytest.mark.parametrize("width", [80, 72, 60])
def test_the_command_listing_all_grievances_is_never_broken_across_lines(width):
    """In tmux at 80 columns it broke as "(all: scan" / "report --issue 12)", which
    copies as two commands; it ends the last line, or takes one of its own."""
    from scanner.report.formats.text import _grievance_ids
    from scanner.report.model import IssueView

    for count in range(1, 40):
        issue = IssueView(12, "banned", ["banned"], "systemic", 6, 7, [], list(range(count)))
        issue.clusters_since = "2026-09-04T00:00:00+00:00"
        for as_of in ("", " --as-of 2026-06-30"):
            lines = _grievance_ids(issue, width, as_of)
            command = f"(all: scan report{as_of} --issue 12)"
            assert sum(command in line for line in lines) == 1, lines
            assert len(lines) <= 2 and all(text_cells(line) <= width for line in lines), lines


def test_an_issue_as_of_a_day_before_its_first_post_says_so(report):
    issue = _theme(json.loads(report("--format", "json").stdout))["id"]
    done = report("--as-of", "2026-10-01", "--issue", str(issue), check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert (
        f"issue {issue} had no post yet as of 2026-10-01: its first is from 2026-11-01 "
        "(use a later --as-of)"
    ) in done.stderr


def test_a_grievance_half_in_an_issue_only_after_the_as_of_day_is_in_no_list(tmp_path):
    # Grievance A is three posts, one in the issue by the as-of day and one after it:
    # not yet half in it. JSON left A out; the recent-only lists counted the later post.
    (tmp_path / "scanner.toml").write_text(CONFIG, encoding="utf-8")
    posts = [  # id, author, date, grievance, in the issue
        ("A-1", "Ana", "2026-11-05T09:00:00+00:00", 1, True),
        ("A-2", "Ben", "2026-11-06T09:00:00+00:00", 1, False),
        ("A-3", "Cai", "2026-11-20T09:00:00+00:00", 1, True),
        *((f"B-{i}", f"user{i}", f"2026-11-0{i}T09:00:00+00:00", 2, True) for i in (7, 8, 9)),
    ]
    rows = [
        {"id": p[0], "author": p[1], "published_at": p[2], "text": f"post {p[0]}"} for p in posts
    ]
    (tmp_path / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    done = run_scan("--create", "import", "posts.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    now = "2026-11-21T00:00:00+00:00"
    with Store(tmp_path / "report.db") as store, store.db.conn:
        db = store.db.conn
        for cid in (1, 2):
            db.execute(
                "INSERT INTO clusters (id, company, created_at, updated_at, representative_id, "
                "size) VALUES (?, 'Acme', ?, ?, ?, 3)",
                [cid, now, now, "A-1" if cid == 1 else "B-7"],
            )
        db.execute(
            "INSERT INTO issues (id, company, key, name, phrases, created_at, updated_at) "
            "VALUES (1, 'Acme', 'post', 'post', '[\"post\"]', ?, ?)",
            [now, now],
        )
        for pid, _, when, cid, inside in posts:
            db.execute(
                "INSERT INTO cluster_members (mention_id, cluster_id, added_at) VALUES (?, ?, ?)",
                [pid, cid, now],
            )
            if inside:
                db.execute(
                    "INSERT INTO issue_members (issue_id, mention_id, phrase, at, source) "
                    "VALUES (1, ?, 'post', ?, 'import')",
                    [pid, when],
                )

    def run(*args: str) -> str:
        done = run_scan("report", "--as-of", AS_OF, *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    (issue,) = json.loads(run("--format", "json"))["issues"]
    assert issue["verdict"] == "systemic" and issue["clusters"] == [2]
    assert "Grievances since 2026-08-13: #2 (all:" in run("--format", "markdown")


def test_a_long_periods_recent_grievances_start_at_the_labelled_days_first_second(tmp_path):
    # --days 60 to 2026-11-10: twice the period back reaches past the 90-day window,
    # to the second before 2026-07-14. A review dated 2026-07-14 (stored at its
    # midnight) was left out of "Grievances since 2026-07-14": the list started 2 s in.
    (tmp_path / "scanner.toml").write_text(CONFIG, encoding="utf-8")
    posts = [  # id, author, date, grievance
        ("A-1", "Ana", "2026-07-14T00:00:00+00:00", 1),  # the labelled day's first second
        ("C-1", "Cai", "2026-07-13T23:59:59+00:00", 3),  # the day before: not listed
        *((f"B-{i}", f"user{i}", f"2026-11-0{i}T09:00:00+00:00", 2) for i in (7, 8, 9)),
    ]
    rows = [
        {"id": p[0], "author": p[1], "published_at": p[2], "text": f"post {p[0]}"} for p in posts
    ]
    (tmp_path / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    done = run_scan("--create", "import", "posts.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    now = "2026-11-21T00:00:00+00:00"
    with Store(tmp_path / "report.db") as store, store.db.conn:
        db = store.db.conn
        for cid, first in ((1, "A-1"), (2, "B-7"), (3, "C-1")):
            db.execute(
                "INSERT INTO clusters (id, company, created_at, updated_at, representative_id, "
                "size) VALUES (?, 'Acme', ?, ?, ?, ?)",
                [cid, now, now, first, 3 if cid == 2 else 1],
            )
        db.execute(
            "INSERT INTO issues (id, company, key, name, phrases, created_at, updated_at) "
            "VALUES (1, 'Acme', 'post', 'post', '[\"post\"]', ?, ?)",
            [now, now],
        )
        for pid, _, when, cid in posts:
            db.execute(
                "INSERT INTO cluster_members (mention_id, cluster_id, added_at) VALUES (?, ?, ?)",
                [pid, cid, now],
            )
            db.execute(
                "INSERT INTO issue_members (issue_id, mention_id, phrase, at, source) "
                "VALUES (1, ?, 'post', ?, 'import')",
                [pid, when],
            )

    def run(*args: str) -> str:
        done = run_scan("report", "--as-of", AS_OF, "--days", "60", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    (issue,) = json.loads(run("--format", "json"))["issues"]
    assert issue["clusters"] == [2, 1, 3]  # every grievance, the day before's too
    assert "Grievances since 2026-07-14: #2, #1 (all:" in run("--format", "markdown")


def test_an_isolated_grievance_names_the_systemic_issue_that_holds_it(site, report):
    """One person's age-check complaint is an isolated grievance, but the age check is
    a systemic issue: "isolated" alone read as a one-off."""
    data = json.loads(report("--all", "--format", "json").stdout)  # singles listed too
    theme = _theme(data)
    assert theme["verdict"] == "systemic"
    held = {_cluster_of(site, m) for m in ("V-4", "V-5")}  # in the period (from 11-04)
    others = {_cluster_of(site, m) for m in ("F-1", "A-1", "S-1")}  # in no issue
    clusters = {c["id"]: c for c in data["clusters"]}
    assert held <= set(clusters) and all(clusters[c]["verdict"] == "isolated" for c in held)
    assert all(clusters[c]["issues"] == [theme["id"]] for c in held)
    assert others <= set(clusters) and all(clusters[c]["issues"] == [] for c in others)
    rows = list(csv.DictReader(io.StringIO(report("--all", "--format", "csv").stdout)))
    by_id = {int(r["id"]): r for r in rows if r["kind"] == "cluster"}
    assert all(by_id[c]["issues"] == str(theme["id"]) for c in held)
    # The text view at 80 columns: the row of each held grievance shows the issue.
    text = run_scan("report", "--as-of", AS_OF, "--all", cwd=site, env={"COLUMNS": "80"}).stdout
    isolated = text[text.index("Isolated grievances") :]
    head = isolated.splitlines()[1].split()
    assert "Issues" in head, head
    for cluster in held:
        row = next(line for line in isolated.splitlines() if line.startswith(f"#{cluster} "))
        assert row.split()[head.index("Issues")] == str(theme["id"]), row
    # No systemic issue listed, no column: it took room from the category.
    alone = run_scan(
        "report",
        "--as-of",
        AS_OF,
        "--all",
        "--verdict",
        "isolated",
        cwd=site,
        env={"COLUMNS": "80"},
    ).stdout
    assert "Issues" not in alone[alone.index("Isolated grievances") :].splitlines()[1]
    markdown = report("--all", "--format", "markdown").stdout
    md_rows = [line for line in markdown.splitlines() if line.startswith(f"| #{min(held)} |")]
    assert f"| {theme['id']} |" in md_rows[-1], md_rows


def test_the_digest_says_which_systemic_issue_holds_a_new_isolated_grievance(site):
    done = run_scan("digest", "--dry-run", "--to", "ops@example.com", cwd=site)
    assert done.returncode == 0, done.stderr
    plain = done.stdout[: done.stdout.index("text/html")]
    data = json.loads(run_scan("report", "--format", "json", cwd=site).stdout)
    theme = _theme(data)
    held = {_cluster_of(site, m) for m in ("V-1", "V-3", "V-4", "V-5", "H-1")}
    listed = {int(x.split()[0][1:]): x for x in plain.splitlines() if x.startswith("  #")}
    assert held & set(listed), plain
    for cluster, line in listed.items():
        said = line.rstrip().endswith(f"in issue {theme['id']}")
        assert said == (cluster in held), line
    assert set(listed) - held, plain  # a grievance in no issue is listed too, plainly
