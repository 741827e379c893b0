"""The terminal report as a person reads it: at 80 and 200 columns, piped or in a terminal.

Each test runs the real ``scan report`` in its own session (so the terminal the
tests were started from cannot leak in) and reads the screen it prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from scanner.text.safe import text_cells as cell_len
from tests.conftest import scan_executable
from tests.report_support import AS_OF, BOMB, REFUND, SOLO


@pytest.fixture
def site(report_site):
    """The session's report database (tests/conftest.py): these tests only read it."""
    return report_site


def run_report(
    site: Path,
    *args: str,
    columns: int | None = None,
    stderr: int | None = None,
    as_of: str = AS_OF,
) -> str:
    """``scan report`` with stdout piped; COLUMNS as given (unset when None)."""
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "SCAN_DB", "LINES"}}
    env.update({"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    if columns is not None:
        env["COLUMNS"] = str(columns)
    done = subprocess.run(
        [scan_executable(), "report", "--as-of", as_of, *args],
        cwd=site,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr if stderr is not None else subprocess.PIPE,
        start_new_session=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def section(screen: str, title: str) -> list[str]:
    """The lines of one table: from its title to the next blank line."""
    lines = screen.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1 : end]


def columns_of(header: str) -> dict[str, tuple[int, int]]:
    """Heading -> (start, end) cell offsets; a column ends where the next begins."""
    starts = [(m.start(), m.group()) for m in re.finditer(r"\S+", header)]
    return {
        name: (start, starts[i + 1][0] if i + 1 < len(starts) else 10_000)
        for i, (start, name) in enumerate(starts)
    }


def test_at_80_columns_each_grievance_has_its_own_line_under_its_numbers(site):
    screen = run_report(site, columns=80)
    assert max(cell_len(line) for line in screen.split("\n")) <= 80
    table = section(screen, "Systemic grievances")
    assert table[0].split() == ["ID", "People", "Posts", "Last", "Flags", "Category"]
    assert table[1] == "    Grievance"
    rows = table[2:]
    for numbers, text in zip(rows[::2], rows[1::2], strict=True):
        assert numbers.startswith("#") and text.startswith("    ")
        # The grievance takes the whole line: far more than any other column.
        assert cell_len(text.strip()) >= 70, text
    bomb = next(i for i, line in enumerate(rows) if "coordinated" in line)
    assert "new, coordinated" in rows[bomb]  # flags are never cut
    assert rows[bomb + 1].strip().rstrip("…") in BOMB


def test_at_200_columns_the_grievance_is_the_widest_column_and_nothing_that_fits_is_cut(site):
    screen = run_report(site, columns=200)
    assert max(cell_len(line) for line in screen.split("\n")) <= 200
    table = section(screen, "Systemic grievances")
    spans = columns_of(table[0])
    assert list(spans) == [
        "ID",
        "People",
        "Posts",
        "First",
        "Last",
        "Trend",
        "Flags",
        "Category",
        "Sources",
        "Grievance",
    ]
    start = spans["Grievance"][0]
    others = {name: end - begin for name, (begin, end) in spans.items() if name != "Grievance"}
    for row in table[1:]:
        assert cell_len(row[start:]) > max(others.values()), row
    assert any(row[start:] == REFUND for row in table[1:])  # whole, since it fits
    assert any("new, coordinated" in row for row in table[1:])
    assert any("Refunds and cancellations" in row for row in table[1:])


def test_piped_output_takes_the_width_of_the_terminal_behind_the_pipe(site):
    """``scan report | less``: stdout is a pipe, but stderr is still the terminal."""
    for width in (80, 200):
        leader, follower = os.openpty()
        try:
            fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, width, 0, 0))
            screen = run_report(site, stderr=follower)
        finally:
            os.close(leader)
            os.close(follower)
        longest = max(cell_len(line) for line in screen.split("\n"))
        assert width - 20 < longest <= width, (width, longest)
        two_line = "    Grievance" in section(screen, "Systemic grievances")
        assert two_line == (width == 80)


def test_with_no_terminal_anywhere_the_width_is_columns_else_80(site):
    assert max(cell_len(line) for line in run_report(site).split("\n")) <= 80
    wide = run_report(site, columns=130)
    assert 110 < max(cell_len(line) for line in wide.split("\n")) <= 130


def test_the_report_says_how_many_single_post_grievances_it_hides_and_how_to_see_them(site):
    screen = run_report(site, columns=120)
    assert "1 single-post grievance not listed (use --all to list them)." in screen
    assert SOLO[:30] not in screen
    everything = run_report(site, "--all", columns=120)
    assert SOLO[:30] in everything and "not listed" not in everything
    data = json.loads(run_report(site, "--format", "json"))
    assert data["isolated_hidden"] == 1
    for fmt in ("markdown", "html"):
        assert "1 single-post grievance not listed" in run_report(site, "--format", fmt)


def test_an_empty_period_says_where_the_posts_are_and_the_suggestion_works(site):
    screen = " ".join(run_report(site, "--days", "7", as_of="2026-12-31", columns=120).split())
    assert "0 mentions" in screen
    match = re.search(r"try --days (\d+) \(to reach the latest\) or --since (\S+) ", screen)
    assert match, screen
    assert match.group(2) == "2026-07-20"  # the first post of the database
    found = run_report(site, "--days", match.group(1), "--format", "json", as_of="2026-12-31")
    assert json.loads(found)["totals"]["mentions"] > 0
    before = " ".join(run_report(site, as_of="2026-01-01", columns=120).split())
    assert "all after the as-of date 2026-01-01: use a later --as-of" in before


def test_grievances_older_than_the_window_still_show_when_they_were_last_seen(site):
    # A year on, no post is in the 90-day window: the report reads only recent
    # posts, and the date of the latest one comes from the all-time history.
    later, since = "2027-11-10", "--since=2026-07-01"  # --all lists the period's: reach back
    data = json.loads(run_report(site, "--all", since, "--format", "json", as_of=later))
    last = {f"#{c['id']}": c["last_seen"][:10] for c in data["clusters"]}
    assert last and all(last.values())
    rows = [
        line.split()
        for line in section(run_report(site, "--all", since, as_of=later, columns=120), "Isolated")
        if line.lstrip().startswith("#")
    ]
    assert rows and all(row[2] == last[row[0]] for row in rows), rows


def test_a_report_on_a_company_with_no_posts_names_the_companies_there_are(site):
    (site / "other.toml").write_text(
        'db = "report.db"\n[company]\nname = "Initech"\n', encoding="utf-8"
    )
    screen = " ".join(run_report(site, "--config", "other.toml", columns=120).split())
    assert "holds no mention of Initech; it has mentions of Acme, Globex" in screen


def test_refund_grievance_shows_its_best_category_first(site):
    data = json.loads(run_report(site, "--format", "json", "--all"))
    refund = next(c for c in data["clusters"] if c["representative"].startswith(REFUND[:40]))
    assert refund["categories"][0] == "refunds_cancellations"


def test_a_period_older_than_the_verdict_window_says_to_judge_as_of_its_latest_post(site):
    # Months on, the whole history is in the period but none of it in the 90 days
    # before the as-of date, so every grievance reads isolated: the report says so and
    # what to do, and doing it finds the systemic ones again.
    later = "2027-04-30"
    screen = " ".join(run_report(site, "--since", "2026-01-01", as_of=later, columns=120).split())
    match = re.search(r"the latest is from (\S+); add --as-of (\S+) to judge as of then", screen)
    assert match and match.group(1) == match.group(2) == "2026-11-09", screen
    stale = json.loads(run_report(site, "--since", "2026-01-01", "--format", "json", as_of=later))
    assert stale["totals"]["mentions"] > 0 and stale["totals"]["systemic"] == 0
    judged = json.loads(run_report(site, "--format", "json", as_of=match.group(2)))
    assert judged["totals"]["systemic"] > 0
    for fmt in ("markdown", "html"):
        assert "none can be systemic" in run_report(
            site, "--since", "2026-01-01", "--format", fmt, as_of=later
        )
    recent = " ".join(run_report(site, "--since", "2026-01-01", columns=120).split())
    assert "none can be systemic" not in recent and "--as-of" not in recent
    # An empty period after the window: the same advice, before --since.
    empty = " ".join(run_report(site, as_of=later, columns=120).split())
    assert (
        "none in this period: try --as-of 2026-11-09 (as things stood at the latest "
        "grievance) or --since 2026-07-20" in empty
    ), empty


def test_an_example_from_a_source_with_a_long_name_stays_on_its_line(scan, tmp_path):
    """An import's source may be named "zendesk-export-customer-care-escalations-…":
    the example's quote shrank to two words and "(source," and "date)" wrapped to
    the left edge. The name is cut instead, and the quote keeps its room."""
    source = "zendesk-export-customer-care-escalations-emea-2026-q4-priority-queue"
    rows = [
        {
            "id": f"z{k}",
            "source": source,
            "author": f"person {k}",
            "title": "Card blocked",
            "text": f"Acme blocked my card and support never answers my emails {k}",
            "rating": 1,
            "published_at": f"2026-11-2{k}T10:00:00Z",
        }
        for k in range(3)
    ]
    (tmp_path / "z.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    for args in (("--create", "import", "z.jsonl"), ("cluster",), ("issues",)):
        assert scan(*args).returncode == 0
    done = scan("report", "--as-of", "2026-11-30", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert max(cell_len(line) for line in lines) <= 80
    examples = [line for line in lines if line.startswith("  “")]
    assert examples and all(line.endswith(")") and "2026-11-2" in line for line in examples)
    assert all(len(line.split("”")[0]) >= 30 for line in examples), examples
