"""``rules/systemic.toml``: the thresholds of the verdict and the people rule.

Its own module because two judges read it: the verdict (how many people, in
what window) and ``scanner.judge.people`` (which author names identify nobody).
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.rules import load_checked
from scanner.schema import setting


@dataclass
class SystemicRules:
    """``rules/systemic.toml``: each field is a key of the file (``scanner.schema``)."""

    min_people: int = setting(3, low=1, high=1000)
    window_days: int = setting(90, low=1, high=3650)
    period_days: int = setting(7, low=1, high=365)
    quiet_days: int = setting(30, low=1, high=3650)
    trend_weeks: int = setting(8, low=1, high=52)
    coordinated_accounts: int = setting(3, key="coordinated.accounts", low=2, high=1000)
    coordinated_hours: float = setting(6.0, key="coordinated.hours", low=0, high=720)
    coordinated_similarity: float = setting(92.0, key="coordinated.similarity", low=0, high=100)
    coordinated_day_words: int = setting(6, key="coordinated.day_words", low=1, high=1000)
    # Read by scanner.judge.people, the one place that says who counts as a person.
    placeholders: tuple[str, ...] = setting((), key="people.placeholders")


def load_systemic_rules() -> SystemicRules:
    """``rules/systemic.toml``, each value checked against its range."""
    return load_checked("systemic.toml", SystemicRules)
