"""Sequential, order-based clustering of verified candidate pairs.

Texts are taken in arrival order. Each one either joins the best existing
cluster it qualifies for or founds a new one; its decision depends only on the
texts before it. That is what makes the result incremental: tonight's run
starts from last night's clusters and takes tonight's texts in the same order
a rebuild would, so the two agree, and a cluster's id (given when it was
founded) never changes.

A text whose candidates in a cluster all miss the threshold but one of them
comes within the cutoff (a near miss) is also compared with the cluster's
core. Blocking compares a text with only a few members of a crowded bucket,
and in a grievance restated hundreds of times the one member a text is close
enough to may not be among them; the core is a fixed, small set (so the cost
is bounded) that a rebuild and an incremental run both know.

Chaining guard: a text qualifies for a cluster only if it is close to the
cluster itself: to its representative (``representative_threshold``), or to
at least ``min_support`` members *and* to a ``support_fraction`` of the
cluster's members it was compared with. One member that happens to bridge two
different grievances is not enough.

The representative is the medoid of the cluster's *core*, its first
``core_size`` members: the one with the highest total score against the other
core members (the earliest on a tie). Scores are kept as integers (hundredths)
so that totals are exact and a tie is decided the same way however the total
was reached. Capping the core keeps a systemic cluster of thousands cheap and
its representative stable. Two clusters merge when a text qualifies for both
and their representatives score ``merge_threshold`` or more: the younger
(later founder) is merged into the older, whose id survives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process

from scanner.grouping.minhash import MAX_PERMUTATIONS
from scanner.grouping.verify import SCORERS
from scanner.schema import setting


@dataclass(frozen=True)
class Params:
    """The engine's parameters, each read from a key of ``rules/grouping.toml``.

    The ``setting()`` metadata says which key and range (``scanner.schema``,
    called by ``scanner.clustering.settings``); the engine itself reads no file.
    """

    scorer: str = setting("token_sort_ratio", key="verify.scorer", choices=sorted(SCORERS))
    threshold: float = setting(85.0, key="verify.threshold", low=0, high=100)
    representative_threshold: float = setting(
        80.0, key="cluster.representative_threshold", low=0, high=100
    )
    min_support: int = setting(2, key="cluster.min_support", low=1, high=1000)
    support_fraction: float = setting(0.5, key="cluster.support_fraction", low=0, high=1)
    merge_threshold: float = setting(80.0, key="cluster.merge_threshold", low=0, high=100)
    core_size: int = setting(32, key="cluster.core_size", low=1, high=1000)
    permutations: int = setting(64, key="blocking.permutations", low=1, high=MAX_PERMUTATIONS)
    shingle: int = setting(1, key="blocking.shingle", low=1, high=5)
    bands: int = setting(16, key="blocking.bands", low=1, high=MAX_PERMUTATIONS)
    rows: int = setting(3, key="blocking.rows", low=1, high=64)
    max_rows: int = setting(8, key="blocking.max_rows", low=1, high=64)
    bucket_cap: int = setting(8, key="blocking.bucket_cap", low=1, high=100_000)
    crowded_cap: int = setting(2, key="blocking.crowded_cap", low=1, high=100_000)
    min_jaccard: float = setting(0.55, key="blocking.min_jaccard", low=0, high=1)
    short_words: int = setting(30, key="blocking.short_words", low=0, high=10_000)
    short_bands: int = setting(16, key="blocking.short_bands", low=1, high=MAX_PERMUTATIONS)
    short_rows: int = setting(2, key="blocking.short_rows", low=1, high=64)

    def schema_problems(self) -> list[tuple[tuple[str, ...], str]]:
        """Bands must fit in the signature; each problem names the values that clash."""
        problems: list[tuple[tuple[str, ...], str]] = []
        if self.permutations % self.bands:
            problems.append(
                (
                    ("blocking", "bands"),
                    f"({self.bands}) must divide permutations "
                    f"({self.permutations}) evenly: permutations must be a multiple of bands",
                )
            )
        if not self.rows <= self.max_rows <= self.permutations:
            problems.append(
                (
                    ("blocking", "max_rows"),
                    f"does not fit: rows ({self.rows}) <= "
                    f"max_rows ({self.max_rows}) <= permutations ({self.permutations}) "
                    "must hold",
                )
            )
        if self.short_bands * self.short_rows > self.permutations:
            problems.append(
                (
                    ("blocking", "short_bands"),
                    f"({self.short_bands}) x short_rows "
                    f"({self.short_rows}) must not exceed permutations "
                    f"({self.permutations})",
                )
            )
        if self.crowded_cap > self.bucket_cap:
            problems.append(
                (
                    ("blocking", "crowded_cap"),
                    f"({self.crowded_cap}) must not exceed bucket_cap ({self.bucket_cap})",
                )
            )
        return problems

    @property
    def sketch_columns(self) -> int:
        """Values stored per text: the MinHash signature, then the word count."""
        return self.permutations + 1

    @property
    def cutoff(self) -> float:
        """Candidate scores under this decide nothing, so they need not be exact."""
        return min(self.threshold, self.representative_threshold)


@dataclass
class Cluster:
    cid: int  # a stored id, or -(local index of the founder + 1) for a new one
    founder: int  # arrival seq of the first member: the older cluster survives a merge
    core: list[int]  # local indices of the first core_size members, in arrival order
    sums: list[int] = field(default_factory=list)
    rep: int = -1
    size: int = 1
    merged_into: int | None = None


def _hundredths(value: float) -> int:
    return round(value * 100)


class Grouper:
    """Clustering state over a local index space (0..n-1 in arrival order)."""

    def __init__(self, keys: Sequence[str], seqs: np.ndarray, params: Params) -> None:
        self.keys, self.seqs, self.params = keys, seqs, params
        self._score = SCORERS[params.scorer]
        self.label = np.zeros(len(keys), dtype=np.int64)  # 0: not assigned yet
        self.clusters: dict[int, Cluster] = {}
        self.merges: list[tuple[int, int]] = []
        self.touched: set[int] = set()

    # -- state ----------------------------------------------------------------------
    def load_cluster(self, cid: int, core: list[int], size: int) -> None:
        """An existing cluster: ``core`` its first members (local indices, arrival order)."""
        cluster = Cluster(cid, int(self.seqs[core[0]]), list(core), size=size)
        self._recompute(cluster)
        self.clusters[cid] = cluster
        self.label[core] = cid

    def resolve(self, cid: int) -> int:
        while (c := self.clusters.get(cid)) is not None and c.merged_into is not None:
            cid = c.merged_into
        return cid

    def cluster(self, cid: int) -> Cluster:
        found = self.clusters.get(cid)
        if found is None:  # a singleton founded without neighbours, made on demand
            idx = -cid - 1
            found = Cluster(cid, int(self.seqs[idx]), [idx], [0], idx, 1)
            self.clusters[cid] = found
        return found

    def _pair(self, a: int, b: int) -> int:
        return _hundredths(self._score(self.keys[a], self.keys[b]))

    def _pairs(self, a: int, others: list[int]) -> list[int]:
        """``_pair(a, b)`` for each of ``others``, in one call to rapidfuzz."""
        if len(others) < 2:
            return [self._pair(a, b) for b in others]
        found = process.cdist(
            [self.keys[a]],
            [self.keys[b] for b in others],
            scorer=self._score,
            dtype=np.float64,
            workers=1,
        )[0]
        return np.rint(found * 100).astype(np.int64).tolist()  # what _hundredths does

    def _recompute(self, c: Cluster) -> None:
        c.sums = [0] * len(c.core)
        for x in range(len(c.core) - 1):
            for y, s in enumerate(self._pairs(c.core[x], c.core[x + 1 :]), start=x + 1):
                c.sums[x] += s
                c.sums[y] += s
        c.rep = c.core[c.sums.index(max(c.sums))]

    # -- assignment -----------------------------------------------------------------
    def run(self, pairs: np.ndarray, scores: np.ndarray, first_new: int) -> None:
        """Place items ``first_new..n-1`` given scored candidate pairs ``(i, j)``, ``i < j``."""
        n = len(self.keys)
        new = np.arange(first_new, n)
        self.label[new] = -(new + 1)  # founders unless they join below
        p = self.params
        hundredths = np.rint(scores * 100).astype(np.int64)
        order = np.lexsort((pairs[:, 0], pairs[:, 1]))
        left, right, hundredths = pairs[order, 0], pairs[order, 1], hundredths[order]
        bounds = np.searchsorted(right, np.arange(n + 1))
        near = np.zeros(n + 1, dtype=bool)
        near[right[hundredths >= _hundredths(p.cutoff)]] = True
        placing = np.flatnonzero(near[:n])
        # A Python list of labels: a million numpy scalar reads cost more.
        self._labels = self.label.tolist()
        lo, hi = bounds[placing].tolist(), bounds[placing + 1].tolist()
        for j, a, b in zip(placing.tolist(), lo, hi, strict=True):
            self._place(j, left[a:b].tolist(), hundredths[a:b].tolist())
        del self._labels

    def _place(self, j: int, others: list[int], scores: list[int]) -> None:
        p = self.params
        edge, cutoff = _hundredths(p.threshold), _hundredths(p.cutoff)
        clusters, labels = self.clusters, self._labels
        known = dict(zip(others, scores, strict=True))
        compared: dict[int, list[int]] = {}
        for i, s in known.items():
            cid = labels[i]
            c = clusters.get(cid)
            if c is not None and c.merged_into is not None:
                cid = self.resolve(cid)
            got = compared.get(cid)
            if got is None:
                compared[cid] = [s]
            else:
                got.append(s)
        qualifying: list[tuple[int, int, Cluster]] = []
        for cid, got in compared.items():
            support = len([s for s in got if s >= edge])
            if not support and max(got) >= cutoff:  # a near miss: the core decides
                missing = [m for m in self.cluster(cid).core if m not in known]
                for m, s in zip(missing, self._pairs(j, missing), strict=True):
                    known[m] = s
                    got.append(s)
                support = len([s for s in got if s >= edge])
            if not support:
                continue
            c = self.cluster(cid)
            to_rep = known.get(c.rep)
            if to_rep is None:
                to_rep = self._pair(j, c.rep)
            close = to_rep >= _hundredths(p.representative_threshold) or (
                support >= p.min_support and support >= p.support_fraction * len(got)
            )
            if close:
                qualifying.append((to_rep, -c.founder, c))
        if not qualifying:
            return
        qualifying.sort(key=lambda q: (q[0], q[1]), reverse=True)
        best = qualifying[0][2]
        self.label[j] = labels[j] = best.cid
        best.size += 1
        self.touched.add(best.cid)
        if len(best.core) < p.core_size:
            # Exact scores only: a later run recomputes these totals from
            # scratch and must agree, and candidate scores under the cutoff
            # were not computed (they read 0).
            add = [known.get(m, 0) for m in best.core]
            low = [m for s, m in zip(add, best.core, strict=True) if s < cutoff]
            exact = dict(zip(low, self._pairs(j, low), strict=True))
            add = [s if s >= cutoff else exact[m] for s, m in zip(add, best.core, strict=True)]
            for x, s in enumerate(add):
                best.sums[x] += s
            best.core.append(j)
            best.sums.append(sum(add))
            best.rep = best.core[best.sums.index(max(best.sums))]
        for _, _, other in qualifying[1:]:
            best = self._maybe_merge(self.cluster(self.resolve(best.cid)), other)

    def _maybe_merge(self, a: Cluster, b: Cluster) -> Cluster:
        if a is b or b.merged_into is not None:
            return a
        if self._pair(a.rep, b.rep) < _hundredths(self.params.merge_threshold):
            return a
        old, young = (a, b) if a.founder < b.founder else (b, a)
        young.merged_into = old.cid
        old.size += young.size
        core = sorted(set(old.core) | set(young.core), key=lambda i: self.seqs[i])
        old.core = core[: self.params.core_size]
        self._recompute(old)
        self.merges.append((young.cid, old.cid))
        self.touched.add(old.cid)
        return old

    def final_labels(self) -> np.ndarray:
        """Each item's cluster id after all merges."""
        ids, inverse = np.unique(self.label, return_inverse=True)
        return np.array([self.resolve(int(c)) for c in ids], dtype=np.int64)[inverse]
