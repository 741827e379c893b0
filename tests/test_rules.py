"""Rule files: a TOML syntax error is one line naming the file and the line, on every
Python we support (3.11 has no ``msg``/``lineno`` on TOMLDecodeError, 3.14 has)."""

from __future__ import annotations

import tomllib

import pytest

from scanner import rules
from scanner.errors import RuleFileError
from scanner.store import Store


def test_toml_error_gives_reason_and_line_from_the_message():
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads("a = 1\nb = [1,\nc =")
    reason, line = rules.toml_error(caught.value)
    assert line == 3 and reason and "line" not in reason


def test_a_broken_rule_file_is_one_clear_error(tmp_path, monkeypatch, scan):
    (tmp_path / "issues.toml").write_text("[discovery]\nkeyness = \n", encoding="utf-8")
    monkeypatch.setenv("SCAN_RULES_DIR", str(tmp_path))
    rules.load_rules.cache_clear()
    try:
        with pytest.raises(RuleFileError) as caught:
            rules.load_rules("issues.toml")
    finally:
        monkeypatch.delenv("SCAN_RULES_DIR")
        rules.load_rules.cache_clear()
    assert "issues.toml" in str(caught.value) and "line 2" in str(caught.value)
    assert "not valid TOML" in str(caught.value)
    (tmp_path / "scanner.toml").write_text('[company]\nname = "Acme"\n', encoding="utf-8")
    Store(tmp_path / "scan.db").close()  # a database, so that the rule file is what fails
    out = scan("issues", env={"SCAN_RULES_DIR": str(tmp_path)})
    assert out.returncode == 1
    assert "not valid TOML" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
