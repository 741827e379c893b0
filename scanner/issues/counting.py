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

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scanner.errors import RuleFileError
from scanner.issues import forked
from scanner.issues.keyness import Candidate, keyness, keyness_scores, log_likelihood
from scanner.issues.lexicon import MAX_GAP, Key, Lexicon, break_long_gaps
from scanner.issues.settings import IssueParams
from scanner.rules import rules_path


@dataclass
class Tokens:
    tok: np.ndarray  # stem numbers, -1 at breaks and after every text
    doc: np.ndarray  # the text of each position
    n_docs: int


CHUNK = 1 << 22  # windows looked up at once


def _encode(
    texts: Sequence[str], lexicon: Lexicon, languages: Sequence[str | None] | None = None
) -> tuple[array, array]:
    flat, lengths = array("i"), array("i")
    for i, text in enumerate(texts):
        before = len(flat)
        # -2 for the words left out: dropped by tokenise
        lexicon.ids_into(text, flat, languages[i] if languages is not None else None)
        flat.append(-1)
        lengths.append(len(flat) - before)
    return flat, lengths


def tokenise(
    texts: Sequence[str],
    lexicon: Lexicon,
    *,
    workers: int | None = None,
    languages: Sequence[str | None] | None = None,
) -> Tokens:
    """Stem numbers of every text (``languages``: each text's ISO code or None).
    Large inputs are split over the CPU cores (tokenising is most of the work
    and pure Python, ``forked``); each worker numbers its own stems and the parent
    renumbers them into ``lexicon``'s vocabulary."""
    if not forked.worth_it(len(texts), workers):
        flat, counts = _encode(texts, lexicon, languages)
        parts = [_kept(np.frombuffer(flat, np.int32).copy(), np.frombuffer(counts, np.int32))]
    else:

        def encode(start: int, end: int) -> tuple[bytes, bytes, list[str]]:
            local = Lexicon(names=lexicon.names)
            part = languages[start:end] if languages is not None else None
            flat, lengths = _encode(texts[start:end], local, part)
            return flat.tobytes(), lengths.tobytes(), local.stems

        done = forked.split_map(encode, len(texts), workers=workers)
        parts = []
        while done:  # each part renumbered and trimmed, then let go: a million texts
            flat_bytes, length_bytes, stems = done.pop(0)
            after = bool(parts)
            renumber = np.array([lexicon.number_of(s) for s in stems] or [0], np.int32)
            local = np.frombuffer(flat_bytes, np.int32)
            del flat_bytes
            parts.append(
                _kept(
                    np.where(local >= 0, renumber[np.maximum(local, 0)], local),
                    np.frombuffer(length_bytes, np.int32),
                    after=after,
                )
            )
            del local
    tok = np.concatenate([p[0] for p in parts])
    lengths = np.concatenate([p[1] for p in parts])
    del parts
    doc = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    return Tokens(tok, doc, len(lengths))


def _kept(
    tok: np.ndarray, lengths: np.ndarray, *, after: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """One part's stem numbers (whole texts, each ended by -1) with long gaps broken and
    the words left out (-2) or joined into a compound (-3) dropped, and how many of each
    text's positions are left. A gap never spans two texts, so parts are independent,
    but for one thing: a part that comes ``after`` another starts after its -1, and a
    long gap before its first word is broken there, as in the whole corpus."""
    break_long_gaps(tok)
    if after and len(tok):
        words = np.flatnonzero(tok != -2)
        if (words[0] if len(words) else len(tok)) > MAX_GAP:
            tok[0] = -1
    kept = tok >= -1
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else lengths
    left = np.add.reduceat(kept, starts).astype(np.int32) if len(tok) else lengths
    return tok[kept], left


def grams(f: np.ndarray, n: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes of every n-word window (n <= 3) of dense word numbers ``f`` (-1 =
    none), and where each starts. Windows repeating a word are left out."""
    if n == 1:
        at = np.flatnonzero(f >= 0).astype(np.int32)
        return f[at], at
    span = len(f) - n + 1
    if span <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cols = [f[i : i + span] for i in range(n)]
    # Only windows of n different words (so no -1 either); pairwise, no (n x windows) matrix.
    ok = (cols[0] >= 0) & (cols[1] >= 0) & (cols[0] != cols[1])
    if n == 3:
        ok &= (cols[2] >= 0) & (cols[2] != cols[0]) & (cols[2] != cols[1])
    at = np.flatnonzero(ok).astype(np.int32)  # positions: int32 holds them, in half the room
    del ok
    # At a million grievances each array here is tens of millions long: the words are
    # sorted and packed in place, so that few of them are alive at once.
    low, high = cols[0][at], cols[1][at]
    np.minimum(low, high, out=low)
    np.maximum(cols[0][at], high, out=high)
    code = low.astype(np.int64)
    del low
    if n == 3:
        third = cols[2][at]
        middle = np.minimum(high, third)
        np.maximum(middle, code, out=middle, casting="unsafe")  # code is still the lowest
        np.maximum(high, third, out=high)
        np.minimum(code, third, out=code)
        del third
        code *= width
        code += middle
        del middle
    code *= width
    code += high
    return code, at


def decode(codes: np.ndarray, n: int, width: int) -> np.ndarray:
    parts = np.empty((len(codes), n), np.int64)
    rest = codes.copy()
    for i in range(n - 1, -1, -1):
        parts[:, i] = rest % width
        rest //= width
    return parts


@dataclass
class Index:
    found: list[Candidate]  # candidate phrases that passed keyness
    docs: dict[Key, set[int]]  # the grievances of each (and of each pinned phrase)
    background: str  # which background judged them: "mentions" or "built-in"


def index_phrases(
    grievances: Sequence[str],
    background: Sequence[str],
    lexicon: Lexicon,
    params: IssueParams,
    pinned: list[Key],
    languages: tuple[Sequence[str | None] | None, Sequence[str | None] | None] = (None, None),
) -> Index:
    """Candidate phrases and the grievances of each (see :class:`Index`).

    One phrase length at a time: its windows are made once, counted, judged,
    and the grievances of the chosen phrases read from the same windows.
    """
    floor = params.min_grievances
    fg = tokenise(grievances, lexicon, languages=languages[0])
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
    f = _dense(fg.tok, dense, len(lexicon.stems))
    doc, n_fg = fg.doc, fg.n_docs
    del fg  # its stem numbers are in ``f`` now
    bg = tokenise(background, lexicon, languages=languages[1])
    kind, n_bg = "mentions", bg.n_docs
    if n_bg < params.min_background:
        kind, n_bg = "built-in", 10 * max(n_fg, params.min_background)
    # Fewer mentions than grievances: the built-in background tops them up for G2.
    extra = max(0, n_fg - n_bg)
    fb = _dense(bg.tok, dense, len(lexicon.stems)) if kind == "mentions" else None
    bg_doc = bg.doc
    del bg
    pinned_codes = _pinned_codes(pinned, lexicon, dense, width)
    found: list[Candidate] = []
    out: dict[Key, set[int]] = {}
    for n in range(1, min(params.max_ngram, 3) + 1):
        codes_at = grams(f, n, width)
        if n == 1:
            counts = np.bincount(codes_at[0], minlength=width)
            codes = np.arange(width, dtype=np.int64)
        else:
            codes, counts = np.unique(codes_at[0], return_counts=True)
        keep = counts >= floor
        codes, counts = codes[keep], counts[keep]
        keep = ~np.all(generic[decode(codes, n, width)], axis=1) if len(codes) else keep[:0]
        codes, counts = codes[keep], counts[keep]
        b = np.zeros(len(codes), np.int64)
        if fb is not None:
            seen, seen_counts = _document_counts(grams(fb, n, width), bg_doc)
            b = _lookup(codes, seen, seen_counts)
        ok, g2 = keyness_scores(counts, b, n_fg, n_bg, params, extra)
        chosen = np.flatnonzero(ok)
        if len(chosen) > params.max_candidates:
            # Chance collocations of common words pass a lenient test by the ten
            # thousand at a million grievances; the strongest phrases are the themes.
            best = np.lexsort((codes[chosen], -counts[chosen], -g2[chosen]))
            chosen = chosen[best[: params.max_candidates]]
        mine = {code: key for (m, code), key in pinned_codes.items() if m == n}
        wanted = np.union1d(codes[chosen], np.fromiter(mine, np.int64, len(mine)))
        for code, members in _documents(codes_at, doc, wanted, n, width).items():
            parts = decode(np.array([code]), n, width)[0]
            key = tuple(sorted(lexicon.stems[dense[i]] for i in parts))
            out[key] = set(members.tolist())
            where = int(np.searchsorted(codes, code))
            listed = where < len(codes) and codes[where] == code
            if code in mine and not listed:
                continue  # a pinned phrase only: tracked, never a discovered candidate
            bg_count = int(b[where]) if listed else 0
            a = len(members)
            if a >= floor and keyness(a, bg_count, n_fg, n_bg, params, extra):
                found.append(_candidate(key, a, bg_count, n_fg, n_bg, extra))
        del codes_at  # before the next length's windows are made, not after
    for key in pinned:
        out.setdefault(key, set())
    return Index(found, out, kind)


def _pinned_codes(
    pinned: list[Key], lexicon: Lexicon, dense: np.ndarray, width: int
) -> dict[tuple[int, int], Key]:
    position = {int(stem_no): i for i, stem_no in enumerate(dense)}
    out = {}
    for key in pinned:
        ids = [position.get(lexicon.vocab.get(part, -1), -1) for part in key]
        if key and -1 not in ids and len(set(ids)) == len(ids):
            code = 0
            for i in sorted(ids):
                code = code * width + i
            out[len(key), code] = key
    return out


def _dense(tok: np.ndarray, dense: np.ndarray, size: int) -> np.ndarray:
    remap = np.full(max(size, 1), -1, np.int32)
    remap[dense] = np.arange(len(dense), dtype=np.int32)
    return np.where(tok >= 0, remap[np.maximum(tok, 0)], -1).astype(np.int32)


def _document_counts(
    codes_at: tuple[np.ndarray, np.ndarray], doc: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct phrase codes and the number of texts holding each (not occurrences:
    a post that says "ads" five times is one post about ads)."""
    codes, at = codes_at
    docs = doc[at]
    order = np.lexsort((docs, codes))
    codes, docs = codes[order], docs[order]
    first = np.ones(len(codes), bool)
    first[1:] = (codes[1:] != codes[:-1]) | (docs[1:] != docs[:-1])
    return np.unique(codes[first], return_counts=True)


def _lookup(codes: np.ndarray, seen: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if not len(seen):
        return np.zeros(len(codes), np.int64)
    where = np.minimum(np.searchsorted(seen, codes), len(seen) - 1)
    return np.where(seen[where] == codes, counts[where], 0)


def _documents(
    codes_at: tuple[np.ndarray, np.ndarray],
    doc: np.ndarray,
    wanted: np.ndarray,
    n: int,
    width: int,
) -> dict[int, np.ndarray]:
    """The distinct texts containing each wanted phrase (``wanted`` sorted, unique),
    from the phrase codes of every window and where each starts."""
    codes, at = codes_at
    if not len(wanted) or not len(codes):
        return {}
    # A cheap first cut: the first and last word of the window must start and end a
    # wanted phrase (tables over the words); then the exact test on the few left.
    first_words, last_words = wanted // (width ** (n - 1)), wanted % width
    starts, ends = np.zeros(width, bool), np.zeros(width, bool)
    starts[first_words], ends[last_words] = True, True
    mask = np.empty(len(codes), bool)
    for low in range(0, len(codes), CHUNK):  # in chunks: the temporaries are int64
        part = codes[low : low + CHUNK]
        maybe = np.flatnonzero(starts[part // (width ** (n - 1))] & ends[part % width])
        where = np.minimum(np.searchsorted(wanted, part[maybe]), len(wanted) - 1)
        cut = np.zeros(len(part), bool)
        cut[maybe] = wanted[where] == part[maybe]
        mask[low : low + CHUNK] = cut
    codes, docs = codes[mask], doc[at[mask]]
    order = np.lexsort((docs, codes))
    codes, docs = codes[order], docs[order]
    fresh = np.ones(len(codes), bool)
    fresh[1:] = (codes[1:] != codes[:-1]) | (docs[1:] != docs[:-1])
    codes, docs = codes[fresh], docs[fresh]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0)
    bounds = [*starts, len(codes)]
    return {int(codes[s]): docs[s:e] for s, e in zip(bounds[:-1], bounds[1:], strict=True)}


def _candidate(key: Key, a: int, b: int, n_fg: int, n_bg: int, extra: int) -> Candidate:
    ratio = (a / n_fg) / ((b + 0.5) / n_bg)
    return Candidate(key, a, b, log_likelihood(a, b, n_fg, n_bg + extra), ratio)
