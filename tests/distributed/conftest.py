"""A real ``redis-server`` on a loopback port, a board of a few hundred pages, and helpers.

Skipped, with the reason, without the ``redis`` extra or without a
``redis-server`` binary (``apt-get install -y redis-server``; ``.ci/run``
installs it). Redis runs with ``appendonly yes`` and ``appendfsync always``
in the test's own directory, so a test can kill it and start it again on the
same port with its data, as a machine's service manager would.

The board (:class:`Board`) is a complaintsboard-shaped site generated on the
fly: ``/acme-b1/page/<n>`` listings of ``per_page`` complaints, each linking to
its own page ``/acme-complaint-c<id>``, which holds the post: fan-out, so that
every worker has pages to fetch. It records when each request started and
how many were in flight at once, to check politeness from the site's side.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_scan, scan_env, scan_executable
from tests.crawl.conftest import (
    crawl_command,
    site,  # noqa: F401 - the generic site, a fixture here too
)
from tests.loopback import loopback_server

REDIS_SERVER = shutil.which("redis-server")
if importlib.util.find_spec("redis") is None or importlib.util.find_spec("scrapy_redis") is None:
    MISSING = "the redis extra is not installed (pip install '.[redis]')"
elif REDIS_SERVER is None:
    MISSING = "no redis-server binary (apt-get install -y redis-server)"
else:
    MISSING = ""


@pytest.fixture(autouse=True, scope="module")
def _redis_installed() -> None:
    """Every test here skips, saying why, without the extra or the server (a fixture,
    not a skip at import: that would be an error when a file here is run alone)."""
    if MISSING:
        pytest.skip(MISSING)


#: Comparable columns of a stored post (not when, nor in which run, it was stored).
POST = (
    "id, company, source, external_id, url, author, title, text, rating, rating_scale, "
    "language, published_at, is_grievance, categories, extra"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RedisServer:
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.directory),
                "--protected-mode",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while self.client_or_none() is None:
            assert self.process.poll() is None, "redis-server exited at start"
            assert time.monotonic() < deadline, "redis-server never answered"
            time.sleep(0.05)

    def client_or_none(self) -> Any:
        import redis

        try:
            client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)
            client.ping()
        except redis.RedisError:
            return None
        return client

    def client(self) -> Any:
        client = self.client_or_none()
        assert client is not None
        return client

    def kill(self) -> None:
        """SIGKILL: what Redis acknowledged is in its append-only file."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Board:
    port: int = 0
    pages: int = 20  # listing pages
    per_page: int = 15  # complaints per listing page
    delay: float = 0.0  # seconds each complaint page takes
    retry_after: dict[str, int] = field(default_factory=dict)  # path -> 429s still to answer
    garbled: set[str] = field(default_factory=set)  # paths answered "gzip" but plain
    starts: list[tuple[float, str]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def start_url(self) -> str:
        return self.url("/acme-b1/page/1")

    def count(self, prefix: str = "/") -> int:
        with self.lock:
            return sum(1 for _, path in self.starts if path.startswith(prefix))

    def listing(self, n: int) -> bytes:
        blocks = "".join(
            f'<div class="complaint"><h3><a href="/acme-complaint-c{1000 * n + i}">'
            f"Complaint {n}.{i}</a></h3></div>"
            for i in range(self.per_page)
        )
        nxt = f'<a rel="next" href="/acme-b1/page/{n + 1}">next</a>' if n < self.pages else ""
        return f"<html><body>{blocks}{nxt}</body></html>".encode()

    def complaint(self, cid: int) -> bytes:
        n, i = divmod(cid, 1000)
        if not (1 <= n <= self.pages and i < self.per_page):
            return b""
        words = ("never arrived", "was charged twice", "arrived broken", "still no refund")
        return (
            f'<html><body><div class="complaint">'
            f'<span class="complaint-main__header-name">Acme order {cid}</span>'
            f'<span class="author-header__name">user{cid % 97}</span>'
            f'<span class="author-header__date">Mar {1 + cid % 28}, 2024</span>'
            f'<div class="complaint-main__text">My Acme order {cid} {words[cid % 4]}. '
            f"Support answered after {cid % 9 + 1} days.</div></div></body></html>"
        ).encode()


def _board_handler(board: Board) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            with board.lock:
                board.starts.append((time.monotonic(), path))
                board.in_flight += 1
                board.most_in_flight = max(board.most_in_flight, board.in_flight)
                pause = board.retry_after.get(path, 0)
                if pause:
                    board.retry_after[path] = 0
            try:
                self._answer(path, pause)
            finally:
                with board.lock:
                    board.in_flight -= 1

        def _answer(self, path: str, pause: int) -> None:
            body, status, headers = b"", 200, {}
            if pause:
                status, headers = 429, {"Retry-After": str(pause)}
            elif path in board.garbled:  # refused by the decompression middleware
                body, headers = b"not gzip at all", {"Content-Encoding": "gzip"}
            elif path == "/robots.txt":
                body = b"User-agent: *\nAllow: /\n"
            elif path.startswith("/acme-b1/page/"):
                n = int(path.rsplit("/", 1)[1])
                body = board.listing(n) if 1 <= n <= board.pages else b""
            elif path.startswith("/acme-complaint-c"):
                if board.delay:
                    time.sleep(board.delay)
                body = board.complaint(int(path.rsplit("-c", 1)[1]))
            if not body and status == 200:
                status, body = 404, b"not found"
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    return Handler


@contextlib.contextmanager
def serving(state: Board) -> Iterator[Board]:
    with loopback_server(_board_handler(state)) as state.port:
        yield state


@pytest.fixture
def board() -> Iterator[Board]:
    with serving(Board()) as state:
        yield state


@pytest.fixture(scope="module")
def module_board() -> Iterator[Board]:
    """One board for a module's tests (same port, so the same post URLs): what a local
    crawl stores of it is then crawled once (``tests/distributed/test_fleet.py``)."""
    with serving(Board()) as state:
        yield state


def board_source(board: Board, **keys: Any) -> dict[str, Any]:
    return {
        "name": "board",
        "spider": "complaintsboard",
        "url": board.start_url,
        "max_pages": 1000,
        **keys,
    }


def env() -> dict[str, str]:
    return scan_env()


def start_worker(cwd: Path, url: str, *args: str, once: bool = True) -> subprocess.Popen[str]:
    """``scan crawl-worker --once``: one job, then exit (a process of its own, as on
    another machine: it reads no config and opens no database); ``once=False``: job
    after job, each in a child process, until none comes for 60 s. In a session of
    its own, so that :func:`kill` ends its child too."""
    first = ["--once"] if once else []
    return subprocess.Popen(
        [scan_executable(), "crawl-worker", "--redis", url, *first, "--wait", "60", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        start_new_session=True,
    )


def start_writer(cwd: Path, url: str, *args: str) -> subprocess.Popen[str]:
    """``scan crawl --redis URL`` with the config in ``cwd``."""
    return subprocess.Popen(
        [scan_executable(), *crawl_command(cwd, "--redis", url, *args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    )


def ingest(cwd: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``scan ingest --redis URL`` with the config in ``cwd``: what a killed or
    given-up writer left, written to its end."""
    config = str(cwd / "scanner.toml")
    command = ["--config", config, *args, "ingest", "--redis", url, "--progress-every", "0"]
    return run_scan(*command, cwd=cwd, timeout=120)


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(process)
        out, err = process.communicate()
        raise AssertionError(f"still running after {timeout} s:\n{err[-3000:]}") from None
    return process.returncode, out, err


def stderr_until(
    process: subprocess.Popen[str], text: str, seconds: float = 60
) -> tuple[list[str], threading.Thread]:
    """Read ``process``'s stderr until a line holds ``text`` (or ``seconds`` pass,
    or it ends); the reading goes on in the returned thread, so once the process is
    stopped, ``join`` it and the returned list holds the whole stderr.

    Waiting for the line itself, not for a fixed time, keeps a slow or loaded machine
    from failing a test whose process is merely late to start."""
    lines: list[str] = []
    seen = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if text in line:
                seen.set()
        seen.set()  # ended without it: stop waiting

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen.wait(seconds)
    return lines, reader


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL a process still running, with its children when it leads a session
    (``start_worker``: a worker serving job after job crawls each in a child)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    process.wait(timeout=10)


def posts(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT {POST} FROM mentions ORDER BY id").fetchall()  # noqa: S608


def wait_until(condition: Any, seconds: float = 60, what: str = "the crawl") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} never got there"
        time.sleep(0.05)
