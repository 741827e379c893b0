"""Errors on a terminal are word-wrapped to its width; elsewhere one line each.

Standard error is a real pseudo-terminal here (``pty``), as in a shell: a long
error ("'Chai' is not watched ... name it under [[competitors]] ...") broke
mid-word at 80 columns, "repor" on one line and "t on it" on the next."""

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


def _run(tmp_path, *, tty: bool) -> tuple[int, str]:
    env = {**os.environ, "COLUMNS": "80"}
    command = [sys.executable, "-m", "scanner.cli", "report", "--company", NAME]
    if not tty:
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
        return done.returncode, done.stderr
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=follower
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
