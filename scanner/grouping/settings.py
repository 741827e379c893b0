"""Reading ``rules/grouping.toml`` into checked engine parameters."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from scanner.errors import RuleFileError
from scanner.grouping.engine import Params
from scanner.grouping.minhash import MAX_PERMUTATIONS
from scanner.grouping.verify import SCORERS
from scanner.rules import load_rules, number, rules_path

RULES = "grouping.toml"
_SECTIONS = {
    "verify": {"scorer", "threshold"},
    "cluster": {"representative_threshold", "min_support", "support_fraction",
                "merge_threshold", "core_size"},
    "blocking": {"permutations", "shingle", "bands", "rows", "max_rows", "bucket_cap",
                 "crowded_cap", "min_jaccard", "short_words", "short_bands", "short_rows"},
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
        permutations=whole(b, "permutations", 1, MAX_PERMUTATIONS),
        shingle=whole(b, "shingle", 1, 5),
        bands=whole(b, "bands", 1, MAX_PERMUTATIONS),
        rows=whole(b, "rows", 1, 64),
        max_rows=whole(b, "max_rows", 1, 64),
        bucket_cap=whole(b, "bucket_cap", 1, 100_000),
        crowded_cap=whole(b, "crowded_cap", 1, 100_000),
        min_jaccard=num(b, "min_jaccard", 0, 1),
        short_words=whole(b, "short_words", 0, 10_000),
        short_bands=whole(b, "short_bands", 1, MAX_PERMUTATIONS),
        short_rows=whole(b, "short_rows", 1, 64),
    )
    _check_shapes(params, path)
    return params


def _check_shapes(params: Params, path: Path) -> None:
    """Bands must fit in the signature; a rule file that breaks this says which values."""
    problems = []
    if params.permutations % params.bands:
        problems.append(
            f"permutations ({params.permutations}) must be a multiple of bands ({params.bands})"
        )
    if not params.rows <= params.max_rows <= params.permutations:
        problems.append(
            f"rows ({params.rows}) <= max_rows ({params.max_rows}) <= permutations "
            f"({params.permutations}) must hold"
        )
    if params.short_bands * params.short_rows > params.permutations:
        problems.append(
            f"short_bands ({params.short_bands}) x short_rows ({params.short_rows}) must not "
            f"exceed permutations ({params.permutations})"
        )
    if params.crowded_cap > params.bucket_cap:
        problems.append(
            f"crowded_cap ({params.crowded_cap}) must not exceed bucket_cap ({params.bucket_cap})"
        )
    if problems:
        raise RuleFileError(path, "; ".join(problems))


def load_params() -> Params:
    return params_from(load_rules(RULES))


def fingerprint(params: Params) -> str:
    """Changes whenever a value that affects grouping changes."""
    text = json.dumps(asdict(params), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
