"""B-cubed precision, recall and F1 of a clustering against gold labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bcubed(gold: Sequence[int], found: Sequence[int]) -> tuple[float, float, float]:
    gold_a = np.unique(np.asarray(gold), return_inverse=True)[1]
    found_a = np.unique(np.asarray(found), return_inverse=True)[1]
    joint = gold_a.astype(np.int64) * (int(found_a.max()) + 1) + found_a
    _, joint_inv, joint_n = np.unique(joint, return_inverse=True, return_counts=True)
    both = joint_n[joint_inv]
    precision = float(np.mean(both / np.bincount(found_a)[found_a]))
    recall = float(np.mean(both / np.bincount(gold_a)[gold_a]))
    return precision, recall, 2 * precision * recall / (precision + recall)


def recall_of(gold: Sequence[int], found: Sequence[int], subset: np.ndarray) -> float | None:
    """B-cubed recall averaged over the items in ``subset`` (a boolean mask) alone:
    how much of each one's true group it was clustered with. None if the subset is empty."""
    if not subset.any():
        return None
    gold_a = np.unique(np.asarray(gold), return_inverse=True)[1]
    found_a = np.unique(np.asarray(found), return_inverse=True)[1]
    joint = gold_a.astype(np.int64) * (int(found_a.max()) + 1) + found_a
    _, joint_inv, joint_n = np.unique(joint, return_inverse=True, return_counts=True)
    both = joint_n[joint_inv]
    return float(np.mean((both / np.bincount(gold_a)[gold_a])[subset]))
