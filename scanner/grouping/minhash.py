"""MinHash sketches of texts, vectorised with numpy.

A text's words (or word n-grams) are hashed once to 64 bits with a stable
hash of their UTF-8 bytes (never Python's salted ``hash()``: sketches are
stored and compared across nights). Permutation ``k`` maps a word hash ``h``
to ``h * a_k`` modulo 2**64 (multiply-shift: ``a_k`` a fixed odd 64-bit
constant, the order decided by the high bits), and the minimum per text is
taken with ``np.minimum.reduceat`` over a whole chunk of texts at once.

A sketch keeps 16 bits of each minimum (bits 32-47 of the product): two texts
agree on a value when the same word is the minimum of both, and two different
minima agree by chance once in 65,536. The fraction of values two sketches
share estimates the Jaccard similarity of their word sets. The last column
holds the text's word count (at most 65,535): short texts are blocked
differently.

The family matters. The earlier ``lo + k * hi`` in 32-bit arithmetic with
``k = 1, 2, 3...`` let one word whose ``hi`` is near 0 or 2**32 be the minimum
of many consecutive permutations; the estimate of a pair could then be off by
0.4 (a pair of restatements sharing 84% of their words agreed on 42% of the
values) and LSH bands missed pairs they should have found.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_P = np.uint64(0x100000001B3)  # the FNV prime: odd, so it has an inverse modulo 2**64
_P_INVERSE = np.uint64(pow(0x100000001B3, -1, 2**64))
MAX_PERMUTATIONS = 1024
WORDS = -1  # the sketch column holding the word count


def splitmix64(x: np.ndarray) -> np.ndarray:
    """A strong 64-bit mixer (Steele et al.), elementwise; wraps by design."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


_power_cache: list[np.ndarray] = []


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k modulo 2**64 for k < n (at least), computed once and kept."""
    if not _power_cache or len(_power_cache[0]) < n:
        size = max(n, 1 << 22)
        with np.errstate(over="ignore"):
            powers = np.cumprod(np.full(size, _P, dtype=np.uint64)) * _P_INVERSE
            inverse = np.cumprod(np.full(size, _P_INVERSE, dtype=np.uint64)) * _P
        _power_cache[:] = [powers, inverse]
    return _power_cache[0], _power_cache[1]


def _word_hashes(keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit hash of every word of every key, and each key's word count.

    Vectorised over the UTF-8 bytes of a whole chunk: a polynomial hash
    ``sum((byte + 1) * P**k)`` modulo 2**64, taken for each word from prefix
    sums and un-shifted by the inverse power of P (P is odd, so invertible),
    then mixed by splitmix64. Hashing word by word in Python was most of the
    cost of a large run.
    """
    data = np.frombuffer("\n".join(keys).encode("utf-8", "surrogatepass"), dtype=np.uint8)
    n = len(data)
    is_sep = (data == 0x20) | (data == 0x0A)
    before = np.empty(n, dtype=bool)
    before[0:1] = True
    before[1:] = is_sep[:-1]
    starts = np.flatnonzero(~is_sep & before)
    after = np.empty(n, dtype=bool)
    after[-1:] = True
    after[:-1] = is_sep[1:]
    ends = np.flatnonzero(~is_sep & after) + 1
    powers, inverse = _powers(n + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(n + 1, dtype=np.uint64)
        weighted = np.add(data, 1, dtype=np.uint64)
        weighted *= powers[:n]
        np.cumsum(weighted, out=prefix[1:])
        h = splitmix64((prefix[ends] - prefix[starts]) * inverse[starts])
    text_of_word = np.searchsorted(np.flatnonzero(data == 0x0A), starts)
    counts = np.bincount(text_of_word, minlength=len(keys)).astype(np.int64)
    return h, counts


def _shingle_hashes(keys: Sequence[str], shingle: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """64-bit hashes of every word ``shingle``-gram, concatenated, each text's
    count of them, and each text's count of words."""
    h, counts = _word_hashes(keys)
    if shingle == 1:
        return h, counts, counts
    # n-grams inside each text: combine word hashes, then drop the n-grams that
    # straddle two texts; a text shorter than n keeps its words as one n-gram.
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    combined = h.copy()
    with np.errstate(over="ignore"):
        for k in range(1, shingle):
            shifted = np.zeros_like(h)
            shifted[:-k] = h[k:]
            combined = splitmix64(combined * np.uint64(31) + shifted)
    position = np.arange(len(h)) - np.repeat(starts, counts)
    grams = np.maximum(counts - shingle + 1, np.minimum(counts, 1))
    keep = position < np.repeat(grams, counts)
    short = np.repeat(counts < shingle, counts) & (position == 0)
    out = np.where(short, h, combined)[keep]
    return out, grams, counts


def _multipliers() -> np.ndarray:
    """The fixed odd constants ``a_k`` (the same in every process and version)."""
    return splitmix64(np.arange(1, MAX_PERMUTATIONS + 1, dtype=np.uint64)) | np.uint64(1)


_MULTIPLIERS = _multipliers()


def sketches(
    keys: Sequence[str], *, permutations: int, shingle: int = 1, chunk: int = 4096
) -> np.ndarray:
    """``(len(keys), permutations + 1)`` uint16 sketches of normalised texts (words
    one space apart, no newline): the MinHash values, then the word count.
    A text without words has all zeros."""
    out = np.zeros((len(keys), permutations + 1), dtype=np.uint16)
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        h, counts, words = _shingle_hashes(part, shingle)
        rows = out[start : start + len(part)]
        rows[:, WORDS] = np.minimum(words, 0xFFFF)
        some = counts > 0
        if not some.any():
            continue
        offsets = (np.cumsum(counts) - counts)[some]
        product = np.empty_like(h)
        mins = np.empty((int(some.sum()), permutations), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for k in range(permutations):
                # The minimum of the full product is the minimum of its high bits
                # (ties aside): no shift of every product, only of the minima.
                np.multiply(h, _MULTIPLIERS[k], out=product)
                mins[:, k] = np.minimum.reduceat(product, offsets)
        rows[some, :permutations] = (mins >> np.uint64(32)).astype(np.uint16)
    return out
