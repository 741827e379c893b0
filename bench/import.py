"""Benchmark: peak memory (and time) of ``scan import`` on a large JSON Lines file.

Goal: memory bounded whatever the file size, i.e. a peak that does not grow
with the file (issue #16: 50 MB of JSON Lines peaked at 381 MB before). Run:

    python bench/import.py                     # a 50 MB file, 3 runs
    python bench/import.py --mb 200 --runs 1   # a bigger file: the peak should not move
    python bench/import.py --format csv

Each run imports the file into a new database with the installed ``scan``
(``scan --db NEW --create import FILE``) in a child process; its peak resident
set size comes from ``wait4``. The file is generated once (and kept in /tmp):
posts of 80 to 900 characters in English, Spanish and Hindi, some with a
rating, each with an id, author and date.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "The refund for order {n} never arrived after I returned the blender.",
    "Support closed my ticket without reading it, twice.",
    "Delivery took a month and the parcel was damaged.",
    "They charged my card twice for one subscription.",
    "El reembolso del pedido {n} nunca llegó y nadie responde.",
    "La aplicación se cierra cada vez que intento pagar.",
    "मेरा रिफंड {n} अभी तक नहीं आया, सहायता टीम जवाब नहीं देती।",
    "ऐप बार बार बंद हो जाता है और लॉगिन नहीं होता।",
    "I waited on hold for two hours and then the line dropped.",
    "The app logs me out every few minutes since the last update.",
]


def record(rng: random.Random, n: int) -> dict[str, object]:
    text = " ".join(rng.choice(SENTENCES).format(n=n) for _ in range(rng.randint(1, 12)))
    row: dict[str, object] = {
        "id": f"ticket-{n}",
        "author": f"customer{rng.randint(1, 40000)}",
        "title": rng.choice(SENTENCES).format(n=n)[:60],
        "text": text,
        "published_at": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
        "source": rng.choice(["complaint-box", "tickets", "email"]),
    }
    if rng.random() < 0.4:
        row["rating"] = rng.randint(1, 5)
    return row


def generate(path: Path, megabytes: int, fmt: str, seed: int = 16) -> None:
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    fields = ["id", "author", "title", "text", "published_at", "source", "rating"]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields) if fmt == "csv" else None
        if writer:
            writer.writeheader()
        n = 0
        while out.tell() < target:
            row = record(rng, n)
            if writer:
                writer.writerow(row)
            else:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1


def scan_executable() -> str:
    candidate = Path(sys.executable).parent / "scan"
    return str(candidate) if candidate.exists() else (shutil.which("scan") or "scan")


def one_run(source: Path, work: Path) -> tuple[float, float, str]:
    """Peak RSS (MB) and wall seconds of one import into a new database."""
    db = work / "bench.db"
    for leftover in work.glob("bench.db*"):
        leftover.unlink()
    started = time.perf_counter()
    command = [scan_executable(), "--db", str(db), "--create", "import", str(source)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    out = child.stdout.read().decode() if child.stdout else ""
    err = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        sys.exit(f"import failed: {err.strip()}")
    return usage.ru_maxrss / 1024, seconds, out.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="file size in MB (default 50)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    args = parser.parse_args()
    source = Path(tempfile.gettempdir()) / f"scan-bench-import-{args.mb}mb.{args.format}"
    if not source.exists():
        print(f"generating {source} ...", file=sys.stderr)
        generate(source, args.mb, args.format)
    size = source.stat().st_size / 1_000_000
    peaks, times = [], []
    with tempfile.TemporaryDirectory() as work:
        for run in range(args.runs):
            peak, seconds, summary = one_run(source, Path(work))
            peaks.append(peak)
            times.append(seconds)
            print(f"run {run + 1}: peak {peak:.0f} MB, {seconds:.1f} s ({summary})")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"file: {size:.1f} MB of {args.format}")
    print(
        f"median peak RSS: {statistics.median(peaks):.0f} MB "
        f"({statistics.median(peaks) / size:.1f}x the file); "
        f"median time: {statistics.median(times):.1f} s"
    )


if __name__ == "__main__":
    main()
