"""Errors and summaries on a terminal are word-wrapped to its width; elsewhere one line each.

Standard error (or output) is a real pseudo-terminal here (``pty``), as in a
shell: a long error ("'Chai' is not watched ... name it under [[competitors]]
...") broke mid-word at 80 columns, "repor" on one line and "t on it" on the
next, and so did a summary ("... 2478 clusters in all (0" / ".1s)")."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from scanner.importing import import_file
from scanner.store import Store
from scanner.text.safe import text_cells

NAME = "Kestrel Send Überweisungsdienst"


def _watched_only_acme(tmp_path):
    (tmp_path / "scanner.toml").write_text('[company]\nname = "Acme"\n', encoding="utf-8")
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps({"id": "k1", "source": "s", "text": "late again"}) + "\n")
    store = Store(tmp_path / "scan.db")
    import_file(store, posts, company=NAME)
    store.close()


def _run(
    tmp_path, *, tty: bool, args=("report", "--company", NAME), columns=80, err=True
) -> tuple[int, str]:
    """``scan ARGS``' standard error (``err``) or output, read from a terminal or a pipe."""
    env = {**os.environ, "COLUMNS": str(columns)}
    command = [sys.executable, "-m", "scanner.cli", *args]
    if not tty:
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
        return done.returncode, done.stderr if err else done.stdout
    leader, follower = pty.openpty()
    streams = {"stderr": follower} if err else {"stdout": follower}
    try:
        done = subprocess.run(
            command,
            cwd=tmp_path,
            env=env,
            **({"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL} | streams),
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    return done.returncode, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_an_error_on_a_terminal_is_wrapped_between_words(tmp_path):
    _watched_only_acme(tmp_path)
    status, piped = _run(tmp_path, tty=False)
    assert status == 2  # a config that does not watch the company
    message = piped.strip()
    assert message.count("\n") == 0 and text_cells(message) > 80  # long, one line
    status, shown = _run(tmp_path, tty=True)
    assert status == 2  # a config that does not watch the company
    lines = shown.strip().split("\n")
    assert len(lines) > 1 and all(text_cells(line) <= 80 for line in lines), lines
    assert lines[0].startswith("Error: ")
    # the same words, none broken at a line's end
    assert " ".join(lines).split() == message.split()


def test_a_summary_on_a_terminal_is_wrapped_between_words(tmp_path):
    """The import's summary at 40 columns, and its note on standard error."""
    _watched_only_acme(tmp_path)
    (tmp_path / "more.jsonl").write_text(
        json.dumps({"id": "k2", "company": NAME, "text": "late again, and again"}) + "\n"
    )
    for n, err in enumerate((False, True)):  # each into a new database: the same summary
        args = ("--create", "import", "more.jsonl")
        piped_args, shown_args = (("--db", f"{n}{way}.db", *args) for way in "ps")
        status, piped = _run(tmp_path, tty=False, args=piped_args, columns=40, err=err)
        assert status == 0
        message = piped.strip()
        assert message.count("\n") == 0 and text_cells(message) > 40, message
        status, shown = _run(tmp_path, tty=True, args=shown_args, columns=40, err=err)
        lines = shown.strip().split("\n")
        assert len(lines) > 1 and all(text_cells(line) <= 40 for line in lines), lines
        assert " ".join(lines).split() == message.split()


def test_an_error_opening_with_a_long_word_still_fits(tmp_path):
    """A message opening with a word too long for the line beside "Error: " (a deep
    database path): the lead stood alone on the first line, the path below it."""
    deep = "d" * 82 + "/scan.db"
    args = ("--db", deep, "stats")
    status, piped = _run(tmp_path, tty=False, args=args)
    assert status == 1 and "no such database" in piped
    status, shown = _run(tmp_path, tty=True, args=args)
    lines = shown.strip().split("\n")
    assert len(lines) > 1 and all(text_cells(line) <= 80 for line in lines), lines
    assert lines[0].startswith("Error: ddd"), lines
    assert "".join(lines).replace(" ", "") == piped.strip().replace(" ", "")
