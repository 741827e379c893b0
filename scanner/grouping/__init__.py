"""Near-duplicate grouping of grievances: a pure in-memory engine.

``normalise`` makes the key of a text, ``minhash`` its LSH band keys,
``blocking`` the candidate pairs, ``verify`` scores them with rapidfuzz and
``engine`` clusters them in arrival order. ``scanner.clustering`` connects the
engine to the database.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence

import numpy as np

from scanner.grouping.blocking import candidate_pairs
from scanner.grouping.engine import Grouper, Params
from scanner.grouping.minhash import band_keys, short_band_keys
from scanner.grouping.normalise import normalise, sorted_key
from scanner.grouping.verify import score_pairs

__all__ = ["Grouper", "Params", "group", "normalise", "prepare", "sorted_key"]

# Below this many texts a second process costs more than it saves.
PARALLEL_MIN = 20_000
_shared: tuple[Sequence[str], Params] | None = None  # read by forked workers


def _prepare_serial(texts: Sequence[str], params: Params) -> tuple[list[str], np.ndarray]:
    keys = [normalise(t) for t in texts]
    bands = band_keys(
        keys, permutations=params.permutations, bands=params.bands, shingle=params.shingle
    )
    if params.short_words:
        short = short_band_keys(
            keys, words=params.short_words, permutations=params.short_permutations,
            bands=params.short_bands,
        )  # fmt: skip
        bands = np.hstack((bands, short))
    return [" ".join(sorted(k.split())) for k in keys], bands


def _prepare_slice(bounds: tuple[int, int]) -> tuple[str, np.ndarray]:
    assert _shared is not None
    texts, params = _shared
    keys, bands = _prepare_serial(texts[bounds[0] : bounds[1]], params)
    # One string crosses the pipe far faster than a list of many small ones.
    return "\n".join(keys), bands


def prepare(
    texts: Sequence[str], params: Params, *, workers: int | None = None
) -> tuple[list[str], np.ndarray]:
    """Sorted keys (for scoring) and band keys (for blocking) of ``texts``.

    Normalising is pure Python and takes most of a large run, so above
    ``PARALLEL_MIN`` texts it is split over forked processes (one per core),
    which read the texts from the parent's memory instead of a pickled copy.
    """
    workers = workers or os.cpu_count() or 1
    if (
        workers < 2
        or len(texts) < PARALLEL_MIN
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return _prepare_serial(texts, params)
    global _shared
    _shared = (texts, params)
    try:
        step = -(-len(texts) // (workers * 4))
        slices = [(s, min(s + step, len(texts))) for s in range(0, len(texts), step)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_prepare_slice, slices, chunksize=1)
    finally:
        _shared = None
    keys: list[str] = []
    for joined, bands in parts:
        keys += joined.split("\n") if len(bands) else []
    return keys, np.concatenate([b for _, b in parts])


def group(texts: Sequence[str], params: Params | None = None) -> np.ndarray:
    """Cluster labels of ``texts`` (taken in the given order) from scratch."""
    params = params or Params()
    keys, bands = prepare(texts, params)
    pairs = candidate_pairs(bands, cap=params.bucket_cap)
    scores = score_pairs(keys, pairs, scorer=params.scorer, cutoff=params.cutoff)
    grouper = Grouper(keys, np.arange(len(keys)), params)
    grouper.run(pairs, scores, 0)
    return grouper.final_labels()
