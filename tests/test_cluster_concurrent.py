"""Two ``scan cluster`` runs at once (a manual one while the nightly groups) group
each grievance once, as one run alone would, and neither fails.

Both real runs are stopped (SIGSTOP) as they start reading the grouping (``-v``
logs the stages), then let go together while a third connection holds the write
lock, until each has decided and waits to write. The second to write had decided
on the grouping the first replaced: it failed with "UNIQUE constraint failed" and
a traceback.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
from pathlib import Path

from tests.conftest import run_scan, scan_executable
from tests.test_full_disk import posts


def _grouping(db: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(db) as conn:
        members = conn.execute("SELECT mention_id, cluster_id FROM cluster_members ORDER BY 1")
        clusters = conn.execute("SELECT id, size, merged_into FROM clusters ORDER BY 1")
        return members.fetchall(), clusters.fetchall()


class Run:
    """``scan -v cluster`` in a process, its log lines read as they come."""

    def __init__(self, db: Path, *args: str) -> None:
        env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
        self.process = subprocess.Popen(
            [scan_executable(), "-v", "--db", str(db), "cluster", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self.seen = {"index": threading.Event(), "writing": threading.Event()}
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            if "reading the grouping index" in line and not self.seen["index"].is_set():
                # Stopped before it reads: however far apart the two processes
                # started, both then read the same grouping once let go.
                self.process.send_signal(signal.SIGSTOP)
                self.seen["index"].set()
            if line.rstrip().endswith(": writing"):
                self.seen["writing"].set()

    def reached(self, stage: str) -> bool:
        return self.seen[stage].wait(timeout=120)

    def finish(self) -> tuple[int, str, str]:
        assert self.process.stdout is not None  # stderr is the reader's alone
        out = self.process.stdout.read()
        self.process.wait(timeout=300)
        self.reader.join(timeout=10)
        return self.process.returncode, out, "".join(self.lines)


def test_two_cluster_runs_at_once_group_each_grievance_once(tmp_path):
    posts(tmp_path / "old.jsonl", 0, 600)
    posts(tmp_path / "new.jsonl", 600, 3000)
    for args in (["import", "old.jsonl"], ["cluster"], ["import", "new.jsonl"]):
        done = run_scan("--db", "scan.db", "--create", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    db = tmp_path / "scan.db"
    alone = tmp_path / "alone.db"
    with sqlite3.connect(db) as source, sqlite3.connect(alone) as copy:
        source.backup(copy)
    assert run_scan("--db", str(alone), "cluster", cwd=tmp_path).returncode == 0

    runs = [Run(db), Run(db)]
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        assert all(run.reached("index") for run in runs)  # and stopped there
        holder.execute("BEGIN IMMEDIATE")
        for run in runs:
            run.process.send_signal(signal.SIGCONT)  # both read the grouping, neither writes
        assert all(run.reached("writing") for run in runs), [r.lines for r in runs]
        assert all(run.process.poll() is None for run in runs)  # both wait to write
        holder.execute("COMMIT")
    finally:
        holder.close()
        for run in runs:
            if run.process.poll() is None:
                run.process.send_signal(signal.SIGCONT)  # a failed wait left it stopped
        results = [run.finish() for run in runs]
    for status, _out, err in results:
        assert status == 0, err
        assert "Traceback" not in err
    new = sorted(int(out.split(" new grievances")[0]) for _, out, _ in results)
    assert new == [0, 3000]  # the second found the first's work and had nothing left
    assert "wrote clusters meanwhile" in "".join(err for _, _, err in results)
    assert _grouping(db) == _grouping(alone)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_two_runs_grouping_two_companies_at_once_number_their_clusters_apart(tmp_path):
    """New cluster ids are numbered from the highest of every company's: a run
    grouping Globex (``scan cluster --company Globex`` by hand) while the nightly
    grouped Acme took the same new ids, and the second to write failed with
    "UNIQUE constraint failed: clusters.id" (found by review)."""
    import json

    config = tmp_path / "scanner.toml"
    config.write_text('[company]\nname = "Acme"\n[[competitors]]\nname = "Globex"\n', "utf-8")
    posts(tmp_path / "acme.jsonl", 0, 1500)
    globex = [json.loads(line) for line in posts(tmp_path / "g.jsonl", 5000, 1500).open()]
    (tmp_path / "globex.jsonl").write_text(
        "".join(json.dumps({**r, "company": "Globex"}) + "\n" for r in globex), "utf-8"
    )
    for args in (["import", "acme.jsonl"], ["import", "globex.jsonl"]):
        done = run_scan("--db", "scan.db", "--create", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    db = tmp_path / "scan.db"
    runs = [Run(db, "--config", str(config), "--company", name) for name in ("Acme", "Globex")]
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        assert all(run.reached("index") for run in runs)
        holder.execute("BEGIN IMMEDIATE")
        for run in runs:
            run.process.send_signal(signal.SIGCONT)
        assert all(run.reached("writing") for run in runs), [r.lines for r in runs]
        holder.execute("COMMIT")
    finally:
        holder.close()
        for run in runs:
            if run.process.poll() is None:
                run.process.send_signal(signal.SIGCONT)
        results = [run.finish() for run in runs]
    for status, _out, err in results:
        assert status == 0, err
        assert "Traceback" not in err
    with sqlite3.connect(db) as conn:
        grouped = dict(
            conn.execute(
                "SELECT c.company, COUNT(*) FROM cluster_members m "
                "JOIN clusters c ON c.id = m.cluster_id GROUP BY c.company"
            ).fetchall()
        )
        assert grouped == {"Acme": 1500, "Globex": 1500}
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_rebuild_that_had_to_group_again_is_still_a_rebuild(tmp_path, monkeypatch):
    """``scan cluster --rebuild`` that found another run's clusters when it came to
    write grouped again incrementally, without a word: the user asked for a
    rebuild and got none (found by review)."""
    from scanner.clustering import run as clustering
    from scanner.clustering.store import GroupedMeanwhile, GroupingStore
    from scanner.store import Store

    posts(tmp_path / "p.jsonl", 0, 300)
    for args in (["import", "p.jsonl"], ["cluster"]):
        assert run_scan("--db", "scan.db", "--create", *args, cwd=tmp_path).returncode == 0
    claim = GroupingStore.claim
    refused: list[str] = []

    def once(self, company, first_new_id):
        if not refused:
            refused.append(company)
            raise GroupedMeanwhile(company)
        return claim(self, company, first_new_id)

    monkeypatch.setattr(GroupingStore, "claim", once)
    with Store(tmp_path / "scan.db") as store:
        result = clustering.run(store, rebuild=True)
    assert len(refused) == 1
    assert result.rebuilt == refused
