"""The demo's directory: a fresh database each run, and the config it ran with.

The config is written out in full (``DIR/scanner.toml``) so the user can read
what the demo did and run the next commands from DIR against the same database.
A directory holding a database the demo did not make is never touched.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.errors import ScanError

CONFIG = "scanner.toml"
DB = "scan.db"
DIGEST = "digest.eml"
MARK = "# Written by `scan demo`"
# The demo crawls only its own loopback server, so it may go at full speed.
FULL_SPEED = {"download_delay": 0.0, "concurrency": 8, "autothrottle": False, "max_pages": 50}


def prepare(directory: Path) -> None:
    """Make ``directory`` ready for a fresh run, or refuse to touch someone's data."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScanError(f"cannot create {directory}: {exc.strerror}; choose another --dir") from exc
    config, db = directory / CONFIG, directory / DB
    ours = config.exists() and config.read_text("utf-8", errors="replace").startswith(MARK)
    if (db.exists() or config.exists()) and not ours:
        raise ScanError(
            f"{directory} already holds a scan.db or scanner.toml that `scan demo` "
            "did not write; choose another directory with --dir"
        )
    for name in (DB, f"{DB}-wal", f"{DB}-shm", f"{DB}-journal", DIGEST):
        (directory / name).unlink(missing_ok=True)


def write_config(
    directory: Path,
    company: dict[str, Any],
    sources: list[dict[str, Any]],
    competitor: dict[str, Any] | None = None,
) -> Path:
    """``DIR/scanner.toml``: the company (and competitor), the demo's sources at full
    speed, a digest."""
    lines = [
        f"{MARK} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: the config the demo ran with.",
        "# Its sources point at the demo's own web server, which stopped when the demo",
        "# ended. To watch a real company, run `scan init` in another directory and",
        "# edit [company] and [[sources]] there.",
        f"db = {_value(DB)}",
        "",
        "[company]",
        f"name = {_value(company['name'])}",
        f"aliases = {_value(company['aliases'])}",
        "",
    ]
    if competitor:
        lines += [
            "[[competitors]]",
            f"name = {_value(competitor['name'])}",
            f"aliases = {_value(competitor['aliases'])}",
            "",
        ]
    lines += [
        "[crawl]",
        f"max_pages = {FULL_SPEED['max_pages']}",
        "",
        "[digest]",
        'to = ["you@example.com"]',
        'from = "scan-demo@localhost"',
        'subject_prefix = "[scan demo]"',
    ]
    for source in sources:
        lines += ["", "[[sources]]"]
        lines += [f"{key} = {_value(value)}" for key, value in {**source, **FULL_SPEED}.items()]
    path = directory / CONFIG
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _value(value: Any) -> str:
    """A TOML value. JSON strings, numbers and booleans are valid TOML as written."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
