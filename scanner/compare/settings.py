"""``rules/compare.toml``: the period, when a rate means too little, who "has" a grievance."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.rules import load_checked
from scanner.schema import setting

NAME = "compare.toml"


@dataclass(frozen=True)
class CompareRules:
    """Each field is a key of the file (``scanner.schema``)."""

    period_days: int = setting(30, low=1, high=365)
    min_mentions: int = setting(30, low=1, high=100_000)
    present_people: int = setting(2, key="standing.present_people", low=1, high=1000)
    present_share: float = setting(0.25, key="standing.present_share", low=0, high=1)
    industry_share: float = setting(0.5, key="standing.industry_share", low=0, high=1)
    match_share: float = setting(0.6, key="matching.match_share", low=0, high=1)
    digest_listed: int = setting(5, key="digest.listed", low=1, high=100)


def load_compare_rules() -> CompareRules:
    """Read and range-check the rule file; a missing key keeps its default."""
    return load_checked(NAME, CompareRules)
