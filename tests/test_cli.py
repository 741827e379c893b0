"""The installed entry point, run from a directory outside the repository."""

from __future__ import annotations

import json

from scanner import __version__
from scanner.cli import COMMANDS, cli


def test_version_and_help(scan):
    assert scan("--version").stdout.strip().endswith(__version__)
    help_text = scan("--help").stdout
    for name in COMMANDS:
        assert name in help_text


def test_every_command_has_help_with_an_example():
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command.help and "Example:" in command.help, name


def test_end_to_end_from_outside_the_repo(scan, tmp_path):
    sample = tmp_path / "sample.jsonl"
    sample.write_text(
        json.dumps({"id": "s1", "text": "The refund never came", "author": "Ann"})
        + "\n"
        + json.dumps({"id": "s2", "text": "Delivery took a month", "author": "Bob"})
        + "\n",
        encoding="utf-8",
    )
    assert scan("--db", "x.db", "init").returncode == 0
    imported = scan("--db", "x.db", "import", "sample.jsonl")
    assert imported.returncode == 0, imported.stderr
    found = scan("--db", "x.db", "mentions", "--search", "refund")
    assert "s1" in found.stdout and "s2" not in found.stdout
    stats = json.loads(scan("--db", "x.db", "stats", "--json").stdout)
    assert stats["mentions"] == 2 and stats["grievances"] == 2


def test_reading_commands_refuse_a_missing_database(scan, tmp_path):
    for args in (["report"], ["mentions"], ["stats"]):
        result = scan("--db", "typo.db", *args)
        assert result.returncode == 1, args
        assert "typo.db: no such database" in result.stderr
    assert not (tmp_path / "typo.db").exists()
