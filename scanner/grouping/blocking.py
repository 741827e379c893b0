"""Candidate pairs from LSH band keys, without comparing all pairs.

Texts that share a band key fall in one bucket. Inside a bucket the texts are
in arrival order (their index), and each text is paired with the texts before
it, but only with the first ``cap`` of them: a bucket of thousands (a pasted
template, a very common short complaint) would otherwise cost millions of
comparisons. Pairing with the *first* ``cap`` rather than skipping big buckets
keeps the result prefix-stable: the pairs of a text depend only on the texts
that arrived before it, so adding tonight's texts never changes last night's
pairs, and an incremental run finds exactly the pairs a rebuild would.
"""

from __future__ import annotations

import numpy as np


def _ragged_arange(counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(c) for c in counts])`` without a Python loop."""
    total = int(counts.sum())
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)


def candidate_pairs(bands: np.ndarray, *, first_new: int = 0, cap: int = 64) -> np.ndarray:
    """Unique ``(i, j)`` rows with ``i < j`` and ``j >= first_new``, as an int64 array.

    ``bands`` is ``(n, b)`` uint64, rows in arrival order; a key of 0 means "no
    words" and never pairs.
    """
    n = len(bands)
    codes = []
    for b in range(bands.shape[1]):
        keys = bands[:, b]
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        boundary = np.ones(n, dtype=bool)
        boundary[1:] = sorted_keys[1:] != sorted_keys[:-1]
        run_start = np.maximum.accumulate(np.where(boundary, np.arange(n), 0))
        position = np.arange(n) - run_start
        wanted = (position > 0) & (order >= first_new) & (sorted_keys != 0)
        t = np.flatnonzero(wanted)
        if not len(t):
            continue
        counts = np.minimum(position[t], cap)
        left = order[np.repeat(run_start[t], counts) + _ragged_arange(counts)]
        right = np.repeat(order[t], counts)
        codes.append(left.astype(np.int64) * n + right)
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    unique = np.unique(np.concatenate(codes))
    return np.stack((unique // n, unique % n), axis=1)
