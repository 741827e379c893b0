"""``scan sources`` and ``scan report`` during and after a crawl: a run is running
only while its process is.

A crawl killed with -9 cannot close its run. ``scan sources`` is a reading
command and writes nothing, so it never closed it either: it listed the run as
running until some writing command came along. It now asks, as it reads,
whether the run's process is still there. ``scan report``'s Sources table read
the runs apart and showed the killed run's time beside the health of the run
before it, as if that run had set it; both now read ``runs.last_crawls``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import run_scan
from tests.crawl.conftest import Site, crawl, rows, start_crawl, write_config
from tests.crawl.test_interrupt import wait_for


def listing(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = str(tmp_path / "scanner.toml")
    done = run_scan("--config", config, "sources", *args, cwd=tmp_path, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    return done


def listed(tmp_path: Path) -> dict[str, Any]:
    return {row["source"]: row for row in json.loads(listing(tmp_path, "--json").stdout)}


def run_recorded(db: Path) -> bool:
    try:
        return bool(rows(db, "SELECT 1 FROM runs WHERE source = 'reviews'"))
    except Exception:  # the schema may not exist yet
        return False


def test_a_crawl_killed_with_9_is_listed_as_killed_not_running(site: Site, tmp_path: Path) -> None:
    site.ld_pages, site.ld_trickle_from = 10, 2  # page 2 trickles: the crawl stays alive
    write_config(tmp_path, [{"name": "reviews", "spider": "jsonld", "url": site.url("/ld/1.html")}])
    db = tmp_path / "scan.db"
    process = start_crawl(tmp_path, session=True)
    try:
        wait_for(lambda: site.count("/ld/2.html") >= 1 and run_recorded(db))
        assert process.poll() is None, process.communicate()
        assert listed(tmp_path)["reviews"]["status"] == "running"  # alive: running it is
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the crawl and its worker process
        process.communicate(timeout=30)

    row = listed(tmp_path)["reviews"]
    assert row["status"] == "killed", row
    assert "ended without finishing" in row["message"], row
    text = listing(tmp_path).stdout
    assert "killed" in next(line for line in text.splitlines() if line.startswith("reviews"))
    assert "killed" in listing(tmp_path, "--details").stdout
    # A listing reads: the run is closed by the next command that writes, not by it.
    assert rows(db, "SELECT status FROM runs WHERE source = 'reviews'") == [("running",)]

    # Every format of the report's Sources table says so too.
    config = str(tmp_path / "scanner.toml")
    shown = {}
    for form in ("text", "json", "markdown", "html"):
        done = run_scan("--config", config, "report", "--format", form, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        shown[form] = done.stdout
    line = next(x for x in shown["text"].splitlines() if x.lstrip().startswith("reviews"))
    assert "killed" in line, shown["text"]
    assert "killed |" in next(x for x in shown["markdown"].splitlines() if "| reviews" in x)
    assert re.search(r"<td[^>]*>[^<]* killed</td>", shown["html"]), shown["html"]
    source = json.loads(shown["json"])["sources"][0]
    assert (source["name"], source["last_run_status"]) == ("reviews", "killed"), source
    assert "ended without finishing" in source["message"], source
    assert rows(db, "SELECT status FROM runs WHERE source = 'reviews'") == [("running",)]


def test_a_source_removed_from_the_config_is_listed_with_its_posts(
    site: Site, tmp_path: Path
) -> None:
    """Its crawled posts stay in the database (the report counts them), but `scan
    sources` listed only configured and imported sources: they were listed nowhere."""
    site.ld_pages = 2
    write_config(
        tmp_path, [{"name": "old-board", "spider": "jsonld", "url": site.url("/ld/1.html")}]
    )
    assert crawl(tmp_path).returncode == 0
    db = tmp_path / "scan.db"
    (started,) = rows(db, "SELECT started_at FROM runs WHERE source = 'old-board'")[0]
    write_config(tmp_path, [{"name": "reviews", "spider": "jsonld", "url": site.url("/ld/1.html")}])

    by_name = listed(tmp_path)
    assert set(by_name) == {"reviews", "old-board"}
    assert (by_name["reviews"]["configured"], by_name["reviews"]["posts"]) == (True, 0)
    old = by_name["old-board"]
    assert (old["origin"], old["configured"], old["posts"]) == ("crawl", False, 10), old
    assert (old["last_run"], old["status"], old["health"]) == (started, "ok", "ok"), old
    text = listing(tmp_path).stdout.splitlines()
    at = text.index(next(x for x in text if x.startswith("no longer configured")))
    assert text[at].split()[-3:] == ["posts", "last", "crawl"], text
    assert text[at + 1].split()[:2] == ["old-board", "10"], text
    assert "never" not in text[at + 1], text  # its last crawl's time
    assert "old-board (no longer configured)" in listing(tmp_path, "--details").stdout
