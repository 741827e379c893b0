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
from typing import Any, TypeVar

from scanner.errors import CheckedFileError, RuleFileError
from scanner.schema import Problems, check

T = TypeVar("T")


def rules_path(name: str) -> Path:
    """The file to read for ``name`` (e.g. ``"grouping.toml"``, ``"sources/x.toml"``)."""
    override = os.environ.get("SCAN_RULES_DIR")
    if override:
        if not Path(override).is_dir():  # a typo had silently meant the built-in rules
            raise RuleFileError(override, "SCAN_RULES_DIR names no directory")
        if (Path(override) / name).exists():
            return Path(override) / name
    return Path(str(resources.files("scanner.rulefiles").joinpath(name)))


@cache
def load_rules(name: str) -> dict[str, Any]:
    """Parse a rule file; a syntax error is reported with the file and line."""
    return read_toml(rules_path(name), RuleFileError)[1]


def read_toml(path: Path, error: type[CheckedFileError]) -> tuple[str, dict[str, Any]]:
    """The text and data of a TOML file, or ``error`` naming the file and the line.

    Every reader of a file the user edits goes through here, so that a syntax
    error is one line on every Python we support (see :func:`toml_error`).
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(path, f"cannot read: {exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # where, not "in position 19" of the whole file
        at = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex()
        raise error(path, f"not UTF-8 (byte 0x{byte}): re-save the file as UTF-8", at) from exc
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason, line = toml_error(exc)
        raise error(path, f"not valid TOML: {reason}", line) from exc


_checked: dict[tuple[str, type], tuple[dict[str, Any], Any]] = {}


def load_checked(name: str, schema: type[T]) -> T:
    """Rule file ``name`` checked against the dataclass ``schema`` (``scanner.schema``):
    unknown keys, wrong types and values out of range are all reported at once,
    each with its line. Checked again whenever :func:`load_rules` reads anew."""
    data = load_rules(name)
    cached = _checked.get((name, schema))
    if cached is not None and cached[0] is data:
        return cached[1]
    path = rules_path(name)
    built = check_data(path, data, schema, RuleFileError)
    _checked[name, schema] = (data, built)
    return built


def check_data(
    file: Path,
    data: dict[str, Any],
    schema: type[T],
    error: type[CheckedFileError],
    *,
    text: str | None = None,
    **extra: Any,
) -> T:
    """``schema`` built from the parsed ``data`` of ``file``, or ``error`` with every problem.

    ``text`` is what ``data`` was parsed from (by default the file, read again only
    to place a problem); ``extra`` fills the fields that are not keys in the file."""
    problems = Problems(file, text if text is not None else lambda: read_toml(file, error)[0])
    built = check(schema, data, problems, **extra)
    problems.raise_if_any(error)
    assert built is not None  # no problem found: built
    return built


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
    rules: dict[str, Any],
    key: str,
    *,
    name: str,
    low: float,
    high: float,
    default: Any = _REQUIRED,
) -> float:
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
