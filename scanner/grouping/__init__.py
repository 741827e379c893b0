"""Near-duplicate grouping of grievances: a pure in-memory engine.

``normalise`` (and ``keys``, the same for many texts at once) makes the key of
a text, ``minhash`` its sketch (a MinHash signature of its words),
``blocking`` the candidate pairs (``vague`` drops those holding a post that
names no problem), ``similarity`` the cheap check that they
share enough words, ``verify`` scores them with rapidfuzz and ``engine``
clusters them in arrival order; ``prepare`` runs the per-text work on every
core. ``scanner.clustering.run`` connects the engine to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from scanner.grouping.blocking import candidate_pairs
from scanner.grouping.engine import Grouper, Params
from scanner.grouping.normalise import normalise, sorted_key
from scanner.grouping.prepare import Keys, prepare
from scanner.grouping.vague import drop_vague
from scanner.grouping.verify import score_pairs

__all__ = [
    "Grouper",
    "Keys",
    "Params",
    "group",
    "normalise",
    "prepare",
    "sorted_key",
]


def group(
    texts: Sequence[str],
    params: Params | None = None,
    names_nothing: Callable[[str], bool] | None = None,
) -> np.ndarray:
    """Cluster labels of ``texts`` (taken in the given order) from scratch; a
    text for which ``names_nothing`` is true stands alone (``vague``)."""
    params = params or Params()
    keys, sketch = prepare(texts, params)
    pairs = candidate_pairs(sketch, params)
    scored = keys.select(pairs.ravel())
    pairs = drop_vague(pairs, scored, names_nothing)
    scores = score_pairs(scored, pairs, scorer=params.scorer, cutoff=params.cutoff)
    grouper = Grouper(scored, np.arange(len(scored)), params)
    grouper.run(pairs, scores, 0)
    return grouper.final_labels()
