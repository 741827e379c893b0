"""MinHash signatures and LSH band keys, vectorised with numpy.

A text's words (or word n-grams) are hashed once to 64 bits with a stable
hash (CRC-32 of the UTF-8 bytes mixed by splitmix64: never Python's salted
``hash()``, because band keys are stored and compared across nights). The
``permutations`` hash functions are derived from those bits by double hashing,
``lo + p * hi`` in 32-bit arithmetic, and the minimum per text is taken with
``np.minimum.reduceat`` over a whole chunk of texts at once. ``bands`` groups of
``permutations / bands`` minima are folded into one 64-bit band key each: two
texts that agree on any band key become a candidate pair.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = np.uint64(0)  # band key of a text with no words: never a candidate


class _TokenHashes(dict[str, int]):
    """A per-chunk cache: each distinct word is hashed once."""

    def __missing__(self, token: str) -> int:
        value = zlib.crc32(token.encode("utf-8", "surrogatepass")) | (len(token) << 32)
        self[token] = value
        return value


def splitmix64(x: np.ndarray) -> np.ndarray:
    """A strong 64-bit mixer (Steele et al.), elementwise; wraps by design."""
    with np.errstate(over="ignore"):
        z = x + _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _shingle_hashes(keys: Sequence[str], shingle: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every word ``shingle``-gram, concatenated, and each text's count."""
    cache = _TokenHashes()
    words = [k.split() for k in keys]
    counts = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    flat = [t for w in words for t in w]
    h = splitmix64(np.fromiter(map(cache.__getitem__, flat), dtype=np.uint64, count=len(flat)))
    if shingle == 1:
        return h, counts
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
    return out, grams


def band_keys(
    keys: Sequence[str], *, permutations: int, bands: int, shingle: int, chunk: int = 4096
) -> np.ndarray:
    """``(len(keys), bands)`` uint64 band keys; 0 for a text without words."""
    rows = permutations // bands
    p = np.arange(1, permutations + 1, dtype=np.uint32)
    mix = splitmix64(np.arange(1, rows + 1, dtype=np.uint64) * np.uint64(0x2545F4914F6CDD1D))
    mix |= np.uint64(1)
    out = np.empty((len(keys), bands), dtype=np.uint64)
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        h, counts = _shingle_hashes(part, shingle)
        empty = counts == 0
        lo = (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        hi = (h >> np.uint64(32)).astype(np.uint32) | np.uint32(1)
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))[~empty]
        mins = np.full((len(part), permutations), np.uint32(0xFFFFFFFF))
        if len(h):
            # One permutation at a time: a (shingles x permutations) matrix is
            # twenty times slower than this loop, and needs far more memory.
            values = np.empty_like(lo)
            with np.errstate(over="ignore"):
                for k in range(permutations):
                    np.multiply(hi, p[k], out=values)
                    values += lo
                    mins[~empty, k] = np.minimum.reduceat(values, offsets)
        folded = mins.reshape(len(part), bands, rows).astype(np.uint64)
        with np.errstate(over="ignore"):
            keys64 = splitmix64((folded * mix).sum(axis=2, dtype=np.uint64))
        keys64[keys64 == _EMPTY] = np.uint64(1)
        keys64[empty] = _EMPTY
        out[start : start + len(part)] = keys64
    return out
