"""A small site served on 127.0.0.1 by the test itself, and helpers to crawl it with ``scan``.

The server serves ``tests/fixtures/sites/generic/`` and counts every request it
answers (so tests can say "the second crawl made far fewer requests" from the
server's side). ``site.behave(path, ...)`` makes one path misbehave: a status
storm, 429 with ``Retry-After``, an oversize body, a lying charset, a challenge
page, slowness, a redirect, a body that trickles in a byte at a time, a gzip
bomb; ``/robots.txt`` obeys ``behave`` too. ``/big/<n>.html`` is a generated
paged board for the kill test; ``/ld/<n>.html`` a generated paged review site
(schema.org JSON-LD, ``rel="next"``) for the cap, backlog and Ctrl-C tests.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_scan, scan_executable
from tests.loopback import loopback_server

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "sites" / "generic"
TYPES = {
    ".xml": "application/atom+xml",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
}
CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<div id='cf-chl-widget'>Checking your browser</div>"
    b"<script src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1'></script>"
    b"</body></html>"
)


@dataclass
class Behaviour:
    status: int | None = None  # answer this status (with a short body) ...
    times: int | None = None  # ... this many times, then normally (None: always)
    retry_after: str | None = None
    body: bytes | None = None  # serve this body instead of the file
    content_type: str | None = None
    delay: float = 0.0
    challenge: bool = False
    redirect: str | None = None  # answer 302 to this URL
    trickle: float = 0.0  # seconds between the bytes of the body
    gzip: bool = False  # send the body gzip-encoded (a small body that unpacks large)
    hang_up: bool = False  # close the connection without answering
    content_encoding: str | None = None  # claim this Content-Encoding, body left as it is
    served: int = 0


@dataclass
class Site:
    port: int = 0
    robots: str = "User-agent: *\nAllow: /\n"
    hits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    big_pages: int = 30
    big_per_page: int = 10
    big_delay: float = 0.0
    big_repeats: bool = False  # every /big/ page holds page 1's posts (a "next" that loops)
    ld_pages: int = 0
    ld_per_page: int = 5
    ld_trickle_from: int | None = None  # /ld/ pages from this one on trickle (0.5 s a byte)
    #: path -> times its whole body was written (a trickling page that was cut never is)
    completed: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def behave(self, path: str, **kwargs: Any) -> Behaviour:
        self.behaviours[path] = Behaviour(**kwargs)
        return self.behaviours[path]

    def count(self, prefix: str = "/") -> int:
        """Requests answered under ``prefix`` (robots.txt excluded unless asked for)."""
        with self.lock:
            return sum(
                len(v)
                for k, v in self.hits.items()
                if k.startswith(prefix) and (k == prefix or k != "/robots.txt")
            )

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()


def big_page(site: Site, n: int) -> bytes:
    """Page ``n`` of a generated board: ``big_per_page`` posts, linked to page n+1."""
    shown = 1 if site.big_repeats else n
    posts = "".join(
        f'<article class="complaint" data-id="big-{shown}-{i}"><h2>Post {shown}.{i}</h2>'
        f'<span class="author">user{shown * 100 + i}</span>'
        f'<div class="complaint-body"><p>Acme order {shown}-{i} arrived late, refund pending.'
        f"</p></div></article>"
        for i in range(site.big_per_page)
    )
    nxt = f'<a class="next-page" href="/big/{n + 1}.html">next</a>' if n < site.big_pages else ""
    return f"<html><body>{posts}{nxt}</body></html>".encode()


def ld_page(site: Site, n: int) -> bytes:
    """Page ``n`` of a generated review site: ``ld_per_page`` JSON-LD reviews from 2020."""
    reviews = [
        {
            "@type": "Review",
            "@id": f"ld-{n}-{i}",
            "author": f"reviewer{n}x{i}",
            "datePublished": f"2020-01-{1 + (n + i) % 28:02d}",
            "reviewBody": f"Acme order {n}-{i} arrived late and the refund is pending.",
            "reviewRating": {"ratingValue": 1 + (n + i) % 5},
        }
        for i in range(site.ld_per_page)
    ]
    data = json.dumps(
        {"@context": "https://schema.org", "@type": "Product", "name": "Acme", "review": reviews}
    )
    nxt = f'<link rel="next" href="/ld/{n + 1}.html">' if n < site.ld_pages else ""
    return (
        f'<html><head>{nxt}<script type="application/ld+json">{data}</script></head>'
        f"<body><p>Reviews of Acme, page {n}</p></body></html>"
    ).encode()


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = self.path.split("?", 1)[0]
            with site.lock:
                site.hits[path].append(time.monotonic())
                rule = site.behaviours.get(path)
                active = rule is not None and (rule.times is None or rule.served < rule.times)
                if active:
                    rule.served += 1  # type: ignore[union-attr]
            if rule is not None and rule.delay:
                time.sleep(rule.delay)
            if active and rule is not None and rule.hang_up:
                self.close_connection = True
                return None
            if active and rule is not None and rule.redirect:
                return self._send(302, b"", "text/html", {"Location": rule.redirect})
            if path == "/robots.txt" and not (active and rule is not None and rule.status):
                body = rule.body if rule is not None and rule.body is not None else None
                return self._send(200, body or site.robots.encode(), "text/plain", rule=rule)
            if active and rule is not None and (rule.status or rule.challenge):
                headers = {"Retry-After": rule.retry_after} if rule.retry_after else {}
                if rule.challenge:
                    headers["cf-mitigated"] = "challenge"
                    headers["Server"] = "cloudflare"
                body = CHALLENGE if rule.challenge else b"error"
                return self._send(rule.status or 403, body, "text/html", headers)
            if active and rule is not None and rule.body is not None:
                return self._send(200, rule.body, rule.content_type or "text/html", rule=rule)
            if path.startswith("/ld/"):
                n = int(Path(path).stem)
                if n > site.ld_pages:
                    return self._send(404, b"not found", "text/plain")
                slow = site.ld_trickle_from is not None and n >= site.ld_trickle_from
                return self._send(
                    200,
                    ld_page(site, n),
                    TYPES[".html"],
                    rule=Behaviour(trickle=0.5) if slow else rule,
                )
            if path.startswith("/big/"):
                if site.big_delay:
                    time.sleep(site.big_delay)
                return self._send(200, big_page(site, int(Path(path).stem)), TYPES[".html"])
            file = (SITE / path.lstrip("/")).resolve()
            if SITE not in file.parents or not file.is_file():
                return self._send(404, b"not found", "text/plain")
            content_type = (rule.content_type if rule else None) or TYPES.get(
                file.suffix, "text/plain"
            )
            return self._send(200, file.read_bytes(), content_type, rule=rule)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str,
            headers: dict[str, str] | None = None,
            rule: Behaviour | None = None,
        ) -> None:
            headers = dict(headers or {})
            if rule is not None and rule.gzip:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            if rule is not None and rule.content_encoding:
                headers["Content-Encoding"] = rule.content_encoding
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                if rule is not None and rule.trickle:
                    for i in range(len(body)):
                        self.wfile.write(body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(rule.trickle)
                else:
                    self.wfile.write(body)
                with site.lock:
                    site.completed[self.path.split("?", 1)[0]].append(time.monotonic())

    return Handler


@contextlib.contextmanager
def serve_site() -> Iterator[Site]:
    state = Site()
    with loopback_server(_handler(state)) as state.port:
        yield state


@pytest.fixture
def site() -> Iterator[Site]:
    with serve_site() as state:
        yield state


@pytest.fixture
def other_site() -> Iterator[Site]:
    """A second site on another port: what a source must never wander off to."""
    with serve_site() as state:
        yield state


FAST = {"download_delay": 0, "autothrottle": False, "concurrency": 4}


def assert_paced(times: list[float], delay: float) -> None:
    """Requests to one host, as the site saw them arrive, kept ``delay`` apart.

    The gate decides when a request starts; the site sees it after the worker's
    process has also been scheduled to send it. On a loaded machine one request
    can arrive late, by up to a delay: the gap before it grows by what the gap
    after it loses, so the two still add up to two delays. A gate that let a
    request start early shortens a gap without lengthening the one before. So a
    short gap is accepted only after a long one that makes up for it, and the
    pace over the whole run must hold too.
    """
    starts = sorted(times)
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert gaps, starts
    assert sum(gaps) / len(gaps) >= 0.95 * delay, gaps  # a gate 10% fast fails
    for i, gap in enumerate(gaps):
        if gap < 0.75 * delay:
            assert i > 0 and gaps[i - 1] + gap >= 1.9 * delay, (i, gaps)


def write_config(path: Path, sources: list[dict[str, Any]], company: str = "Acme") -> Path:
    """A scanner.toml watching "Acme", with these sources (fast politeness by default)."""
    lines = [
        'db = "scan.db"',
        "[company]",
        f'name = "{company}"',
        'aliases = ["Acme Corp", "एक्मे"]',
        'exclude = ["acme anvil"]',
        "[crawl]",
        'contact = "https://example.test/contact"',
    ]
    for source in sources:
        lines.append("[[sources]]")
        for key, value in {**FAST, **source}.items():
            lines.append(f"{key} = {_toml(value)}")
    config = path / "scanner.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def crawl_command(folder: Path, *args: str) -> list[str]:
    """The arguments of ``scan crawl ARGS`` with the config in ``folder``, no progress lines."""
    config = str(folder / "scanner.toml")
    return ["--config", config, "--create", "crawl", "--progress-every", "0", *args]


def crawl(
    tmp_path: Path, *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``scan crawl ARGS`` with the config in ``tmp_path``, run to its end."""
    return run_scan(*crawl_command(tmp_path, *args), cwd=tmp_path, timeout=timeout, env=env)


def start_crawl(tmp_path: Path, *args: str, session: bool = False) -> subprocess.Popen[str]:
    """``scan crawl ARGS`` in the background; ``session``: in a process group of its own,
    so that a test can signal the whole group as a terminal's Ctrl-C does."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen(
        [scan_executable(), *crawl_command(tmp_path, *args)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=session,
    )


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def python() -> str:
    return sys.executable
