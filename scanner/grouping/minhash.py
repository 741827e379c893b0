"""MinHash signatures and LSH band keys, vectorised with numpy.

A text's words (or word n-grams) are hashed once to 64 bits with a stable
hash of their UTF-8 bytes (never Python's salted ``hash()``: band keys are
stored and compared across nights). The
``permutations`` hash functions are derived from those bits by double hashing,
``lo + p * hi`` in 32-bit arithmetic, and the minimum per text is taken with
``np.minimum.reduceat`` over a whole chunk of texts at once. ``bands`` groups of
``permutations / bands`` minima are folded into one 64-bit band key each: two
texts that agree on any band key become a candidate pair.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_EMPTY = np.uint64(0)  # band key of a text with no words: never a candidate
_P = np.uint64(0x100000001B3)  # the FNV prime: odd, so it has an inverse modulo 2**64
_P_INVERSE = np.uint64(pow(0x100000001B3, -1, 2**64))


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


def _shingle_hashes(keys: Sequence[str], shingle: int) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every word ``shingle``-gram, concatenated, and each text's count."""
    h, counts = _word_hashes(keys)
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
    """``(len(keys), bands)`` uint64 band keys of normalised texts (words one space
    apart, no newline); 0 for a text without words."""
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


def short_band_keys(
    keys: Sequence[str], *, words: int, permutations: int, bands: int
) -> np.ndarray:
    """``(len(keys), bands)`` band keys over single words, for texts of fewer than
    ``words`` words; 0 (never a candidate) for longer texts.

    Two short restatements of one grievance share few word pairs once a word is
    misspelt, swapped or reordered (each change breaks two bigrams out of a
    handful), so the bigram bands miss them; their single words still mostly
    agree. Keeping these bands to short texts keeps them cheap: over long texts
    single words would pair nearly everything with everything.
    """
    out = np.zeros((len(keys), bands), dtype=np.uint64)
    short = [i for i, k in enumerate(keys) if k and k.count(" ") + 1 < words]
    if short:
        part = [keys[i] for i in short]
        out[short] = band_keys(part, permutations=permutations, bands=bands, shingle=1)
    return out
