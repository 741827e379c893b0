"""Fourth stage: language, grievance or not, and categories when available."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler

from scanner.complaints import complaint_rules
from scanner.language import guess_language
from scanner.matching import words


class ClassifyPipeline:
    """Keeps the site's language when it gives one; guesses cheaply otherwise."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.rules = complaint_rules()  # a broken rule file fails here, at start
        # SCAN_CATEGORISE = False leaves categories to a later step. It is on by default:
        # about 8 µs a post since categorise() looks each distinct word up once.
        self.categorise = _categoriser() if crawler.settings.getbool("SCAN_CATEGORISE") else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyPipeline:
        return cls(crawler)

    def process_item(self, row: dict[str, Any]) -> dict[str, Any]:
        text = row["text"]
        tokens = words(text)  # once, for both the language and the complaint words
        language = row.get("language") or guess_language(text, tokens)
        row["language"] = language
        row["is_grievance"] = self.rules.is_grievance(
            text,
            title=row.get("title"),
            rating=row.get("rating"),
            rating_scale=row.get("rating_scale"),
            language=language,
            tokens=tokens,
        )
        if self.categorise is not None:
            row["categories"] = self.categorise(text)
        return row


def _categoriser() -> Callable[[str], Any] | None:
    """``scanner.categories.categorise`` if that module exists (it is optional)."""
    try:
        module = importlib.import_module("scanner.categories")
    except ImportError:
        return None
    return getattr(module, "categorise", None)
