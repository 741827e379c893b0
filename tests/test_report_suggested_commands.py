"""A command the report suggests, copied as printed, shows what the report showed.

In ``scan report --company Chai --as-of 2026-06-30`` (six apps' real reviews) every
issue ended "(all: scan report --as-of 2026-06-30 --issue 14)", which said "issue 14
is Chai's, not PolyBuzz's"; and that error's own command dropped the ``--as-of``.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.compare_support import AS_OF
from tests.conftest import run_scan


@pytest.fixture
def grouped(compare_site: Path, tmp_path: Path) -> Path:
    """A copy of the three companies' database, grouped (``scan cluster``), so the
    report lists each issue's grievances and the command that lists them all."""
    shutil.copy2(compare_site / "scanner.toml", tmp_path / "scanner.toml")
    source, target = (
        sqlite3.connect(compare_site / "compare.db"),
        sqlite3.connect(tmp_path / "compare.db"),
    )
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    done = run_scan("cluster", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


def _run_printed(command: str, cwd: Path):
    words = shlex.split(command)
    assert words[:2] == ["scan", "report"], command
    return run_scan(*words[1:], cwd=cwd)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_the_all_command_of_a_competitors_report_names_the_competitor(grouped, fmt):
    done = run_scan("report", "--company", "Globex", "--as-of", AS_OF, "--format", fmt, cwd=grouped)
    assert done.returncode == 0, done.stderr
    commands = re.findall(r"\(all: (scan report[^)]*)\)", done.stdout)
    assert commands, done.stdout
    for command in commands:
        assert f"--company Globex --as-of {AS_OF} --issue" in command
    shown = _run_printed(commands[0], grouped)
    assert shown.returncode == 0, shown.stderr
    issue = commands[0].rsplit(" ", 1)[1]
    assert shown.stdout.startswith(f"Issue {issue} · ")
    assert f"in the 90 days to {AS_OF}" in shown.stdout


def test_the_own_companys_all_command_stays_short(grouped):
    done = run_scan("report", "--as-of", AS_OF, cwd=grouped)
    commands = re.findall(r"\(all: (scan report[^)]*)\)", done.stdout)
    assert commands, done.stdout
    assert all(c.startswith(f"scan report --as-of {AS_OF} --issue ") for c in commands)


@pytest.mark.parametrize("option", ["--issue", "--cluster"])
def test_an_id_of_a_competitor_names_the_command_with_the_same_as_of(grouped, option):
    listed = run_scan(
        "report", "--company", "Globex", "--as-of", AS_OF, "--format", "json", cwd=grouped
    )
    report = json.loads(listed.stdout)
    item = report["issues"][0]["id"] if option == "--issue" else report["issues"][0]["clusters"][0]
    done = run_scan("report", "--as-of", AS_OF, option, str(item), cwd=grouped)
    assert done.returncode == 1
    command = " ".join(done.stderr.split()).rsplit(": ", 1)[1]  # wrapped at 80 columns
    assert command == f"scan report --company Globex --as-of {AS_OF} {option} {item}"
    shown = _run_printed(command, grouped)
    assert shown.returncode == 0, shown.stderr
    kind = "Issue" if option == "--issue" else "Grievance #"
    assert shown.stdout.startswith(f"{kind}{'' if option == '--cluster' else ' '}{item} · ")


def test_a_report_as_of_a_later_day_suggests_that_day_too():
    """A report as of a day after today (a planned review date) suggested commands
    without its ``--as-of``, which judged as of now; today's needs none."""
    from datetime import UTC, datetime, timedelta

    from scanner.config import Company, Config
    from scanner.report.checks import suggested_options

    config = Config(company=Company(name="Acme"))
    now = datetime.now(UTC)
    later = now + timedelta(days=40)
    assert suggested_options("Acme", config, later) == f" --as-of {later:%Y-%m-%d}"
    assert suggested_options("Acme", config, now - timedelta(days=40)).startswith(" --as-of ")
    assert suggested_options("Acme", config, now) == ""
    assert suggested_options("Globex", config, now) == " --company Globex"
