"""`scan ingest` after a writer that was killed (or gave up on Redis): its lock still lapses."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import scan_executable
from tests.crawl.conftest import write_config
from tests.distributed.conftest import RedisServer, env, kill, stderr_until

#: What a killed writer leaves: its lock, under its own name, until it lapses.
HOLDER = "old-host:4242:1700000000"
WARNING = "holds the lock"


def test_ingest_waiting_for_a_killed_writers_lock_says_so_once(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """It said so every half second while it waited (up to 10 lines).

    The lock lapses only once ingest has said it waits (1.5 s later: three of the
    half-second looks that each said it again), so a machine slow to start the
    process cannot let the lock lapse before ingest ever saw it."""
    write_config(tmp_path, [])
    client = redis_server.client()
    client.set("scan:writer", HOLDER)
    db, config = str(tmp_path / "scan.db"), str(tmp_path / "scanner.toml")
    process = subprocess.Popen(
        [scan_executable(), "--config", config, "--db", db, "--create", "ingest"]
        + ["--redis", redis_server.url, "--progress-every", "0"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    lines, reader = stderr_until(process, WARNING)
    assert client.pexpire("scan:writer", 1500), "".join(lines)  # still held: ingest waits
    try:
        code = process.wait(timeout=120)
    finally:
        kill(process)
        reader.join(timeout=10)
    stderr = "".join(lines)
    assert code == 0, stderr
    said = [line.rstrip("\n") for line in lines if WARNING in line]
    assert said == [
        f"WARNING scanner.crawl.run: another writer ({HOLDER}) holds the lock: "
        "waiting for it to lapse"
    ], stderr
    # It waited for the lock, took it, and found nothing left to write.
    assert "No crawl under way; 0 batch(es) left in Redis stored." in stderr
    assert client.get("scan:writer") is None  # released on the way out
