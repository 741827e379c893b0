"""``[[ignored]]`` in rules/issues.toml: phrases a user read and judged no problem.

Discovery is lexical: on real reviews some company's angry posts always share a
word that names nothing ("soul", "listen"). The user lists it once; from then on
it neither makes an issue nor joins one, under its own name or a longer one, for
that company only, and the issue's row is retired, not deleted. A listed phrase
that matches nothing is said, so a typo does not pass unseen.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scanner.issues.lexicon import Lexicon, phrase_key
from scanner.rules import rules_path
from tests.test_issues import ROWS, _mention

CONFIG = '[company]\nname = "Chatterly"\n\n[[competitors]]\nname = "Swipster"\n'


def _setup(tmp_path: Path) -> Path:
    from scanner.store import Store

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


def _ignore(rules: Path, entry: str) -> None:
    with (rules / "issues.toml").open("a", encoding="utf-8") as f:
        f.write(f"\n[[ignored]]\n{entry}\n")


def _words(issue: dict) -> set[str]:
    lexicon = Lexicon()
    return {w for p in issue["phrases"] for w in phrase_key(p, lexicon)}


def test_an_ignored_word_makes_no_issue_and_the_others_keep_their_ids(tmp_path, scan):
    rules = _setup(tmp_path)
    before = _issues(scan, rules)
    assert before["ignored"] == {}
    # the smallest issue named by one word: the kind a user reads and dismisses
    victim = min(
        (i for i in before["issues"] if len(phrase_key(i["name"], Lexicon())) == 1),
        key=lambda i: (i["people"], i["id"]),
    )
    word = phrase_key(victim["name"], Lexicon())[0]
    others = {i["id"]: i["name"] for i in before["issues"] if word not in _words(i)}
    assert others, before

    _ignore(rules, f'phrases = ["{victim["name"]}", "sould"]\ncompany = "chatterly"')
    after = _issues(scan, rules)
    assert after["retired"] == 1
    assert after["ignored"][victim["name"]] >= 1 and after["ignored"]["sould"] == 0
    # neither under its own name nor inside a longer phrase of another issue
    assert all(word not in _words(i) for i in after["issues"]), after["issues"]
    assert {i["id"]: i["name"] for i in after["issues"]} == others

    table = scan("issues", env={"SCAN_RULES_DIR": str(rules), "COLUMNS": "200"})
    assert f"Left out as [[ignored]] in rules/issues.toml: {victim['name']}." in table.stdout
    assert "matched no candidate: sould." in table.stdout

    # Listed for another company only, it is Chatterly's issue again, on its old row.
    text = (rules / "issues.toml").read_text(encoding="utf-8")
    (rules / "issues.toml").write_text(
        text.replace('company = "chatterly"', 'company = "Swipster"'), encoding="utf-8"
    )
    back = _issues(scan, rules)
    assert back["ignored"] == {}
    assert victim["id"] in {i["id"] for i in back["issues"]}


def test_an_ignored_entry_without_phrases_is_reported_with_its_line(tmp_path, scan):
    rules = _setup(tmp_path)
    _ignore(rules, 'company = "Chatterly"')
    bad = scan("issues", env={"SCAN_RULES_DIR": str(rules)})
    assert bad.returncode == 1
    assert "issues.toml" in bad.stderr and "[[ignored]] 1 `phrases` is missing" in bad.stderr
    assert "Traceback" not in bad.stderr
