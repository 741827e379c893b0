"""Distributed crawl throughput: `scan crawl --redis` with 1, 2 and 4 workers, on loopback.

Run through ``bench/crawl.py --redis``. A complaintsboard-shaped site (LISTINGS
listing pages of 20 complaints, each complaint on its own page) is served by a
separate process on 127.0.0.1, and a real ``redis-server`` runs on a free
loopback port (``appendonly yes``, fsync every second, as the README advises).
Each run crawls the whole site into a fresh database: the writer
(``scan crawl --redis``) and N ``scan crawl-worker --once`` processes, timed
from the writer's start to its exit (seeding, crawling, the last batch stored,
the runs closed). A local ``scan crawl`` of the same config is the baseline.
The site is one host: one pace for the whole fleet, here 16 requests in flight
and no delay, so that the figures measure scan and Redis, not politeness.
Runs are interleaved (local, 1, 2, 4 workers, again); medians are printed.

Every process (site, Redis, writer, workers) shares the machine's cores: with
2 cores, more than one busy worker cannot add CPU, so the figures say what the
coordination costs, not how a fleet of machines scales.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PER_PAGE = 20
WORDS = ("never arrived", "was charged twice", "arrived broken", "still no refund")


def listing(n: int, listings: int) -> bytes:
    blocks = "".join(
        f'<div class="complaint"><h3><a href="/acme-complaint-c{1000 * n + i}">'
        f"Complaint {n}.{i}</a></h3></div>"
        for i in range(PER_PAGE)
    )
    nxt = f'<a rel="next" href="/acme-b1/page/{n + 1}">next</a>' if n < listings else ""
    return f"<html><body>{blocks}{nxt}</body></html>".encode()


def complaint(cid: int) -> bytes:
    return (
        f'<html><body><div class="complaint">'
        f'<span class="complaint-main__header-name">Acme order {cid}</span>'
        f'<span class="author-header__name">user{cid % 97}</span>'
        f'<span class="author-header__date">Mar {1 + cid % 28}, 2024</span>'
        f'<div class="complaint-main__text">My Acme order {cid} {WORDS[cid % 4]}. '
        f"Support answered after {cid % 9 + 1} days.</div></div></body></html>"
    ).encode()


def serve(port_queue: Any, listings: int) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body, status = b"", 404
            if self.path == "/robots.txt":
                body, status = b"User-agent: *\nAllow: /\n", 200
            elif self.path.startswith("/acme-b1/page/"):
                body, status = listing(int(self.path.rsplit("/", 1)[1]), listings), 200
            elif self.path.startswith("/acme-complaint-c"):
                body, status = complaint(int(self.path.rsplit("-c", 1)[1])), 200
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scan_exe() -> str:
    here = Path(sys.executable).parent / "scan"
    return str(here) if here.exists() else "scan"


def write_config(directory: Path, port: int, listings: int) -> Path:
    config = directory / "scanner.toml"
    config.write_text(
        "\n".join(
            [
                "[company]",
                'name = "Acme"',
                "[crawl]",
                'contact = "https://example.test/contact"',
                "[[sources]]",
                'name = "board"',
                'spider = "complaintsboard"',
                f'url = "http://127.0.0.1:{port}/acme-b1/page/1"',
                f"max_pages = {listings * 30}",
                "download_delay = 0",
                "concurrency = 16",
                "autothrottle = false",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return config


def crawl(directory: Path, config: Path, workers: int, url: str) -> tuple[float, int]:
    """One crawl into a fresh database: (seconds, pages fetched)."""
    db = directory / f"bench-{workers}-{time.monotonic_ns()}.db"
    env = {**os.environ, "NO_COLOR": "1"}
    fleet = [
        subprocess.Popen(
            [scan_exe(), "crawl-worker", "--redis", url, "--once", "--wait", "120"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        for _ in range(workers)
    ]
    time.sleep(2.0 if workers else 0)  # the workers are up and waiting, as in production
    mode = ["--redis", url] if workers else ["--local"]
    started = time.perf_counter()
    done = subprocess.run(
        [
            scan_exe(),
            "--config",
            str(config),
            "--db",
            str(db),
            "--create",
            "crawl",
            *mode,
            "--progress-every",
            "0",
            "-s",
            "SCAN_HOST_DELAY=0",
            "-s",
            "CONCURRENT_REQUESTS=32",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - started
    for worker in fleet:
        worker.wait(timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"crawl failed ({done.returncode}):\n{done.stderr[-2000:]}")
    with sqlite3.connect(db) as conn:
        pages = conn.execute(
            "SELECT json_extract(stats, '$.\"scan/pages\"') FROM runs WHERE source = 'board'"
        ).fetchone()[0]
    db.unlink()
    return seconds, pages


def main(listings: int, runs: int) -> None:
    server_bin = shutil.which("redis-server")
    if server_bin is None:
        raise SystemExit("no redis-server binary (apt-get install -y redis-server)")
    directory = Path(tempfile.mkdtemp(prefix="scan-bench-redis-"))
    port = free_port()
    redis = subprocess.Popen(
        [
            server_bin,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
    )
    queue: Any = multiprocessing.Queue()
    site = multiprocessing.Process(target=serve, args=(queue, listings), daemon=True)
    site.start()
    config = write_config(directory, queue.get(timeout=10), listings)
    url = f"redis://127.0.0.1:{port}/0"
    print(f"== {os.cpu_count()} cores; {listings * (PER_PAGE + 1)} pages per crawl, {runs} runs")
    results: dict[int, list[float]] = {0: [], 1: [], 2: [], 4: []}
    try:
        time.sleep(0.5)
        for run in range(runs):
            for workers in results:
                seconds, pages = crawl(directory, config, workers, url)
                results[workers].append(pages / seconds)
                label = f"{workers} worker(s)" if workers else "local    "
                print(
                    f"run {run + 1} {label}: {pages / seconds:6.1f} pages/s ({pages} pages "
                    f"in {seconds:.1f} s)",
                    flush=True,
                )
    finally:
        redis.terminate()
        site.terminate()
        redis.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)
    for workers, rates in results.items():
        label = f"{workers} worker(s)" if workers else "local crawl"
        print(f"median {label}: {statistics.median(rates):.1f} pages/s")
