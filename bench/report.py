"""Benchmark: ``scan report`` on a database of one million mentions, and ``scan --help``.

Goals: the default report view under 1 second wall time (median of the runs),
``scan --help`` under 0.3 seconds. The HTML report is timed too, as a user runs
it and, to see the drawing alone, rendered in this process from one built
report (a list of 500 grievances per section: the page is the whole cost). Issues
are discovered on the database first, once (``scan issues``' library function,
timed), so the report's issue sections are measured too: their cost grows with an
issue's posts. The corpus's few words put a post in about eight issues (real
reviews: 1.3), so this is the costly end. ``--no-issues`` skips the step; issues
once discovered stay in the database. Run:

    python bench/report.py                 # builds /tmp/scan-bench-report.db once, then times
    python bench/report.py --mentions 200000 --db /tmp/small.db --runs 7
    python bench/report.py --mentions 10000 --db /tmp/scan-bench-10k.db   # under a minute

The database is synthetic but shaped like a real one: three years of posts,
30% of them restating one of a few thousand shared grievances (cluster sizes
from a long-tailed distribution), the rest singletons, 5% placeholder
authors, several sources. Rows are inserted directly (not through the crawl
pipeline) and full-text indexing is skipped while loading, because neither is
what is measured here.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.store import Store  # noqa: E402

# The vocabulary of the synthetic posts.
_VOCABULARY = """refund order delivery late app crash bill charged twice support rude account
locked password fee hidden agent phone waiting weeks parcel broken quality cancel subscription
login error payment card bank branch staff manager email"""
WORDS = _VOCABULARY.split()
SOURCES = ["trustpilot", "reddit", "bbb", "complaintsboard", "appstore", "hackernews"]
AS_OF = datetime(2026, 11, 10, 12, tzinfo=UTC)


def build(path: Path, mentions: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    Store(path).close()  # schema and migrations
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'mentions'"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    grouped = int(mentions * 0.3)
    themes = [" ".join(rng.choices(WORDS, k=18)) for _ in range(4000)]
    weights = [1 / (i + 1) ** 0.8 for i in range(len(themes))]
    cluster_of_theme: dict[int, int] = {}
    next_cluster = 1
    now = AS_OF.replace(microsecond=0).isoformat()
    mention_rows, member_rows, cluster_rows = [], [], []
    span = 3 * 365 * 86400
    for n in range(mentions):
        when = AS_OF - timedelta(seconds=rng.random() ** 0.8 * span)
        author = "Anonymous" if rng.random() < 0.05 else f"user{rng.randrange(300_000)}"
        if n < grouped:
            theme = rng.choices(range(len(themes)), weights)[0]
            text = themes[theme] + f" order {rng.randrange(10_000)}"
            if theme not in cluster_of_theme:
                cluster_of_theme[theme] = next_cluster
                cluster_rows.append((next_cluster, "My company", now, now, f"b{n}", 0, "[]"))
                next_cluster += 1
            cluster = cluster_of_theme[theme]
        else:
            text = " ".join(rng.choices(WORDS, k=rng.randrange(8, 40)))
            cluster = next_cluster
            cluster_rows.append((cluster, "My company", now, now, f"b{n}", 1, "[]"))
            next_cluster += 1
        stamp = when.replace(microsecond=0).isoformat()
        source = rng.choice(SOURCES)
        mention_rows.append(
            (
                f"b{n}",
                "My company",
                source,
                str(n),
                "crawl",
                None,
                author,
                None,
                text,
                None,
                None,
                None,
                stamp,
                stamp,
                f"h{n}",
                1,
                "[]",
                "{}",
                stamp,
                stamp,
            )
        )
        member_rows.append((f"b{n}", cluster, now))
        if len(mention_rows) == 50_000:
            _flush(conn, mention_rows, member_rows)
    _flush(conn, mention_rows, member_rows)
    conn.executemany(
        "INSERT INTO clusters (id, company, created_at, updated_at, "
        "representative_id, size, categories) VALUES (?, ?, ?, ?, ?, ?, ?)",
        cluster_rows,
    )
    for _, sql in triggers:
        conn.execute(sql)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _flush(conn: sqlite3.Connection, mentions: list, members: list) -> None:
    conn.executemany(
        "INSERT INTO mentions (id, company, source, external_id, origin, url, author, title, "
        "text, rating, rating_scale, language, published_at, fetched_at, content_hash, "
        "is_grievance, categories, extra, first_seen_at, updated_at) "
        f"VALUES ({', '.join('?' * 20)})",
        mentions,
    )
    conn.executemany(
        "INSERT INTO cluster_members (mention_id, cluster_id, added_at) VALUES (?, ?, ?)", members
    )
    conn.commit()
    mentions.clear()
    members.clear()


def timed(args: list[str], runs: int) -> list[float]:
    scan = str(Path(sys.executable).parent / "scan")
    env = {**os.environ, "NO_COLOR": "1"}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([scan, *args], capture_output=True, text=True, env=env, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"scan {' '.join(args)} failed: {done.stderr}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/scan-bench-report.db"))
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--issues",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="discover issues before timing, if the database has none yet (default: yes)",
    )
    args = parser.parse_args()
    if not args.db.exists():
        start = time.perf_counter()
        build(args.db, args.mentions)
        print(f"built {args.db} ({args.mentions} mentions) in {time.perf_counter() - start:.0f}s")
    else:
        Store(args.db).close()  # apply any new migration before timing
    if args.issues:
        roll_up_issues(args.db)
    as_of = AS_OF.date().isoformat()
    for label, cmd, goal in [
        ("scan --help", ["--help"], 0.3),
        ("scan report (default view)", ["--db", str(args.db), "report", "--as-of", as_of], 1.0),
        (
            "scan report --format json",
            ["--db", str(args.db), "report", "--as-of", as_of, "--format", "json"],
            None,
        ),
        (
            "scan report --format html",
            ["--db", str(args.db), "report", "--as-of", as_of, "--format", "html"],
            None,
        ),
    ]:
        times = timed(cmd, args.runs)
        median = statistics.median(times)
        verdict = "" if goal is None else (" OK" if median < goal else f" OVER the {goal}s goal")
        print(
            f"{label}: median {median:.3f}s (min {min(times):.3f}, max {max(times):.3f}, "
            f"{args.runs} runs){verdict}"
        )
    first, later = [], []
    for _ in range(args.runs):
        once, again = render_times(args.db, as_of)
        first.append(once)
        later += again
    for label, times in (("first", first), ("later", later)):
        print(
            f"render html, {label} in a process (500 a section): median "
            f"{statistics.median(times) * 1000:.1f} ms (min {min(times) * 1000:.1f}, "
            f"max {max(times) * 1000:.1f}, {len(times)} renders)"
        )


def roll_up_issues(db: Path) -> None:
    """Discover the issues as ``scan issues`` does, unless a run already has: they
    stay in the database, and a report times their verdicts, examples and grievances."""
    from scanner.config import default_config
    from scanner.issues.store import run

    with Store(db) as store:
        done = store.db.execute(
            "SELECT 1 FROM runs WHERE kind = 'issues' AND status = 'ok' LIMIT 1"
        ).fetchone()
        start = time.perf_counter()
        if done is None:
            run(store, default_config(db))
        took = time.perf_counter() - start
        issues, members = store.db.execute(
            "SELECT COUNT(DISTINCT i.id), COUNT(im.mention_id) FROM issues i "
            "LEFT JOIN issue_members im ON im.issue_id = i.id WHERE i.retired_at IS NULL"
        ).fetchone()
    when = "discovered before" if done else f"discovered in {took:.1f}s"
    print(f"scan issues: {issues} issues of {members} posts in all, {when}")


# Run in a fresh process: the first render pays for importing and preparing what
# drawing HTML needs; the later ones show the drawing alone.
RENDER = """
import json, sys, time
from pathlib import Path
from scanner.config import default_config
from scanner.report import build
from scanner.store import Store
with Store(Path(sys.argv[1]), mode="read") as store:
    report = build(store, default_config(), as_of=sys.argv[2], limit=500, volume=True)
times = []
for _ in range(5):
    start = time.perf_counter()
    from scanner.report.formats import render
    render(report, "html")
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def render_times(db: Path, as_of: str) -> tuple[float, list[float]]:
    """Seconds to draw one built report as HTML: the first time in a process, then again."""
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(db), as_of], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"rendering failed: {done.stderr}")
    times = json.loads(done.stdout)
    return times[0], times[1:]


if __name__ == "__main__":
    main()
