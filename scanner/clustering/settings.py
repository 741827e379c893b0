"""Reading ``rules/grouping.toml`` into checked engine parameters (``Params`` says how)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from scanner.errors import RuleFileError
from scanner.grouping.engine import Params
from scanner.rules import check_data, load_checked, rules_path

RULES = "grouping.toml"


def params_from(rules: dict[str, Any]) -> Params:
    """Rules given as data rather than read from the file (tests; no lines to cite)."""
    return check_data(rules_path(RULES), rules, Params, RuleFileError, text="")


def load_params() -> Params:
    """``rules/grouping.toml`` checked against ``Params`` (keys, ranges, shapes)."""
    return load_checked(RULES, Params)


def fingerprint(params: Params) -> str:
    """Changes whenever a value that affects grouping changes."""
    text = json.dumps(asdict(params), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
