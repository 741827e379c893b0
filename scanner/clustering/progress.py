"""A progress display for long grouping runs: on stderr, and only on a terminal."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

logger = logging.getLogger(__name__)


class Progress:
    """Named stages with elapsed time (rich), or nothing at all; either way the
    seconds spent in each stage are kept in ``timings`` for the run record.

    Output goes to stderr so that the one-line summary on stdout stays clean
    for scripts, and only when stderr is a TTY so that cron mail and logs never
    fill with redraw sequences.
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress: Any = None
        self._task: Any = None
        self.timings: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("grouping", total=None)
        return self

    def stage(self, name: str, description: str) -> None:
        self._close_stage()
        self._current = (name, time.perf_counter())
        logger.info("%s", description)  # with -v, for logs where no display is drawn
        if self._progress is not None:
            self._progress.update(self._task, description=description)

    def _close_stage(self) -> None:
        if self._current is not None:
            name, started = self._current
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
            self._current = None

    def __exit__(self, *exc: object) -> None:
        self._close_stage()
        if self._progress is not None:
            self._progress.__exit__(*exc)
