"""Keyness: is a phrase far more frequent in a company's grievances than elsewhere?

Frequencies are document frequencies: a grievance that says "refund" five
times is one grievance about refunds. The measure is Dunning's log-likelihood
(G2), with the direction checked (more frequent in grievances, by at least
``min_ratio``). When a company has too few other mentions to compare with,
the built-in background stands in: ten times as many documents as grievances,
made of generic words only, so that any phrase with a non-generic word passes
and the decision rests on frequency and the word lists (an import of
complaints alone has nothing better to compare with).

When a company has fewer other mentions than grievances (a demo, a small
brand), the two backgrounds work together: its own mentions say whether a
phrase leans towards grievances at all (the rate ratio), and the built-in one
tops them up to as many documents as grievances for the significance test
(G2), which fifty praise posts alone could never give to a theme of seven
people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scanner.issues.lexicon import Key
from scanner.issues.settings import IssueParams


@dataclass
class Candidate:
    key: Key
    df: int  # grievances containing it
    bg: int  # background documents containing it
    g2: float
    ratio: float


def log_likelihood(a: int, b: int, n_fg: int, n_bg: int) -> float:
    """G2 for a phrase in ``a`` of ``n_fg`` grievances and ``b`` of ``n_bg`` others."""
    total = a + b
    e1 = n_fg * total / (n_fg + n_bg)
    e2 = n_bg * total / (n_fg + n_bg)
    g2 = 0.0
    if a:
        g2 += a * math.log(a / e1)
    if b:
        g2 += b * math.log(b / e2)
    return 2 * g2


def keyness(a: int, b: int, n_fg: int, n_bg: int, params: IssueParams, extra: int = 0) -> bool:
    """Is a phrase in ``a`` of ``n_fg`` grievances and ``b`` of ``n_bg`` other
    mentions typical of grievances? Both the ratio of rates (smoothed: a phrase
    absent from a small background is not infinitely typical) and G2, against
    the mentions plus ``extra`` built-in documents that never contain it."""
    if a < params.min_grievances or (a / n_fg) < params.min_ratio * ((b + 0.5) / n_bg):
        return False
    return log_likelihood(a, b, n_fg, n_bg + extra) >= params.keyness


def keyness_mask(
    a: np.ndarray, b: np.ndarray, n_fg: int, n_bg: int, params: IssueParams, extra: int = 0
) -> np.ndarray:
    """:func:`keyness` over arrays of counts at once (millions of phrases at 1M grievances)."""
    return keyness_scores(a, b, n_fg, n_bg, params, extra)[0]


def keyness_scores(
    a: np.ndarray, b: np.ndarray, n_fg: int, n_bg: int, params: IssueParams, extra: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`keyness_mask` and the G2 of every phrase (to keep the strongest)."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    ok = (a >= params.min_grievances) & (a / n_fg >= params.min_ratio * (b + 0.5) / n_bg)
    n_bg += extra
    total = a + b
    e1 = n_fg * total / (n_fg + n_bg)
    e2 = n_bg * total / (n_fg + n_bg)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * (np.where(a > 0, a * np.log(a / e1), 0) + np.where(b > 0, b * np.log(b / e2), 0))
    return ok & (g2 >= params.keyness), g2
