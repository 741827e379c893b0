"""A distributed crawl for real: a real Redis, two workers as separate processes, the writer.

Whatever happens to a worker, the writer or Redis, the database ends with exactly
the rows a local crawl of the same site stores.
"""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_scan
from tests.crawl.conftest import Site, rows, write_config
from tests.distributed.conftest import (
    Board,
    RedisServer,
    board_source,
    finish,
    ingest,
    kill,
    posts,
    start_worker,
    start_writer,
    wait_until,
)

TTL = ["-s", "SCAN_REDIS_WORKER_TTL=2"]  # a killed worker's pages come back within seconds


def local_crawl(tmp_path: Path) -> Path:
    """The same config crawled here, without Redis, into ``local.db``."""
    db = tmp_path / "local.db"
    config = str(tmp_path / "scanner.toml")
    result = run_scan(
        "--config",
        config,
        "--db",
        str(db),
        "--create",
        "crawl",
        "--local",
        "--progress-every",
        "0",
        cwd=tmp_path,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def board_rows(module_board: Board, tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """What a local crawl of the board alone stores (once: every test compares with it)."""
    directory = tmp_path_factory.mktemp("local")
    write_config(directory, [board_source(module_board)])
    return posts(local_crawl(directory))


@pytest.fixture
def lone_board(module_board: Board) -> Board:
    """The module's board, as new: no delay, nothing seen."""
    with module_board.lock:
        module_board.delay, module_board.starts = 0.0, []
        module_board.retry_after, module_board.in_flight, module_board.most_in_flight = {}, 0, 0
    return module_board


def generic_sources(site: Site) -> list[dict[str, object]]:
    return [
        {"name": "alerts", "spider": "feed", "url": site.url("/feed/page1.xml")},
        {"name": "reviews", "spider": "jsonld", "url": site.url("/reviews/page1.html")},
        {
            "name": "small-board",
            "spider": "site",
            "rule": "example-board",
            "url": site.url("/board/page1.html"),
        },
    ]


def test_two_workers_and_the_writer_store_exactly_what_a_local_crawl_stores(
    redis_server: RedisServer, board: Board, site: Site, tmp_path: Path
) -> None:
    write_config(tmp_path, [board_source(board), *generic_sources(site)])
    workers = [start_worker(tmp_path, redis_server.url) for _ in range(2)]
    status, _, err = finish(start_writer(tmp_path, redis_server.url))
    assert status == 0, err
    fetched = []
    for worker in workers:
        code, _, werr = finish(worker)
        assert code == 0, werr
        fetched.append(werr)
    db = tmp_path / "scan.db"
    assert len(posts(db)) == 20 * 15 + 5 + 7 + 6
    assert posts(db) == posts(local_crawl(tmp_path))
    # Both workers took part: the site's 320 pages were shared between them (each
    # worker's robots.txt is not a page, as the page cap counts them).
    pages = [int(re.search(r"here: board (\d+)", w).group(1)) for w in fetched]  # type: ignore[union-attr]
    assert all(p > 20 for p in pages) and sum(pages) == 320, fetched
    assert board.count("/acme-complaint-") == 2 * 20 * 15  # once each, in each crawl
    runs = rows(
        db,
        "SELECT source, status, health, items, new FROM runs "
        "WHERE source IS NOT NULL ORDER BY source",
    )
    assert runs == [
        ("alerts", "ok", "ok", 5, 5),
        ("board", "ok", "ok", 300, 300),
        ("reviews", "ok", "ok", 7, 7),
        ("small-board", "ok", "ok", 6, 6),
    ]
    assert rows(db, "SELECT status FROM runs WHERE source IS NULL") == [("ok",)]
    assert rows(db, "SELECT COUNT(*) FROM frontier") == [(0,)]
    stats = json.loads(rows(db, "SELECT stats FROM runs WHERE source = 'board'")[0][0])
    assert stats["scan/pages"] == 320 and stats["finish_reason"] == "finished"
    # Nothing of the job is left in Redis, only the host's pace (it expires on its own).
    left = {k.decode() for k in redis_server.client().keys("*")}
    assert left <= {"scan:host:127.0.0.1", "scan:host:127.0.0.1:flight"}, left

    # The next crawl is incremental, as a local one: the listing's first page, no more.
    board.starts.clear()
    workers = [start_worker(tmp_path, redis_server.url) for _ in range(2)]
    status, _, err = finish(start_writer(tmp_path, redis_server.url, "--source", "board"))
    assert status == 0, err
    for worker in workers:
        assert finish(worker)[0] == 0
    assert board.count("/acme-") == 1, board.starts
    assert len(posts(db)) == 318


def test_a_worker_killed_mid_crawl_loses_nothing(
    redis_server: RedisServer, lone_board: Board, board_rows: list[Any], tmp_path: Path
) -> None:
    board = lone_board
    board.delay = 0.05
    write_config(tmp_path, [board_source(board)])
    doomed, survivor = (start_worker(tmp_path, redis_server.url) for _ in range(2))
    writer = start_writer(tmp_path, redis_server.url, *TTL)
    # Killed while it holds pages: both workers hold a lease (scripts.TAKE records
    # "worker\nscore\nmember"), else the doomed one may sit between two pages
    # with nothing to give back.
    client = redis_server.client()

    def both_hold_pages() -> bool:
        leases = [v for key in client.keys("*:leases") for v in client.hvals(key)]
        return len({lease.split(b"\n", 1)[0] for lease in leases}) >= 2

    wait_until(
        lambda: board.count("/acme-complaint-") >= 100 and both_hold_pages(),
        what="the board's 100th page, with both workers holding pages",
    )
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    status, _, err = finish(writer)
    assert status == 0, err
    code, _, survived = finish(survivor)
    assert code == 0, survived
    # The killed worker's pages went back in the queue (whoever noticed first said so).
    assert "page(s) of a worker that is gone are queued again" in err + survived
    db = tmp_path / "scan.db"
    assert len(posts(db)) == 300
    assert posts(db) == board_rows
    assert rows(db, "SELECT status, health FROM runs WHERE source = 'board'") == [("ok", "ok")]


def test_a_writer_killed_mid_drain_loses_nothing_and_ingest_writes_the_rest(
    redis_server: RedisServer, lone_board: Board, board_rows: list[Any], tmp_path: Path
) -> None:
    board = lone_board
    board.delay = 0.02
    write_config(tmp_path, [board_source(board)])
    workers = [start_worker(tmp_path, redis_server.url) for _ in range(2)]
    writer = start_writer(tmp_path, redis_server.url, "-s", "SCAN_BATCH_SIZE=10")
    db = tmp_path / "scan.db"
    wait_until(lambda: db.exists() and _stored(db) >= 50, what="50 stored posts")
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    for worker in workers:  # the workers crawl on to the end without a writer
        assert finish(worker)[0] == 0
    assert _stored(db) < 300
    result = ingest(tmp_path, redis_server.url)
    assert result.returncode == 0, result.stderr
    assert len(posts(db)) == 300
    assert posts(db) == board_rows
    [(status, health, items, new)] = rows(
        db, "SELECT status, health, items, new FROM runs WHERE source = 'board'"
    )
    assert (status, health, items) == ("ok", "ok", 300)
    # A batch the killed writer had committed but Redis had not yet acknowledged is
    # committed again: its rows are the same, but its posts now count as seen, not
    # new (README, Scaling out). At most one batch of SCAN_BATCH_SIZE posts.
    assert 300 - 10 <= new <= 300
    assert redis_server.client().get("scan:job") is None


def test_a_batch_the_database_refuses_stays_in_redis_for_ingest(
    redis_server: RedisServer, lone_board: Board, board_rows: list[Any], tmp_path: Path
) -> None:
    # A full disk from the 51st post on: the writer had dropped the refused batches,
    # their posts and the pages they scheduled, and gone on to the next.
    import sqlite3

    from scanner.store import Store

    write_config(tmp_path, [board_source(lone_board)])
    db = tmp_path / "scan.db"
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TRIGGER full BEFORE INSERT ON mentions WHEN "
            "(SELECT COUNT(*) FROM mentions) >= 50 BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    workers = [start_worker(tmp_path, redis_server.url) for _ in range(2)]
    status, _, err = finish(start_writer(tmp_path, redis_server.url, "-s", "SCAN_BATCH_SIZE=10"))
    assert status == 1, err
    said = " ".join(err.split())
    assert "the database refused a batch of board:" in said and "disk full" in said, err
    assert "`scan ingest --redis URL` stores them" in said
    for worker in workers:  # the workers crawl on to the end without a writer
        assert finish(worker)[0] == 0
    assert _stored(db) <= 50
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER full")
    result = ingest(tmp_path, redis_server.url)
    assert result.returncode == 0, result.stderr
    assert posts(db) == board_rows


def test_redis_killed_mid_crawl_and_restarted_loses_nothing(
    redis_server: RedisServer, lone_board: Board, board_rows: list[Any], tmp_path: Path
) -> None:
    board = lone_board
    board.delay = 0.05
    write_config(tmp_path, [board_source(board)])
    workers = [start_worker(tmp_path, redis_server.url) for _ in range(2)]
    writer = start_writer(tmp_path, redis_server.url, *TTL)
    wait_until(lambda: board.count("/acme-complaint-") >= 100, what="the board's 100th page")
    redis_server.kill()
    redis_server.start()  # same port, same append-only file: what it acknowledged is back
    status, _, err = finish(writer)
    assert status == 0, err
    for worker in workers:
        assert finish(worker)[0] == 0
    db = tmp_path / "scan.db"
    assert posts(db) == board_rows


def test_redis_gone_for_good_stops_every_process_with_one_line_and_loses_nothing(
    redis_server: RedisServer,
    lone_board: Board,
    board_rows: list[Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Redis killed and not restarted: the writer, a worker crawling one job and one
    serving job after job each stop, with one line naming the Redis and what to do,
    instead of retrying for ever; what the writer stored stays stored, and what was
    not done waits in Redis: once it is back, `scan ingest` and a worker end the job
    with exactly the rows of a local crawl."""
    monkeypatch.setenv("SCAN_REDIS_OUTAGE_SECONDS", "3")  # instead of 30 (connection.py)
    board = lone_board
    board.delay = 0.05
    write_config(tmp_path, [board_source(board)])
    workers = [
        start_worker(tmp_path, redis_server.url),
        start_worker(tmp_path, redis_server.url, once=False),
    ]
    writer = start_writer(tmp_path, redis_server.url, *TTL)
    db = tmp_path / "scan.db"
    gone = f"Error: Redis at {redis_server.url} did not answer for 3 s: "
    try:
        wait_until(lambda: db.exists() and _stored(db) >= 30, what="30 stored posts")
        redis_server.kill()
        stored = posts(db)
        for process, then in [
            *((worker, "this worker stops; start Redis again") for worker in workers),
            (writer, "the writer stops, and what it stored stays stored; start Redis again"),
        ]:
            code, _, err = finish(process, timeout=60)  # it stops at all (it retried for ever)
            assert code == 5, err  # ExitStatus.UNAVAILABLE
            assert err.strip().splitlines()[-1].startswith(gone + then), err[-3000:]
            # Once: the serving worker's child said it, and the worker does not wait out
            # the limit again to say it twice; and nothing but that line: no traceback
            # of a command the engine ran before the process stopped, no heartbeat.
            assert err.count(gone) == 1, err[-3000:]
            assert "Traceback" not in err and "cannot renew" not in err, err[-3000:]
    finally:
        for process in [*workers, writer]:
            kill(process)
    assert len(stored) >= 30
    assert set(stored) <= set(posts(db))

    redis_server.start()  # same port, same append-only file: the job is still there
    worker = start_worker(tmp_path, redis_server.url)
    result = ingest(tmp_path, redis_server.url)
    assert result.returncode == 0, result.stderr
    assert finish(worker)[0] == 0
    assert posts(db) == board_rows
    assert rows(db, "SELECT status, health FROM runs WHERE source = 'board'") == [("ok", "ok")]


def _stored(db: Path) -> int:
    try:
        return rows(db, "SELECT COUNT(*) FROM mentions")[0][0]
    except Exception:  # the schema is being made
        return 0
