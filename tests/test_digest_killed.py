"""A ``scan digest`` killed while the server takes its message: the next one sends
its changes again (never lost) and says they may arrive twice, once.

The server is a real aiosmtpd on 127.0.0.1 that kills (SIGKILL) the sending
``scan`` as the message's data arrives, before answering: the moment between the
server's acceptance and the digest's record of it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess

from aiosmtpd.controller import Controller

from tests.conftest import run_scan, scan_env, scan_executable
from tests.test_digest import HOST, free_port, seed_basic, write_config


class KillOnData:
    def __init__(self) -> None:
        self.victim: int | None = None
        self.messages = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd API
        self.messages += 1
        if self.victim is not None:
            os.kill(self.victim, signal.SIGKILL)
            self.victim = None
        return "250 OK"


def test_a_digest_killed_while_sending_is_sent_again_saying_so(tmp_path):
    seed_basic(tmp_path)
    handler = KillOnData()
    controller = Controller(handler, hostname=HOST, port=free_port())
    controller.start()
    try:
        write_config(tmp_path, controller.port)
        env = scan_env()
        killed = subprocess.Popen(
            [scan_executable(), "digest"], cwd=tmp_path, env=env, stderr=subprocess.PIPE
        )
        handler.victim = killed.pid
        killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL
        again = run_scan("digest", cwd=tmp_path)
        twice = run_scan("digest", cwd=tmp_path)
    finally:
        controller.stop()
    assert again.returncode == 0, again.stderr
    assert "may have been sent" in again.stderr
    assert "this digest reports its changes again" in " ".join(again.stderr.split())
    assert "[scan] Acme" in again.stderr  # which digest: its subject
    assert "may have been sent" not in twice.stderr  # said once
    assert handler.messages == 3  # the killed run's, and both later ones: none lost
    with sqlite3.connect(tmp_path / "scan.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute("SELECT sent_at IS NOT NULL FROM digests ORDER BY id").fetchall()
    assert rows == [(1,), (1,)]  # the abandoned row is gone, the two sent are recorded
