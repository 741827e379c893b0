"""Checking parsed TOML against a dataclass, every problem at once.

A file with eight typos is reported in one run, each problem on its own line
with the file, the line and the key, then the caller's error is raised.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from scanner.errors import CheckedFileError
from scanner.schema.fields import Setting, choices_of, key_path, spec_of
from scanner.schema.lines import Path as KeyPath
from scanner.schema.lines import key_lines, line_of
from scanner.schema.words import expected, kind, shown, where

T = TypeVar("T")
_BAD: Any = object()  # a value that failed its check (already reported)


class Problems:
    """The problems found in one file, each with its line."""

    def __init__(self, path: str | Path, text: str | Callable[[], str]) -> None:
        self.path, self._text = Path(path), text
        self._lines: dict[KeyPath, int] | None = None
        self.found: list[tuple[int | None, str]] = []

    def add(self, at: KeyPath, reason: str) -> None:
        self.found.append((line_of(self.lines, at), f"{where(at)} {reason}"))

    @property
    def lines(self) -> dict[KeyPath, int]:
        """Read only when there is a problem to place: a good file costs no second pass."""
        if self._lines is None:
            text = self._text() if callable(self._text) else self._text
            self._lines = key_lines(text)
        return self._lines

    def raise_if_any(self, error: type[CheckedFileError]) -> None:
        if self.found:
            ordered = sorted(self.found, key=lambda found: found[0] or 0)
            raise error(self.path, ordered[0][1], ordered[0][0], problems=ordered)


def check(cls: type[T], data: dict[str, Any], problems: Problems, **extra: Any) -> T | None:
    """``cls`` built from ``data``, or ``None`` when ``problems`` has new entries."""
    return _table(cls, data, (), problems, extra)


def _table(cls: Any, data: Any, at: KeyPath, problems: Problems, extra: dict[str, Any]) -> Any:
    if not isinstance(data, dict):
        problems.add(at, f"must be a table, got {kind(data)}")
        return _BAD
    before = len(problems.found)
    fields = _schema(cls)
    _unknown(data, _known_tree(fields), at, problems)
    values = dict(extra)
    for field, hint in fields:
        path, spec = key_path(field), spec_of(field)
        value = _dig(data, path)
        if value is _MISSING:
            if (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            ):
                problems.add((*at, *path), "is missing (it is required)")
            continue
        checked = _value(hint, value, (*at, *path), spec, problems)
        if checked is not _BAD:
            values[field.name] = checked
    if len(problems.found) > before:
        return _BAD
    built = cls(**values)
    for key, reason in getattr(built, "schema_problems", list)():
        problems.add((*at, *key), reason)
    return _BAD if len(problems.found) > before else built


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _value(hint: Any, value: Any, at: KeyPath, spec: Setting | None, problems: Problems) -> Any:
    converted = _convert(hint, value, at, problems)
    if converted is _BAD:
        problems.add(at, f"must be {expected(hint, spec)}, got {kind(value)}")
        return _BAD
    if converted is _NESTED_BAD or spec is None:
        return _BAD if converted is _NESTED_BAD else converted
    reason = _limits(converted, spec)
    if reason is None and spec.check is not None:
        reason = spec.check(converted)
    if reason is not None:
        problems.add(at, reason)
        return _BAD
    if _wrong_choice(converted, spec) or _out_of_range(converted, spec):
        problems.add(at, f"must be {expected(hint, spec)}, got {shown(value)}")
        return _BAD
    return converted


_NESTED_BAD: Any = object()  # a table or list whose own entries were reported
_MISSING: Any = object()


def _convert(hint: Any, value: Any, at: KeyPath, problems: Problems) -> Any:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        for member in (a for a in args if a is not type(None)):
            quiet = Problems(problems.path, "")
            converted = _convert(member, value, at, quiet)
            if converted is not _BAD and not quiet.found:
                return converted
        return _BAD
    if hint is Any:
        return value
    if hint is bool:
        return value if isinstance(value, bool) else _BAD
    if hint is int:
        return value if isinstance(value, int) and not isinstance(value, bool) else _BAD
    if hint is float:  # an int stays an int, as written: fingerprints of settings hash it
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return value if ok else _BAD
    if hint is str:
        return value if isinstance(value, str) else _BAD
    if hint is Path:
        return Path(value).expanduser() if isinstance(value, str) else _BAD
    if origin in (list, tuple):
        return _sequence(origin, args[0], value, at, problems)
    if origin is dict or hint is dict:
        return _mapping(args[1] if args else Any, value, at, problems)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            return _BAD
        built = _table(hint, value, at, problems, {})
        return _NESTED_BAD if built is _BAD else built
    raise TypeError(f"the schema cannot read {hint!r}")  # a bug in a schema, not user input


def _sequence(origin: Any, item: Any, value: Any, at: KeyPath, problems: Problems) -> Any:
    if not isinstance(value, list):
        return _BAD
    if dataclasses.is_dataclass(item):
        built = [_table(item, entry, (*at, i), problems, {}) for i, entry in enumerate(value)]
        return _NESTED_BAD if _BAD in built else origin(built)
    converted = [_convert(item, entry, (*at, i), problems) for i, entry in enumerate(value)]
    if _NESTED_BAD in converted:
        return _NESTED_BAD
    return _BAD if _BAD in converted else origin(converted)


def _mapping(item: Any, value: Any, at: KeyPath, problems: Problems) -> Any:
    if not isinstance(value, dict):
        return _BAD
    out, bad = {}, False
    for key, entry in value.items():
        converted = _value(item, entry, (*at, key), None, problems)
        bad = bad or converted is _BAD
        out[key] = converted
    return _NESTED_BAD if bad else out


def _limits(value: Any, spec: Setting) -> str | None:
    if spec.nonempty and not (value.strip() if isinstance(value, str) else value):
        return "must not be empty"
    return None


def _wrong_choice(value: Any, spec: Setting) -> bool:
    choices = choices_of(spec)
    return choices is not None and value not in choices


def _out_of_range(value: Any, spec: Setting) -> bool:
    if not isinstance(value, int | float):
        return False
    return (
        (spec.low is not None and value < spec.low)
        or (spec.high is not None and value > spec.high)
        or (spec.above is not None and value <= spec.above)
    )


@cache
def _schema(cls: Any) -> list[tuple[dataclasses.Field[Any], Any]]:
    hints = get_type_hints(cls)
    return [(f, hints[f.name]) for f in dataclasses.fields(cls) if spec_of(f) is not None]


def _known_tree(fields: list[tuple[dataclasses.Field[Any], Any]]) -> dict[str, Any]:
    """Keys the fields read, as nested dicts: ``spike.ratio`` -> ``{"spike": {"ratio": {}}}``."""
    tree: dict[str, Any] = {}
    for field, _ in fields:
        node = tree
        path = key_path(field)
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = None  # a leaf: its value is checked by its own type
    return tree


def _unknown(data: dict[str, Any], tree: dict[str, Any], at: KeyPath, problems: Problems) -> None:
    for key, value in data.items():
        if key not in tree:
            known = ", ".join(sorted(tree))
            problems.add((*at, key), f"is not a known key (known keys here: {known})")
        elif tree[key] is not None:
            if isinstance(value, dict):
                _unknown(value, tree[key], (*at, key), problems)
            else:
                problems.add((*at, key), f"must be a table ([{key}]), got {kind(value)}")


def _dig(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data
