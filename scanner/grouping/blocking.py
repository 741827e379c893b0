"""Candidate pairs from MinHash sketches: an LSH forest that stays prefix-stable.

Each band is a path through the signature, ``max_rows`` columns long. Texts
that agree on the first ``d`` columns of a path share a bucket at depth ``d``.
Each text, in arrival order, is paired with texts before it in its bucket:

- at depth ``rows``, with all of them if there are at most ``bucket_cap``;
- otherwise the bucket is crowded. Words that many texts share (stock
  sentences such as "they promised a refund within 15 days", and the commonest
  words) put texts together that are not alike, so the text goes one column
  deeper, and deeper, until its bucket holds at most ``bucket_cap`` earlier
  texts; with all of those;
- if going deeper leaves it alone, or the path ends while still crowded, with
  the first ``crowded_cap`` texts of its last crowded bucket. When one large
  grievance crowds a bucket, those are its first members.

Short texts (fewer than ``short_words`` words) also get ``short_bands`` bands
of ``short_rows`` columns, shared only with other short texts: a typo or a
changed word is a large part of a short text, so two restatements share fewer
of their words than long ones do.

Which texts a text is paired with depends only on the texts that arrived
before it (bucket counts and "first" texts are all about earlier texts), so
adding tonight's texts never changes last night's pairs, and an incremental
run finds exactly the pairs a rebuild would.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from scanner.grouping.minhash import WORDS, splitmix64
from scanner.grouping.similarity import SharedWords

if TYPE_CHECKING:
    from scanner.grouping.engine import Params


@dataclass(frozen=True)
class Band:
    columns: tuple[int, ...]  # the path: sketch columns, in order
    rows: int  # depth at which pairing starts
    members: np.ndarray  # the texts that take part (indices, ascending)


def _ragged_arange(counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(c) for c in counts])`` without a Python loop."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) - np.repeat(
        ends - counts, counts
    )


class _Forest:
    """The pairs of one band after another, depth after depth, kept as codes
    ``left * n + right`` once they pass the shared-words check."""

    def __init__(self, sketch: np.ndarray, params: Params, first_new: int) -> None:
        self.sketch, self.first_new = sketch, first_new
        self.n = n = len(sketch)
        self.cap, self.crowded_cap = params.bucket_cap, params.crowded_cap
        self.bits = max(20, int(n - 1).bit_length())
        self.low = np.uint64((1 << self.bits) - 1)
        self.shared = SharedWords(sketch, params)

    def band(self, band: Band) -> np.ndarray:
        """The codes of the pairs this band finds and the check keeps."""
        n, cap = self.n, self.cap
        codes: list[np.ndarray] = []

        def emit(
            order: np.ndarray,
            starts: np.ndarray,
            counts: np.ndarray | int,
            texts: np.ndarray,
            agreed: int,
        ) -> None:
            """Pairs of ``texts`` with the texts from ``order[starts]``, that agree
            on the first ``agreed`` columns of the path (and pass the check)."""
            if len(texts):
                counts = np.broadcast_to(counts, texts.shape)
                a = order[np.repeat(starts, counts) + _ragged_arange(counts)]
                b = np.repeat(texts, counts)
                ok = self.shared(a, b, band.columns[:agreed])
                codes.append(a[ok] * n + b[ok])

        key_of = np.zeros(n, dtype=np.uint64)  # each text's key at the current depth
        waiting = np.zeros(n, dtype=bool)  # crowded one level up
        was_at = np.zeros(n, dtype=np.int64)  # where its crowded bucket started
        path = np.ascontiguousarray(self.sketch[:, list(band.columns)].T)  # a row per column
        texts, depth = band.members, band.rows
        key = np.zeros(len(texts), dtype=np.uint64)
        for column in path[:depth]:
            key = splitmix64(key ^ column[texts])
        before: np.ndarray | None = None  # the sorted texts one level up
        while len(texts):
            # Sort (key, index) packed in one uint64: the high bits of the key,
            # then the index. One plain sort, and equal keys come out in
            # arrival order. Dropping the key's low bits only adds a few
            # chance candidates, which the checks after blocking reject.
            key_of[texts] = key
            packed = (key & ~self.low) | texts.astype(np.uint64)
            packed.sort()
            order = (packed & self.low).astype(np.int64)
            high = packed >> np.uint64(self.bits)
            boundary = np.ones(len(order), dtype=bool)
            boundary[1:] = high[1:] != high[:-1]
            run = np.cumsum(boundary) - 1
            start = np.flatnonzero(boundary)[run]
            position = np.arange(len(order)) - start  # earlier texts in the bucket
            # Deeper down, only the texts that were crowded look for pairs: the
            # others found all theirs one level up.
            new = order >= self.first_new if before is None else waiting[order]
            t = np.flatnonzero(new & (position > 0) & (position <= cap))
            emit(order, start[t], position[t], order[t], depth)
            if before is not None:  # deeper, and alone: the last crowded bucket
                lost = order[waiting[order] & (position == 0)]
                emit(before, was_at[lost], self.crowded_cap, lost, depth - 1)
                waiting[texts] = False
            crowded = np.flatnonzero(new & (position > cap))
            if depth == len(band.columns):
                emit(order, start[crowded], self.crowded_cap, order[crowded], depth)
                break
            # One column deeper for every bucket holding a crowded text.
            deeper = np.zeros(int(run[-1]) + 1, dtype=bool)
            deeper[run[crowded]] = True
            waiting[order[crowded]] = True
            was_at[order[crowded]] = start[crowded]
            before, texts = order, order[deeper[run]]
            key = splitmix64(key_of[texts] ^ path[depth][texts])
            depth += 1
        return np.concatenate([np.empty(0, dtype=np.int64), *codes])


def _plan(sketch: np.ndarray, params: Params) -> list[Band]:
    permutations = sketch.shape[1] - 1
    words = sketch[:, WORDS].astype(np.int64)
    stride = permutations // params.bands
    members = np.flatnonzero(words > 0)
    bands = [
        Band(
            tuple((b * stride + r) % permutations for r in range(params.max_rows)),
            params.rows,
            members,
        )
        for b in range(params.bands)
    ]
    short = np.flatnonzero((words > 0) & (words < params.short_words))
    if len(short):
        bands += [
            Band(
                tuple(b * params.short_rows + r for r in range(params.short_rows)),
                params.short_rows,
                short,
            )
            for b in range(params.short_bands)
        ]
    return bands


def candidate_pairs(sketch: np.ndarray, params: Params, *, first_new: int = 0) -> np.ndarray:
    """Unique ``(i, j)`` rows with ``i < j`` and ``j >= first_new``, as an int64 array.

    ``sketch`` is ``(n, permutations + 1)`` uint16 (``minhash.sketches``), rows
    in arrival order; a text without words is never paired.
    """
    n = len(sketch)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    forest = _Forest(sketch, params, first_new)
    # Bands are independent and numpy lets go of the GIL in sorts and
    # gathers: two threads finish the bands in a little over half the time.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        codes = list(pool.map(forest.band, _plan(sketch, params)))
    found = np.concatenate([np.empty(0, dtype=np.int64), *codes])
    if not len(found):
        return np.empty((0, 2), dtype=np.int64)
    # Sort and drop repeats: np.unique (a hash table since numpy 2.3) took 14 s
    # where this takes 1 s, on 7 million pairs found 20 million times.
    found.sort()
    unique = found[np.concatenate(([True], found[1:] != found[:-1]))]
    return np.stack((unique // n, unique % n), axis=1)
