"""The digest's comparison section: shown when a comparison changes, and only then.

Sent by the installed ``scan digest`` through a real SMTP server on loopback;
the database is the three-company fixture of ``tests/compare_support.py``,
planted in the 30 days before now.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from scanner.compare.news import news, state
from scanner.config import load_config
from scanner.store import Store
from tests.compare_support import build_compare_db
from tests.conftest import run_scan
from tests.test_digest import HOST, smtp  # noqa: F401 - the SMTP server fixture

SECTION = "COMPARED WITH COMPETITORS"


def _digest_table(port: int) -> str:
    return (
        f'\n[digest]\nto = ["ops@example.com"]\nfrom = "scan@example.com"\n'
        f'smtp_host = "{HOST}"\nsmtp_port = {port}\nsmtp_security = "none"\n'
    )


def _text(message) -> str:
    """The plain part on one line (the digest wraps at 78 columns, also after hyphens)."""
    return " ".join(message.get_body(("plain",)).get_content().split()).replace("- ", "-")


def test_first_digest_says_whose_grievances_are_whose_then_only_changes(tmp_path, smtp):  # noqa: F811
    build_compare_db(tmp_path, end=datetime.now(UTC), extra=_digest_table(smtp.port))
    first = run_scan("digest", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    body = _text(smtp.messages[-1])
    assert SECTION in body
    assert "Now ours alone (issue): refund" in body
    assert "New systemic issue at Globex" in body and "app crashes" in body
    assert "theirs alone: an opening" in body and "industry-wide" in body
    assert "fewer than 30 mentions in the period (Initech)" in body
    page = smtp.messages[-1].get_body(("html",)).get_content()
    assert "Compared with competitors" in page and "New systemic issue at Globex" in page
    with sqlite3.connect(tmp_path / "compare.db") as conn:
        (recorded,) = conn.execute("SELECT state FROM digests ORDER BY id DESC").fetchone()
    assert json.loads(recorded)["compare"]["ours_alone"]
    # Nothing changed since: no section, and --skip-empty sends nothing.
    again = run_scan("digest", "--skip-empty", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert len(smtp.messages) == 1
    plain = run_scan("digest", "--dry-run", cwd=tmp_path)
    assert SECTION not in plain.stdout


def test_a_grievance_that_became_ours_alone_and_a_new_competitor_issue(tmp_path) -> None:
    config = build_compare_db(tmp_path, end=datetime.now(UTC))
    from scanner.compare import build

    with Store(tmp_path / "compare.db") as store:
        cmp = build(store, load_config(config))
    before = state(cmp)
    refunds = next(r for r in cmp.issues if r.name == "refund")
    # The last digest saw refunds at a competitor too, and no crash issue at Globex.
    before["ours_alone"] = [
        m for m in before["ours_alone"] if m not in {f"issue:{i}" for i in refunds.issues["Acme"]}
    ]
    crash = next(r for r in cmp.issues if r.name == "app crashes")
    before["systemic"]["Globex"] = [
        i for i in before["systemic"]["Globex"] if i not in crash.issues["Globex"]
    ]
    found = news(cmp, before)
    assert [r.name for r in found.ours_alone] == ["refund"]
    assert [(s.company, [n for _, n in s.issues], s.row.standing) for s in found.systemic] == [
        ("Globex", ["app crashes"], "theirs_alone")
    ]
    assert not news(cmp, state(cmp)).changed
    assert news(cmp, None).changed  # a first digest reports what holds now


def test_no_competitors_no_section(tmp_path: Path) -> None:
    from scanner.compare.news import compare_news

    (tmp_path / "scanner.toml").write_text('[company]\nname = "Solo"\n', "utf-8")
    with Store(tmp_path / "x.db") as store:
        assert (
            compare_news(
                store,
                load_config(tmp_path / "scanner.toml"),
                as_of=datetime.now(UTC),
                previous=None,
            )
            is None
        )


def test_the_section_lists_a_few_and_counts_the_rest(tmp_path) -> None:
    import textwrap

    from scanner.compare import build
    from scanner.digest.compare_part import text_lines

    config = build_compare_db(tmp_path, end=datetime.now(UTC))
    with Store(tmp_path / "compare.db") as store:
        found = news(build(store, load_config(config)), None)
    found.listed = 1
    lines = text_lines(found, lambda text, indent: textwrap.wrap(text, 78, initial_indent=indent))
    text = "\n".join(lines)
    assert text.count("Now ours alone (") == 1
    assert f"...and {len(found.ours_alone) - 1} more now ours alone" in text
    rest = sum(len(s.issues) for s in found.systemic[1:])
    assert f"...and {rest} more new systemic issues" in text


def test_two_competitor_issues_of_one_grievance_are_told_once_with_its_people(tmp_path) -> None:
    """On six apps' real reviews Chai's "ads" (#16) and "over and over" (#29) both
    matched the ads grievance: the digest announced each as a new systemic issue
    "(192 people in 30 days)", the row's people, where "over and over" had 13 and
    the two together were those same 192 people."""
    import textwrap

    from scanner.compare import build
    from scanner.digest.compare_part import text_lines

    config = build_compare_db(tmp_path, end=datetime.now(UTC))
    with Store(tmp_path / "compare.db") as store:
        cmp = build(store, load_config(config))
    crash = next(r for r in cmp.issues if r.name == "app crashes")
    globex = next(c for c in cmp.companies if c.name == "Globex")
    (first,) = crash.issues["Globex"]
    # A second issue of Globex's that discovery found apart and the comparison matched
    # to the same grievance, as Chai's were.
    crash.issues["Globex"].append(999)
    globex.systemic_issues.append((999, "keeps crashing"))
    found = news(cmp, None)
    people = crash.rates["Globex"].people
    found.listed = len(found.systemic)
    lines = text_lines(found, lambda text, indent: textwrap.wrap(text, 500, initial_indent=indent))
    said = [line.strip() for line in lines if "crashes" in line or "crashing" in line]
    assert said == [
        f"New systemic issues at Globex: #{first} app crashes, #999 keeps crashing "
        f"({people} people in 30 days; theirs alone: an opening)"
    ]


def test_a_new_competitor_issue_beside_one_systemic_before_names_it(tmp_path) -> None:
    """The grievance's people count every issue of it: when one was systemic at the
    last digest and a second one of the same grievance became systemic since, the
    second was announced alone with the people of both (found by review)."""
    import textwrap

    from scanner.compare import build
    from scanner.digest.compare_part import text_lines

    config = build_compare_db(tmp_path, end=datetime.now(UTC))
    with Store(tmp_path / "compare.db") as store:
        cmp = build(store, load_config(config))
    before = state(cmp)  # what the last digest recorded: Globex's issue systemic
    crash = next(r for r in cmp.issues if r.name == "app crashes")
    globex = next(c for c in cmp.companies if c.name == "Globex")
    (first,) = crash.issues["Globex"]
    assert first in before["systemic"]["Globex"]
    crash.issues["Globex"].append(999)
    globex.systemic_issues.append((999, "keeps crashing"))
    found = news(cmp, before)
    people = crash.rates["Globex"].people
    lines = text_lines(found, lambda text, indent: textwrap.wrap(text, 500, initial_indent=indent))
    said = [line.strip() for line in lines if "crashing" in line]
    assert said == [
        f"New systemic issue at Globex: #999 keeps crashing (with #{first} app crashes, "
        f"systemic before: {people} people in 30 days; theirs alone: an opening)"
    ]
