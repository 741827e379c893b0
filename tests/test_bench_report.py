"""``bench/report.py`` times a report over a database that has issues.

Its synthetic database held clusters only, so the report's issue sections (each
issue's verdict, examples and grievances, whose cost grows with its posts) were
never timed. The bench now rolls the issues up first, through ``scan issues``'
library function, once per database; this builds a small one as it does.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from pathlib import Path
from types import ModuleType

from tests.conftest import run_scan

BENCH = Path(__file__).resolve().parents[1] / "bench" / "report.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_report", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_report_bench_rolls_up_issues_once_before_timing(tmp_path, capsys):
    bench = _bench()
    db = tmp_path / "bench.db"
    bench.build(db, 2000)
    bench.roll_up_issues(db)
    bench.roll_up_issues(db)  # a database reused by the next run keeps its issues
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith("scan issues: ") and "discovered in" in said[0]
    assert said[1].endswith("discovered before")
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT status FROM runs WHERE kind = 'issues'").fetchall()
        members = conn.execute("SELECT COUNT(*) FROM issue_members").fetchone()[0]
    assert runs == [("ok",)] and members > 0
    as_of = bench.AS_OF.date().isoformat()
    done = run_scan("--db", str(db), "report", "--as-of", as_of, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["issues"]  # what the bench times has issue sections
