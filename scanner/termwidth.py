"""How many columns to lay text out for, when printing to a terminal or through a pipe.

``scan report | less`` in an 80-column terminal must be laid out at 80, not at
a fixed guess: the terminal is still there behind the pipe, and standard error
or the process's controlling terminal (``/dev/tty``) tell its size. The order:

1. ``COLUMNS``, when set to a number: an explicit choice (``COLUMNS=200 scan
   report | less -S``), and what Python's ``shutil.get_terminal_size`` honours
   first too. Shells set it but do not export it, so it is not stale.
2. The terminal of standard output, standard error or ``/dev/tty``, the first
   that is one.
3. 80, the width every terminal and mail reader can show.

A command's messages in prose (a summary, a note, an error) are word-wrapped to
that width when they go to a terminal (:func:`for_terminal`): one longer than
the terminal broke mid-word ("(0" / ".1s)"). Piped or logged, each stays one
line per paragraph, for scripts that grep them.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

FALLBACK = 80


def output_width(*, fallback: int = FALLBACK) -> int:
    """Columns to lay out for (see the module docstring)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    for stream in (sys.stdout, sys.stderr):
        width = _stream_width(stream)
        if width:
            return width
    return _tty_width() or fallback


def for_terminal(message: str, *, err: bool = False, lead: str = "") -> str:
    """``message`` word-wrapped to the terminal's width when the stream it is for
    (standard output, or standard error with ``err``) is a terminal; as it is
    otherwise. ``lead`` is what will be printed before it (click's "Error: "): its
    first line leaves room for that."""
    from scanner.text.safe import wrap_cells

    stream = sys.stderr if err else sys.stdout
    if not _isatty(stream):
        return message
    lines = wrap_cells(message, output_width(), lead, "")
    return "\n".join([lines[0][len(lead) :], *lines[1:]])


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced, or closed
        return False


def _stream_width(stream: TextIO) -> int | None:
    try:
        fd = stream.fileno()
        return os.get_terminal_size(fd).columns or None
    except (AttributeError, ValueError, OSError):  # no file descriptor, or not a terminal
        return None


def _tty_width() -> int | None:
    """The controlling terminal's width, when the process has one (cron has none)."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return None
    try:
        return os.get_terminal_size(fd).columns or None
    except OSError:
        return None
    finally:
        os.close(fd)
