"""Benchmark: the one-off re-index (migration m006) when a pre-#15 database is first opened.

m006 rebuilds the full-text index with accent folding, reading every post once.
This measures how long the first ``Store(path)`` takes on a database of N
mentions whose index was built the old way. Run:

    python bench/search_migration.py                    # 200,000 mentions, 3 runs
    python bench/search_migration.py --mentions 1000000 --runs 3

The database is bench/report.py's synthetic one; each run starts from a copy of
the same old-style file, so only the migration is timed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report import build  # noqa: E402

from scanner.store import Store  # noqa: E402
from scanner.store.migrations import FTS_UPDATE_TRIGGER, fts_tokenizer  # noqa: E402


def old_style(path: Path) -> None:
    """The index as a database made before m006 has it: built, but without accent folding."""
    with Store(path) as store:
        store.db.execute("DROP TRIGGER IF EXISTS mentions_au")
        store.db["mentions"].enable_fts(
            ["title", "text"],
            create_triggers=True,
            replace=True,
            tokenize=fts_tokenizer().replace("remove_diacritics 2", "remove_diacritics 0"),
        )
        store.db.executescript(FTS_UPDATE_TRIGGER)
        store.db.execute(
            "DELETE FROM _sqlite_migrations WHERE name = 'm006_search_ignores_latin_accents'"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "old.db"
        build(template, args.mentions)
        old_style(template)
        times = []
        for _ in range(args.runs):
            copy = Path(folder) / "run.db"
            shutil.copyfile(template, copy)
            started = time.perf_counter()
            Store(copy).close()
            times.append(time.perf_counter() - started)
            with Store(copy) as store:
                found = list(store.search_mentions(search="refund", limit=1))
            assert found, "the rebuilt index finds nothing"
            copy.unlink()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(
        f"m006 re-index of {args.mentions:,} mentions: median {statistics.median(times):.2f} s "
        f"over {args.runs} runs ({', '.join(f'{t:.2f}' for t in times)})"
    )


if __name__ == "__main__":
    main()
