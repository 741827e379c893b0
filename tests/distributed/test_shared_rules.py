"""What every worker obeys together: a site's pace, its Retry-After, a source's page cap,
its time budget, and the backlog a capped crawl leaves for the next one.

Politeness is checked from the site's side: when each request arrived and how
many were in flight at once, whichever worker sent them.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.conftest import run_scan, scan_executable
from tests.crawl.conftest import assert_paced, rows, write_config
from tests.distributed.conftest import (
    Board,
    RedisServer,
    board_source,
    env,
    finish,
    start_worker,
    start_writer,
    stderr_until,
)


def crawl_with_workers(tmp_path: Path, url: str) -> tuple[int, str, list[str]]:
    """The writer and two workers, to the end: (status, writer's stderr, workers')."""
    started = [start_worker(tmp_path, url) for _ in range(2)]
    status, _, err = finish(start_writer(tmp_path, url))
    outs = []
    for worker in started:
        code, _, worker_err = finish(worker)
        assert code == 0, worker_err
        outs.append(worker_err)
    return status, err, outs


def fetched_here(worker_err: str) -> int:
    match = re.search(r"here: board (\d+)", worker_err)
    return int(match.group(1)) if match else 0


def test_one_pace_per_site_whatever_the_number_of_workers(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    board.pages, board.per_page = 3, 5  # 18 pages
    write_config(tmp_path, [board_source(board, download_delay=0.2, concurrency=1)])
    status, err, workers = crawl_with_workers(tmp_path, redis_server.url)
    assert status == 0, err
    assert all(fetched_here(w) >= 2 for w in workers), workers  # both took part
    assert board.most_in_flight == 1  # the source's one request in flight, for the fleet
    # 0.2 s apart, from any worker, robots.txt included. Two workers pacing apart would
    # put half the starts well under 0.15 s apart; one request held up in a loaded
    # worker's process arrives late, which assert_paced tells apart (a CI run saw one
    # arrive 0.014 s before the next).
    assert_paced([at for at, _ in board.starts], 0.2)
    assert board.count("/acme-") == 18  # each page once
    # Neither worker leased more of the site's pages than it may have in flight (one):
    # what it cannot start yet stays in the queue for the other.
    stats = json.loads(
        rows(tmp_path / "scan.db", "SELECT stats FROM runs WHERE source = 'board'")[0][0]
    )
    assert stats["distributed/host_leases_max"] == 1, stats
    # Each worker's last stats, pushed as it closed, are in: every request the site saw.
    assert stats["downloader/response_count"] == len(board.starts), stats
    assert stats["elapsed_time_seconds"] > 0, stats


def test_retry_after_pauses_the_site_for_every_worker(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    board.pages, board.per_page = 2, 8
    board.retry_after["/acme-complaint-c1003"] = 2
    write_config(tmp_path, [board_source(board, concurrency=1)])
    status, err, _ = crawl_with_workers(tmp_path, redis_server.url)
    assert status == 0, err
    hit = [at for at, path in board.starts if path == "/acme-complaint-c1003"]
    assert len(hit) == 2  # the 429, then the retry
    after = [at for at, _ in board.starts if at > hit[0]]
    assert min(after) - hit[0] >= 1.9  # no worker sent anything meanwhile
    assert rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(16,)]


def test_a_capped_sources_backlog_is_crawled_on_the_next_nights(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    board.pages, board.per_page = 4, 4  # 4 listings and 16 complaints
    write_config(tmp_path, [board_source(board, max_pages=8)])
    db = tmp_path / "scan.db"
    counts = []
    for night in range(6):
        status, err, _ = crawl_with_workers(tmp_path, redis_server.url)
        assert status == 0, err
        counts.append(rows(db, "SELECT COUNT(*) FROM mentions")[0][0])
        run = rows(
            db,
            "SELECT health, json_extract(stats, '$.finish_reason'), "
            "json_extract(stats, '$.\"scan/pages\"') FROM runs "
            "WHERE source = 'board' ORDER BY id DESC LIMIT 1",
        )[0]
        if night == 0:  # the cap is the source's, across both workers
            assert run[:2] == ("backlog", "closespider_pagecount"), run
            # Exactly: no worker leases a page beyond the cap, so none is read after
            # it. Counted at reading only, the pages both workers had leased (four
            # each: the site's concurrency) were read after it: 11, and up to 16.
            assert run[2] == 8, run
            assert board.count("/acme-") == 8, board.starts  # as the site saw it
        if counts[-1] == 16:
            break
    assert counts[-1] == 16, counts
    assert all(later > earlier for earlier, later in zip(counts, counts[1:], strict=False))
    assert rows(db, "SELECT COUNT(*) FROM frontier") == [(0,)]
    assert rows(db, "SELECT state FROM source_health") == [("ok",)]


def test_a_page_refused_after_download_does_not_hold_the_page_cap(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    """A body the decompression middleware refuses (a gzip bomb, a lie about gzip) fails
    in a process_response, which no process_exception sees: its lease, counted
    against the cap, was never handed back, and every worker waited for the time
    budget with pages left in the queue."""
    board.pages, board.per_page = 4, 4
    board.garbled = {f"/acme-complaint-c{c}" for c in (1000, 1001, 1002)}
    write_config(tmp_path, [board_source(board, max_pages=6, max_minutes=0.5)])  # 30 s
    status, err, _ = crawl_with_workers(tmp_path, redis_server.url)
    run = rows(
        tmp_path / "scan.db",
        "SELECT json_extract(stats, '$.finish_reason'), "
        "json_extract(stats, '$.\"scan/pages\"') FROM runs WHERE source = 'board'",
    )[0]
    assert run == ("closespider_pagecount", 6), (run, status, err[-2000:])
    assert board.count("/acme-complaint-c100") >= 3  # the refused pages were fetched


def test_a_page_refused_after_download_does_not_hold_its_hosts_room(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    """With one page at a time on the site, the refused pages' leases held the host's
    room: no worker leased another page, and the crawl stopped at its time budget."""
    board.pages, board.per_page = 2, 4
    board.garbled = {f"/acme-complaint-c{c}" for c in (1000, 1001, 1002)}
    write_config(tmp_path, [board_source(board, concurrency=1, max_minutes=0.5)])  # 30 s
    status, err, _ = crawl_with_workers(tmp_path, redis_server.url)
    reason = rows(
        tmp_path / "scan.db",
        "SELECT json_extract(stats, '$.finish_reason') FROM runs WHERE source = 'board'",
    )[0][0]
    assert reason == "finished", (reason, status, err[-2000:])
    assert board.count("/acme-complaint-c2") == 4  # the second listing's pages: all read


def test_a_sources_time_budget_is_the_sources_not_each_workers(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    board.delay = 0.5
    write_config(tmp_path, [board_source(board, max_minutes=0.05, concurrency=2)])  # 3 s
    status, err, _ = crawl_with_workers(tmp_path, redis_server.url)
    assert status == 3, err  # partial: stopped by its budget
    db = tmp_path / "scan.db"
    message, stats = rows(db, "SELECT message, stats FROM runs WHERE source = 'board'")[0]
    assert "time budget" in message
    assert json.loads(stats)["finish_reason"] == "closespider_timeout"
    assert 0 < rows(db, "SELECT COUNT(*) FROM mentions")[0][0] < 300


def test_a_worker_alone_runs_job_after_job(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    """Without --once a worker serves one job, then the next (each in a child process)."""
    board.pages, board.per_page = 1, 3
    write_config(tmp_path, [board_source(board)])
    worker = subprocess.Popen(
        [scan_executable(), "crawl-worker", "--redis", redis_server.url, "--wait", "5"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )
    for _ in range(2):
        status, _, err = finish(start_writer(tmp_path, redis_server.url))
        assert status == 0, err
    code, _, err = finish(worker)
    assert code == 0, err
    assert err.count("pages fetched here: board") == 2, err
    assert len(rows(tmp_path / "scan.db", "SELECT id FROM runs WHERE source = 'board'")) == 2


def test_without_a_worker_the_writer_says_what_to_start(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    write_config(tmp_path, [board_source(board)])
    writer = start_writer(tmp_path, redis_server.url)
    told = "no worker is crawling: start `scan crawl-worker --redis URL`"
    lines, reader = stderr_until(writer, told)
    assert writer.poll() is None, "".join(lines)  # still waiting, as it should
    writer.terminate()  # Ctrl-C's twin: the writer stops the crawl and closes its runs
    writer.wait(timeout=60)
    reader.join(timeout=10)
    err = "".join(lines)
    assert told in err
    assert writer.returncode == 130
    db = tmp_path / "scan.db"
    assert rows(db, "SELECT status FROM runs WHERE source = 'board'") == [("interrupted",)]
    assert rows(db, "SELECT COUNT(*) FROM source_health") == [(0,)]  # health left alone
    listing = run_scan("--config", str(tmp_path / "scanner.toml"), "sources", cwd=tmp_path)
    assert listing.returncode == 0


def test_the_page_cap_counts_the_pages_read_not_robots_txt(
    redis_server: RedisServer, board: Board, tmp_path: Path
) -> None:
    """As in a local crawl: Redis counted each worker's robots.txt as one of the
    source's pages, so a cap of 3 read two pages and said it stopped at three."""
    board.pages, board.per_page = 1, 4  # a listing and its 4 complaints
    write_config(tmp_path, [board_source(board, max_pages=3, concurrency=1)])
    worker = start_worker(tmp_path, redis_server.url)
    status, _, err = finish(start_writer(tmp_path, redis_server.url))
    assert status == 0, err
    code, _, worker_err = finish(worker)
    assert code == 0, worker_err
    assert board.count("/robots.txt") == 1
    assert board.count("/acme-") == 3, board.starts
    assert "pages fetched here: board 3" in worker_err
    run = rows(
        tmp_path / "scan.db",
        "SELECT health, json_extract(stats, '$.\"scan/pages\"'), message FROM runs "
        "WHERE source = 'board'",
    )
    assert run == [
        ("backlog", 3, "stopped at the page cap (3 pages); 2 pages pending for the next run")
    ], run
