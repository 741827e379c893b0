"""The words of a schema error: where a key sits, what it must be, what it is."""

from __future__ import annotations

import json
import types
from typing import Any, Union, get_args, get_origin

from scanner.schema.fields import Setting, choices_of
from scanner.schema.lines import Path as KeyPath

_KINDS = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a table",
}


def kind(value: Any) -> str:
    """``a string "25"``: what the user wrote, with its TOML type, for a wrong type."""
    return f"{_KINDS.get(type(value), type(value).__name__)} {shown(value)}"


def shown(value: Any) -> str:
    """``-5``, ``"ssl"``: the value as written, for a value of the right type."""
    if isinstance(value, str | list | dict):  # JSON writes strings and arrays as TOML does
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = repr(value).lower() if isinstance(value, bool) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def where(path: KeyPath) -> str:
    """``[[sources]] 3 `download_delay```, ``[spike] `ratio```, ```db```."""
    table, key = path[:-1], path[-1]
    head = header(table)
    name = f"item {key + 1}" if isinstance(key, int) else f"`{key}`"
    return f"{head} {name}" if head else name


def header(table: KeyPath) -> str:
    """A table path as the user wrote its header: ``[[sources]] 3``, ``[spike]``."""
    if not table:
        return ""
    arrays = [i for i, part in enumerate(table) if isinstance(part, int)]
    if not arrays:
        return "[" + ".".join(map(str, table)) + "]"
    last = arrays[-1]
    names = ".".join(str(p) for p in table[:last] if not isinstance(p, int))
    rest = ".".join(map(str, table[last + 1 :]))
    head = f"[[{names}]] {int(table[last]) + 1}"
    return f"{head} [{rest}]" if rest else head


def expected(hint: Any, spec: Setting | None) -> str:
    """``a whole number from 1 to 1000``, ``0 seconds or more``, ``one of "a", "b"``."""
    if spec and spec.help:
        return spec.help
    words = noun(hint)
    if spec is None:
        return words
    choices = choices_of(spec)
    if choices is not None:
        return "one of " + ", ".join(f'"{c}"' for c in choices)
    unit = f" {spec.unit}" if spec.unit else ""
    if spec.low is not None and spec.high is not None:
        return f"{words} from {spec.low:g} to {spec.high:g}{unit}"
    if spec.above is not None:
        return f"more than {spec.above:g}{unit}" if unit else f"{words} above {spec.above:g}"
    if spec.low is not None:
        return f"{spec.low:g}{unit} or more" if unit else f"{words} of {spec.low:g} or more"
    if spec.nonempty:
        return f"a non-empty {words.removeprefix('a ').removeprefix('an ')}"
    return words


def noun(hint: Any) -> str:
    """The type hint in words: ``list[str]`` -> ``a list of strings``."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        return " or ".join(noun(a) for a in members)
    if origin in (list, tuple):
        inner = noun(args[0])
        if hasattr(args[0], "__dataclass_fields__"):
            return "an array of tables"
        return "a list of " + _plural(inner)
    if origin is dict or hint is dict:
        return "a table" if not args or args[1] is Any else "a table of " + _plural(noun(args[1]))
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}.get(
        hint, "a path" if getattr(hint, "__name__", "") in {"Path", "PurePath"} else "a table"
    )


def _plural(words: str) -> str:
    words = words.removeprefix("a ").removeprefix("an ")
    if words.startswith("list of") or words.startswith("table of"):
        return words.replace("list", "lists", 1).replace("table", "tables", 1)
    if words == "whole number":
        return "whole numbers"
    return {"string": "strings", "number": "numbers", "true or false": "booleans"}.get(
        words, words + "s"
    )
