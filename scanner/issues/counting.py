"""Counting phrases in a million grievances: vectorised, staged, exact where it matters.

Every text becomes stem numbers in one flat array (-1 at breaks and between
texts). Phrases of n words are then n-column windows of that array, sorted
within the row (word order does not matter) and packed into one int64 per
phrase, so counting is ``numpy.unique`` instead of tens of millions of
dictionary updates. Only words that occur in at least ``min_grievances``
grievances take part in windows (a phrase is never more frequent than its
rarest word); they are renumbered densely so three of them fit in 63 bits.

Windows are first counted as occurrences (an upper bound of document
frequency, enough to discard most phrases); the survivors get exact document
lists, and keyness is judged on those.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from scanner.errors import RuleFileError
from scanner.issues.keyness import Candidate, keyness, keyness_mask
from scanner.issues.lexicon import Key, Lexicon
from scanner.issues.settings import IssueParams
from scanner.rules import rules_path


@dataclass
class Tokens:
    tok: np.ndarray  # stem numbers, -1 at breaks and after every text
    doc: np.ndarray  # the text of each position
    n_docs: int


# Below this many texts, starting worker processes costs more than it saves.
PARALLEL_MIN = 20_000
_WORK: tuple[Sequence[str], Lexicon] | None = None


def _encode(texts: Iterable[str], lexicon: Lexicon) -> tuple[array, array]:
    flat, lengths = array("i"), array("i")
    for text in texts:
        ids = lexicon.ids(text)
        ids.append(-1)
        flat.extend(ids)
        lengths.append(len(ids))
    return flat, lengths


def _encode_part(bounds: tuple[int, int]) -> tuple[bytes, bytes, list[str]]:
    """In a forked worker: one slice of the texts, numbered by a fresh vocabulary."""
    assert _WORK is not None
    texts, parent = _WORK
    local = Lexicon(names=parent.names)
    flat, lengths = _encode(texts[bounds[0] : bounds[1]], local)
    return flat.tobytes(), lengths.tobytes(), local.stems


def tokenise(texts: Sequence[str], lexicon: Lexicon, *, workers: int | None = None) -> Tokens:
    """Stem numbers of every text. Large inputs are split over the CPU cores
    (tokenising is most of the work and pure Python); each worker numbers its
    own stems and the parent renumbers them into ``lexicon``'s vocabulary."""
    global _WORK
    workers = workers or min(os.cpu_count() or 1, 4)
    if len(texts) < PARALLEL_MIN or workers < 2 or "fork" not in mp.get_all_start_methods():
        flat, lengths = _encode(texts, lexicon)
        parts = [(np.frombuffer(flat, np.int32), np.frombuffer(lengths, np.int32))]
    else:
        step = -(-len(texts) // workers)
        _WORK = (texts, lexicon)
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                done = pool.map(_encode_part, [(i, i + step) for i in range(0, len(texts), step)])
        finally:
            _WORK = None
        parts = []
        for flat_bytes, length_bytes, stems in done:
            renumber = np.array([lexicon.number_of(s) for s in stems] or [0], np.int64)
            local = np.frombuffer(flat_bytes, np.int32)
            parts.append((np.where(local >= 0, renumber[np.maximum(local, 0)], -1),
                          np.frombuffer(length_bytes, np.int32)))  # fmt: skip
    tok = np.concatenate([p[0] for p in parts]).astype(np.int32)
    lengths = np.concatenate([p[1] for p in parts])
    doc = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    return Tokens(tok, doc, len(lengths))


def grams(f: np.ndarray, n: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of every n-word window of dense word numbers ``f`` (-1 = none), and
    where each starts. Windows repeating a word are left out."""
    if n == 1:
        at = np.flatnonzero(f >= 0)
        return f[at], at
    span = len(f) - n + 1
    if span <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ok = f[:span] >= 0
    for i in range(1, n):
        ok &= f[i : i + span] >= 0
    at = np.flatnonzero(ok)
    cols = [f[i : i + span][at] for i in range(n)]
    # Sorting within each window without a (windows x n) matrix: min, max, middle.
    low, high = np.minimum.reduce(cols), np.maximum.reduce(cols)
    rows = [low, high] if n == 2 else [low, cols[0] + cols[1] + cols[2] - low - high, high]
    distinct = rows[0] != rows[1]
    if n == 3:
        distinct &= rows[1] != rows[2]
    code = rows[0][distinct].astype(np.int64)
    for row in rows[1:]:
        code = code * width + row[distinct]
    return code, at[distinct]


def decode(codes: np.ndarray, n: int, width: int) -> np.ndarray:
    parts = np.empty((len(codes), n), np.int64)
    rest = codes.copy()
    for i in range(n - 1, -1, -1):
        parts[:, i] = rest % width
        rest //= width
    return parts


def index_phrases(
    grievances: Sequence[str],
    background: Sequence[str],
    lexicon: Lexicon,
    params: IssueParams,
    pinned: list[Key],
) -> tuple[list[Candidate], dict[Key, set[int]], str]:
    """Candidate phrases, the grievances of each (and of each pinned phrase), and
    which background judged them ("mentions" or "built-in")."""
    floor = params.min_grievances
    fg = tokenise(grievances, lexicon)
    size = len(lexicon.stems)
    # Occurrences bound document frequency from above: enough to discard rare words.
    frequent = np.bincount(fg.tok[fg.tok >= 0], minlength=size) >= floor
    for key in pinned:
        if len(key) > 3:
            words = " ".join(key)
            raise RuleFileError(
                rules_path("issues.toml"), f"pinned phrase {words!r} has more than 3 content words"
            )
        for part in key:
            if part in lexicon.vocab:
                frequent[lexicon.vocab[part]] = True
    dense = np.flatnonzero(frequent)
    width = max(len(dense), 1)
    if width >= 1 << 21:
        raise ValueError("too many distinct frequent words to pack three into 63 bits")
    generic = np.array([lexicon.stems[i] in lexicon.generic for i in dense], dtype=bool)
    max_n = min(params.max_ngram, 3)
    f = _dense(fg.tok, dense, len(lexicon.stems))
    rough: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for n in range(1, max_n + 1):
        if n == 1:
            counts = np.bincount(f[f >= 0], minlength=width)
            codes = np.arange(width, dtype=np.int64)
        else:
            codes, counts = np.unique(grams(f, n, width)[0], return_counts=True)
        keep = counts >= floor
        codes, counts = codes[keep], counts[keep]
        keep = ~np.all(generic[decode(codes, n, width)], axis=1) if len(codes) else keep[:0]
        rough[n] = (codes[keep], counts[keep])
    bg = tokenise(background, lexicon)
    kind, n_bg = "mentions", bg.n_docs
    if n_bg < params.min_background:
        kind, n_bg = "built-in", 10 * max(fg.n_docs, params.min_background)
    fb = _dense(bg.tok, dense, len(lexicon.stems))
    bg_counts: dict[int, np.ndarray] = {}
    wanted: dict[int, set[int]] = {}
    for n, (codes, counts) in rough.items():
        seen, seen_counts = np.unique(grams(fb, n, width)[0], return_counts=True)
        b = _lookup(codes, seen, seen_counts) if kind == "mentions" else np.zeros(len(codes), int)
        bg_counts[n] = b
        ok = keyness_mask(counts, b, fg.n_docs, n_bg, params)
        wanted[n] = set(codes[ok].tolist())
    position = {int(stem_no): i for i, stem_no in enumerate(dense)}
    pinned_codes = {}
    for key in pinned:
        ids = [position.get(lexicon.vocab.get(part, -1), -1) for part in key]
        if key and -1 not in ids and len(set(ids)) == len(ids):
            code = 0
            for i in sorted(ids):
                code = code * width + i
            pinned_codes[len(key), code] = key
            wanted.setdefault(len(key), set()).add(code)
    docs: dict[tuple[int, int], np.ndarray] = {}
    for n, codes in wanted.items():
        if codes:
            docs.update(_documents(f, fg.doc, n, width, codes))
    found, out = [], {}
    for (n, code), members in docs.items():
        parts = decode(np.array([code]), n, width)[0]
        key = tuple(sorted(lexicon.stems[dense[i]] for i in parts))
        out[key] = set(members.tolist())
        codes = rough.get(n, (np.zeros(0, np.int64),))[0]
        where = int(np.searchsorted(codes, code))
        if (n, code) in pinned_codes and not (where < len(codes) and codes[where] == code):
            continue  # a pinned phrase only: tracked, never a discovered candidate
        b = int(bg_counts[n][where]) if where < len(codes) and codes[where] == code else 0
        a = len(members)
        if a >= floor and keyness(a, b, fg.n_docs, n_bg, params):
            found.append(_candidate(key, a, b, fg.n_docs, n_bg))
    for key in pinned:
        out.setdefault(key, set())
    return found, out, kind


def _dense(tok: np.ndarray, dense: np.ndarray, size: int) -> np.ndarray:
    remap = np.full(max(size, 1), -1, np.int32)
    remap[dense] = np.arange(len(dense), dtype=np.int32)
    return np.where(tok >= 0, remap[np.maximum(tok, 0)], -1).astype(np.int32)


def _lookup(codes: np.ndarray, seen: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if not len(seen):
        return np.zeros(len(codes), np.int64)
    where = np.minimum(np.searchsorted(seen, codes), len(seen) - 1)
    return np.where(seen[where] == codes, counts[where], 0)


def _documents(
    f: np.ndarray, doc: np.ndarray, n: int, width: int, wanted: set[int]
) -> dict[tuple[int, int], np.ndarray]:
    """The distinct texts containing each wanted n-word phrase."""
    codes, at = grams(f, n, width)
    mask = np.isin(codes, np.fromiter(wanted, np.int64, len(wanted)))
    codes, docs = codes[mask], doc[at[mask]]
    order = np.lexsort((docs, codes))
    codes, docs = codes[order], docs[order]
    fresh = np.ones(len(codes), bool)
    fresh[1:] = (codes[1:] != codes[:-1]) | (docs[1:] != docs[:-1])
    codes, docs = codes[fresh], docs[fresh]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else []
    bounds = [*starts, len(codes)]
    return {(n, int(codes[s])): docs[s:e] for s, e in zip(bounds[:-1], bounds[1:], strict=True)}


def _candidate(key: Key, a: int, b: int, n_fg: int, n_bg: int) -> Candidate:
    from scanner.issues.keyness import log_likelihood

    ratio = (a / n_fg) / ((b + 0.5) / n_bg)
    return Candidate(key, a, b, log_likelihood(a, b, n_fg, n_bg), ratio)
