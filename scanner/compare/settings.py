"""``rules/compare.toml``: the period, when a rate means too little, who "has" a grievance."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.rules import load_rules, number

NAME = "compare.toml"


@dataclass(frozen=True)
class CompareRules:
    period_days: int = 30
    min_mentions: int = 30
    present_people: int = 2
    present_share: float = 0.25
    industry_share: float = 0.5
    match_share: float = 0.6
    digest_listed: int = 5


def load_compare_rules() -> CompareRules:
    """Read and range-check the rule file; a missing key keeps its default."""
    raw = load_rules(NAME)
    standing, matching = raw.get("standing", {}), raw.get("matching", {})
    digest = raw.get("digest", {})
    d = CompareRules()

    def num(data: dict, key: str, low: float, high: float, default: float) -> float:
        return number(data, key, name=NAME, low=low, high=high, default=default)

    return CompareRules(
        period_days=int(num(raw, "period_days", 1, 365, d.period_days)),
        min_mentions=int(num(raw, "min_mentions", 1, 100_000, d.min_mentions)),
        present_people=int(num(standing, "present_people", 1, 1000, d.present_people)),
        present_share=float(num(standing, "present_share", 0, 1, d.present_share)),
        industry_share=float(num(standing, "industry_share", 0, 1, d.industry_share)),
        match_share=float(num(matching, "match_share", 0, 1, d.match_share)),
        digest_listed=int(num(digest, "listed", 1, 100, d.digest_listed)),
    )
