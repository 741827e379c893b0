"""Ctrl-C: a real SIGINT to a real `scan crawl`, against pages that trickle in a byte at a time.

The first Ctrl-C commits what has arrived and stops within seconds (not when the
download in flight times out); the run is recorded as interrupted, not as a
failure of the source; the next crawl fetches what was left. A second Ctrl-C
stops at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.crawl.conftest import Site, crawl, python, rows, start_crawl, write_config


def wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the crawl never got there"
        time.sleep(0.1)


def trickling_crawl(site: Site, tmp_path: Path) -> subprocess.Popen[str]:
    """A crawl whose pages 1-5 arrived whole and whose page 6 is trickling in."""
    site.ld_pages, site.ld_trickle_from = 10, 6
    write_config(tmp_path, [{"name": "reviews", "spider": "jsonld", "url": site.url("/ld/1.html")}])
    process = start_crawl(tmp_path, session=True)
    wait_for(lambda: site.count("/ld/6.html") >= 1 or process.poll() is not None)
    assert process.poll() is None, process.communicate()
    time.sleep(1.0)  # pages 1-5 are parsed and their posts are with the pipeline
    return process


def ctrl_c(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGINT)  # the whole group, as a terminal does


def test_first_ctrl_c_commits_what_arrived_and_stops_within_seconds(
    site: Site, tmp_path: Path
) -> None:
    process = trickling_crawl(site, tmp_path)
    arrived = [p for p in site.completed if p.startswith("/ld/")]
    assert len(arrived) == 5
    ctrl_c(process)
    started = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    elapsed = time.monotonic() - started
    assert process.returncode == 130, stderr
    assert elapsed < 15, elapsed  # not the 30 s the trickling download would take
    assert "Traceback" not in stderr
    db = tmp_path / "scan.db"
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(25,)]  # pages 1-5, 5 posts each
    assert rows(db, "SELECT status FROM runs WHERE kind = 'crawl' ORDER BY id") == [
        ("interrupted",),
        ("interrupted",),
    ]
    assert rows(db, "SELECT state FROM source_health") == []  # no failure of the source

    site.ld_trickle_from = None  # the next night: the rest, starting where it stopped
    site.reset()
    result = crawl(tmp_path)
    assert result.returncode == 0, result.stderr
    assert rows(db, "SELECT COUNT(*) FROM mentions") == [(50,)]
    assert site.count("/ld/1.html") <= 1 and site.count("/ld/6.html") == 1


def test_second_ctrl_c_stops_at_once(site: Site, tmp_path: Path) -> None:
    process = trickling_crawl(site, tmp_path)
    ctrl_c(process)
    time.sleep(0.2)
    ctrl_c(process)
    started = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    assert time.monotonic() - started < 5
    # 130, as a shell reports it: our exit status, or death by SIGINT when the second
    # Ctrl-C lands while Python is already shutting down (it restores the default then).
    assert process.returncode in (130, -signal.SIGINT), stderr
    assert "Traceback" not in stderr
    db = tmp_path / "scan.db"
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT state FROM source_health") == []


# Before the reactor runs, Ctrl-C is Python's KeyboardInterrupt, not CtrlC's. A key
# press cannot be timed into that second from outside, so this crawl raises it where
# its second source's spider is loaded, after the first source opened its run.
SET_UP_AND_INTERRUPTED = """
import sys
from pathlib import Path
import scrapy.spiderloader
from scanner.config import load_config
from scanner.crawl import run

real = scrapy.spiderloader.get_spider_loader
loaded = []

def loader_that_is_interrupted(settings):
    loader = real(settings)
    load = loader.load

    def second_is_interrupted(name):
        if loaded:
            raise KeyboardInterrupt
        loaded.append(name)
        return load(name)

    loader.load = second_is_interrupted
    return loader

scrapy.spiderloader.get_spider_loader = loader_that_is_interrupted
try:
    run.run_crawl(load_config(sys.argv[1]), Path(sys.argv[2]), redis="")
except KeyboardInterrupt:
    sys.exit(130)
"""


def test_ctrl_c_while_the_crawl_is_set_up_closes_its_runs(site: Site, tmp_path: Path) -> None:
    """The crawl's run row and those its sources opened already say "interrupted"
    (they stayed "running" until the next command called them killed)."""
    config = write_config(
        tmp_path,
        [
            {"name": "first", "spider": "jsonld", "url": site.url("/ld/1.html")},
            {"name": "second", "spider": "jsonld", "url": site.url("/ld/2.html")},
        ],
    )
    db = tmp_path / "scan.db"
    done = subprocess.run(
        [python(), "-c", SET_UP_AND_INTERRUPTED, str(config), str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 130, done.stderr
    assert rows(db, "SELECT source, status FROM runs WHERE kind = 'crawl' ORDER BY id") == [
        (None, "interrupted"),
        ("first", "interrupted"),
    ]
    assert rows(db, "SELECT state FROM source_health") == []  # no failure of a source
    assert site.count("/ld/") == 0  # nothing was fetched


def test_a_second_crawl_of_the_same_database_is_refused_while_one_runs(
    site: Site, tmp_path: Path
) -> None:
    """Two crawls of one database fetched every page twice and paced each site at
    twice its configured rate; the second now exits at once with status 4."""
    process = trickling_crawl(site, tmp_path)
    try:
        fetched = site.count("/ld/")
        second = crawl(tmp_path)
        assert second.returncode == 4, second.stdout + second.stderr
        assert "another scan run holds the lock (crawl, pid" in second.stderr
        assert site.count("/ld/") - fetched <= 1  # the first crawl's trickling page only
    finally:
        ctrl_c(process)
        process.communicate(timeout=60)
