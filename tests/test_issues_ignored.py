"""``[[ignored]]`` in rules/issues.toml: phrases a user read and judged no problem.

Discovery is lexical: on real reviews some company's angry posts always share a
word that names nothing ("soul", "listen"). The user lists it once. The issue a
listed phrase names is dismissed whole (its row retired, not deleted); anywhere
else the phrase, every longer phrase holding its words and a leaning word are left
out, and the issue they were in stays. For one company or all; a phrase that
matches nothing, or an entry for a company nobody watches, is said.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from scanner.issues import Grievance, Lexicon, discover, load_issue_rules
from scanner.issues import store as issue_store
from scanner.issues.lexicon import phrase_key
from scanner.issues.settings import parse_issue_rules
from scanner.rules import rules_path
from scanner.store import Store
from tests.test_issues import ROWS, _config, _mention, _store

CONFIG = '[company]\nname = "Chatterly"\n\n[[competitors]]\nname = "Swipster"\n'


def _keys(phrases: list[str]) -> set[tuple[str, ...]]:
    lexicon = Lexicon()
    return {phrase_key(p, lexicon) for p in phrases}


def _discovered(tmp_path: Path, raw: dict) -> dict[int, tuple[str, list[str]]]:
    """Issue id -> (name, phrases) of the active issues after a run with these rules,
    the first run of the database being one with no rules (as a user first sees it)."""
    tmp_path.mkdir(exist_ok=True)
    with _store(tmp_path, ROWS) as store:
        issue_store.run(store, _config(tmp_path), rules=parse_issue_rules({}))
        result = issue_store.run(store, _config(tmp_path), rules=parse_issue_rules(raw))
    return {i.id: (i.name, i.phrases) for i in result.companies[0].issues}


@pytest.fixture(scope="module")
def before(tmp_path_factory) -> dict[int, tuple[str, list[str]]]:
    return _discovered(tmp_path_factory.mktemp("before"), {})


def _multi_word_issue(before: dict[int, tuple[str, list[str]]]) -> tuple[int, str, list[str]]:
    """The largest issue named by a phrase of two words that has other phrases too."""
    for iid, (name, phrases) in before.items():
        if len(phrase_key(name, Lexicon())) == 2 and len(phrases) >= 3:
            return iid, name, phrases
    raise AssertionError(f"no such issue in {before}")


def test_the_phrase_that_names_an_issue_dismisses_it_whole(tmp_path, before):
    iid, name, phrases = _multi_word_issue(before)
    after = _discovered(tmp_path, {"ignored": [{"phrases": [name]}]})
    assert iid not in after
    # none of its phrases stands again as an issue of its own or inside another
    kept = {k for _, (_, p) in after.items() for k in _keys(p)}
    assert not kept & _keys(phrases), after
    unrelated = {i: n for i, (n, p) in before.items() if not _keys(p) & _keys(phrases)}
    assert {i: n for i, (n, _) in after.items()} == unrelated


def test_a_word_of_an_issue_is_left_out_of_it_longer_phrases_too(tmp_path, before):
    iid, name, phrases = _multi_word_issue(before)
    word = phrase_key(name, Lexicon())[0]  # one word of its two-word name
    assert any(word in k and len(k) > 1 for k in _keys(phrases))
    after = _discovered(tmp_path, {"ignored": [{"phrases": [word]}]})
    assert iid in after and after[iid][0] != name  # it stays, named otherwise
    assert all(word not in k for _, (_, p) in after.items() for k in _keys(p)), after


def test_an_ignored_leaning_word_joins_no_theme():
    subscription = [
        "the subscription is a rip off, i have to pay for every chat now",
        "subscription price doubled and now we pay to talk",
        "forced to pay a subscription just to send messages",
        "why pay a subscription for a chat app with this quality",
        "the new subscription means i pay every month for less",
        "cancelled my subscription, not going to pay that much",
        "subscription costs too much, pay walls everywhere",
        "pay the subscription or leave, that is the deal now",
    ]
    crashes = [f"the app crashes {when}" for when in ("daily", "at login", "on start", "often")]
    texts = subscription + crashes + [f"crashed again {n} times" for n in range(4)]
    grievances = [Grievance(f"g{i}", f"p{i}", t, "en") for i, t in enumerate(texts)]

    def run(ignored: list[str]) -> tuple[dict, set]:
        found = discover(
            grievances,
            ["love the characters and the stories"] * 60,
            lexicon=Lexicon(names=["Acme"]),
            params=load_issue_rules().params,
            ignored=ignored,
        )
        return found.ignored, {k for i in found.issues for k in i.phrases}

    _, phrases = run([])
    assert ("pay",) in phrases  # "pay" leans to the price theme here
    counts, phrases = run(["pay"])
    assert counts["pay"] >= 1 and not any("pay" in k for k in phrases)
    assert ("pric",) in phrases  # the price theme itself stays


def _themes(texts: list[tuple[str, str]], ignored: list[str]) -> tuple[dict, dict]:
    """Discovery on (text, language) grievances: what each phrase left out, and each
    issue's name and phrase keys."""
    found = discover(
        [Grievance(f"g{i}", f"p{i}", t, lang) for i, (t, lang) in enumerate(texts)],
        ["love the characters and the stories"] * 60,
        lexicon=Lexicon(names=["Acme"]),
        params=load_issue_rules().params,
        ignored=ignored,
    )
    return found.ignored, {i.name: set(i.phrases) for i in found.issues}


def test_a_phrase_is_read_with_our_stop_words_not_every_language_of_the_posts():
    ads = [f"so many ads, {n} ads every chat" for n in ("two", "three", "five", "six")]
    ads += ["the ads are endless", "ads before every message", "ads ads ads", "remove the ads"]
    crashes = [f"the app crashes {when}" for when in ("daily", "at login", "on start", "often")]
    texts = [(t, "en") for t in ads + crashes] + [("publicité multiple, application lente", "fr")]
    # "multiple" is a French stop word: read in French, "multiple ads" would be "ads"
    _, themes = _themes(texts, ["multiple ads"])
    assert "ads" in themes


def test_the_name_shown_for_a_sentence_long_phrase_dismisses_the_issue():
    """An issue hung on a phrase that reads as a sentence shows a shorter one as its
    name, and the report tells the user to list that name: it dismisses the issue."""
    when = ["honestly", "sadly", "again", "today", "still", "yesterday", "once more"]
    slow = [f"{w} my reimbursement applications were mishandled by the staff" for w in when]
    crashes = [f"the app crashes {w}, please fix" for w in ("daily", "at login", "on start")]
    crashes += [f"the app crashes {w}, please fix" for w in ("often", "at night", "each time")]
    texts = [(t, "en") for t in slow + crashes]
    _, themes = _themes(texts, [])
    shown = next(name for name, keys in themes.items() if "applic" in {w for k in keys for w in k})
    assert len(shown) <= 40 < len("reimbursement applications were mishandled")
    counts, after = _themes(texts, [shown])
    assert counts[shown] >= 1
    assert not any("applic" in k or "reimburs" in k for keys in after.values() for k in keys), after
    assert "app crashes" in after


def test_each_phrase_is_judged_on_what_the_others_leave_and_all_are_counted(tmp_path, before):
    iid, name, phrases = _multi_word_issue(before)
    first = name.split()[-1]  # "verification" of "age verification"
    with_one = _discovered(tmp_path / "one", {"ignored": [{"phrases": [first]}]})
    shown = with_one[iid][0]  # the name the user sees with the first word listed
    assert shown != name
    both = _discovered(tmp_path / "two", {"ignored": [{"phrases": [first, shown]}]})
    assert iid not in both  # listing the name they saw dismisses it
    kept = {k for _, (_, p) in both.items() for k in _keys(p)}
    assert not kept & _keys(phrases), both
    (tmp_path / "three").mkdir()
    with _store(tmp_path / "three", ROWS) as store:
        rules = parse_issue_rules({"ignored": [{"phrases": [name, phrases[-1], name.upper()]}]})
        counts = issue_store.run(store, _config(tmp_path / "three"), rules=rules)
    # a phrase inside a dismissed issue, or the name written twice, still took effect
    assert all(n >= 1 for n in counts.companies[0].ignored.values()), counts.companies[0].ignored


def test_entries_apply_to_their_company_or_to_all_and_an_unwatched_one_is_said():
    rules = parse_issue_rules(
        {
            "ignored": [
                {"phrases": ["soul"]},
                {"phrases": ["listen"], "company": " chatterly "},
                {"phrases": ["touch"], "company": "Chaterly"},
            ],
            "pinned": [{"name": "Refunds", "phrases": ["refund"], "company": "Swipster"}],
        }
    )
    assert rules.ignored_for("Chatterly") == ["soul", "listen"]
    assert rules.ignored_for("Swipster") == ["soul"]
    assert rules.unwatched(["Chatterly", "Swipster"]) == [
        "issues.toml: [[ignored]] 3 is for 'Chaterly', not a watched company "
        "(Chatterly, Swipster): it applies to none"
    ]


def _setup(tmp_path: Path) -> Path:
    with Store(tmp_path / "scan.db") as store:
        store.upsert_mentions([_mention(r) for r in ROWS])
    (tmp_path / "scanner.toml").write_text(CONFIG, encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("issues.toml", "phrases.toml"):
        shutil.copy(rules_path(name), rules / name)
    return rules


def _issues(scan, rules: Path) -> dict:
    out = scan("issues", "--json", env={"SCAN_RULES_DIR": str(rules)})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["companies"][0]


def _append(rules: Path, table: str) -> None:
    with (rules / "issues.toml").open("a", encoding="utf-8") as f:
        f.write(f"\n{table}\n")


def test_the_cli_retires_the_issue_says_what_was_left_out_and_what_matched_nothing(tmp_path, scan):
    rules = _setup(tmp_path)
    before = _issues(scan, rules)
    assert before["ignored"] == {}
    victim = min(
        (i for i in before["issues"] if len(phrase_key(i["name"], Lexicon())) == 1),
        key=lambda i: (i["people"], i["id"]),
    )
    _append(rules, f'[[ignored]]\nphrases = ["{victim["name"]}", "sould"]\ncompany = "chatterly"')
    # for every company: it matches Chatterly's posts only, which is no typo
    _append(rules, '[[ignored]]\nphrases = ["selfie"]')
    after = _issues(scan, rules)
    assert after["retired"] == 1 and victim["id"] not in {i["id"] for i in after["issues"]}
    assert after["ignored"][victim["name"]] >= 1 and after["ignored"]["sould"] == 0
    assert after["ignored"]["selfie"] >= 1

    table = scan("issues", env={"SCAN_RULES_DIR": str(rules), "COLUMNS": "200"})
    assert (
        f"Left out as [[ignored]] in rules/issues.toml: {victim['name']}, selfie." in table.stdout
    )
    assert "\n[[ignored]] phrases that matched nothing (a typo?): sould.\n" in table.stdout
    assert "Warning" not in table.stderr

    # For a company nobody watches, the entry applies to none, and the user is told.
    text = (rules / "issues.toml").read_text(encoding="utf-8")
    (rules / "issues.toml").write_text(text.replace('"chatterly"', '"Chaterly"'), encoding="utf-8")
    moved = scan("issues", env={"SCAN_RULES_DIR": str(rules)})
    assert "Warning: issues.toml: [[ignored]] 1 is for 'Chaterly', not a watched" in moved.stderr
    assert moved.returncode == 0 and "rules/issues.toml: selfie.\n" in moved.stdout
    back = _issues(scan, rules)
    assert victim["id"] in {i["id"] for i in back["issues"]}  # on its old row


def test_report_says_how_to_dismiss_a_discovered_issue_not_a_pinned_one(tmp_path, scan):
    rules = _setup(tmp_path)
    _append(rules, '[[pinned]]\nname = "Refunds"\nphrases = ["refund", "charged"]')
    issues = {i["name"]: i for i in _issues(scan, rules)["issues"]}
    env = {"SCAN_RULES_DIR": str(rules), "COLUMNS": "200"}

    def view(iid: int) -> str:
        out = scan("report", "--as-of", "2025-06-01", "--issue", str(iid), env=env)
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert "Not a problem?" not in view(issues["Refunds"]["id"])
    assert "Not a problem? List “ads” under [[ignored]] in rules/issues.toml." in view(
        issues["ads"]["id"]
    )


def test_an_ignored_entry_without_phrases_is_reported_with_its_line(tmp_path, scan):
    rules = _setup(tmp_path)
    lines = len((rules / "issues.toml").read_text(encoding="utf-8").splitlines())
    _append(rules, '[[ignored]]\ncompany = "Chatterly"')
    bad = scan("issues", env={"SCAN_RULES_DIR": str(rules)})
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert f"issues.toml line {lines + 2}: [[ignored]] 1 `phrases` is missing" in bad.stderr
