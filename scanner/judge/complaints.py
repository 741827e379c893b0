"""Is a post a grievance? From its rating, else from complaint language (``rules/complaint.toml``).

The rule file holds the thresholds and the phrases per language, so a user tunes
what counts as a complaint without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from scanner.rules import load_checked
from scanner.schema import setting
from scanner.text.matching import PhraseSet, words

RULE_FILE = "complaint.toml"


@dataclass(frozen=True)
class ComplaintSettings:
    """``rules/complaint.toml`` as written; each field is a key (``scanner.schema``)."""

    rating_max: float = setting(low=0, high=100)  # this rating or lower is a grievance
    rating_scale: float = setting(low=1, high=100)  # the scale rating_max is written on
    positive_min: float = setting(key="rating_positive_min", low=0, high=100)
    phrases: dict[str, list[str]] = setting(help="a table of languages, each a list of phrases")


class ComplaintRules:
    """The compiled ``rules/complaint.toml``."""

    def __init__(self, settings: ComplaintSettings) -> None:
        self.rating_max = settings.rating_max
        self.rating_scale = settings.rating_scale
        self.positive_min = settings.positive_min
        phrases = settings.phrases
        self.by_language = {lang: PhraseSet(v) for lang, v in phrases.items()}
        self.all_phrases = PhraseSet([p for v in phrases.values() for p in v])

    def is_grievance(
        self,
        text: str,
        *,
        title: str | None = None,
        rating: float | None = None,
        rating_scale: float | None = None,
        language: str | None = None,
        tokens: list[str] | None = None,
    ) -> bool:
        """Rating at or below the threshold, or complaint words (never when rated well).

        ``tokens`` are ``scanner.text.matching.words(text)`` when the caller has them already.
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
    return ComplaintRules(load_checked(RULE_FILE, ComplaintSettings))
