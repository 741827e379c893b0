"""Benchmark of near-duplicate grouping: quality, time and memory, beside baselines.

    python bench/cluster.py --sizes 10000,100000,1000000 --corpora current,stock --repeat 3

For each corpus and size N it generates a labelled corpus (deterministic) and
runs, each in its own process so that peak memory is its own:

- ``scan cluster``: ``scanner.clustering.run.run`` end to end on a real SQLite file
  (reading grievances and writing clusters included; loading the mentions is not timed);
- ``incremental``: then 10k new grievances added to those N, end to end (it
  starts from the database the last ``scan cluster`` run left);
- ``engine``: the in-memory engine alone (``scanner.grouping.group``);
- ``minhashlsh``: datasketch MinHashLSH (128 permutations, threshold 0.5, word
  3-shingles of the same keys) with every candidate verified by the same scorer
  and threshold, clustered as connected components;
- ``all-pairs`` (N <= 10k): rapidfuzz ``cdist`` over all pairs, same scorer and
  threshold, connected components.

The corpora: ``current`` (bench/corpus.py: Zipf words, 10% Indic scripts, hard
negatives) and ``stock`` (bench/corpus_stock.py: texts made of stock sentences
shared by unrelated complaints, the shape of issue #14).

Reports B-cubed precision / recall / F1, the B-cubed recall of the Indic-script
texts and of the short texts (under 20 words) alone, wall seconds and CPU
seconds (user and system, children included; medians of ``--repeat`` runs),
peak memory (MB, the largest run) and candidate pairs scored per text. Prints
the machine and its load average first: other work on the machine slows the
wall seconds, far less the CPU seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import corpus  # noqa: E402
import corpus_stock  # noqa: E402
from bcubed import bcubed, recall_of  # noqa: E402

INCREMENT = 10_000
CORPORA = {"current": corpus.generate, "stock": corpus_stock.generate}
INDIC = {"hi", "ne", "ta", "te"}
SHORT_WORDS = 20


def _peak_mb() -> float:
    """The larger of this process's peak RSS and the peak summed PSS of this
    process and its children (the forked normalising workers): PSS counts a
    page shared by several processes once in all, so the sum is the memory
    the run really needs."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return max(own, _tree_peak[0])


_tree_peak = [0.0]


def _cpu() -> float:
    """CPU seconds (user and system) of this process and its finished children:
    what the run costs whatever else the machine is doing."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
        texts, labels, _ = pickle.load(f)  # noqa: S301 - our own file
    return texts, labels


def _quality(work: Path, size: int, found: list[int] | np.ndarray) -> dict:
    """B-cubed of the first len(found) texts, and the recall of two hard subsets."""
    with (work / f"corpus_{size}.pkl").open("rb") as f:
        texts, labels, languages = pickle.load(f)  # noqa: S301 - our own file
    n = len(found)
    indic = np.array([lang in INDIC for lang in languages[:n]])
    short = np.array([len(t.split()) < SHORT_WORDS for t in texts[:n]])
    return {
        "bcubed": bcubed(labels[:n], found),
        "indic_recall": recall_of(labels[:n], found, indic),
        "short_recall": recall_of(labels[:n], found, short),
    }


# -- workers: each runs in a fresh process ------------------------------------------
def worker_setup(work: Path, size: int, corpus_name: str) -> dict:
    made = CORPORA[corpus_name](size + INCREMENT)
    with (work / f"corpus_{size}.pkl").open("wb") as f:
        pickle.dump((made.texts, made.labels, made.languages), f)
    from scanner.store import Store

    with Store(work / f"scan_{size}.db") as store:
        rows = [
            {
                "id": f"b{i}",
                "company": "Acme",
                "source": "bench",
                "external_id": str(i),
                "origin": "import",
                "text": t,
                "is_grievance": 1,
            }
            for i, t in enumerate(made.texts[:size])
        ]
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
    from scanner.clustering.run import run
    from scanner.store import Store

    db = work / f"scan_{size}.db"
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    shutil.copy(work / f"pristine_{size}.db", db)  # mentions only, never clustered
    start, cpu = time.perf_counter(), _cpu()
    with Store(db) as store:
        result = run(store)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    peak = _peak_mb()
    with Store(db) as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(db, work / f"clustered_{size}.db")  # where ``incremental`` starts
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak,
        "clusters": result.total_clusters,
        "stages": result.stages,
        "pairs": getattr(result, "pairs", None),
        **_quality(work, size, _db_labels(db, size)),
    }


def worker_incremental(work: Path, size: int) -> dict:
    """10k new grievances into the database ``scan cluster`` left (run it first)."""
    from scanner.clustering.run import run
    from scanner.store import Store

    texts, _ = _load(work, size)
    db = work / f"incremental_{size}.db"
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    shutil.copy(work / f"clustered_{size}.db", db)  # as the last ``scan cluster`` left it
    rows = [
        {
            "id": f"b{i}",
            "company": "Acme",
            "source": "bench",
            "external_id": str(i),
            "origin": "import",
            "text": texts[i],
            "is_grievance": 1,
        }
        for i in range(size, size + INCREMENT)
    ]
    del texts
    with Store(db) as store:
        store.upsert_mentions(rows)
    start, cpu = time.perf_counter(), _cpu()
    with Store(db) as store:
        result = run(store)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    peak = _peak_mb()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak,
        "rebuilt": result.rebuilt,
        "stages": result.stages,
        "pairs": getattr(result, "pairs", None),
        **_quality(work, size, _db_labels(db, size + INCREMENT)),
    }


def worker_engine(work: Path, size: int) -> dict:
    from scanner.grouping import group

    texts, _ = _load(work, size)
    start, cpu = time.perf_counter(), _cpu()
    found = group(texts[:size])
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return {"seconds": seconds, "cpu": cpu, "peak_mb": _peak_mb(), **_quality(work, size, found)}


def worker_allpairs(work: Path, size: int) -> dict:
    from rapidfuzz import process

    from scanner.clustering.settings import load_params
    from scanner.grouping import sorted_key
    from scanner.grouping.verify import SCORERS

    params = load_params()
    texts, _ = _load(work, size)
    start, cpu = time.perf_counter(), _cpu()
    keys = [sorted_key(t) for t in texts[:size]]
    matrix = process.cdist(
        keys,
        keys,
        scorer=SCORERS[params.scorer],
        dtype=np.uint8,
        score_cutoff=params.threshold,
        workers=-1,
    )
    left, right = np.nonzero(matrix >= params.threshold)
    found = _components(size, left, right)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": _peak_mb(),
        "pairs": size * (size - 1) // 2,
        **_quality(work, size, found),
    }


LSH_SHINGLE = 3  # word 3-shingles, as the baseline was reported in issue #14


def worker_minhashlsh(work: Path, size: int) -> dict:
    from datasketch import MinHash, MinHashLSH

    from scanner.clustering.settings import load_params
    from scanner.grouping import normalise
    from scanner.grouping.verify import score_pairs

    params = load_params()
    texts, _ = _load(work, size)
    start, cpu = time.perf_counter(), _cpu()
    keys = [normalise(t) for t in texts[:size]]
    sorted_keys = [" ".join(sorted(k.split())) for k in keys]
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    pairs = []
    n = LSH_SHINGLE
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
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": _peak_mb(),
        "pairs": len(pairs_a),
        **_quality(work, size, found),
    }


WORKERS = {
    "scan cluster": worker_scan,
    "incremental": worker_incremental,
    "engine": worker_engine,
    "all-pairs": worker_allpairs,
    "minhashlsh": worker_minhashlsh,
}


def _spawn(args: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}; load average {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--corpora", default="current,stock")
    parser.add_argument("--methods", default="scan cluster,incremental,engine,minhashlsh,all-pairs")
    parser.add_argument("--repeat", type=int, default=1, help="runs per method; the median time")
    parser.add_argument("--allpairs-max", type=int, default=10_000)
    parser.add_argument("--work", type=Path, help="keep corpora and databases here for re-runs")
    parser.add_argument("--worker")
    parser.add_argument("--corpus", default="current")
    parser.add_argument("--size", type=int)
    args = parser.parse_args()
    if args.worker:
        threading.Thread(target=_sample_tree, daemon=True).start()
        if args.worker == "setup":
            print(json.dumps(worker_setup(args.work, args.size, args.corpus)))
        else:
            print(json.dumps(WORKERS[args.worker](args.work, args.size)))
        return
    methods = [m.strip() for m in args.methods.split(",")]
    print(_machine())
    print(
        f"{'corpus':<8} {'N':>9}  {'method':<13} {'P':>7} {'R':>7} {'F1':>7} {'R indic':>7} "
        f"{'R short':>7} {'seconds':>8} {'cpu s':>7} {'peak MB':>8} "
        f"{'pairs/text':>10}"
    )
    with tempfile.TemporaryDirectory(prefix="scanbench-") as tmp:
        root = args.work or Path(tmp)
        for name in (c.strip() for c in args.corpora.split(",")):
            for size in (int(s) for s in args.sizes.split(",")):
                work = root / name / f"n{size}"
                work.mkdir(parents=True, exist_ok=True)
                common = ["--work", str(work), "--size", str(size), "--corpus", name]
                if not (work / f"pristine_{size}.db").exists():
                    _spawn(["--worker", "setup", *common])
                for method in methods:
                    if method == "all-pairs" and size > args.allpairs_max:
                        continue
                    runs = [_spawn(["--worker", method, *common]) for _ in range(args.repeat)]
                    _report(name, size, method, runs)


def _report(name: str, size: int, method: str, runs: list[dict]) -> None:
    head = f"{name:<8} {size:>9}  {method:<13}"
    failed = [r for r in runs if "error" in r]
    if failed:
        print(f"{head} error: {failed[0]['error']}", flush=True)
        return
    r = runs[0]
    seconds = statistics.median(x["seconds"] for x in runs)
    cpu = statistics.median(x["cpu"] for x in runs)
    peak = max(x["peak_mb"] for x in runs)
    quality = "".join(f" {v:7.5f}" for v in r["bcubed"]) if "bcubed" in r else " " * 24
    for key in ("indic_recall", "short_recall"):
        value = r.get(key)
        quality += f" {value:7.5f}" if value is not None else " " * 8
    pairs = f"{r['pairs'] / size:10.1f}" if r.get("pairs") is not None else ""
    print(f"{head}{quality} {seconds:8.1f} {cpu:7.1f} {peak:8.0f} {pairs}", flush=True)
    if len(runs) > 1:
        print(" " * 33 + "seconds: " + ", ".join(f"{x['seconds']:.1f}" for x in runs))
    if r.get("stages"):
        stages = {k: statistics.median(x["stages"][k] for x in runs) for k in r["stages"]}
        print(" " * 33 + "stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in stages.items()))


if __name__ == "__main__":
    main()
