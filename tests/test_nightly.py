"""``scan nightly``, its lock and its crontab line, run as cron would run them: the
installed ``scan`` in subprocesses, sites served on 127.0.0.1, a real SMTP server."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from scanner.lock import LockedError, RunLock, held, lock_path
from scanner.store import Store
from tests.loopback import loopback_server

from .conftest import scan_env, scan_executable
from .test_digest import parts, smtp  # noqa: F401 - smtp is a fixture

COMPLAINTS = [
    ("ana", "Acme refund never arrived after I returned the blender"),
    ("bob", "Acme refund never arrived after I returned my blender"),
    ("chen", "Acme refund never arrived after returning the blender"),
    ("dee", "Acme refund still never arrived after I returned the blender"),
]


def atom(entries: list[tuple[str, str]]) -> bytes:
    now = datetime.now(UTC)
    items = "".join(
        f"<entry><id>tag:t,2026:{i}</id><title>{text}</title>"
        f'<link href="https://reviews.example/post/{i}"/>'
        f"<published>{(now - timedelta(hours=i + 1)).strftime('%Y-%m-%dT%H:%M:%SZ')}</published>"
        f'<author><name>{who}</name></author><content type="text">{text}. Support never '
        f"answers my e-mails.</content></entry>"
        for i, (who, text) in enumerate(entries)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>tag:t,2026:feed</id><title>Acme</title>{items}</feed>"
    ).encode()


@contextmanager
def site(hold: threading.Event | None = None) -> Iterator[tuple[str, threading.Event]]:
    """/good.xml is a feed, /bad.xml answers 500, /cut.xml is cut short, /slow.xml
    waits for ``hold``."""
    asked = threading.Event()
    feed = atom(COMPLAINTS)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if self.path.startswith("/slow.xml"):
                asked.set()
                if hold is not None:
                    hold.wait(60)
            status, body = {
                "/good.xml": (200, feed),
                "/slow.xml": (200, feed),
                "/bad.xml": (500, b"oops"),
                "/cut.xml": (200, feed[: len(feed) * 2 // 3]),  # a feed that stops mid-entry
            }.get(self.path, (404, b""))
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with loopback_server(Handler) as port:
        try:
            yield f"http://127.0.0.1:{port}", asked
        finally:
            if hold is not None:
                hold.set()  # before the server stops: a held request answers


def config(folder: Path, base: str, feeds: dict[str, str], smtp_port: int | None = None) -> Path:
    lines = ['db = "scan.db"', "[company]", 'name = "Acme"']
    for name, path in feeds.items():
        lines += [
            "[[sources]]",
            f'name = "{name}"',
            'spider = "feed"',
            f'url = "{base}{path}"',
            "download_delay = 0",
            "autothrottle = false",
        ]
    if smtp_port:
        lines += [
            "[digest]",
            'to = ["ops@example.com"]',
            'from = "scan@example.com"',
            'smtp_host = "127.0.0.1"',
            f"smtp_port = {smtp_port}",
        ]
    path = folder / "scanner.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    Store(folder / "scan.db").close()  # as `scan init` would; nightly creates none
    return path


def start(folder: Path, *args: str) -> subprocess.Popen[str]:
    env = scan_env()
    return subprocess.Popen(
        [scan_executable(), "nightly", *args],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_source_that_is_not_ok_makes_the_nightly_partial(tmp_path, smtp):  # noqa: F811
    # The source read part of its feed (as one whose worker died stores part of what
    # it read): the nightly had said "ok" and exited 0, so cron mailed nothing.
    with site() as (base, _):
        config(tmp_path, base, {"good-feed": "/good.xml", "cut-feed": "/cut.xml"}, smtp.port)
        proc = start(tmp_path)
        out, err = proc.communicate(timeout=180)
    assert proc.returncode == 3, out + err
    crawl = next(line for line in out.splitlines() if " nightly crawl: " in line)
    assert "crawl: partial in" in crawl and "cut-feed (truncated" in crawl, crawl
    assert "good-feed" not in crawl


def test_nightly_with_a_failing_source_still_groups_and_sends_the_digest(tmp_path, smtp):  # noqa: F811
    with site() as (base, _):
        config(tmp_path, base, {"good-feed": "/good.xml", "broken-feed": "/bad.xml"}, smtp.port)
        proc = start(tmp_path)
        out, err = proc.communicate(timeout=180)
    assert proc.returncode == 3, out + err
    stages = [
        line.split(" nightly ", 1)[1].split(":")[0]
        for line in out.splitlines()
        if " nightly " in line
    ]
    assert stages == ["crawl", "group", "issues", "digest"]
    assert "crawl: partial in" in out and "broken-feed" in out
    assert "digest: ok in" in out
    with Store(tmp_path / "scan.db") as store:
        assert store.db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] == 4
        assert store.db.execute("SELECT COUNT(*) FROM cluster_members").fetchone()[0] >= 4
        assert (
            store.db.execute("SELECT COUNT(*) FROM digests WHERE sent_at IS NOT NULL").fetchone()[0]
            == 1
        )
        nightly = store.db.execute("SELECT status FROM runs WHERE kind = 'nightly'").fetchall()
    assert nightly == [("partial",)]
    [message] = smtp.messages
    text = parts(message)["text/plain"]
    assert "FAILED: broken-feed" in text
    assert "1 source failing" in message["Subject"]
    assert "good-feed" not in text.split("SOURCES", 1)[1]


def test_two_nightly_runs_started_together_one_waits_for_nothing(tmp_path):
    hold = threading.Event()
    with site(hold) as (base, _):
        config(tmp_path, base, {"slow-feed": "/slow.xml"})
        first, second = start(tmp_path), start(tmp_path)
        # The run holding the lock is stuck on /slow.xml until we let it go, so the
        # other one must meet the lock; whichever it is exits at once.
        procs = {first, second}
        loser = None
        while loser is None:
            for proc in procs:
                try:
                    proc.wait(timeout=0.2)
                    loser = proc
                    break
                except subprocess.TimeoutExpired:
                    continue
        hold.set()
        winner = (procs - {loser}).pop()
        out, err = winner.communicate(timeout=180)
    lost_out, lost_err = loser.communicate()
    assert loser.returncode == 4, lost_out + lost_err
    assert "another scan run holds the lock" in lost_err
    assert "pid" in lost_err and str(lock_path(tmp_path / "scan.db")) in lost_err
    assert winner.returncode in (0, 3), out + err
    assert "nightly crawl: ok" in out


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path):
    hold = threading.Event()
    with site(hold) as (base, asked):
        config(tmp_path, base, {"slow-feed": "/slow.xml"})
        victim = start(tmp_path)
        assert asked.wait(120), "the first run never reached the site"
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
        assert lock_path(tmp_path / "scan.db").read_text().startswith("nightly, pid")
        hold.set()
        again = start(tmp_path)
        out, err = again.communicate(timeout=180)
    assert again.returncode in (0, 3), out + err
    said = f"taking over the lock left by a run that did not finish (nightly, pid {victim.pid}"
    assert said in err and err.count("did not finish") == 1, err  # said once


def test_runs_of_a_killed_process_are_marked_killed_by_the_next_run(tmp_path):
    from .conftest import run_scan

    hold = threading.Event()
    with site(hold) as (base, asked):
        config(tmp_path, base, {"slow-feed": "/slow.xml"})
        victim = start(tmp_path)
        assert asked.wait(120), "the first run never reached the site"
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
        hold.set()
    db = tmp_path / "scan.db"
    with Store(db, mode="read") as store:
        statuses = [r[0] for r in store.db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["running", "running", "running"]  # nightly, crawl, slow-feed
    live = subprocess.Popen(
        [sys.executable, "-c", STILL_RUNNING, str(db)], text=True, stdout=subprocess.PIPE
    )
    try:
        assert live.stdout.readline().strip() == "started"
        assert run_scan("cluster", cwd=tmp_path).returncode == 0  # the next run
        with Store(db, mode="read") as store:
            rows = store.db.execute("SELECT kind, status, message FROM runs ORDER BY id").fetchall()
    finally:
        live.kill()
        live.wait(30)
    assert [(k, s) for k, s, _ in rows] == [
        ("nightly", "killed"),
        ("crawl", "killed"),
        ("crawl", "killed"),
        ("import", "running"),  # a live process's run is left alone
        ("cluster", "ok"),
    ]
    assert f"pid {victim.pid}" in rows[0][2]
    shown = json.loads(run_scan("sources", "--json", cwd=tmp_path).stdout)
    assert shown[0]["status"] == "killed"


STILL_RUNNING = """
import sys, time
from scanner.store import Store
store = Store(sys.argv[1], mode="write")
store.start_run("import")
print("started", flush=True)
time.sleep(120)
"""


def test_the_lock_in_one_process(tmp_path):
    db = tmp_path / "scan.db"
    busy = r"another scan run holds the lock \(nightly, pid"
    with held(db, "nightly"), pytest.raises(LockedError, match=busy):
        RunLock(db).acquire("digest")
    assert lock_path(db).read_text() == ""  # released cleanly: nothing left to take over
    lock_path(db).write_text("nightly, pid 999999, started 2026-01-01T03:15:00+00:00\n")
    with held(db, "nightly") as lock:
        assert lock.stale == "nightly, pid 999999, started 2026-01-01T03:15:00+00:00"


def test_a_symlink_to_the_database_shares_its_lock(tmp_path):
    from .conftest import run_scan

    config(tmp_path, "http://127.0.0.1:9", {"dead-feed": "/feed.xml"})  # nothing listens on :9
    (tmp_path / "link.db").symlink_to(tmp_path / "scan.db")
    (tmp_path / "elsewhere").mkdir()
    with held(tmp_path / "scan.db", "nightly"):
        for db in ("link.db", "elsewhere/../scan.db", str(tmp_path / "link.db")):
            for args in (["nightly"], ["digest", "--to", "ops@example.com"]):
                done = run_scan("--db", db, *args, cwd=tmp_path)
                assert done.returncode == 4, (db, args, done.stdout + done.stderr)
                assert "another scan run holds the lock (nightly, pid" in done.stderr
    assert not (tmp_path / "link.db.lock").exists()


def test_cron_line_runs_under_crons_minimal_environment(tmp_path):
    from .conftest import run_scan

    config(tmp_path, "http://127.0.0.1:9", {"dead-feed": "/feed.xml"})  # nothing listens on :9
    printed = run_scan("cron-line", "--at", "04:30", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    line = printed.stdout.strip()
    fields = line.split(" ", 5)
    assert fields[:5] == ["30", "4", "*", "*", "*"]
    command = fields[5]
    assert shlex.split(command)[:2] == ["cd", str(tmp_path)]
    assert f"{scan_executable()} --config {tmp_path / 'scanner.toml'} nightly" in command
    log = tmp_path / "scan-nightly.log"
    assert command.endswith(f">> {log} 2>&1")
    # What cron does: /bin/sh, PATH=/usr/bin:/bin, HOME, nothing else; from another directory.
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        cwd="/",
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SHELL": "/bin/sh"},
        timeout=180,
        check=False,
    )
    assert done.stdout == "" and done.stderr == ""  # everything went to the log
    written = log.read_text(encoding="utf-8")
    assert "nightly crawl: failed" in written and "nightly digest: skipped" in written
    assert done.returncode in (0, 1, 3), written  # ran: not 127 (not found) or 126
    assert (tmp_path / "scan.db").exists()


def test_cron_line_rejects_a_bad_time(tmp_path):
    from .conftest import run_scan

    result = run_scan("cron-line", "--at", "25:00", cwd=tmp_path)
    assert result.returncode == 1 and "between 00:00 and 23:59" in result.stderr
