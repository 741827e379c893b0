"""``setting()``: a dataclass field that says how it is read from a TOML file.

The dataclass is the schema: its type hints give the types, and ``setting()``
adds what a type cannot say (range, choices, the key in the file when it
differs from the field's name, what to tell the user). A field made without
``setting()`` is not read from the file (``Config.path``).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass
from typing import Any

SCHEMA = "scan.schema"  # the key of our metadata in a dataclass field


@dataclass(frozen=True)
class Setting:
    key: str | None = None  # dotted key in the file ("spike.ratio"); None: the field's name
    low: float | None = None
    high: float | None = None
    above: float | None = None  # exclusive lower bound: "more than 0 minutes"
    unit: str = ""  # "seconds": "must be 0 seconds or more"
    choices: Iterable[str] | Callable[[], Iterable[str]] | None = None
    check: Callable[[Any], str | None] | None = None  # a reason the value is wrong, or None
    nonempty: bool = False
    help: str = ""  # what is expected, said to the user instead of the generated words


def setting(
    default: Any = MISSING,
    *,
    factory: Callable[[], Any] | None = None,
    key: str | None = None,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    unit: str = "",
    choices: Iterable[str] | Callable[[], Iterable[str]] | None = None,
    check: Callable[[Any], str | None] | None = None,
    nonempty: bool = False,
    help: str = "",  # noqa: A002 - the word the metadata is known by
) -> Any:
    """A field read from the file; without a default or factory the key is required."""
    meta = {SCHEMA: Setting(key, low, high, above, unit, choices, check, nonempty, help)}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=meta)
    if isinstance(default, list | dict | set):
        return dataclasses.field(default_factory=lambda: copy.copy(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def spec_of(field: dataclasses.Field[Any]) -> Setting | None:
    return field.metadata.get(SCHEMA)


def key_path(field: dataclasses.Field[Any]) -> tuple[str, ...]:
    spec = spec_of(field)
    return tuple((spec.key if spec and spec.key else field.name).split("."))


def choices_of(spec: Setting) -> list[str] | None:
    if spec.choices is None:
        return None
    found = spec.choices() if callable(spec.choices) else spec.choices
    return list(found)
