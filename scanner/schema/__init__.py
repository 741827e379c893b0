"""One way to check the files a user edits: ``scanner.toml`` and every rule file.

A dataclass is the schema (types from its hints, ranges and choices from
:func:`setting`); :func:`check` walks parsed TOML against it, rejects unknown
keys, and collects every problem with its line before one error is raised. A
dataclass may add cross-field checks with a ``schema_problems()`` method that
yields ``(key path, reason)`` pairs (bands must divide permutations, source
names must be unique).
"""

from __future__ import annotations

from scanner.schema.check import Problems, check
from scanner.schema.checks import http_url
from scanner.schema.fields import setting

__all__ = ["Problems", "check", "http_url", "setting"]
