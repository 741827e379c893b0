"""``rules/digest.toml``: how much the digest lists and when it calls out a spike."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.rules import load_rules, number

NAME = "digest.toml"


@dataclass(frozen=True)
class DigestRules:
    isolated_listed: int = 5
    links_per_grievance: int = 3
    max_listed: int = 25
    quote_chars: int = 240
    spike_ratio: float = 2.0
    spike_baseline_days: int = 14
    spike_min_today: int = 10
    spike_min_history_days: int = 3


def load_digest_rules() -> DigestRules:
    """Read and range-check the rule file; a missing key keeps its default."""
    raw = load_rules(NAME)
    spike = raw.get("spike", {})
    d = DigestRules()

    def num(data: dict, key: str, low: float, high: float, default: float) -> float:
        return number(data, key, name=NAME, low=low, high=high, default=default)

    return DigestRules(
        isolated_listed=int(num(raw, "isolated_listed", 0, 100, d.isolated_listed)),
        links_per_grievance=int(num(raw, "links_per_grievance", 1, 10, d.links_per_grievance)),
        max_listed=int(num(raw, "max_listed", 1, 500, d.max_listed)),
        quote_chars=int(num(raw, "quote_chars", 40, 2000, d.quote_chars)),
        spike_ratio=float(num(spike, "ratio", 1, 100, d.spike_ratio)),
        spike_baseline_days=int(num(spike, "baseline_days", 1, 365, d.spike_baseline_days)),
        spike_min_today=int(num(spike, "min_today", 1, 100000, d.spike_min_today)),
        spike_min_history_days=int(
            num(spike, "min_history_days", 1, 365, d.spike_min_history_days)
        ),
    )
