"""A digest whose outcome could not be recorded: the next one says it may have been sent.

The server is a real aiosmtpd on 127.0.0.1. As the message's data arrives it
takes from the sending ``scan`` the right to write a single byte (a file size
limit of 0, ``prlimit``): the write that follows, marking the digest sent (or,
after a refusal, removing its row), fails with a real I/O error, as on a dying
disk. The row left behind is the one a killed run leaves: the next digest cannot
tell whether the message went out. Its warning had said the digest "was being
sent when scan stopped", after a run that had gone on to say it was sent.
"""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import run_scan, scan_env, scan_executable
from tests.test_digest import HOST, free_port, seed_basic, write_config

resource = pytest.importorskip("resource")
if not hasattr(resource, "prlimit"):
    pytest.skip("prlimit (Linux) is needed to stop a process's writes", allow_module_level=True)


class NoWritesAfterData:
    """Answers the first message with ``first`` once the sender can no longer write;
    every later one with 250."""

    def __init__(self, first: str) -> None:
        self.first = first
        self.victim: int | None = None
        self.messages = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        self.messages += 1
        if self.victim is None:
            return "250 OK"
        resource.prlimit(self.victim, resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
        self.victim = None
        return self.first


@pytest.mark.parametrize(
    ("answer", "first_error"),
    [
        ("250 OK", "but could not be recorded as sent (disk I/O error)"),
        ("554 not today", "refused the message: 554 not today"),
    ],
)
def test_the_digest_after_an_unrecorded_one_says_it_may_have_been_sent(
    tmp_path, answer, first_error
):
    seed_basic(tmp_path)
    handler = NoWritesAfterData(answer)
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    try:
        write_config(tmp_path, controller.port)
        env = scan_env()
        first = subprocess.Popen(
            [scan_executable(), "digest"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        handler.victim = first.pid
        _, first_stderr = first.communicate(timeout=120)
        again = run_scan("digest", cwd=tmp_path)
        twice = run_scan("digest", cwd=tmp_path)
    finally:
        controller.stop()
    assert first.returncode == 1, first_stderr
    assert first_error in first_stderr
    assert again.returncode == 0, again.stderr
    said = " ".join(again.stderr.split())
    assert "'[scan] Acme" in said  # which digest: its subject
    assert "may have been sent: the run sending it stopped or failed before recording" in said
    assert "this digest reports its changes again" in said
    assert "when scan stopped" not in said
    assert "may have been sent" not in twice.stderr  # said once
    assert handler.messages == 3  # the unrecorded one's changes went out again, none lost
    with sqlite3.connect(tmp_path / "scan.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute("SELECT sent_at IS NOT NULL FROM digests ORDER BY id").fetchall()
    assert rows == [(1,), (1,)]  # the unrecorded row is gone, the two sent are recorded
