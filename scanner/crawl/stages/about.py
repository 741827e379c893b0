"""The last two stages: which company a post is about (match), and what it is (classify)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scanner.config import Config
from scanner.crawl.stages.row import Dropped, Row
from scanner.judge.categories import categorise
from scanner.judge.complaints import ComplaintRules, complaint_rules
from scanner.text.language import guess_language
from scanner.text.matching import CompanyMatcher, words


@dataclass
class CompanyMatch:
    """Which company a source's posts are about (see :func:`match`)."""

    company: str  # the company a source about one company gives every post
    matcher: CompanyMatcher
    pinned: str | None = None  # the source's ``company`` key: the only one it may name
    about_company: bool | None = None  # the source's ``about_company`` key, if set
    spider_about: bool = False  # the spider reads a company's own page

    @classmethod
    def for_source(cls, config: Config, source: str, *, spider_about: bool) -> CompanyMatch:
        entry = next((s for s in config.sources if s.name == source), None)
        pinned = entry.company if entry else None
        return cls(
            company=config.company_named(pinned).name,
            matcher=CompanyMatcher(config.companies),
            pinned=pinned,
            about_company=entry.about_company if entry else None,
            spider_about=spider_about,
        )


def match(row: Row, companies: CompanyMatch) -> Row:
    """Which company the post is about; a post about none of them is dropped.

    Sources about the company by construction (its review page) keep every post;
    general ones (feeds, forums, searches) keep posts that name the company or an
    alias as a word, and only the pinned company when the source names one.
    """
    about = companies.about_company
    if about is None:
        about = row.about_company or companies.spider_about
    if about:
        row.company = companies.company
        return row
    company = companies.matcher.match(row.title, row.text, only=companies.pinned)
    if company is None:
        raise Dropped("off-topic", row.external_id)
    row.company = company
    return row


@dataclass
class Classifier:
    """Language, grievance or not, categories (see :func:`classify`)."""

    rules: ComplaintRules = field(default_factory=complaint_rules)
    categorise: Callable[[str], Any] | None = None

    @classmethod
    def with_categories(cls, wanted: bool) -> Classifier:
        """``SCAN_CATEGORISE``: about 8 µs a post, so on by default; off leaves them empty."""
        return cls(categorise=categorise if wanted else None)


def classify(row: Row, classifier: Classifier) -> Row:
    """The site's language when it gives one, else a cheap guess; grievance; categories."""
    text = row.text
    tokens = words(text)  # once, for both the language and the complaint words
    language = row.language or guess_language(text, tokens)
    row.language = language
    row.is_grievance = classifier.rules.is_grievance(
        text,
        title=row.title,
        rating=row.rating,
        rating_scale=row.rating_scale,
        language=language,
        tokens=tokens,
    )
    if classifier.categorise is not None:
        row.categories = classifier.categorise(text)
    return row
