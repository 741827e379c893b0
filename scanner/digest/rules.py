"""``rules/digest.toml``: how much the digest lists and when it calls out a spike."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.rules import load_checked
from scanner.schema import setting

NAME = "digest.toml"


@dataclass(frozen=True)
class DigestRules:
    """Each field is a key of the file (``scanner.schema``)."""

    isolated_listed: int = setting(5, low=0, high=100)
    links_per_grievance: int = setting(3, low=1, high=10)
    max_listed: int = setting(25, low=1, high=500)
    quote_chars: int = setting(240, low=40, high=2000)
    spike_ratio: float = setting(2.0, key="spike.ratio", low=1, high=100)
    spike_baseline_days: int = setting(14, key="spike.baseline_days", low=1, high=365)
    spike_min_today: int = setting(10, key="spike.min_today", low=1, high=100000)
    spike_min_history_days: int = setting(3, key="spike.min_history_days", low=1, high=365)
    # Words that say the number after them is a phone number, or an order/invoice id
    # (scanner.digest.mask).
    phone_words: tuple[str, ...] = setting((), key="mask.phone_words")
    id_words: tuple[str, ...] = setting((), key="mask.id_words")


def load_digest_rules() -> DigestRules:
    """Read and range-check the rule file; a missing key keeps its default."""
    return load_checked(NAME, DigestRules)
