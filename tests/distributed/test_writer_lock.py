"""`scan ingest` after a writer that was killed (or gave up on Redis): its lock still lapses."""

from __future__ import annotations

from pathlib import Path

from tests.crawl.conftest import write_config
from tests.distributed.conftest import RedisServer, ingest

#: What a writer killed 12 s ago leaves: its lock, 3 s before it lapses (LOCK_TTL is 15 s).
HOLDER = "old-host:4242:1700000000"
LAPSES_MS = 3000


def test_ingest_waiting_for_a_killed_writers_lock_says_so_once(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """It said so every half second while it waited (up to 10 lines)."""
    write_config(tmp_path, [])
    redis_server.client().set("scan:writer", HOLDER, px=LAPSES_MS)
    result = ingest(tmp_path, redis_server.url, "--db", str(tmp_path / "scan.db"), "--create")
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "holds the lock" in line]
    assert said == [
        f"WARNING scanner.crawl.run: another writer ({HOLDER}) holds the lock: "
        "waiting for it to lapse"
    ], result.stderr
    # It waited for the lock, took it, and found nothing left to write.
    assert "No crawl under way; 0 batch(es) left in Redis stored." in result.stderr
    assert redis_server.client().get("scan:writer") is None  # released on the way out
