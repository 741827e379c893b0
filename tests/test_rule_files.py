"""Every rule file and the config are checked one way (``scanner.schema``): a typo'd
key is refused with the file, the key and its line, and what ships loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner import rules
from scanner.clustering.settings import load_params
from scanner.compare.settings import load_compare_rules
from scanner.config import load_config
from scanner.digest.rules import load_digest_rules
from scanner.errors import RuleFileError
from scanner.issues.settings import load_issue_rules
from scanner.issues.wordlists import phrase_lists
from scanner.judge.categories import category_rules
from scanner.judge.complaints import complaint_rules
from scanner.judge.systemic import load_systemic_rules
from scanner.spiders.site import load_rule
from scanner.starter import STARTER

LOADERS = {
    "grouping.toml": load_params,
    "systemic.toml": load_systemic_rules,
    "digest.toml": load_digest_rules,
    "issues.toml": load_issue_rules,
    "phrases.toml": phrase_lists,
    "complaint.toml": lambda: complaint_rules.__wrapped__(),
    "categories.toml": category_rules,
    "compare.toml": load_compare_rules,
}
SHIPPED = Path(str(rules.rules_path("grouping.toml"))).parent


def test_every_shipped_rule_file_has_a_loader():
    assert {p.name for p in SHIPPED.glob("*.toml")} == set(LOADERS)


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_every_shipped_rule_file_loads(name):
    assert LOADERS[name]() is not None


def test_every_shipped_site_rule_and_the_starter_config_load(tmp_path):
    for path in (SHIPPED / "sources").glob("*.toml"):
        assert load_rule(str(path)).fields.text
    config = tmp_path / "scanner.toml"
    config.write_text(STARTER, encoding="utf-8")
    assert load_config(config).company.name == "Acme"


def _typo(text: str) -> tuple[str, str, int]:
    """The file with its first key or table misspelt (``min_people`` -> ``min_eople``)."""
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines, 1):
        found = re.match(r"([a-z_]+) = ", line) or re.match(r"\[([a-z_]+)\]", line)
        if found:
            key = found.group(1)
            wrong = key[:2] + key[3:] if len(key) > 3 else key + "x"
            lines[number - 1] = line.replace(key, wrong, 1)
            return "".join(lines), wrong, number
    raise AssertionError("no key found")


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SCAN_RULES_DIR", str(tmp_path))
    rules.load_rules.cache_clear()
    yield tmp_path
    monkeypatch.delenv("SCAN_RULES_DIR")
    rules.load_rules.cache_clear()


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_a_typo_in_any_rule_file_is_refused_with_file_key_and_line(rules_dir, name):
    text, wrong, line = _typo((SHIPPED / name).read_text(encoding="utf-8"))
    (rules_dir / name).write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        LOADERS[name]()
    problem = next(p for p in str(caught.value).splitlines() if f"`{wrong}`" in p)
    assert problem.startswith(f"{rules_dir / name} line {line}: ")
    assert f"`{wrong}` is not a known key" in problem


def test_a_typo_in_a_site_rule_is_refused_with_file_key_and_line(tmp_path):
    text, wrong, line = _typo((SHIPPED / "sources" / "example-board.toml").read_text("utf-8"))
    (tmp_path / "board.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rule(str(tmp_path / "board.toml"))
    assert str(caught.value).startswith(f"{tmp_path / 'board.toml'} line {line}: `{wrong}` is not")


def test_min_peple_in_systemic_rules_no_longer_passes_silently(rules_dir):
    (rules_dir / "systemic.toml").write_text("min_peple = 1\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"systemic\.toml line 1: `min_peple` is not a known"):
        load_systemic_rules()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[respellings]\n"log in" = "login"\n', "must map one word to one word"),
        ('[compounds]\nlogin = "log"\n', "must map 2 to 4 words to one word"),
        ('[compounds]\n"log in" = "log on"\n', "must map 2 to 4 words to one word"),
        ('[synonyms]\nbug = ["the app just closes by itself"]\n', "must be 1 to 4 words"),
    ],
)
def test_a_word_table_entry_of_the_wrong_size_is_refused_not_ignored(rules_dir, table, message):
    # Both were skipped silently: a user's override would have done nothing, unsaid.
    (rules_dir / "phrases.toml").write_text(table, "utf-8")
    with pytest.raises(RuleFileError) as caught:
        phrase_lists()
    assert str(caught.value).startswith(f"{rules_dir / 'phrases.toml'} line 1: `")
    assert message in str(caught.value)


def test_every_problem_of_a_rule_file_is_reported_at_once(rules_dir):
    (rules_dir / "digest.toml").write_text(
        "max_listed = 0\nquote_chars = 'long'\n[spike]\nratio = 2\nbaseline = 14\n"
        "[mask]\nphone_words = ['call', 5]\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as caught:
        load_digest_rules()
    lines = [line.split(": ", 1)[1] for line in str(caught.value).splitlines()]
    assert lines == [
        "`max_listed` must be a whole number from 1 to 500, got 0",
        '`quote_chars` must be a whole number from 40 to 2000, got a string "long"',
        "[spike] `baseline` is not a known key (known keys here: baseline_days, min_history_days, "
        "min_today, ratio)",
        '[mask] `phone_words` must be a list of strings, got a list ["call", 5]',
    ]


def test_a_toml_syntax_error_is_one_line_on_this_python(rules_dir):
    """On 3.11 TOMLDecodeError has no ``msg``: the site spider read it and crashed."""
    rule = rules_dir / "broken.toml"
    rule.write_text('post = "article"\n[fields\ntext = "p"\n', encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rule(str(rule))
    assert str(caught.value).startswith(f"{rule} line 2: not valid TOML: ")
    assert "\n" not in str(caught.value)
