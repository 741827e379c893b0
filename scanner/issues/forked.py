"""Pure-Python work over many texts, split over the CPU cores in forked workers.

Reading a million texts word by word is most of the cost of discovery, and
Python runs it on one core. Forked, not spawned: each worker sees the
parent's texts and lexicon as they are (copy-on-write, nothing pickled on the
way in), works on one slice, and only that slice's result crosses back.
A process that runs other threads (a host application, a crawl still shutting
down) is never forked: a lock another thread held at the fork would stay held
in the child forever. There the work runs in one process, slower but sure.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

PARALLEL_MIN = 20_000  # fewer items: forking costs more than it saves
_WORK: Callable[[int, int], Any] | None = None  # the work of the pool being run


def worth_it(size: int, workers: int | None = None) -> bool:
    """Whether ``size`` items are split over workers (enough of them, several
    cores, a platform that forks, and no other thread running)."""
    return (
        size >= PARALLEL_MIN
        and (workers or default_workers()) >= 2
        and "fork" in mp.get_all_start_methods()
        and threading.active_count() == 1
    )


def default_workers() -> int:
    return min(os.cpu_count() or 1, 4)


def split_map(work: Callable[[int, int], T], size: int, *, workers: int | None = None) -> list[T]:
    """``work(start, end)`` over consecutive slices of ``range(size)``, the results
    in order: in forked workers when :func:`worth_it`, else one call for all."""
    global _WORK
    workers = workers or default_workers()
    if not worth_it(size, workers):
        return [work(0, size)]
    step = -(-size // workers)
    _WORK = work
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            return pool.map(_run, [(i, min(i + step, size)) for i in range(0, size, step)])
    finally:
        _WORK = None


def _run(bounds: tuple[int, int]) -> Any:
    """In a forked worker: the work set before the fork, on one slice."""
    assert _WORK is not None
    return _WORK(*bounds)
