"""The per-text work before blocking: keys and sketches.

``prepare`` gives each text its key (``keys.normalise_all``), its sketch
(``minhash.sketches``) and its key with the words sorted: ``fuzz.ratio`` on
two of those equals ``token_sort_ratio`` on the keys, and sorting once per
text is far cheaper than once per comparison.

This is pure Python per text and takes much of a large run, so above
``PARALLEL_MIN`` texts it is split over forked processes (one per core). They
read their slices of the texts themselves (``StoredTexts`` reads them from the
database in each process), and send back one joined string of bytes per slice:
far faster through a pipe than a list of many small strings, and far smaller
to keep than a million separate ones.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from scanner.grouping.keys import normalise_all
from scanner.grouping.minhash import sketches

if TYPE_CHECKING:
    from scanner.grouping.engine import Params

# Below this many texts a second process costs more than it saves.
PARALLEL_MIN = 20_000
_shared: Any = None  # what forked workers read: set just before the fork


def _slices(n: int, workers: int) -> list[tuple[int, int]]:
    step = -(-n // (workers * 4))
    return [(s, min(s + step, n)) for s in range(0, n, step)]


def _forked(work: Callable[[tuple[int, int]], Any], n: int, shared: Any, workers: int) -> list:
    global _shared
    _shared = shared
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(work, _slices(n, workers), chunksize=1)
    finally:
        _shared = None


def _parallel(n: int, workers: int | None) -> int:
    """How many processes to use for ``n`` texts (1: stay in this one)."""
    workers = workers or os.cpu_count() or 1
    if n < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return workers


def _joined(keys: list[str]) -> bytes:
    return "\n".join(keys).encode("utf-8", "surrogatepass")


class Keys:
    """Sorted keys, kept as one UTF-8 string of bytes per slice of texts until
    the texts to score are known: a million separate strings would cost a
    Python object each, most texts are never scored, and a joined ``str``
    holding one Devanagari letter would take two bytes for every character of
    the slice."""

    def __init__(self, parts: list[bytes], sizes: list[int]) -> None:
        self.parts, self.sizes = parts, sizes

    @classmethod
    def of(cls, keys: list[str]) -> Keys:
        return cls([_joined(keys)], [len(keys)]) if keys else cls([], [])

    def __len__(self) -> int:
        return sum(self.sizes)

    def __add__(self, other: Keys) -> Keys:
        return Keys(self.parts + other.parts, self.sizes + other.sizes)

    def select(self, needed: np.ndarray) -> list[str]:
        """The keys of the texts in ``needed``, "" for the others. Each slice's
        string is let go once read, so the keys are never held twice over."""
        out = [""] * len(self)
        wanted = np.zeros(len(self), dtype=bool)
        wanted[needed] = True
        start = 0
        for size in self.sizes:
            keys = self.parts.pop(0).split(b"\n")
            for i in np.flatnonzero(wanted[start : start + size]).tolist():
                out[start + i] = keys[i].decode("utf-8", "surrogatepass")
            start += size
        self.sizes = []
        return out


class Texts(Protocol):
    """What ``prepare`` reads: a length and slices that are lists of strings
    (a list, or ``StoredTexts`` reading each slice from the database)."""

    def __len__(self) -> int: ...

    def __getitem__(self, part: slice, /) -> Sequence[str]: ...


def _prepare_serial(texts: Sequence[str], params: Params) -> tuple[list[str], np.ndarray]:
    keys = normalise_all(texts)
    sketch = sketches(keys, permutations=params.permutations, shingle=params.shingle)
    return [" ".join(sorted(k.split())) for k in keys], sketch


def _prepare_slice(bounds: tuple[int, int]) -> tuple[bytes, np.ndarray]:
    texts, params = _shared
    keys, sketch = _prepare_serial(texts[bounds[0] : bounds[1]], params)
    return _joined(keys), sketch


def prepare(texts: Texts, params: Params, *, workers: int | None = None) -> tuple[Keys, np.ndarray]:
    """Sorted keys (for scoring) and sketches (for blocking) of ``texts``: any
    sequence whose slices are lists of strings (a list, ``StoredTexts``)."""
    workers = _parallel(len(texts), workers)
    if workers < 2:
        keys, sketch = _prepare_serial(texts[0 : len(texts)], params)
        return Keys.of(keys), sketch
    parts = _forked(_prepare_slice, len(texts), (texts, params), workers)
    return (
        Keys([joined for joined, _ in parts], [len(sketch) for _, sketch in parts]),
        np.concatenate([sketch for _, sketch in parts]),
    )
