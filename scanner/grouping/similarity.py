"""The check between blocking and scoring: do two texts share enough words?

Restatements that token_sort_ratio puts at 85 or more share well over half
their words (on both bench corpora, under 0.6 for about one such pair in a
thousand, never under 0.53, between texts of 30 words or more), while
complaints that merely share stock sentences share fewer. The fraction of
MinHash values two sketches share estimates the Jaccard similarity of their
word sets, at a hundredth of the cost of scoring the pair.

The estimate leaves out the values the forest found the pair by (the first
values of its band's path, as deep as the bucket that paired them): they
agree because the pair was picked for them, and counting them would lift
every pair the forest finds by several hundredths, most of all the chance
ones. A
short text changes more with each typo, so pairs with a short text always
pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scanner.grouping.minhash import WORDS

if TYPE_CHECKING:
    from scanner.grouping.engine import Params

_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)
_CHUNK = 1 << 17


class SharedWords:
    """``shared(left, right, band)``: a mask of the pairs that pass.

    Values are compared on their low 8 bits, eight to a uint64, one array per
    group of eight columns: gathering from eight 1-D arrays (8 MB each at a
    million texts) is faster than gathering 64-byte rows, and an XOR plus a
    zero-byte test counts eight agreements at once. Unequal values agree on
    their low 8 bits once in 256, which the threshold absorbs.
    """

    def __init__(self, sketch: np.ndarray, params: Params) -> None:
        self.words = sketch[:, WORDS]
        self.short_words = params.short_words
        self.min_jaccard = params.min_jaccard
        values = np.ascontiguousarray(sketch[:, :WORDS].astype(np.uint8))
        self.columns = values.shape[1]
        padded = np.zeros((len(sketch), -(-self.columns // 8) * 8), dtype=np.uint8)
        padded[:, : self.columns] = values
        self.groups = [np.ascontiguousarray(g) for g in padded.view(np.uint64).T]

    def _masks(self, band: tuple[int, ...]) -> tuple[list[np.uint64], int]:
        """Which bytes count (not the band's, not padding), and how many must agree."""
        masks = []
        for g in range(len(self.groups)):
            mask = 0
            for b in range(8):
                column = 8 * g + b
                if column < self.columns and column not in band:
                    mask |= 0x80 << (8 * b)
            masks.append(np.uint64(mask))
        counted = self.columns - len(set(band))
        return masks, int(np.ceil(self.min_jaccard * counted - 1e-9))

    def __call__(self, left: np.ndarray, right: np.ndarray, band: tuple[int, ...]) -> np.ndarray:
        """Which pairs pass, leaving out the ``band`` columns they agree on by construction."""
        ok = np.minimum(self.words[left], self.words[right]) < self.short_words
        index = np.flatnonzero(~ok)
        masks, needed = self._masks(band)
        for start in range(0, len(index), _CHUNK):
            part = index[start : start + _CHUNK]
            a, b = left[part], right[part]
            agree = np.zeros(len(part), dtype=np.int64)
            for group, mask in zip(self.groups, masks, strict=True):
                x = group[a] ^ group[b]
                # The high bit of each byte is set where the byte is zero.
                agree += np.bitwise_count(~(((x & _LOW7) + _LOW7) | x | _LOW7) & mask)
            ok[part] = agree >= needed
        return ok


def estimated_jaccard(sketch: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """For each ``(i, j)`` row of ``pairs``, the fraction of MinHash values the two
    sketches share (all of them): an estimate of the Jaccard similarity of their
    word sets."""
    values = sketch[:, :WORDS]
    out = np.empty(len(pairs), dtype=np.float64)
    for start in range(0, len(pairs), _CHUNK):
        part = pairs[start : start + _CHUNK]
        same = values[part[:, 0]] == values[part[:, 1]]
        out[start : start + _CHUNK] = np.count_nonzero(same, axis=1) / values.shape[1]
    return out
