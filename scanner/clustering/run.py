"""``scan cluster``: group each company's grievances into near-duplicate clusters
in the database, night after night, with ids that never change.

The engine (``scanner.grouping``) decides; this module reads its input from
the store and writes its decisions back. An incremental run reads only the
stored band keys of old grievances, plus the texts of the few old ones that
tonight's grievances are compared with and of the clusters they may join. It
rebuilds a company from scratch instead when asked, when the rules changed
(their fingerprint differs) or when a grouped grievance was edited or
withdrawn, so that the stored clusters always equal what a rebuild gives.

Every company is written in one transaction: a run killed half way leaves the
previous night's clusters intact.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field

import numpy as np

from scanner.clustering.append import write_incremental
from scanner.clustering.progress import Progress
from scanner.clustering.settings import fingerprint, load_params
from scanner.clustering.store import CompanyIndex, GroupedMeanwhile, GroupingStore, StoredTexts
from scanner.clustering.write import Outcome, write_rebuild
from scanner.grouping import Grouper, Params, prepare
from scanner.grouping.blocking import candidate_pairs
from scanner.grouping.vague import drop_vague
from scanner.grouping.verify import score_pairs
from scanner.issues.lexicon import Lexicon
from scanner.issues.wordlists import vague_fingerprint
from scanner.store import Store

logger = logging.getLogger(__name__)
#: Groupings of one company tried in a run when other runs keep grouping it meanwhile.
_TRIES = 3


@dataclass
class ClusterRunResult:
    new_grievances: int = 0
    clusters_created: int = 0
    clusters_grown: int = 0
    merges: int = 0
    total_clusters: int = 0
    pairs: int = 0  # candidate pairs scored: the cost of grouping, for benchmarks and logs
    seconds: float = 0.0
    rebuilt: list[str] = field(default_factory=list)  # companies grouped from scratch
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage
    run_id: int | None = None

    def add(self, outcome: Outcome, new_grievances: int) -> None:
        self.new_grievances += new_grievances
        self.clusters_created += outcome.clusters_created
        self.clusters_grown += outcome.clusters_grown
        self.merges += outcome.merges
        self.pairs += outcome.pairs


def run(
    store: Store, *, company: str | None = None, rebuild: bool = False, progress: bool = False
) -> ClusterRunResult:
    """Cluster the grievances of ``company`` (or of every company) and record a run."""
    started = time.perf_counter()
    params = load_params()
    run_id = store.start_run("cluster")
    result = ClusterRunResult(run_id=run_id)
    gs = GroupingStore(store)
    try:
        with Progress(enabled=progress) as bar:
            for name in [company] if company else gs.companies():
                _grouped(gs, name, params, rebuild, result, bar)
        result.stages = {k: round(v, 3) for k, v in bar.timings.items()}
        result.total_clusters = gs.live_clusters(company)
        result.seconds = time.perf_counter() - started
        store.finish_run(
            run_id,
            status="ok",
            items=result.new_grievances,
            new=result.clusters_created,
            stats={k: v for k, v in result.__dict__.items() if k != "run_id"},
        )
    except BaseException as exc:
        store.finish_run(run_id, status="failed", errors=[f"{type(exc).__name__}: {exc}"])
        raise
    return result


def _fingerprint(params: Params) -> str:
    """The rules' fingerprint: the grouping values and the word lists that decide
    which posts name nothing (``scanner.grouping.vague``)."""
    text = fingerprint(params) + vague_fingerprint()
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _grouped(
    gs: GroupingStore,
    company: str,
    params: Params,
    rebuild: bool,
    result: ClusterRunResult,
    bar: Progress,
) -> None:
    """Group ``company``; again from what is stored when another run grouped it
    meanwhile (``GroupingStore.claim``): its work is kept, this run adds the rest."""
    for _ in range(_TRIES - 1):
        try:
            _company(gs, company, params, rebuild, result, bar)
            return
        except GroupedMeanwhile:
            logger.warning(
                "%s: another scan cluster wrote clusters meanwhile; grouping again", company
            )
    _company(gs, company, params, rebuild, result, bar)


def _company(
    gs: GroupingStore,
    company: str,
    params: Params,
    rebuild: bool,
    result: ClusterRunResult,
    bar: Progress,
) -> None:
    bar.stage("index", f"{company}: reading the grouping index")
    gs.remember(company)
    index = gs.load_index(company, params.sketch_columns)
    # Checked in SQL, so that a quiet night never builds a million-entry dict.
    stale = index.unusable or gs.changed_since_grouped(company) > 0
    stale = stale or (len(index.ids) > 0 and gs.fingerprint(company) != _fingerprint(params))
    run_id = result.run_id or 0
    if rebuild or stale or not index.ids:
        # id -> content hash, in arrival (rowid) order; id -> rowid
        grievances, rowids = gs.grievances(company)
        if not grievances and not index.ids:
            return
        new_ids = [m for m in grievances if m not in index.pos]
        outcome = _rebuild(gs, company, params, index, grievances, rowids, run_id, bar)
        if index.ids:
            result.rebuilt.append(company)
    else:
        fresh = gs.ungrouped(company)  # id -> content hash, in arrival order
        new_ids = list(fresh)
        if not new_ids:
            return
        outcome = _incremental(gs, company, params, index, new_ids, fresh, run_id, bar)
    result.add(outcome, len(new_ids))


def _rebuild(
    gs: GroupingStore,
    company: str,
    params: Params,
    index: CompanyIndex,
    grievances: dict[str, str],
    rowids: dict[str, int],
    run_id: int,
    bar: Progress,
) -> Outcome:
    # Arrival order survives a rebuild: grouped grievances keep their order, new ones follow.
    known = [m for m in index.ids if m in grievances]
    ids = known + [m for m in grievances if m not in index.pos]
    bar.stage("normalise", f"{company}: reading and normalising {len(ids):,} grievances")
    rows = np.fromiter((rowids[m] for m in ids), dtype=np.int64, count=len(ids))
    del rowids
    with StoredTexts(gs.store.path, rows) as texts:
        keys, sketch = prepare(texts, params)
    bar.stage("pairs", f"{company}: finding candidate pairs")
    pairs = candidate_pairs(sketch, params)
    bar.stage("score", f"{company}: scoring {len(pairs):,} pairs")
    scored = keys.select(pairs.ravel())
    pairs = drop_vague(pairs, scored, Lexicon(names=[company]).names_nothing)
    scores = score_pairs(scored, pairs, scorer=params.scorer, cutoff=params.cutoff)
    bar.stage("cluster", f"{company}: clustering")
    grouper = Grouper(scored, np.arange(len(ids)), params)
    grouper.run(pairs, scores, 0)
    labels = grouper.final_labels()
    n_pairs = len(pairs)
    del keys, scored, pairs, scores
    grouper.keys = []  # writing needs the clusters, not the texts
    bar.stage("write", f"{company}: writing")
    outcome = write_rebuild(
        gs, company, ids, grievances, sketch, labels, grouper, run_id, _fingerprint(params)
    )
    outcome.pairs = n_pairs
    return outcome


def _incremental(
    gs: GroupingStore,
    company: str,
    params: Params,
    index: CompanyIndex,
    new_ids: list[str],
    grievances: dict[str, str],
    run_id: int,
    bar: Progress,
) -> Outcome:
    n_old = len(index.ids)
    bar.stage("normalise", f"{company}: normalising {len(new_ids):,} new grievances")
    new_texts = gs.texts(new_ids)
    new_keys, new_sketch = prepare([new_texts[m] for m in new_ids], params)
    del new_texts
    bar.stage("pairs", f"{company}: finding candidate pairs")
    pairs = candidate_pairs(np.vstack((index.sketch, new_sketch)), params, first_new=n_old)
    # The old grievances that matter tonight: every candidate, and the core of
    # each cluster a candidate belongs to (to know its representative).
    candidates = np.unique(pairs[:, 0][pairs[:, 0] < n_old])
    cluster_of = gs.clusters_of([index.ids[i] for i in candidates.tolist()])
    cores, sizes = gs.cores(sorted(set(cluster_of.values())), params.core_size)
    old_local = sorted(
        {int(i) for i in candidates} | {index.pos[m] for core in cores.values() for m in core}
    )
    local_of = np.full(n_old, -1, dtype=np.int64)
    local_of[old_local] = np.arange(len(old_local))
    m_old = len(old_local)
    old_ids = [index.ids[i] for i in old_local]
    bar.stage("score", f"{company}: scoring")
    old_texts = gs.texts(old_ids)
    old_keys, _ = prepare([old_texts[m] for m in old_ids], params, workers=1)
    local_pairs = np.where(
        pairs < n_old, local_of[np.minimum(pairs, n_old - 1)], pairs - n_old + m_old
    )
    # Old texts are all candidates or core members: every one of them is scored.
    needed = np.concatenate((np.arange(m_old), local_pairs.ravel()))
    keys = (old_keys + new_keys).select(needed)
    local_pairs = drop_vague(local_pairs, keys, Lexicon(names=[company]).names_nothing)
    scores = score_pairs(keys, local_pairs, scorer=params.scorer, cutoff=params.cutoff)
    seqs = np.concatenate((index.seq[old_local], index.next_seq + np.arange(len(new_ids))))
    bar.stage("cluster", f"{company}: clustering")
    grouper = Grouper(keys, seqs, params)
    for cid, core in cores.items():
        grouper.load_cluster(cid, [int(local_of[index.pos[m]]) for m in core], sizes[cid])
    for mention, cid in cluster_of.items():
        grouper.label[local_of[index.pos[mention]]] = cid
    grouper.run(local_pairs, scores, m_old)
    bar.stage("write", f"{company}: writing")
    outcome = write_incremental(
        gs,
        company,
        old_ids,
        new_ids,
        grievances,
        new_sketch,
        grouper,
        index.next_seq,
        run_id,
        _fingerprint(params),
    )
    outcome.pairs = len(pairs)
    return outcome
