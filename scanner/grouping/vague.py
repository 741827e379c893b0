"""Posts that name no problem stand alone.

"bad", "I hate it", "worst app ever": six people writing such a post are six
people unhappy about something, not six people sharing one grievance, and as a
cluster they would read as a systemic problem that names nothing. The caller
says which texts name nothing (``scanner.issues.Lexicon.names_nothing``, from
the word lists of ``rules/phrases.toml``); every candidate pair holding one is
dropped before scoring, so such a post stays a grievance of its own.

Only short texts are asked: a post of more than ``VAGUE_MAX_WORDS`` words
always says something, and asking costs a word look-up per word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

VAGUE_MAX_WORDS = 12


def drop_vague(
    pairs: np.ndarray, keys: Sequence[str], names_nothing: Callable[[str], bool] | None
) -> np.ndarray:
    """``pairs`` without those holding a short text that names nothing."""
    if names_nothing is None or not len(pairs):
        return pairs
    vague = np.zeros(len(keys), dtype=bool)
    for i in np.unique(pairs).tolist():
        key = keys[i]
        if key.count(" ") < VAGUE_MAX_WORDS and names_nothing(key):
            vague[i] = True
    if not vague.any():
        return pairs
    return pairs[~vague[pairs].any(axis=1)]
