"""Benchmark: what ``[privacy] authors`` costs the store's one door, and a switch.

1. ``Store.upsert_mentions`` of N new posts in batches of 500 (as the crawl
   worker commits them) under ``keep``, ``hash`` and ``drop``: the HMAC of each
   person key and the masking of title and text are the extra work.
2. Switching a database of N posts from ``keep`` to ``hash`` in place: the
   rewrite (one transaction) and the compaction (FTS optimize, VACUUM).

Posts are synthetic: ~40 words, 5% placeholder authors, one in ten quoting an
e-mail address or a phone number. Run:

    python bench/privacy.py                   # 100k posts, 5 runs
    python bench/privacy.py --posts 20000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.privacy import KEY_ENV  # noqa: E402
from scanner.store import Store  # noqa: E402
from scanner.store.authors import compact, enforce  # noqa: E402

_VOCABULARY = """refund order delivery late app crash bill charged twice support rude account
locked password fee hidden agent phone waiting weeks parcel broken quality cancel"""
WORDS = _VOCABULARY.split()
BATCH = 500


def posts(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = " ".join(rng.choices(WORDS, k=40))
        if i % 10 == 0:
            text += rng.choice([" write to me at jo.smith@example.com", " call 020 7946 0958"])
        author = "Anonymous" if i % 20 == 0 else f"person {rng.randrange(n // 3)}"
        out.append(
            {
                "id": f"s{i % 6}:{i}",
                "company": "Acme",
                "source": f"s{i % 6}",
                "external_id": str(i),
                "origin": "crawl",
                "author": author,
                "title": "Not happy",
                "text": text,
                "is_grievance": True,
                "published_at": "2026-06-01T00:00:00+00:00",
            }
        )
    return out


def upsert(rows: list[dict], mode: str, folder: Path) -> float:
    path = folder / f"{mode}-{time.monotonic_ns()}.db"
    with Store(path) as store:
        enforce(store, mode)
        start = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            store.upsert_mentions(rows[i : i + BATCH])
        return time.perf_counter() - start


def switch(rows: list[dict], folder: Path) -> tuple[float, float]:
    path = folder / f"switch-{time.monotonic_ns()}.db"
    with Store(path) as store:
        for i in range(0, len(rows), BATCH):
            store.upsert_mentions(rows[i : i + BATCH])
        import scanner.store.authors as authors

        real = authors.compact
        authors.compact = lambda s: True  # time the rewrite and the compaction apart
        try:
            start = time.perf_counter()
            enforce(store, "hash")
            rewrite = time.perf_counter() - start
        finally:
            authors.compact = real
        start = time.perf_counter()
        compact(store)
        return rewrite, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault(KEY_ENV, "bench-key-" + "k" * 32)
    rows = posts(args.posts)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {args.posts} posts, {args.runs} runs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # Interleaved, so that whatever else the machine does weighs on each mode alike.
        timings: dict[str, list[float]] = {"keep": [], "hash": [], "drop": []}
        modes = list(timings)
        for run in range(args.runs):  # each mode first in turn: no order favours one
            for mode in modes[run % 3 :] + modes[: run % 3]:
                timings[mode].append(upsert(rows, mode, folder))
        for mode, times in timings.items():
            median = statistics.median(times)
            print(
                f"upsert under {mode}: median {median:.2f}s "
                f"({1e6 * median / args.posts:.1f} µs a post; min {min(times):.2f}, "
                f"max {max(times):.2f})"
            )
        pairs = [switch(rows, folder) for _ in range(args.runs)]
        for label, values in (
            ("rewrite", [p[0] for p in pairs]),
            ("compaction", [p[1] for p in pairs]),
        ):
            print(
                f"switch keep -> hash, {label}: median {statistics.median(values):.2f}s "
                f"(min {min(values):.2f}, max {max(values):.2f})"
            )


if __name__ == "__main__":
    main()
