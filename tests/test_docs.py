"""Docs that tests check: every command and config key is in the README, and CI
runs exactly the README's test command."""

from __future__ import annotations

import re

from scanner import config
from scanner.cli import COMMANDS

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = (
    "pip install '.[test]' && python -m mypy && python -m pytest -q -n auto --dist loadfile"
)


def test_every_command_is_in_the_readme():
    for name in COMMANDS:
        assert re.search(rf"`scan {re.escape(name)}\b", README), f"scan {name} not in README"


def test_every_config_key_is_documented():
    tables = config.documented_keys()
    assert set(tables) == {"", "company", "sources", "digest", "crawl", "privacy"}
    for table, keys in tables.items():
        for key in keys:
            assert f"`{key}`" in README, f"config key {table}.{key} is not in the README"


def test_ci_runs_the_readme_test_command():
    assert TEST_COMMAND in README
    assert TEST_COMMAND in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_starts_with_purpose_then_the_demo_command():
    body = README.split("\n## ", 1)
    assert "pip install . && scan demo" in body[1].split("\n## ", 1)[0]


def test_help_shows_no_markup_of_the_source_code():
    """``scan sources --help`` printed "(``scan import``)": a docstring's reST
    literal, which click shows as typed. Help uses the README's single backticks."""
    from click.testing import CliRunner

    from scanner.cli import cli

    for name in COMMANDS:
        shown = CliRunner().invoke(cli, [name, "--help"], terminal_width=80)
        assert shown.exit_code == 0, (name, shown.output)
        assert "``" not in shown.output, f"scan {name} --help: {shown.output}"
