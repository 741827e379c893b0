"""Scoring candidate pairs with rapidfuzz, many pairs per call.

The keys compared are the sorted-word keys (``normalise.sorted_key``), so the
default scorer ``ratio`` computes ``token_sort_ratio`` of the texts. Pairs go
to ``process.cpdist`` in chunks: one C call per chunk, the GIL released, both
cores used, and never a Python object per pair beyond the chunk in hand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

SCORERS = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.ratio,  # on sorted keys the two are the same
    "token_set_ratio": fuzz.token_set_ratio,
    "partial_ratio": fuzz.partial_ratio,
}


def score_pairs(
    keys: Sequence[str],
    pairs: np.ndarray,
    *,
    scorer: str = "token_sort_ratio",
    cutoff: float = 0,
    workers: int = -1,
    chunk: int = 200_000,
) -> np.ndarray:
    """Score 0-100 of each ``(i, j)`` row of ``pairs``; 0 for any score under ``cutoff``.

    float64, the type the scorer returns for a single pair: the engine mixes
    scores from here with scores of single pairs, and a float32 score could
    round to a different hundredth, deciding a tie differently in an
    incremental run than in a rebuild.
    """
    fn = SCORERS[scorer]
    out = np.zeros(len(pairs), dtype=np.float64)
    index = np.arange(len(pairs))
    if cutoff and scorer in LENGTH_BOUNDED and len(pairs):
        # ratio = 200 * matches / (len_a + len_b) <= 200 * short / (short + long):
        # pairs whose lengths alone put them under the cutoff are never scored.
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        a, b = lengths[pairs[:, 0]], lengths[pairs[:, 1]]
        index = np.flatnonzero(200 * np.minimum(a, b) >= cutoff * (a + b))
    for start in range(0, len(index), chunk):
        part = pairs[index[start : start + chunk]]
        left = [keys[i] for i in part[:, 0].tolist()]
        right = [keys[j] for j in part[:, 1].tolist()]
        out[index[start : start + chunk]] = process.cpdist(
            left,
            right,
            scorer=fn,
            workers=workers,
            dtype=np.float64,
            score_cutoff=cutoff or None,
        )
    return out


LENGTH_BOUNDED = {"ratio", "token_sort_ratio"}


def score(a: str, b: str, scorer: str = "token_sort_ratio") -> float:
    return SCORERS[scorer](a, b)
