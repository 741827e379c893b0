"""``scan compare``: planted grievances come out ours alone, industry-wide, theirs alone.

The database is built by ``scan import`` and ``scan issues`` from
``tests/compare_support.py``; expected numbers are worked out from the posts
planted there, never copied into the test.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from scanner.compare.build import standing
from scanner.compare.model import CompanyTotals, Comparison, Rate, Row
from scanner.compare.settings import CompareRules
from scanner.compare.themes import IssueRef, match_themes
from scanner.issues.lexicon import Lexicon, key_text, phrase_key
from scanner.report.formats import render_comparison
from scanner.store import Store
from scanner.text.safe import text_cells
from tests.compare_support import AS_OF, posts
from tests.conftest import run_scan

PERIOD_END = datetime.fromisoformat(AS_OF + "T23:59:59+00:00")


@pytest.fixture(scope="module")
def built(compare_site: Path) -> Path:
    """The session's comparison database (tests/conftest.py): these tests only read it."""
    return compare_site


@pytest.fixture(scope="module")
def result(built: Path) -> dict[str, Any]:
    done = run_scan("compare", "--as-of", AS_OF, "--format", "json", cwd=built)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _issue_of(built: Path, mention_id: str) -> int:
    with sqlite3.connect(built / "compare.db") as conn:
        return conn.execute(
            "SELECT issue_id FROM issue_members WHERE mention_id = ?", [mention_id]
        ).fetchone()[0]


def _row_with(result: dict[str, Any], company: str, issue_id: int) -> dict[str, Any]:
    found = [r for r in result["issues"] if issue_id in r["issues"].get(company, [])]
    assert len(found) == 1, (company, issue_id)
    return found[0]


def _planted(company: str, prefix: str, *, previous: bool = False) -> list[dict[str, Any]]:
    low = PERIOD_END - timedelta(days=60 if previous else 30)
    high = PERIOD_END - timedelta(days=30) if previous else PERIOD_END
    return [
        p
        for p in posts()
        if p["company"] == company
        and p["id"].startswith(prefix)
        and low < datetime.fromisoformat(p["published_at"]) <= high
    ]


def _mentions(company: str, *, previous: bool = False) -> int:
    return len(_planted(company, company, previous=previous))


def test_planted_grievances_have_their_standing(built, result) -> None:
    refunds = _row_with(result, "Acme", _issue_of(built, "Acme-refund0"))
    assert refunds["standing"] == "ours_alone"
    assert set(refunds["issues"]) == {"Acme"}
    fees = _row_with(result, "Acme", _issue_of(built, "Acme-fee0"))
    assert fees["standing"] == "industry_wide"
    # Matched by phrases: three issues with three unrelated ids are one grievance.
    assert set(fees["issues"]) == {"Acme", "Globex", "Initech"}
    assert fees["issues"]["Globex"] == [_issue_of(built, "Globex-fee0")]
    assert all(rate["has"] for rate in fees["rates"].values())
    crashes = _row_with(result, "Globex", _issue_of(built, "Globex-crash0"))
    assert crashes["standing"] == "theirs_alone"
    assert crashes["rates"]["Acme"]["people"] == 0
    categories = {r["key"]: r["standing"] for r in result["categories"]}
    assert categories["billing_fees"] == "industry_wide"
    assert categories["refunds_cancellations"] == "ours_alone"


def test_rates_are_people_per_100_mentions_not_posts(built, result) -> None:
    companies = {c["name"]: c for c in result["companies"]}
    for name in ("Acme", "Globex", "Initech"):
        assert companies[name]["mentions"] == _mentions(name)
    refunds = _row_with(result, "Acme", _issue_of(built, "Acme-refund0"))["rates"]["Acme"]
    planted = _planted("Acme", "Acme-refund")
    people = len({p["author"].strip(" @").casefold() for p in planted})
    assert (refunds["grievances"], refunds["people"]) == (len(planted), people)
    assert people == len(planted) - 1  # the cross-poster counts once
    assert refunds["people_per_100"] == round(100 * people / _mentions("Acme"), 1)
    assert refunds["grievances_per_100"] == round(100 * len(planted) / _mentions("Acme"), 1)


def test_trend_is_against_the_previous_period(built, result) -> None:
    fees = _row_with(result, "Acme", _issue_of(built, "Acme-fee0"))["rates"]["Acme"]
    now = round(100 * len(_planted("Acme", "Acme-fee")) / _mentions("Acme"), 1)
    before = round(
        100 * len(_planted("Acme", "Acme-fee", previous=True)) / _mentions("Acme", previous=True), 1
    )
    assert (fees["people_per_100"], fees["previous_people_per_100"]) == (now, before)
    assert fees["trend"] == round(now - before, 1) > 0


def test_a_rate_on_too_few_mentions_is_said_to_mean_little(built, result) -> None:
    initech = next(c for c in result["companies"] if c["name"] == "Initech")
    assert initech["mentions"] < result["min_mentions"]
    assert initech["few_mentions"] is True and initech["trend"] is None
    done = run_scan("compare", "--as-of", AS_OF, cwd=built)
    text = " ".join(done.stdout.split())
    assert "Initech*" in text
    assert f"Fewer than {result['min_mentions']} mentions in the period: Initech" in text
    assert "rest on too few mentions to mean anything" in text


def test_every_format_shows_the_standings(built, tmp_path) -> None:
    titles = ("Ours alone", "Industry-wide", "Theirs alone", "By category")
    for fmt in ("text", "markdown", "html"):
        out = tmp_path / f"compare.{fmt}"
        done = run_scan("compare", "--as-of", AS_OF, "--format", fmt, "-o", str(out), cwd=built)
        assert done.returncode == 0, done.stderr
        body = out.read_text("utf-8")
        for title in titles:
            assert title in body.replace("Industry\\-wide", "Industry-wide"), (fmt, title)
        assert "Globex" in body and "refund" in body
    page = (tmp_path / "compare.html").read_text("utf-8")
    assert page.count("<svg") == 1 and "<script" not in page
    assert "People per 100 mentions" in page


def test_compare_without_competitors_says_what_to_add(tmp_path) -> None:
    (tmp_path / "scanner.toml").write_text('db = "x.db"\n[company]\nname = "Solo"\n', "utf-8")
    Store(tmp_path / "x.db").close()  # an empty database: only competitors are missing
    done = run_scan("compare", cwd=tmp_path)
    assert done.returncode == 1
    assert "[[competitors]]" in done.stderr and "Traceback" not in done.stderr


# -- the rules on their own ----------------------------------------------------------------


def _rate(people: int, mentions: int) -> Rate:
    return Rate(
        grievances=people,
        people=people,
        grievances_per_100=100 * people / mentions,
        people_per_100=100 * people / mentions,
    )


def test_ten_times_the_mentions_is_not_ten_times_worse() -> None:
    rules = CompareRules()
    # A big competitor: more people complain (8 against our 6) out of twenty times the posts.
    rates = {"Us": _rate(6, 50), "Big": _rate(8, 1000)}
    assert standing(rates, "Us", rules) == "ours_alone"
    assert rates["Us"].has and not rates["Big"].has
    # The same people at a company our size: it has it too.
    rates = {"Us": _rate(6, 50), "Peer": _rate(8, 60)}
    assert standing(rates, "Us", rules) == "industry_wide"
    # One person is never enough to "have" a grievance, whatever the rate.
    rates = {"Us": _rate(1, 10), "Peer": _rate(0, 60)}
    assert standing(rates, "Us", rules) == "scattered"


def test_issues_match_by_phrases_across_languages_not_ids() -> None:
    lexicon = Lexicon(names=["Acme", "Globex"])

    def ref(company: str, iid: int, phrases: tuple[str, ...]) -> IssueRef:
        keys = tuple(key_text(phrase_key(p, lexicon)) for p in phrases)
        return IssueRef(company, iid, phrases[0], keys[0], phrases, keys)

    ads_en = ref("Acme", 1, ("ads", "too many ads", "remove the ads"))
    ads_es = ref("Globex", 7, ("anuncios", "demasiados anuncios"))
    refunds = ref("Globex", 8, ("refund", "refund never came"))
    themes = match_themes([ads_en, ads_es, refunds], share=CompareRules().match_share)
    grouped = sorted(
        sorted((r.company, r.id) for refs in t.issues.values() for r in refs) for t in themes
    )
    assert grouped == [[("Acme", 1), ("Globex", 7)], [("Globex", 8)]]


def test_hostile_names_are_harmless_in_every_format() -> None:
    """Company names come from the config, issue names and phrases from posts."""
    evil = "Evil\x1b]0;owned\x07 <script>alert(1)</script> | **x** \u202eoops"
    names = ["Acme", evil]
    rates = {n: _rate(4, 40) for n in names}
    for rate in rates.values():
        rate.has = True
    totals = [
        CompanyTotals(n, n == "Acme", 40, 40, _rate(4, 40), False, False, 1, [(1, evil)])
        for n in names
    ]
    row = Row("issue", "fee", evil, "industry_wide", rates, {"Acme": [1]}, [evil])
    cmp = Comparison(
        datetime.now(UTC),
        "Acme",
        {
            "since": "2026-06-01T00:00:00+00:00",
            "until": "2026-06-30T00:00:00+00:00",
            "previous_since": "2026-05-02",
            "days": 29.0,
        },
        totals,
        [row],
        [],
        30,
    )
    dangerous = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
    text = render_comparison(cmp, "text", width=160, color=True, tty=True)
    assert not dangerous.search(re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\n", ""))
    page = render_comparison(cmp, "html")
    assert "<script>" not in page and "&lt;script&gt;" in page
    html = MarkdownIt().enable("table").render(render_comparison(cmp, "markdown"))
    assert "<script>" not in html and "<strong>x</strong>" not in html
    data = json.loads(render_comparison(cmp, "json"))
    assert not dangerous.search(json.dumps(data, ensure_ascii=False))


def test_period_options_are_those_of_the_report(built) -> None:
    done = run_scan("compare", "--as-of", AS_OF, "--days", "10", "--format", "json", cwd=built)
    assert done.returncode == 0, done.stderr
    period = json.loads(done.stdout)["period"]
    assert period["days"] == 10
    assert period["previous_since"] < period["since"] < period["until"]
    both = run_scan("compare", "--since", "2026-06-01", "--days", "3", cwd=built)
    assert both.returncode == 2 and "either --since or --days" in both.stderr
    later = run_scan("compare", "--since", "2026-07-02", "--as-of", AS_OF, cwd=built)
    assert later.returncode == 2 and "after the as-of date" in later.stderr


def test_a_period_without_mentions_says_where_they_are(built) -> None:
    """Reviews imported months after they were written: without --as-of the comparison
    read "0 mentions" everywhere and never said what to try."""
    done = run_scan("compare", cwd=built, env={"COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    latest = json.loads(run_scan("compare", "--format", "json", cwd=built).stdout)["period"]
    said = f"the latest is from {latest['latest'][:10]}: add --as-of {latest['latest'][:10]}"
    assert said in " ".join(done.stdout.split())
    shown = run_scan("compare", "--as-of", AS_OF, cwd=built, env={"COLUMNS": "200"})
    assert "the latest is from" not in shown.stdout


def test_markdown_writes_our_numbers_as_they_read_in_every_table(built) -> None:
    """The companies table wrote "79\\.4" where the others wrote "79.4": every cell of it
    went through the escape, which takes a cell opening with "79." for a numbered
    list. Escaping is for text from the web; figures we format need none."""
    done = run_scan("compare", "--as-of", AS_OF, "--format", "markdown", cwd=built)
    assert done.returncode == 0, done.stderr
    tokens = MarkdownIt().enable("table").parse(done.stdout)
    cells = [
        (inline.content, "".join(child.content for child in inline.children or []))
        for opened, inline in zip(tokens, tokens[1:], strict=False)
        if opened.type == "td_open"
    ]
    figure = re.compile(r"(?:[▲▼=] )?\d+(?:\.\d+)?|\d+ of \d+")
    figures = [(raw, read) for raw, read in cells if figure.fullmatch(read)]
    assert any("." in read for _, read in figures[:4]), figures  # the companies' rates
    assert [raw for raw, _ in figures if "\\" in raw] == []  # bold ("**7.6**") is ours
    companies = json.loads(
        run_scan("compare", "--as-of", AS_OF, "--format", "json", cwd=built).stdout
    )
    # Names still go through the escape and read as themselves ("*": few mentions).
    assert {read.rstrip("*") for _, read in cells} >= {c["name"] for c in companies["companies"]}


def test_the_text_tables_line_up_by_terminal_cells_in_indic_scripts(tmp_path) -> None:
    """rich's tables count Hindi and Tamil vowel signs as no cell: a column of such
    issue names pushed the next column out of line, row by row, and the rows past
    80 columns. Every row starts its company at the same column, within 80."""
    from tests.compare_support import CONFIG, END, _complaints, posts

    hindi = [
        "मेरे खाते से पैसे कट गए लेकिन ट्रांसफर नहीं हुआ",
        "खाते से पैसे कट गए और कस्टमर केयर जवाब नहीं देता",
        "पैसे कट गए, ट्रांसफर फेल हो गया, खाते से पैसे कट",
    ]
    rows = posts() + [
        {"source": "reviews", "company": "Acme", **row}
        for row in _complaints("Acme", "hindi", hindi, 6, END)
    ]
    (tmp_path / "scanner.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "posts.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    for args in (("--create", "import", "posts.jsonl"), ("issues",)):
        assert run_scan(*args, cwd=tmp_path).returncode == 0
    done = run_scan("compare", "--as-of", AS_OF, cwd=tmp_path, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    assert max(text_cells(line) for line in lines) <= 80
    assert any("कट" in line and "Acme" in line for line in lines), done.stdout
    tables = 0
    for at, heading in enumerate(lines):
        if not heading.startswith(("Grievance ", "Category ")):
            continue
        tables += 1
        column = text_cells(heading.split("Company")[0])
        for line in lines[at + 1 :]:
            if not line.strip() and not line.startswith(" "):
                break
            names = [c for c in ("Acme", "Globex", "Initech") if f"  {c}  " in line]
            if names:
                assert text_cells(line.split(f"  {names[0]}  ")[0]) + 2 == column, line
    assert tables >= 2
