"""Runs of a killed process do not stay 'running' (issue #16, item 7)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from sqlite_utils import Database

from scanner.store import Store
from scanner.store.migrations import migrations
from scanner.store.runs import is_gone, owner, process_start


def test_owner_names_this_live_process():
    recorded = owner()
    assert recorded == f"{socket.gethostname()}:{os.getpid()}:{process_start(os.getpid())}"
    assert not is_gone(recorded)


def test_a_dead_pid_and_a_reused_pid_are_both_gone():
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert is_gone(f"{socket.gethostname()}:{child.stdout.strip()}:123")
    # Our own pid, but a different start time: the pid was reused by another process.
    assert is_gone(f"{socket.gethostname()}:{os.getpid()}:1")
    # Another host's process cannot be checked from here: left alone.
    assert not is_gone(f"not-{socket.gethostname()}:{child.stdout.strip()}:123")


def test_runs_left_running_by_an_older_version_are_closed_by_the_update(tmp_path):
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m008_runs_owner")
    db.execute("INSERT INTO runs (kind, started_at) VALUES ('crawl', '2026-01-01T03:15:00+00:00')")
    db.execute(
        "INSERT INTO runs (kind, started_at) VALUES ('crawl', strftime('%Y-%m-%dT%H:%M:%S',"
        " 'now') || '+00:00')"
    )
    db.conn.commit()
    db.close()
    with Store(tmp_path / "old.db", mode="write") as store:
        statuses = [r[0] for r in store.db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["killed", "running"]  # the recent one may still be running
