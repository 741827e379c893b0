"""Benchmark: the sanitiser every stored field goes through (``scanner.text.safe``).

``sanitize`` runs on every field of every post stored, so its cost is paid a
million times at a million posts. For the real reviews in
``../shared/real-reviews/`` (or, when they are absent, the bench corpus, 10% of it
in Indic scripts) repeated ``--repeat`` times: the median of ``--runs`` runs of
``sanitize(text, free_text=True)`` over all of them, and how many are not ASCII
(only those are searched for floods of combining marks); then hostile posts of
8,000 and 32,000 repeats, whose time must grow with their length, not its square:

    python bench/sanitize.py
    python bench/sanitize.py --repeat 50 --runs 7
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import generate  # noqa: E402
from scanner.text.safe import sanitize  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-reviews"


def texts() -> tuple[str, list[str]]:
    files = sorted(REAL.glob("*.jsonl")) if REAL.exists() else []
    if files:
        rows = [json.loads(line) for f in files for line in f.read_text("utf-8").splitlines()]
        return "real reviews", [r["text"] for r in rows]
    return "bench corpus", generate(7574).texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    name, base = texts()
    corpus = base * args.repeat
    other = sum(not t.isascii() for t in corpus)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        for text in corpus:
            sanitize(text, free_text=True)
        times.append(time.perf_counter() - started)
    print(f"{platform.python_version()}, {os.cpu_count()} cores; {name} x{args.repeat}")
    print(
        f"{len(corpus):,} texts ({other:,} not ASCII): median {statistics.median(times):.3f} s "
        f"of {args.runs} runs, {statistics.median(times) / len(corpus) * 1e6:.1f} us a text"
    )
    # Hostile posts whose cost must grow with their length, not its square.
    for label, text in HOSTILE.items():
        for n in (8_000, 32_000):
            started = time.perf_counter()
            sanitize(text(n), free_text=True)
            print(f"{label} x{n:,}: {time.perf_counter() - started:.4f} s")


HOSTILE = {
    "8 marks, then zero-width spaces": lambda n: "x" + "\u0301" * 8 + "\u200b" * n + " b",
    "marks and ZWJs": lambda n: "x" + "\u0301\u200d" * n,
    "unterminated OSCs": lambda n: "a\x1b]" * n,
}


if __name__ == "__main__":
    main()
