"""Which line of a TOML file holds a key: ``("sources", 2, "download_delay")`` -> 14.

``tomllib`` gives values without positions, and an error that says "line 14" is
one the user can act on. The file has already parsed, so it is valid TOML: this
only has to follow headers (``[a.b]``, ``[[sources]]``, counted per array) and
``key = value`` lines, stepping over multi-line arrays, inline tables and
strings so that a line inside a value is never taken for a key.
"""

from __future__ import annotations

import json
import re

Path = tuple[str | int, ...]

_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"\s*(\[\[?)\s*({_DOTTED})\s*\]")
_ASSIGN = re.compile(rf"\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _parts(dotted: str) -> tuple[str, ...]:
    found = []
    for part in _PART.findall(dotted):
        if part.startswith('"'):
            part = json.loads(part)
        elif part.startswith("'"):
            part = part[1:-1]
        found.append(part)
    return tuple(found)


class _ValueState:
    """Open brackets and an open multi-line string, carried from line to line."""

    def __init__(self) -> None:
        self.depth = 0
        self.multiline: str | None = None

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.multiline is not None

    def read(self, text: str) -> None:
        i = 0
        while i < len(text):
            if self.multiline:
                end = text.find(self.multiline, i)
                if end < 0:
                    return
                i, self.multiline = end + 3, None
                continue
            char = text[i]
            if char == "#":
                return
            if text.startswith(('"""', "'''"), i):
                self.multiline, i = text[i : i + 3], i + 3
                continue
            if char in "\"'":
                i = self._string_end(text, i, char)
            elif char in "[{":
                self.depth += 1
            elif char in "]}":
                self.depth -= 1
            i += 1

    @staticmethod
    def _string_end(text: str, start: int, quote: str) -> int:
        i = start + 1
        while i < len(text) and text[i] != quote:
            i += 2 if quote == '"' and text[i] == "\\" else 1
        return i


def key_lines(text: str) -> dict[Path, int]:
    """Every table header and key assignment of ``text``, by its path, to its line."""
    lines: dict[Path, int] = {}
    arrays: dict[tuple[str, ...], int] = {}  # [[name]] seen so far, by name
    table: Path = ()
    state = _ValueState()
    for number, line in enumerate(text.splitlines(), 1):
        if state.open:
            state.read(line)
            continue
        header = _HEADER.match(line)
        if header:
            names = _parts(header.group(2))
            table = _resolve(names, arrays)
            if header.group(1) == "[[":
                arrays[names] = arrays.get(names, -1) + 1
                table = (*table, arrays[names])
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            lines.setdefault((*table, *_parts(assign.group(1))), number)
            state.read(line[assign.end() :])
    return lines


def _resolve(names: tuple[str, ...], arrays: dict[tuple[str, ...], int]) -> Path:
    """``[sources.args]`` after the third ``[[sources]]``: ``("sources", 2, "args")``."""
    path: list[str | int] = []
    for i, name in enumerate(names):
        path.append(name)
        if i < len(names) - 1 and names[: i + 1] in arrays:
            path.append(arrays[names[: i + 1]])
    return tuple(path)


def line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, else of the nearest table or key that holds it."""
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None
