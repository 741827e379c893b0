"""Benchmark of near-duplicate grouping: quality, time and memory, beside baselines.

    python bench/cluster.py --sizes 10000,100000,1000000

For each size N it generates a labelled corpus (bench/corpus.py, deterministic)
and runs, each in its own process so that peak memory is its own:

- ``scan cluster``: ``scanner.clustering.run`` end to end on a real SQLite file
  (reading grievances and writing clusters included; loading the mentions is not timed);
- ``incremental``: then 10k new grievances added to those N, end to end;
- ``engine``: the in-memory engine alone (``scanner.grouping.group``);
- ``minhashlsh``: datasketch MinHashLSH (128 permutations, threshold 0.5, same
  word shingles and keys) with every candidate verified by the same scorer and
  threshold, clustered as connected components;
- ``all-pairs`` (N <= 10k): rapidfuzz ``cdist`` over all pairs, same scorer and
  threshold, connected components.

Reports B-cubed precision / recall / F1, wall seconds and peak RSS (MB).
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bcubed import bcubed  # noqa: E402
from corpus import generate  # noqa: E402

INCREMENT = 10_000


def _peak_mb() -> float:
    """The larger of this process's peak RSS and the peak summed PSS of this
    process and its children (the forked normalising workers): PSS counts a
    page shared by several processes once in all, so the sum is the memory
    the run really needs."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return max(own, _tree_peak[0])


_tree_peak = [0.0]


def _sample_tree() -> None:
    import psutil

    me = psutil.Process()
    while True:
        try:
            processes = [me, *me.children(recursive=True)]
            total = sum(p.memory_full_info().pss for p in processes)
        except psutil.Error:
            total = 0
        _tree_peak[0] = max(_tree_peak[0], total / 2**20)
        time.sleep(0.2)


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _load(work: Path, size: int) -> tuple[list[str], list[int]]:
    with (work / f"corpus_{size}.pkl").open("rb") as f:
        return pickle.load(f)  # noqa: S301 - our own file


# -- workers: each runs in a fresh process ------------------------------------------
def worker_setup(work: Path, size: int) -> dict:
    corpus = generate(size + INCREMENT)
    with (work / f"corpus_{size}.pkl").open("wb") as f:
        pickle.dump((corpus.texts, corpus.labels), f)
    from scanner.store import Store

    with Store(work / f"scan_{size}.db") as store:
        rows = [
            {"id": f"b{i}", "company": "Acme", "source": "bench", "external_id": str(i),
             "origin": "import", "text": t, "is_grievance": 1}
            for i, t in enumerate(corpus.texts[:size])
        ]  # fmt: skip
        for start in range(0, len(rows), 20_000):
            store.upsert_mentions(rows[start : start + 20_000])
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(work / f"scan_{size}.db", work / f"pristine_{size}.db")
    return {}


def _db_labels(db: Path, n: int) -> list[int]:
    from scanner.store import Store

    with Store(db) as store:
        members = dict(store.db.execute("SELECT mention_id, cluster_id FROM cluster_members"))
    return [members[f"b{i}"] for i in range(n)]


def worker_scan(work: Path, size: int) -> dict:
    from scanner.clustering import run
    from scanner.store import Store

    db = work / f"scan_{size}.db"
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    shutil.copy(work / f"pristine_{size}.db", db)  # mentions only, never clustered
    start = time.perf_counter()
    with Store(db) as store:
        result = run(store)
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    _, labels = _load(work, size)
    return {"seconds": seconds, "peak_mb": peak, "clusters": result.total_clusters,
            "stages": result.stages,
            "bcubed": bcubed(labels[:size], _db_labels(db, size))}  # fmt: skip


def worker_incremental(work: Path, size: int) -> dict:
    from scanner.clustering import run
    from scanner.store import Store

    texts, labels = _load(work, size)
    db = work / f"scan_{size}.db"
    rows = [
        {"id": f"b{i}", "company": "Acme", "source": "bench", "external_id": str(i),
         "origin": "import", "text": texts[i], "is_grievance": 1}
        for i in range(size, size + INCREMENT)
    ]  # fmt: skip
    del texts
    with Store(db) as store:
        store.upsert_mentions(rows)
    start = time.perf_counter()
    with Store(db) as store:
        result = run(store)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "rebuilt": result.rebuilt,
            "stages": result.stages,
            "bcubed": bcubed(labels, _db_labels(db, size + INCREMENT))}  # fmt: skip


def worker_engine(work: Path, size: int) -> dict:
    from scanner.grouping import group

    texts, labels = _load(work, size)
    start = time.perf_counter()
    found = group(texts[:size])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "bcubed": bcubed(labels[:size], found)}


def worker_allpairs(work: Path, size: int) -> dict:
    from rapidfuzz import process

    from scanner.grouping import sorted_key
    from scanner.grouping.settings import load_params
    from scanner.grouping.verify import SCORERS

    params = load_params()
    texts, labels = _load(work, size)
    start = time.perf_counter()
    keys = [sorted_key(t) for t in texts[:size]]
    matrix = process.cdist(keys, keys, scorer=SCORERS[params.scorer], dtype=np.uint8,
                           score_cutoff=params.threshold, workers=-1)  # fmt: skip
    left, right = np.nonzero(matrix >= params.threshold)
    found = _components(size, left, right)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "bcubed": bcubed(labels[:size], found)}


def worker_minhashlsh(work: Path, size: int) -> dict:
    from datasketch import MinHash, MinHashLSH

    from scanner.grouping import normalise
    from scanner.grouping.settings import load_params
    from scanner.grouping.verify import score_pairs

    params = load_params()
    texts, labels = _load(work, size)
    start = time.perf_counter()
    keys = [normalise(t) for t in texts[:size]]
    sorted_keys = [" ".join(sorted(k.split())) for k in keys]
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    pairs = []
    n = params.shingle
    for i, key in enumerate(keys):
        words = key.split()
        grams = {" ".join(words[k : k + n]).encode() for k in range(max(1, len(words) - n + 1))}
        m = MinHash(num_perm=128)
        m.update_batch(list(grams))
        pairs.extend((j, i) for j in lsh.query(m))
        lsh.insert(i, m)
    pairs_a = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    scores = score_pairs(sorted_keys, pairs_a, scorer=params.scorer)
    ok = scores >= params.threshold
    found = _components(size, pairs_a[ok, 0], pairs_a[ok, 1])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_mb(), "candidates": len(pairs_a),
            "bcubed": bcubed(labels[:size], found)}  # fmt: skip


WORKERS = {
    "setup": worker_setup, "scan cluster": worker_scan, "incremental": worker_incremental,
    "engine": worker_engine, "all-pairs": worker_allpairs, "minhashlsh": worker_minhashlsh,
}  # fmt: skip


def _spawn(method: str, work: Path, size: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", method, "--work", str(work), "--size", str(size)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--methods", default="scan cluster,incremental,engine,minhashlsh,all-pairs")
    parser.add_argument("--allpairs-max", type=int, default=10_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--worker")
    parser.add_argument("--size", type=int)
    args = parser.parse_args()
    if args.worker:
        threading.Thread(target=_sample_tree, daemon=True).start()
        print(json.dumps(WORKERS[args.worker](args.work, args.size)))
        return
    methods = [m.strip() for m in args.methods.split(",")]
    print(f"{'N':>9}  {'method':<13} {'P':>7} {'R':>7} {'F1':>7} {'seconds':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="scanbench-") as tmp:
        root = args.work or Path(tmp)  # --work keeps corpora and databases for re-runs
        for size in (int(s) for s in args.sizes.split(",")):
            work = root / f"n{size}"
            work.mkdir(parents=True, exist_ok=True)
            if not (work / f"pristine_{size}.db").exists():
                _spawn("setup", work, size)
            for method in methods:
                if method == "all-pairs" and size > args.allpairs_max:
                    continue
                _report(size, method, _spawn(method, work, size))


def _report(size: int, method: str, r: dict) -> None:
    if "error" in r:
        print(f"{size:>9}  {method:<13} error: {r['error']}", flush=True)
        return
    p, rc, f1 = r["bcubed"]
    print(f"{size:>9}  {method:<13} {p:7.5f} {rc:7.5f} {f1:7.5f} "
          f"{r['seconds']:8.1f} {r['peak_mb']:8.0f}", flush=True)  # fmt: skip
    if r.get("stages"):
        print(" " * 11 + "stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in r["stages"].items()))


if __name__ == "__main__":
    main()
