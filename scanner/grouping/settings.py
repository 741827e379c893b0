"""Reading ``rules/grouping.toml`` into checked engine parameters."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from scanner.errors import RuleFileError
from scanner.grouping.engine import Params
from scanner.grouping.verify import SCORERS
from scanner.rules import load_rules, number, rules_path

RULES = "grouping.toml"
_SECTIONS = {
    "verify": {"scorer", "threshold"},
    "cluster": {"representative_threshold", "min_support", "support_fraction",
                "merge_threshold", "core_size"},
    "blocking": {"permutations", "bands", "shingle", "bucket_cap",
                 "short_words", "short_permutations", "short_bands"},
}  # fmt: skip


def _integer(table: dict[str, Any], key: str, low: int, high: int) -> int:
    value = number(table, key, name=RULES, low=low, high=high)
    if not isinstance(value, int):
        raise RuleFileError(rules_path(RULES), f"{key} must be a whole number, got {value!r}")
    return value


def params_from(rules: dict[str, Any]) -> Params:
    """Check every key and range; unknown keys are errors (a typo must not pass silently)."""
    path = rules_path(RULES)
    for section, value in rules.items():
        if section not in _SECTIONS or not isinstance(value, dict):
            raise RuleFileError(path, f"unknown section [{section}]; expected {sorted(_SECTIONS)}")
        unknown = set(value) - _SECTIONS[section]
        if unknown:
            raise RuleFileError(path, f"[{section}] has unknown keys {sorted(unknown)}")
    v, c, b = (rules.get(s, {}) for s in ("verify", "cluster", "blocking"))
    defaults = Params()
    scorer = v.get("scorer", defaults.scorer)
    if scorer not in SCORERS:
        raise RuleFileError(path, f"scorer must be one of {sorted(SCORERS)}, got {scorer!r}")

    def num(table: dict[str, Any], key: str, low: float, high: float) -> float:
        return number(table, key, name=RULES, low=low, high=high, default=getattr(defaults, key))

    def whole(table: dict[str, Any], key: str, low: int, high: int) -> int:
        return _integer(table, key, low, high) if key in table else getattr(defaults, key)

    params = Params(
        scorer=scorer,
        threshold=num(v, "threshold", 0, 100),
        representative_threshold=num(c, "representative_threshold", 0, 100),
        min_support=whole(c, "min_support", 1, 1000),
        support_fraction=num(c, "support_fraction", 0, 1),
        merge_threshold=num(c, "merge_threshold", 0, 100),
        core_size=whole(c, "core_size", 1, 1000),
        permutations=whole(b, "permutations", 1, 1024),
        bands=whole(b, "bands", 1, 1024),
        shingle=whole(b, "shingle", 1, 5),
        bucket_cap=whole(b, "bucket_cap", 1, 100_000),
        short_words=whole(b, "short_words", 0, 10_000),
        short_permutations=whole(b, "short_permutations", 1, 1024),
        short_bands=whole(b, "short_bands", 1, 1024),
    )
    for perms, bands in (("permutations", "bands"), ("short_permutations", "short_bands")):
        if getattr(params, perms) % getattr(params, bands):
            raise RuleFileError(
                path,
                f"{perms} ({getattr(params, perms)}) must be a multiple of "
                f"{bands} ({getattr(params, bands)})",
            )
    return params


def load_params() -> Params:
    return params_from(load_rules(RULES))


def fingerprint(params: Params) -> str:
    """Changes whenever a value that affects grouping changes."""
    text = json.dumps(asdict(params), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
