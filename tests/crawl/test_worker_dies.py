"""The crawl's worker process killed mid-crawl: the crawl says so and nothing is lost.

The worker (``scanner.crawl.worker``, a child of ``scan crawl``) stores what the
crawl fetches. Killed, it lost the batches in flight with the pages they had
scheduled; the crawl fetched on with nowhere to store, closed "ok" with exit
status 0, and the next crawl stopped at its first page, whose posts it knew: the
rest of the site was never read. Now a new worker takes over (``restarts``), or,
past ``SCAN_WORKER_RESTARTS``, the crawl stops and keeps its pages pending; either
way the source is not "ok" and the next crawl stores every post.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.crawl.conftest import Site, crawl, rows, start_crawl, write_config


def stored(db: Path) -> int:
    try:
        return rows(db, "SELECT COUNT(*) FROM mentions")[0][0]
    except Exception:  # the schema may not exist yet
        return 0


def worker_of(crawl_pid: int) -> psutil.Process:
    children = psutil.Process(crawl_pid).children(recursive=True)
    return next(c for c in children if "scanner.crawl.worker" in " ".join(c.cmdline()))


@pytest.mark.parametrize(
    ("restarts", "batch", "status"),
    [
        # No new worker, killed before it stored anything (one batch of 1,000 posts).
        (0, 1000, "failed"),
        # No new worker, killed once 30 posts are stored: the pages scheduled since
        # are kept pending from the crawl process.
        (0, 10, "partial"),
        # New workers: only the batches in flight, if any, are lost, their pages
        # recorded again.
        (3, 10, "partial"),
    ],
)
def test_a_killed_worker_loses_nothing_and_the_crawl_says_so(
    site: Site, tmp_path: Path, restarts: int, batch: int, status: str
) -> None:
    # 300 reviews from 2020, slow enough to kill mid-run: once a run has ended, old
    # posts on a page it knows are no news, and only its pending pages lead on.
    site.ld_pages, site.ld_per_page = 30, 10
    for n in range(1, 31):
        site.behave(f"/ld/{n}.html", delay=0.1)
    source = {"name": "reviews", "spider": "jsonld", "concurrency": 1}
    write_config(tmp_path, [{**source, "url": site.url("/ld/1.html")}])
    db = tmp_path / "scan.db"
    settings = ["-s", f"SCAN_BATCH_SIZE={batch}", "-s", f"SCAN_WORKER_RESTARTS={restarts}"]
    process = start_crawl(tmp_path, *settings)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        site.count("/ld/") < 5 if batch > 100 else stored(db) < 30
    ):
        time.sleep(0.05)
    assert process.poll() is None, "the crawl ended before its worker could be killed"
    worker_of(process.pid).send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=120)

    assert ("starting a new crawl worker" in err) == (restarts > 0), err
    if restarts and "not stored" not in err:
        # The new worker took over before a batch was in flight: nothing was lost.
        assert process.returncode == 0, out + err
        status = "ok"
    else:
        assert process.returncode == (1 if status == "failed" else 3), out + err
        state, message = rows(db, "SELECT state, message FROM source_health")[0]
        assert state == "failed" and "not stored" in message, message
    assert rows(db, "SELECT status FROM runs WHERE source = 'reviews'") == [(status,)]
    if status == "partial":  # the pages read since a batch was lost are read again
        pending = rows(db, "SELECT COUNT(*) FROM frontier WHERE done = 0")[0][0]
        assert pending >= 1

    site.behaviours.clear()
    again = crawl(tmp_path)
    assert again.returncode == 0, again.stderr
    assert rows(db, "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM mentions") == [(300, 300)]
    assert rows(db, "SELECT state FROM source_health") == [("ok",)]
