"""Three companies with planted grievances, built the way a user builds a database.

Acme (ours), Globex and Initech. Posts go in through ``scan import`` and issues
are found by ``scan issues``, so the comparison reads issues discovered per
company and matched by their phrases, as in real use. What was planted:

- **hidden fees** at all three, each in its own words: industry-wide;
- **refunds** at Acme only (one customer cross-posts: one person, two posts):
  ours alone;
- **app crashes** at Globex only: theirs alone;
- Initech has fewer mentions than ``min_mentions``: its rates mean little;
- Acme's hidden fees grew: two people in the previous period, six in this one
  (with about as many mentions in each).

The period is the 30 days to ``AS_OF``; the previous one the 30 days before.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import run_scan

AS_OF = "2026-06-30"
END = datetime(2026, 6, 30, 12, tzinfo=UTC)
CONFIG = """
db = "compare.db"
[company]
name = "Acme"
aliases = ["acme.example"]
[[competitors]]
name = "Globex"
[[competitors]]
name = "Initech"
"""

FEES = [
    "They charged me a hidden fee on my last order and nobody told me about it",
    "Another hidden fee appeared on the invoice this month, not acceptable",
    "Why is there a hidden fee every time I pay, it was never mentioned",
    "Hidden fee again, the price at checkout was higher than advertised",
    "Found a hidden fee buried in the small print after paying",
    "The hidden fee they add at the end nearly doubles the price",
    "Watch out for the hidden fee on top of the advertised price",
    "Paid a hidden fee I never agreed to, the support could not explain it",
]
REFUNDS = [
    "Still waiting for my refund after returning the parcel three weeks ago",
    "My refund never arrived even though they confirmed the return",
    "Refund promised twice and still nothing back on my card",
    "No refund yet for the cancelled booking, they keep stalling",
    "They keep delaying my refund with new excuses every week",
    "Asked for a refund a month ago and I am still waiting for the refund",
]
CRASHES = [
    "The app crashes every time I open my orders page",
    "App crash on startup since the last update, cannot do anything",
    "It crashes as soon as I try to pay in the app",
    "Constant crashes when I open the app on my phone",
    "The app crashes in the middle of checkout and loses my basket",
    "Crashes again and again when I scroll the app, unusable",
]
PRAISE = [
    "Lovely staff and quick service, very happy",
    "Great experience, everything arrived on time",
    "Friendly support, they solved my question in minutes",
    "Good prices and easy ordering on the website",
    "Really pleased with the quality of what I bought",
    "Smooth checkout and nice packaging",
    "Helpful people on the phone and a fast delivery",
]
ENDINGS = ["", " Thanks!", " Would recommend.", " Five stars.", " Will buy again.", " Great."]


def _day(n: int, end: datetime) -> str:
    """``n`` days before the end of the period (1-29: this period, 31-59: the previous)."""
    return (end - timedelta(days=n)).isoformat()


def _praise(company: str, count: int, previous: int, end: datetime) -> list[dict]:
    """``count`` happy posts in this period and ``previous`` in the one before."""
    rows = []
    for i in range(count + previous):
        text = PRAISE[i % len(PRAISE)] + ENDINGS[(i // len(PRAISE)) % len(ENDINGS)]
        day = 1 + i % 28 if i < count else 31 + i % 28
        rows.append(
            {
                "id": f"{company}-p{i}",
                "author": f"{company} fan {i}",
                "text": text,
                "published_at": _day(day, end),
                "grievance": False,
            }
        )
    return rows


def _complaints(
    company: str,
    theme: str,
    texts: list[str],
    people: int,
    end: datetime,
    start: int = 0,
    previous: bool = False,
) -> list[dict]:
    rows = []
    for i in range(people):
        n = start + i
        rows.append(
            {
                "id": f"{company}-{theme}{n}",
                "author": f"{company} {theme} customer {n}",
                "text": texts[n % len(texts)],
                "grievance": True,
                "published_at": _day((31 if previous else 2) + 3 * i, end),
            }
        )
    return rows


def posts(end: datetime = END) -> list[dict]:
    """Every planted post, the period ending at ``end``."""
    acme = (
        _praise("Acme", 40, 35, end)
        + _complaints("Acme", "fee", FEES, 6, end)
        + _complaints("Acme", "fee", FEES, 2, end, start=6, previous=True)
        + _complaints("Acme", "refund", REFUNDS, 6, end)
    )
    # The cross-poster: a refund customer tells the story again on another site.
    again = dict(
        acme[-1], id="Acme-refund-again", source="forum", author="  @" + acme[-1]["author"].upper()
    )
    acme.append(again)
    globex = (
        _praise("Globex", 35, 35, end)
        + _complaints("Globex", "fee", FEES[::-1], 5, end)
        + _complaints("Globex", "crash", CRASHES, 6, end)
    )
    initech = _praise("Initech", 14, 0, end) + _complaints("Initech", "fee", FEES[2:], 4, end)
    out = []
    for company, rows in (("Acme", acme), ("Globex", globex), ("Initech", initech)):
        out += [{"source": "reviews", "company": company, **row} for row in rows]
    return out


def build_compare_db(tmp_path: Path, *, end: datetime = END, extra: str = "") -> Path:
    """Import the posts, find the issues; returns the config path (db: compare.db).

    ``end`` ends the period the posts are planted in; ``extra`` is appended to the
    config (a [digest] table)."""
    config = tmp_path / "scanner.toml"
    config.write_text(CONFIG + extra, encoding="utf-8")
    source = tmp_path / "posts.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in posts(end)), encoding="utf-8")
    for args in (("--create", "import", str(source)), ("issues",)):
        done = run_scan(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    return config
