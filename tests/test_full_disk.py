"""A full disk is reported in one line by every command, and loses nothing (issue #16, item 6).

The disk is really full: a small tmpfs filled to the last few kilobytes (see
``tests/mounts.py``), and ``/dev/full`` for files and standard output.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_scan, scan_executable
from tests.mounts import run_on_mount

WORDS = [
    "refund",
    "delivery",
    "late",
    "broken",
    "charged",
    "twice",
    "support",
    "ignored",
    "account",
    "locked",
    "app",
    "crash",
    "login",
    "password",
    "order",
    "missing",
    "parcel",
    "damaged",
    "rude",
    "agent",
    "wait",
    "hours",
]


def posts(path: Path, start: int, count: int) -> Path:
    lines = []
    for i in range(start, start + count):
        words = " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(10))
        when = f"2026-10-{1 + i % 28:02d}T08:00:00Z"
        record = {
            "id": f"p{i}",
            "author": f"a{i % 300}",
            "text": f"The {words} {i}",
            "published_at": when,
        }
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """A database of 1,500 grievances, none grouped yet, and 1,500 more to import."""
    folder = tmp_path_factory.mktemp("full")
    posts(folder / "posts.jsonl", 0, 1500)
    posts(folder / "more.jsonl", 1500, 1500)
    # Something for nightly to do (it refuses an empty config): a source nobody serves.
    (folder / "scanner.toml").write_text(
        '[company]\nname = "Acme"\n\n[[sources]]\nname = "dead"\nspider = "feed"\n'
        'url = "http://127.0.0.1:9/feed.xml"\n',
        encoding="utf-8",
    )
    done = run_scan("--db", "scan.db", "--create", "import", "posts.jsonl", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


def test_every_writing_command_reports_a_full_disk_in_one_line(filled, tmp_path):
    steps = [
        ["--db", "scan.db", *args]
        for args in (["cluster"], ["issues"], ["import", "more.jsonl"], ["nightly"])
    ]
    steps.append(["--db", "new.db", "init"])
    ran = run_on_mount(
        tmp_path / "mnt",
        steps,
        free=48 * 1024,
        check_db="scan.db",
        copy={
            "scan.db": filled / "scan.db",
            "more.jsonl": filled / "more.jsonl",
            "scanner.toml": filled / "scanner.toml",
        },
    )
    for result in ran:
        lines = result.stderr.splitlines()
        assert result.returncode == 1, (result.args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert "full" in result.stderr, (result.args, result.stderr)
        if result.args[-1] != "nightly":  # nightly prints a line per stage, to stdout
            assert len(lines) == 1, (result.args, result.stderr)
        assert result.check == "ok 1500", result.args  # intact, nothing lost


@pytest.mark.parametrize(
    "args",
    [
        ["digest", "--to", "ops@example.com", "--out", "/dev/full"],
        ["report", "--format", "html", "--output", "/dev/full"],
    ],
    ids=["digest --out", "report --output"],
)
def test_a_full_disk_under_an_output_file_is_one_line(filled, args):
    done = run_scan("--db", "scan.db", *args, cwd=filled)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "Error: /dev/full: no space left on device; the file "
        "may be incomplete. Free some space and run the "
        "command again"
    ]


@pytest.mark.parametrize("args", [["report"], ["mentions", "--format", "json"], ["stats"]])
def test_a_full_disk_under_standard_output_is_one_line(filled, args):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [scan_executable(), "--db", "scan.db", *args],
            cwd=filled,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["Error: standard output: no space left on device"]


@pytest.fixture(scope="module")
def big_import(tmp_path_factory) -> Path:
    """500 grievances stored, and a file of 6,000 more: enough to fill the WAL."""
    folder = tmp_path_factory.mktemp("big")
    posts(folder / "posts.jsonl", 0, 500)
    posts(folder / "more.jsonl", 500, 6000)
    done = run_scan("--db", "scan.db", "--create", "import", "posts.jsonl", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.parametrize("free_kib", [48, 256, 1024])
def test_a_strict_import_the_disk_fills_under_is_recorded_failed(big_import, tmp_path, free_kib):
    """A --strict import is one transaction, and its rollback took the run's record
    with it: an attempt that failed on a full disk left no trace. It is recorded
    failed with the error; nothing of the file is stored. With more room the
    rolled-back write had filled the WAL, and the record failed too: it was left
    "running", later guessed "killed"."""
    (ran,) = run_on_mount(
        tmp_path / "mnt",
        [["--db", "scan.db", "import", "--strict", "more.jsonl"]],
        free=free_kib * 1024,
        check_db="scan.db",
        query="SELECT kind, source, status, errors FROM runs ORDER BY id",
        copy={"scan.db": big_import / "scan.db", "more.jsonl": big_import / "more.jsonl"},
    )
    assert ran.returncode == 1, (ran.stdout, ran.stderr)
    assert len(ran.stderr.splitlines()) == 1 and "full" in ran.stderr, ran.stderr
    assert ran.check == "ok 500"  # nothing of more.jsonl
    assert ran.rows is not None
    kind, source, status, errors = ran.rows[-1]
    assert (kind, source, status) == ("import", "more.jsonl", "failed"), ran.rows
    assert "full" in json.loads(str(errors))[0]
