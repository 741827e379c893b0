"""Real filesystems for tests: a tiny one (a full disk) and a read-only one.

Made with ``unshare -rm``: a private user and mount namespace, so no root is
needed and nothing outside the test sees them. Inside it a tmpfs is mounted on
a directory of the test's own, the files are copied in, the disk is filled (or
the mount made read-only), and each ``scan`` command runs there. The mount ends
with the namespace, so everything happens in one driver process whose results
come back as JSON. Tests skip where unprivileged namespaces are switched off.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import scan_executable

_DRIVER = r"""
import json, os, shutil, sqlite3, subprocess, sys

spec = json.loads(sys.argv[1])
mnt = spec["mount"]
results = []
for step in spec["steps"]:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + spec["size"], "tmpfs", mnt],
                   check=True)
    for source, name in spec["copy"]:
        shutil.copy2(source, os.path.join(mnt, name))
    if spec["read_only"]:
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
    if spec["free"] is not None:  # fill the disk, leaving this many bytes free
        stat = os.statvfs(mnt)
        room = stat.f_bavail * stat.f_frsize - spec["free"]
        with open(os.path.join(mnt, "filler"), "wb") as filler:
            while room > 0:
                chunk = min(room, 1 << 20)
                try:
                    filler.write(b"\0" * chunk)
                    filler.flush()
                except OSError:
                    break
                room -= chunk
    run = subprocess.run(step, capture_output=True, text=True, cwd=mnt, env=spec["env"],
                         timeout=300)
    check = rows = None
    if spec["check_db"]:
        if os.path.exists(os.path.join(mnt, "filler")):
            os.remove(os.path.join(mnt, "filler"))
        with sqlite3.connect(os.path.join(mnt, spec["check_db"])) as conn:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            check += " " + str(conn.execute("SELECT COUNT(*) FROM mentions").fetchone()[0])
            rows = conn.execute(spec["query"]).fetchall() if spec["query"] else None
        conn.close()  # the last connection: its WAL goes into the file, for keep
    for name, target in spec["keep"]:  # as the command (and the check) left it
        shutil.copy2(os.path.join(mnt, name), target)
    results.append({"args": step, "returncode": run.returncode, "stdout": run.stdout,
                    "stderr": run.stderr, "check": check, "rows": rows})
    subprocess.run(["umount", "-l", mnt], check=True)
print(json.dumps(results))
"""


@dataclass
class Ran:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    check: str | None  # "ok <mentions>" from PRAGMA integrity_check after the command
    rows: list[list[object]] | None  # what ``query`` read from that database then


@functools.cache
def namespaces_work() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def need_namespaces() -> None:
    if not namespaces_work():
        pytest.skip("unprivileged user and mount namespaces (unshare -rm) are not available")


def run_on_mount(
    mount: Path,
    steps: list[list[str]],
    *,
    copy: dict[str, Path],
    size: str = "16m",
    read_only: bool = False,
    free: int | None = None,
    check_db: str | None = None,
    query: str | None = None,
    keep: dict[str, Path] | None = None,
) -> list[Ran]:
    """Run each ``scan ARGS`` in ``steps`` in a fresh tmpfs on ``mount``.

    Before each step the mount starts over: ``copy`` (name -> source file) is
    copied in, then the mount is made read-only, or the disk is filled until
    only ``free`` bytes are left. ``check_db`` names a database to check after
    each step (integrity and mention count), with the filler removed, and ``query``
    what to read from it then. ``keep`` (name -> target) copies files out after
    each step, for later commands to run on with room on the disk.
    """
    need_namespaces()
    mount.mkdir(parents=True, exist_ok=True)
    spec = {
        "mount": str(mount),
        "size": size,
        "copy": [(str(src), name) for name, src in copy.items()],
        "read_only": read_only,
        "free": free,
        "check_db": check_db,
        "query": query,
        "keep": [(name, str(target)) for name, target in (keep or {}).items()],
        "steps": [[scan_executable(), *step] for step in steps],
        "env": {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"},
    }
    spec["env"].pop("SCAN_DB", None)
    done = subprocess.run(
        ["unshare", "-rm", sys.executable, "-c", _DRIVER, json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [Ran(**r) for r in json.loads(done.stdout)]
