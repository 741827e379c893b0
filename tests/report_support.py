"""A report database with known groups, built the way a user builds one.

Posts go in through ``scan import`` (a real subprocess); a hostile post that
import would clean goes in raw through ``Store.upsert_mentions``; then the
groups are formed by ``scan cluster`` when the grouping engine is installed, or
written directly otherwise. Texts inside a group are near-verbatim and groups
share almost no words, so both ways give the same groups, and tests find a
group's cluster through its members' ids, never through a cluster id.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from scanner.cli import COMMANDS
from scanner.store import Store
from tests.conftest import run_scan

AS_OF = "2026-11-10"
HOSTILE_TEXT = (
    "Billing scam \x1b]0;owned\x07 charged twice \x1b[2J for one invoice "
    '\u202eevil\u202c <script>alert(1)</script> =HYPERLINK("http://x.example","click")'
    " see invoice;=cmd|' /C calc'!A0"
)
CONFIG = """
db = "report.db"
[company]
name = "Acme"
[[competitors]]
name = "Globex"
[[sources]]
name = "trustpilot"
spider = "trustpilot"
url = "http://127.0.0.1:9/acme"
"""


def post(pid: str, author: str | None, source: str, when: str, text: str, **extra: object) -> dict:
    row = {"id": pid, "author": author, "source": source, "published_at": when, "text": text}
    row.update(extra)
    return row


REFUND = "Still waiting for my refund for the cancelled order, support never answers emails"
APP = "The mobile app crashes every time I open the payment screen after the update"
DUP = "Delivery driver left the parcel in the rain and it was soaked through completely"
OLD = "Hidden fee of forty dollars appeared on my monthly bill without any explanation"
BOMB = "Worst bank ever, they froze my savings account for no reason, avoid at all costs"
SOLO = "Staff at the Springfield branch were rude when I asked about opening hours"

GROUPS: dict[str, list[dict]] = {
    # 4 posts, 3 people: Ravi cross-posts (same handle folded), two placeholder authors.
    "refund": [
        post("R-1", "Ravi", "trustpilot", "2026-11-01T09:00:00Z", REFUND),
        post("R-2", "  @RAVI ", "reddit", "2026-11-02T09:00:00Z", REFUND + "!"),
        post("R-3", "Anonymous", "reddit", "2026-11-03T09:00:00Z", REFUND + " at all"),
        post(
            "R-4",
            "Guest",
            "bbb",
            "2026-11-05T09:00:00Z",
            "Still waiting for my refund for the cancelled order, support never answers my emails",
        ),
    ],
    # One person on two sites, first seen in the period: isolated, new, cross-posted.
    "app": [
        post("A-1", "Zed", "reddit", "2026-11-06T09:00:00Z", APP),
        post("A-2", "zed", "bbb", "2026-11-07T09:00:00Z", APP + "."),
    ],
    # Identical text from placeholder authors: same source counts once, another source twice.
    "dup": [
        post("D-1", "Anonymous", "reddit", "2026-11-04T09:00:00Z", DUP),
        post("D-2", "Guest", "reddit", "2026-11-04T12:00:00Z", DUP),
        post("D-3", "[deleted]", "bbb", "2026-11-08T09:00:00Z", DUP),
    ],
    # Three people, but by 2026-11-10 the first two are outside the 90-day window.
    "old": [
        post("O-1", "Maria", "trustpilot", "2026-07-20T09:00:00Z", OLD),
        post("O-2", "Chen", "trustpilot", "2026-08-01T09:00:00Z", OLD + "."),
        post("O-3", "Priya", "reddit", "2026-08-20T09:00:00Z", OLD + "!"),
        post("O-4", "Priya", "reddit", "2026-11-05T09:00:00Z", OLD + " again"),
    ],
    # Three accounts, near-verbatim, within two hours: systemic and flagged coordinated.
    "bomb": [
        post("B-1", "acct_one", "trustpilot", "2026-11-09T10:00:00Z", BOMB),
        post("B-2", "acct_two", "trustpilot", "2026-11-09T10:40:00Z", BOMB + "!"),
        post("B-3", "acct_three", "trustpilot", "2026-11-09T11:30:00Z", BOMB + "!!"),
    ],
    "solo": [post("S-1", "Lee", "reddit", "2026-11-08T09:00:00Z", SOLO)],
}
COMPETITOR = [
    post("G-1", "Ann", "reddit", "2026-11-08T09:00:00Z", "Globex lost my parcel", company="Globex"),
]
# Raw rows (not through import): what a hostile page could put in the database.
HOSTILE = [
    {
        "id": f"H-{i}",
        "author": author,
        "source": "trustpilot",
        "url": url,
        "text": HOSTILE_TEXT,
        "published_at": f"2026-11-0{i}T08:00:00+00:00",
    }
    for i, (author, url) in enumerate(
        [
            ("=cmd|' /C calc'!A0", "javascript:alert(1)"),
            ("\x1b[31mred\x1b[0m", "http://127.0.0.1/x?a=(1)"),
            ("@evil\u202e", "data:text/html,<script>alert(1)</script>"),
        ],
        start=1,
    )
]


def build_report_db(tmp_path: Path) -> Path:
    """The database, a config beside it; returns the config path (db: report.db)."""
    config = tmp_path / "scanner.toml"
    config.write_text(CONFIG, encoding="utf-8")
    source = tmp_path / "posts.jsonl"
    rows = [r for group in GROUPS.values() for r in group] + COMPETITOR
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    done = run_scan("--create", "import", str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    db = tmp_path / "report.db"
    with Store(db) as store:
        now = datetime(2026, 11, 9, 3, 0, tzinfo=UTC).isoformat()
        store.upsert_mentions(
            [
                {
                    **r,
                    "company": "Acme",
                    "external_id": r["id"],
                    "origin": "crawl",
                    "is_grievance": 1,
                }
                for r in HOSTILE
            ]
        )
        store.db.execute(
            "INSERT INTO runs (kind, source, started_at, status, health) "
            "VALUES ('crawl', 'trustpilot', ?, 'ok', 'ok')",
            [now],
        )
        store.db.execute(
            "INSERT INTO source_health (source, state, since, message) "
            "VALUES ('trustpilot', 'changed', ?, ?)",
            [now, "selector .review matched 0 \x1b[2J"],
        )
    if "cluster" in COMMANDS:
        done = run_scan("cluster", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    else:
        _write_clusters(db)
    return config


def _write_clusters(db: Path) -> None:
    groups = [*GROUPS.values(), COMPETITOR, HOSTILE]
    with sqlite3.connect(db) as conn:
        for number, group in enumerate(groups, start=1):
            company = "Globex" if group is COMPETITOR else "Acme"
            conn.execute(
                "INSERT INTO clusters (id, company, created_at, updated_at, representative_id, "
                "size) VALUES (?, ?, 'x', 'x', ?, ?)",
                [number, company, group[0]["id"], len(group)],
            )
            conn.executemany(
                "INSERT INTO cluster_members (mention_id, cluster_id, added_at) VALUES (?, ?, 'x')",
                [(r["id"], number) for r in group],
            )


def cluster_of(db: Path, mention_id: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT cluster_id FROM cluster_members WHERE mention_id = ?", [mention_id]
        ).fetchone()[0]
