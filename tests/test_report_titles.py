"""A grievance is shown with its post's title: an app-store review often says it all there.

"Sucks, they make you take a break" over a text of "M" is a grievance about the
take-a-break pop-up; the text alone says nothing. Every format and the digest
show the representative post as "title — text"; a reply's title (its thread's)
and a title of no words are left out, as in the issues' examples.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import imported, run_scan

TITLED = "Sucks, they make you take a break"
REPLY_TITLE = "Re: Is Acme down for everyone?"
ROWS = [
    {"id": "t1", "author": "Ann", "title": TITLED, "text": "M", "rating": 1},
    {
        "id": "t2",
        "author": "Bob",
        "title": REPLY_TITLE,
        "text": "The checkout page loses my basket every single time I pay",
        "rating": 2,
    },
    {
        "id": "t3",
        "author": "Cy",
        "title": "...",
        "text": "Refund still missing after a month",
        "rating": 1,
    },
    {
        "id": "t4",
        "author": "Di",
        "title": "Scam!",
        "text": "Scam, they charged me twice",
        "rating": 1,
    },
    {
        "id": "t5",
        "author": "Ed",
        "title": "Ad",
        "text": "Adorable mascot, awful delivery",
        "rating": 2,
    },
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [{**r, "source": "appstore", "published_at": "2026-11-05"} for r in ROWS]
    return imported(tmp_path_factory.mktemp("titles"), rows)


def report(site: Path, *args: str) -> str:
    done = run_scan("report", "--as-of", "2026-11-10", "--all", *args, cwd=site)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_each_format_shows_the_title_before_the_text_and_no_reply_title(site):
    data = json.loads(report(site, "--format", "json"))
    by_text = {c["representative"]: c for c in data["clusters"]}
    assert by_text["M"]["title"] == TITLED
    # No reply's title, none of no words, none the text opens with, but "Ad" over "Adorable".
    assert {c["representative"][:5]: c["title"] for c in data["clusters"]} == {
        "M": TITLED,
        "The c": "",
        "Refun": "",
        "Scam,": "",
        "Adora": "Ad",
    }
    text = " ".join(report(site, "--format", "text").split())
    assert f"{TITLED} — M" in text
    assert "Re: Is Acme" not in text and "... —" not in text and "Scam! —" not in text
    # CSV as JSON: the text under "representative", the title beside it
    rows = list(csv.DictReader(io.StringIO(report(site, "--format", "csv"))))
    assert {r["representative"]: r["title"] for r in rows}["M"] == TITLED
    for fmt in ("markdown", "html"):
        assert "Sucks, they make you take a break — M" in report(site, "--format", fmt)


def test_the_digest_quotes_the_title_too(site):
    done = run_scan("digest", "--dry-run", "--to", "ops@example.com", cwd=site)
    assert done.returncode == 0, done.stderr
    assert f'"{TITLED} — M"' in " ".join(done.stdout.split())
    assert "none can be systemic" not in done.stdout  # its posts are in the window


def test_one_grievance_in_full_shows_each_posts_title(site):
    data = json.loads(report(site, "--format", "json"))
    cluster = next(c["id"] for c in data["clusters"] if c["representative"] == "M")
    full = json.loads(report(site, "--cluster", str(cluster), "--format", "json"))
    assert [m["title"] for m in full["clusters"][0]["members"]] == [TITLED]
    for fmt in ("text", "markdown", "html"):
        assert TITLED in report(site, "--cluster", str(cluster), "--format", fmt), fmt
    rows = list(
        csv.DictReader(io.StringIO(report(site, "--cluster", str(cluster), "--format", "csv")))
    )
    assert [(r["title"], r["text"]) for r in rows] == [(TITLED, "M")]


@pytest.mark.parametrize(
    ("title", "text", "shown"),
    [
        ("Scam!", "Scam, they charged me twice", ""),
        ("Ad", "Adorable mascot", "Ad"),
        ("ऐप", "ऐप बेकार है", ""),  # the text opens with the same word
        ("ऐप", "ऐपों में सबसे खराब", "ऐप"),  # a vowel sign goes on with the word
        ("Café", "Cafe\u0301 was cold", ""),  # composed or not, one word
        ("Re: Is it down?", "Yes, since noon", ""),
    ],
)
def test_a_title_is_shown_unless_the_text_opens_with_that_word(title, text, shown):
    from scanner.report.model import shown_title

    assert shown_title(title, text) == shown
