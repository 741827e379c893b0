"""The terminal report lists as many isolated issues as ``--limit`` or ``--all`` ask
for, and counts the rest right: it cut them at ten whatever was asked, and counted
"22 more" under ``--limit 3`` where 29 were left.

Real reviews (skipped when ``../shared/real-reviews`` is absent): one app's year of
App Store and Google Play reviews imported, grouped and themed as a user would.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.real_reviews import SHARED

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason=f"{SHARED} is absent")
PERIOD = ("--since", "2020-01-01")  # as of today: the window has passed, all are isolated


@pytest.fixture(scope="module")
def chai(tmp_path_factory):
    from tests.conftest import run_scan

    folder = tmp_path_factory.mktemp("chai")
    (folder / "scanner.toml").write_text('[company]\nname = "Chai"\n', "utf-8")
    shutil.copy(SHARED / "chai.jsonl", folder / "chai.jsonl")
    for args in (("--create", "import", "chai.jsonl"), ("cluster",), ("issues",)):
        done = run_scan(*args, cwd=folder)
        assert done.returncode == 0, done.stderr

    def report(*args: str):
        return run_scan("report", *PERIOD, *args, cwd=folder, env={"COLUMNS": "80"})

    report.db = folder / "scan.db"  # type: ignore[attr-defined]
    return report


def isolated_lines(text: str) -> tuple[int, int]:
    """Isolated issues listed, and how many more the report says there are."""
    section = text.split("Isolated issues (", 1)[1].split("\n\n", 1)[0]
    listed = sum(1 for line in section.splitlines() if line.startswith("  Issue "))
    more = re.search(r"… (\d+) more isolated issues?", section)
    return listed, int(more.group(1)) if more else 0


def test_limit_and_all_list_the_isolated_issues_they_ask_for(chai):
    data = json.loads(chai("--all", "--format", "json").stdout)
    total = sum(1 for i in data["issues"] if i["verdict"] == "isolated")
    assert total > 12, total  # more than one screen's default of ten
    assert isolated_lines(chai("--all").stdout) == (total, 0)
    assert isolated_lines(chai("--limit", "3").stdout) == (3, total - 3)
    assert isolated_lines(chai().stdout) == (10, total - 10)


def test_an_issue_as_of_a_past_day_lists_only_the_grievances_it_had_then(chai):
    import sqlite3

    data = json.loads(chai("--as-of", "2025-06-01", "--all", "--format", "json").stdout)
    listed = {c for issue in data["issues"] for c in issue["clusters"]}
    assert listed, data["issues"][:1]
    with sqlite3.connect(chai.db) as conn:
        firsts = dict(
            conn.execute(
                "SELECT cm.cluster_id, MIN(m.published_at) FROM cluster_members cm "
                "JOIN mentions m ON m.id = cm.mention_id GROUP BY cm.cluster_id"
            )
        )
    later = sorted(c for c in listed if firsts[c] > "2025-06-01T23:59:59")
    assert later == [], later[:10]  # grievances that came after the as-of date
