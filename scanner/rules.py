"""Finding and reading rule files (``rules/*.toml``) wherever scan is installed.

Rules are data, not code: thresholds, category terms, site definitions. They
travel inside the wheel as package data (``scanner.rulefiles``, from ``rules/``), so an
installed ``scan`` finds them without the source tree. A user can override any
file by putting one with the same name in a directory named by
``SCAN_RULES_DIR``.
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.errors import RuleFileError


def rules_path(name: str) -> Path:
    """The file to read for ``name`` (e.g. ``"grouping.toml"``, ``"sources/x.toml"``)."""
    override = os.environ.get("SCAN_RULES_DIR")
    if override and (Path(override) / name).exists():
        return Path(override) / name
    return Path(str(resources.files("scanner.rulefiles").joinpath(name)))


@cache
def load_rules(name: str) -> dict[str, Any]:
    """Parse a rule file; a syntax error is reported with the file and line."""
    path = rules_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(path, f"cannot read rule file: {exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason, line = toml_error(exc)
        raise RuleFileError(path, f"not valid TOML: {reason}", line) from exc


_AT = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")


def toml_error(exc: tomllib.TOMLDecodeError) -> tuple[str, int | None]:
    """The reason and line of a TOML syntax error. Python 3.14 gives them as
    ``msg`` and ``lineno``; 3.11 to 3.13 only in the message ("Invalid value (at
    line 2, column 1)")."""
    text = str(exc)
    found = _AT.search(text)
    reason = getattr(exc, "msg", None) or (text[: found.start()] if found else text)
    line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
    return reason, line


_REQUIRED: Any = object()


def number(
    rules: dict[str, Any], key: str, *, name: str, low: float, high: float,
    default: Any = _REQUIRED,
) -> float:  # fmt: skip
    """A numeric rule, checked against its range ("threshold must be 0-100, got 140").

    With ``default``, a missing key gives the default; a present one is still checked.
    """
    if default is not _REQUIRED and key not in rules:
        return default
    value = rules.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise RuleFileError(
            rules_path(name), f"{key} must be a number {low:g}-{high:g}, got {value!r}"
        )
    return value
