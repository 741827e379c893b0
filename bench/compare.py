"""Benchmark: ``scan compare`` on three companies with many mentions and issues.

The database is synthetic and written directly (not through import and
``scan issues``, which are not what is measured): three companies with N
mentions each over 60 days, a third of them grievances with categories, 5%
placeholder authors, and 50 issues per company whose phrases overlap across
companies as real themes do (so the phrase matching has work to do), each
grievance in one or two issues. Timed: ``scan compare`` (the default 30-day
period against the 30 days before) as a user runs it, in a subprocess.

    python bench/compare.py                        # 300k mentions a company, 5 runs
    python bench/compare.py --mentions 50000 --db /tmp/small.db --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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

COMPANIES = ("Acme", "Globex", "Initech")
AS_OF = datetime(2026, 6, 30, 12, tzinfo=UTC)
CATEGORIES = (
    "billing_fees",
    "refunds_cancellations",
    "delivery_delays",
    "response_speed",
    "staff_attitude",
    "app_website",
    "account_registration",
)
HEADS = [f"word{i}" for i in range(120)]


def build(path: Path, per_company: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'mentions'"
    ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    now = AS_OF.isoformat()
    issue_id = 0
    for company in COMPANIES:
        heads = rng.sample(HEADS, 50)  # each company's 50 themes, partly shared with others
        issues = []
        for head in heads:
            issue_id += 1
            phrases = [head, f"{head} {rng.choice(HEADS)}", f"{rng.choice(HEADS)} {head}"]
            issues.append(issue_id)
            conn.execute(
                "INSERT INTO issues (id, company, key, name, phrases, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [issue_id, company, head, head, json.dumps(phrases), now, now],
            )
        mentions, members = [], []
        for i in range(per_company):
            mid = f"{company}:{i}"
            when = (AS_OF - timedelta(seconds=rng.randrange(60 * 86400))).isoformat()
            grievance = rng.random() < 0.33
            author = "Anonymous" if rng.random() < 0.05 else f"user{rng.randrange(per_company)}"
            cats = json.dumps(rng.sample(CATEGORIES, rng.randint(1, 2))) if grievance else "[]"
            mentions.append(
                (
                    mid,
                    company,
                    "s",
                    mid,
                    "crawl",
                    author,
                    f"text {i}",
                    when,
                    now,
                    "h",
                    int(grievance),
                    cats,
                    now,
                    now,
                )
            )
            if grievance:
                for iid in rng.sample(issues, rng.choice((1, 1, 2))):
                    members.append((iid, mid, "p", when, "s"))
        conn.executemany(
            "INSERT INTO mentions (id, company, source, external_id, origin, author, text, "
            "published_at, fetched_at, content_hash, is_grievance, categories, first_seen_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            mentions,
        )
        conn.executemany(
            "INSERT INTO issue_members (issue_id, mention_id, phrase, at, source) "
            "VALUES (?, ?, ?, ?, ?)",
            members,
        )
        conn.commit()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/scan-bench-compare.db"))
    parser.add_argument("--mentions", type=int, default=300_000, help="per company")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.db.exists():
        start = time.perf_counter()
        build(args.db, args.mentions)
        print(f"built {args.db} in {time.perf_counter() - start:.0f}s")
    config = args.db.with_suffix(".toml")
    config.write_text(
        f'db = "{args.db.name}"\n[company]\nname = "Acme"\n[[competitors]]\n'
        'name = "Globex"\n[[competitors]]\nname = "Initech"\n',
        "utf-8",
    )
    scan = str(Path(sys.executable).parent / "scan")
    env = {**os.environ, "NO_COLOR": "1"}
    cmd = [scan, "--config", str(config), "compare", "--as-of", AS_OF.date().isoformat()]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"scan compare failed: {done.stderr}")
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{len(COMPANIES)} x {args.mentions} mentions, 50 issues each"
    )
    print(
        f"scan compare: median {statistics.median(times):.2f}s (min {min(times):.2f}, "
        f"max {max(times):.2f}, {args.runs} runs)"
    )


if __name__ == "__main__":
    main()
