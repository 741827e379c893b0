"""Is a post a grievance? From its rating, else from complaint language (``rules/complaint.toml``).

The rule file holds the thresholds and the phrases per language, so a user tunes
what counts as a complaint without touching code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from scanner.errors import RuleFileError
from scanner.matching import PhraseSet, words
from scanner.rules import load_rules, number, rules_path

RULE_FILE = "complaint.toml"


class ComplaintRules:
    """The compiled ``rules/complaint.toml``."""

    def __init__(self, rules: dict[str, Any]) -> None:
        self.rating_max = number(rules, "rating_max", name=RULE_FILE, low=0, high=100)
        self.rating_scale = number(rules, "rating_scale", name=RULE_FILE, low=1, high=100)
        self.positive_min = number(rules, "rating_positive_min", name=RULE_FILE, low=0, high=100)
        phrases = rules.get("phrases")
        if not isinstance(phrases, dict) or not all(
            isinstance(v, list) and all(isinstance(p, str) for p in v) for v in phrases.values()
        ):
            raise RuleFileError(rules_path(RULE_FILE), "[phrases] must map languages to lists")
        self.by_language = {lang: PhraseSet(v) for lang, v in phrases.items()}
        self.all_phrases = PhraseSet([p for v in phrases.values() for p in v])

    def is_grievance(self, text: str, *, title: str | None = None, rating: float | None = None,
                     rating_scale: float | None = None, language: str | None = None,
                     tokens: list[str] | None = None) -> bool:  # fmt: skip
        """Rating at or below the threshold, or complaint words (never when rated well).

        ``tokens`` are ``scanner.matching.words(text)`` when the caller has them already.
        """
        if rating is not None:
            scaled = float(rating) * self.rating_scale / float(rating_scale or self.rating_scale)
            if scaled <= self.rating_max:
                return True
            if scaled >= self.positive_min:
                return False
        finder = self.by_language.get(language or "", self.all_phrases)
        if tokens is None:
            tokens = words(text)
        if title:
            tokens = [*words(title), *tokens]
        return finder.search(tokens)


@cache
def complaint_rules() -> ComplaintRules:
    return ComplaintRules(load_rules(RULE_FILE))
