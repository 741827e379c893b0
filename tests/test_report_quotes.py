"""An issue's examples quote the words that put each post in the issue.

Long reviews name their grievance late, or only in their title; quoted from the
start, the one line an example gets showed none of it. Unit cases first, then a
report built as a user builds it: ``scan import``, ``scan issues``, ``scan report``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

from scanner.issues.lexicon import Lexicon
from scanner.report.quotes import quote
from scanner.text.safe import text_cells
from tests.conftest import run_scan

PREAMBLES = [
    "I have used this app every single day for two years with my sister and my cousins",
    "Honestly the stories were the reason I installed it on my old tablet back in March",
    "My friends recommended it to me at school and we all played it during every break",
    "Five stars once, because the music and the drawings were lovely and the writers cared",
    "Been here since the very first version, through every redesign and every new logo",
]


def test_a_quote_starts_a_little_before_the_phrase_within_its_sentence():
    text = f"{PREAMBLES[0]}. Now the age verification rejects my passport every day."
    shown = quote(None, text, "age verification")
    assert shown.startswith("… Now the age verification rejects"), shown
    # a phrase that opens its sentence brings the end of the one before
    shown = quote(None, f"{PREAMBLES[1]}. They wiped my bots. Deleting. Why", "deleted")
    assert shown == "… They wiped my bots. Deleting. Why", shown
    # near the start: from the start, no ellipsis
    assert quote(None, "The age check fails. " + PREAMBLES[1], "age").startswith("The age")
    # a number's point or colon ends no sentence and no word: never "… 50 on a transfer"
    fee = f"{PREAMBLES[0]} with fees of $3.50 on a transfer that was advertised as free"
    assert quote(None, fee, "transfer") == "… of $3.50 on a transfer that was advertised as free"
    late = f"{PREAMBLES[0]}, then at 10:30 the age verification failed"
    assert quote(None, late, "age verification") == "… then at 10:30 the age verification failed"


def test_a_quote_puts_the_title_first_and_finds_a_phrase_there():
    assert quote("Sucks, says to take a break", "M", "take a break") == (
        "Sucks, says to take a break — M"
    )
    assert quote(".", "ads everywhere", "ads") == "ads everywhere"  # a title of no words
    # a reply's title is its thread's, shared by every reply: left out
    assert quote("Re: the app", "ads everywhere", "ads") == "ads everywhere"


def test_a_quote_finds_the_phrase_as_discovery_reads_it():
    long = PREAMBLES[2] + ", "
    assert "adverts" in quote(None, long + "and the adverts are everywhere now", "ads")[:40]
    assert "Werbung" in quote(None, long + "aber die Werbung nervt", "ads")[:40]
    # a compound of [compounds] is found as its one word: "not working" is the bug word
    shown = quote(None, PREAMBLES[3] + " and now the app is not working at all", "crashes")
    assert shown == "… and now the app is not working at all", shown
    # ... and never across a sentence end or a comma, as discovery reads it
    text = PREAMBLES[0] + " and it is not. Working hard on it"
    assert quote(None, text, "crashes") == text
    # "can't" is one word to a reader: a quote never starts at its "t"
    shown = quote(None, PREAMBLES[3] + " and I can’t talk to them freely, limited access", "limit")
    assert shown == "… can’t talk to them freely, limited access", shown
    # ... nor in any other word a reader sees as one, but never before its sentence
    shown = quote(None, PREAMBLES[0] + " and my big-rock-n'roll-themed-party ads", "ads")
    assert shown == "… big-rock-n'roll-themed-party ads", shown
    assert quote(None, PREAMBLES[0] + ". end.Now the ads", "ads") == "… Now the ads"
    # where most of the phrase's words stand together, not its first word alone
    text = PREAMBLES[4] + ", whatever my age, and now the age verification fails"
    assert quote(None, text, "age verification") == "… my age, and now the age verification fails"
    # never more than a few words before it, however long they are, nor a skip
    # where nothing was skipped
    shown = quote(None, "Supercalifragilistic " * 4 + "ads", "ads")
    assert shown == "… Supercalifragilistic ads", shown
    assert quote(None, "😡" * 30 + " so many ads", "ads") == "😡" * 30 + " so many ads"
    assert quote(None, "Super " * 5 + "ads", "ads") == "Super " * 5 + "ads"  # early
    # a word with a joiner inside is the word discovery reads ("विज्ञापन", ads)
    shown = quote(None, PREAMBLES[0] + ". वहाँ विज्\u200dञापन बहुत हैं", "ads")
    assert shown.startswith("… वहाँ विज्"), shown
    # a phrase it cannot find: quoted from the start, as before
    assert quote(None, PREAMBLES[4], "வாடிக்கையாளர்") == PREAMBLES[4]


def test_a_quote_skips_what_discovery_skips_and_prefers_the_phrase_as_written():
    # what a person put up with is not where they complain of it
    text = f"{PREAMBLES[0]}. I didn't mind the ads at first. Now the ads play after every message"
    assert quote(None, text, "ads") == "… Now the ads play after every message"
    # the word the phrase is named by, before an earlier synonym of it
    text = f"{PREAMBLES[1]}, they are so greedy. Nobody can afford the subscription now"
    assert quote(None, text, "subscription") == "… Nobody can afford the subscription now"
    # only a synonym: found all the same
    shown = quote(None, text.replace("the subscription", "it"), "subscription")
    assert shown == "… in March, they are so greedy. Nobody can afford it now", shown
    # the company's name is no word of a phrase: with its lexicon, "Acme Pay" does
    # not read as "pay ...", and the quote finds the words that put the post there
    lexicon = Lexicon(names=["Acme Pay"])
    text = f"{PREAMBLES[2]}. Acme Pay keeps failing. I had to pay failing fees twice"
    assert quote(None, text, "pay failing", lexicon=lexicon) == "… I had to pay failing fees twice"
    assert quote(None, text, "pay failing").startswith("… Acme Pay keeps failing")


def test_report_examples_show_the_phrase_at_eighty_columns(tmp_path: Path):
    (tmp_path / "scanner.toml").write_text(
        'db = "q.db"\n[company]\nname = "Acme"\n', encoding="utf-8"
    )
    now = datetime.now(UTC)  # the digest has no --as-of: posts of the past few days
    rows = [
        {
            "id": f"q{i}",
            "author": f"person{i}",
            "source": "appstore",
            "published_at": (now - timedelta(days=i + 1)).isoformat(),
            "rating": 1,
            "text": f"{preamble}. But now the age verification rejects my selfie, {i} times",
        }
        for i, preamble in enumerate(PREAMBLES)
    ]
    (tmp_path / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    for args in (("--create", "import", "posts.jsonl"), ("issues",)):
        done = run_scan(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    done = run_scan("report", cwd=tmp_path, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    # an import before `scan cluster`: no "0 systemic" above the systemic issue
    header = " ".join(done.stdout.split())
    assert "5 grievance posts in the period (none grouped yet: run `scan cluster`)" in header
    assert "; systemic now (≥3 people in the 90 days to" in header and "): 1 issue" in header
    assert "grievances," not in header
    lines = [line for line in done.stdout.splitlines() if line.startswith("  “")]
    assert len(lines) >= 2, done.stdout
    for line in lines:
        assert "age verification" in line and len(line) <= 80, line
    data = json.loads(run_scan("report", "--format", "json", cwd=tmp_path).stdout)
    examples = [e for issue in data["issues"] for e in issue["examples"]]
    assert examples and all(e["quote"].startswith("… But now the age") for e in examples)
    assert all(e["text"].startswith(tuple(PREAMBLES)) for e in examples)  # text stays whole
    assert all("quote" not in m for issue in data["issues"] for m in issue["members"])
    table = run_scan("report", "--format", "csv", cwd=tmp_path).stdout
    issue_rows = [row for row in csv.reader(io.StringIO(table)) if row and row[0] == "issue"]
    assert issue_rows and all(
        "… But now the age verification" in " ".join(row) for row in issue_rows
    )
    grouped = run_scan("cluster", cwd=tmp_path)
    assert grouped.returncode == 0, grouped.stderr
    # five people in their own words: no two near-duplicates, one systemic issue
    header = " ".join(run_scan("report", cwd=tmp_path).stdout.split())
    assert "5 grievance posts in the period; systemic now (≥3 people in the 90 days to" in header
    assert "): 0 grievances, 1 issue" in header
    # the digest quotes its issues the same way
    done = run_scan("digest", "--to", "ops@acme.example", "--out", "digest.eml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    mail = message_from_bytes((tmp_path / "digest.eml").read_bytes())
    plain = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert "… But now the age verification" in plain.get_payload(decode=True).decode()
    # its subject opens with the systemic issue, then the grievances (none of three people)
    assert mail["Subject"] == "[scan] Acme: 1 systemic issue; 0 systemic grievances, 0 new"


PERIOD = ("--as-of", "2026-07-01", "--days", "60")


def age_check_issue(tmp_path: Path, titles: list[str], texts: list[str]) -> int:
    """Five people's posts about the age check, imported and discovered as a user
    would; the id of the issue they form."""
    (tmp_path / "scanner.toml").write_text(
        'db = "t.db"\n[company]\nname = "Acme"\n', encoding="utf-8"
    )
    rows = [
        {
            "id": f"t{i}",
            "author": f"person{i}",
            "published_at": f"2026-06-{i + 10:02d}",
            "rating": 1,
            "title": title,
            "text": text,
            "url": f"https://reviews.example/apps/acme/reviews/{i}/{'age-check-' * 9}{i}",
        }
        for i, (title, text) in enumerate(zip(titles, texts, strict=True))
    ]
    (tmp_path / "posts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    for args in (("--create", "import", "posts.jsonl"), ("issues",)):
        done = run_scan(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    data = json.loads(run_scan("report", *PERIOD, "--format", "json", cwd=tmp_path).stdout)
    return next(i["id"] for i in data["issues"] if "verification" in i["name"])


def test_an_issues_posts_show_their_titles(tmp_path: Path):
    """``--issue`` lists every post in full: a grievance told in the title alone
    ("Age verification rejects my selfie" over a text of "M") shows why it is there."""
    titles = [f"Age verification rejects my selfie & *{i}*" for i in range(len(PREAMBLES))]
    texts = ["M", *(f"{preamble}." for preamble in PREAMBLES[1:])]
    issue = age_check_issue(tmp_path, titles, texts)
    shown = {}
    for fmt in ("text", "markdown", "html"):
        done = run_scan("report", *PERIOD, "--issue", str(issue), "--format", fmt, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        shown[fmt] = done.stdout
    assert "\nAge verification rejects my selfie & *0*\nM\n" in shown["text"]
    assert "> **Age verification rejects my selfie & \\*0\\***\n>\n> M\n" in shown["markdown"]
    assert "<strong>Age verification rejects my selfie &amp; *0*</strong>\nM<" in shown["html"]


def test_a_full_post_wraps_at_word_ends_within_the_screen(tmp_path: Path):
    """``--issue`` prints each post whole, word-wrapped to the screen: left to the
    terminal, a long post broke mid-word at 80 columns ("Ya e" / "scribí")."""
    long = (
        "Me cobraron dos veces la misma transferencia y nadie me devuelve el dinero. "
        "Ya escribí al soporte tres veces y siguen sin responder, 返金してください."
    )
    texts = [f"{preamble}. {long}" for preamble in PREAMBLES]
    issue = age_check_issue(tmp_path, ["Age verification rejects my selfie"] * 5, texts)
    done = run_scan("report", *PERIOD, "--issue", str(issue), cwd=tmp_path, env={"COLUMNS": "60"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    # a link stays whole on its own line, however long: broken, it is no link
    links = [line.strip() for line in lines if "https://" in line]
    assert len(links) == 5 and all(link.endswith("age-check-" * 9 + link[-1]) for link in links)
    assert max(text_cells(line) for line in lines if "https://" not in line) <= 60
    for text in texts:  # each post's lines, joined again, are its text: no word cut
        start = next(i for i, line in enumerate(lines) if line.startswith(text[:30]))
        end = next(i for i in range(start, len(lines)) if lines[i].endswith("返金してください."))
        assert " ".join(lines[start : end + 1]) == text
