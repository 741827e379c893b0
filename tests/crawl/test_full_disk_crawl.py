"""A crawl whose disk fills up says so on its source's line, at whatever step it fills.

The disk is a real tmpfs filled to its last few tens of kilobytes (``tests/mounts.py``),
the site a real one on 127.0.0.1 (``conftest.site``). Where the disk filled while the
source's run was being closed, the line said "the crawl did not finish", which named
neither the disk nor the posts left unstored.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_scan
from tests.crawl.conftest import Site, rows, write_config
from tests.mounts import run_on_mount


# From room for the posts of no batch to room for the run's rows but not for the
# source's health; the bounds move a little with SQLite's version.
@pytest.mark.parametrize("free_kib", range(48, 80, 8))
def test_a_crawl_on_a_full_disk_names_it_on_its_sources_line(site: Site, tmp_path, free_kib):
    site.ld_pages, site.ld_per_page = 60, 5
    folder = tmp_path / "src"
    folder.mkdir()
    config = write_config(
        folder, [{"name": "reviews", "spider": "jsonld", "url": site.url("/ld/1.html")}]
    )
    config.write_text(config.read_text(encoding="utf-8").replace('db = "scan.db"\n', ""))
    made = run_scan("--db", "scan.db", "init", cwd=folder)
    assert made.returncode == 0, made.stderr
    (ran,) = run_on_mount(
        tmp_path / "mnt",
        [["--db", "scan.db", "crawl", "--progress-every", "0"]],
        free=free_kib * 1024,
        check_db="scan.db",
        copy={"scan.db": folder / "scan.db", "scanner.toml": config},
    )
    assert ran.returncode == 1, (ran.stdout, ran.stderr)
    assert "Traceback" not in ran.stderr
    (line,) = [x for x in ran.stderr.splitlines() if x.startswith("reviews:")]
    assert "disk is full" in line, ran.stderr
    assert ran.check is not None and ran.check.startswith("ok "), ran.check


def test_a_new_sources_unrecorded_run_claims_no_changed_markup(tmp_path):
    """A run whose close could not be stored was judged as if the source had stored
    posts before: a new source that found none read "possibly changed markup: no
    posts where there used to be some" (found by review). Whether it had is read
    from the runs, which a full disk still lets us read."""
    import sqlite3

    from scanner.crawl.extension import unrecorded, yielded_before
    from scanner.crawl.health import Bounds
    from scanner.crawl.pages import PAGES
    from scanner.store import Store

    full = sqlite3.OperationalError("database or disk is full")
    with Store(tmp_path / "scan.db", mode="create") as store:
        first = store.start_run("crawl", source="reviews")
        assert not yielded_before(store, "reviews", first)
        said = unrecorded({PAGES: 3}, "finished", Bounds(), full, yielded_before=False).message
        assert "used to be some" not in said and "disk is full" in said, said
        store.finish_run(first, status="ok", items=12)
        second = store.start_run("crawl", source="reviews")
        assert yielded_before(store, "reviews", second)
    said = unrecorded({PAGES: 3}, "finished", Bounds(), full, yielded_before=True).message
    assert "used to be some" in said


def test_runs_a_full_disk_left_open_are_killed_for_the_next_commands(site: Site, tmp_path):
    """A crawl that could not write its runs' close on a full disk left them
    ``running`` in the database. The next commands treat them as those of a killed
    process (``scanner.store.runs``): ``scan sources`` lists the source's run as
    killed, the next crawl closes both runs so and stores what the full disk lost.
    Their note named a kill alone, which sent users looking for who had killed
    the crawl; it says that the process may have been unable to write instead."""
    site.ld_pages, site.ld_per_page = 60, 5
    folder = tmp_path / "src"
    folder.mkdir()
    config = write_config(
        folder, [{"name": "reviews", "spider": "jsonld", "url": site.url("/ld/1.html")}]
    )
    assert run_scan("init", cwd=folder).returncode == 0
    after = tmp_path / "after.db"
    # From room for no source's run to room for closing it; the bounds move a
    # little with SQLite's version, so the first size that leaves it open is used.
    for free_kib in range(48, 80, 8):
        (ran,) = run_on_mount(
            tmp_path / "mnt",
            [["crawl", "--progress-every", "0"]],
            free=free_kib * 1024,
            check_db="scan.db",
            query="SELECT COUNT(*) FROM runs WHERE source = 'reviews' AND status = 'running'",
            copy={"scan.db": folder / "scan.db", "scanner.toml": config},
            keep={"scan.db": after},
        )
        assert ran.returncode == 1 and "disk is full" in ran.stderr, ran.stderr
        if ran.rows == [[1]]:
            break
    else:
        pytest.fail("no disk size left the source's run open")
    after.replace(folder / "scan.db")

    listed = run_scan("sources", "--json", cwd=folder)
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "killed", row
    assert "it was killed, or could not write to the database (a full disk)" in row["message"]

    again = run_scan("crawl", "--progress-every", "0", cwd=folder)
    assert again.returncode == 0, again.stderr
    assert rows(folder / "scan.db", "SELECT COUNT(*) FROM mentions") == [(300,)]
    left = rows(folder / "scan.db", "SELECT status, message FROM runs WHERE id <= 2 ORDER BY id")
    assert [status for status, _ in left] == ["killed", "killed"], left
    assert all("could not write to the database" in message for _, message in left), left
    assert rows(folder / "scan.db", "SELECT COUNT(*) FROM runs WHERE status = 'running'") == [(0,)]
