"""What happens to each crawled post before it is stored: validate → clean → match → classify.

Plain functions over one typed :class:`Row`, each raising :class:`Dropped` (with
a reason from :data:`REASONS`) for a post that must not be stored. They run in
the crawl worker process (``scanner.crawl.worker``), off the crawl thread, so
they are written for a few microseconds a post: no copies, C-speed string tests
before the full cleaning, each distinct word looked up once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter

from scanner.complaints import ComplaintRules, complaint_rules
from scanner.config import Config
from scanner.crawl.item import Mention
from scanner.dates import iso, parse_published
from scanner.language import guess_language
from scanner.matching import CompanyMatcher, words
from scanner.text import MAX_TEXT_CHARS, clean_line, clean_text, is_removed_post

#: Why a post is dropped, as counted in ``scan/dropped/<reason>``. "Quiet" reasons
#: are expected (a forum post about something else) and logged at DEBUG only.
REASONS = {"removed": True, "no-id": False, "no-text": False,
           "empty-after-cleaning": False, "off-topic": True}  # fmt: skip


class Dropped(Exception):
    """A post that is not stored, and why (``reason`` is a key of :data:`REASONS`)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail

    @property
    def quiet(self) -> bool:
        return REASONS[self.reason]


@dataclass(slots=True)
class Row:
    """One post on its way to the ``mentions`` table: a ``Mention``'s fields, then
    what the stages add. Field order matters: ``Row(*mention_values)`` builds one."""

    source: str
    external_id: str
    text: str
    url: str | None = None
    author: str | None = None
    title: str | None = None
    rating: float | None = None
    rating_scale: float | None = None
    published_at: datetime | str | None = None  # ISO 8601 text once cleaned
    language: str | None = None
    about_company: bool = False
    removed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    company: str = ""
    is_grievance: bool = False
    categories: list[str] | None = None


#: The fields of a Mention that may be left out (a dict item lacks what it lacks).
OPTIONAL_FIELDS = tuple(f.name for f in fields(Mention))[3:]


def validate(item: Any) -> Row:
    """A spider's item (``Mention`` values as a tuple, a ``Mention`` or a dict) as a Row.

    Drops posts without text or id, and posts the site shows as removed.
    """
    if type(item) is tuple:
        row = Row(*item)
    else:
        data = ItemAdapter(item).asdict()
        row = Row(data.get("source"), data.get("external_id"), data.get("text"),
                  **{name: data[name] for name in OPTIONAL_FIELDS if name in data})  # fmt: skip
    # The spider's word, or the site's placeholder text itself ("[deleted]",
    # "This review has been removed"): never stored, so never a grievance.
    if row.removed or is_removed_post(row.text):
        raise Dropped("removed", str(row.external_id))
    if row.external_id in (None, ""):
        raise Dropped("no-id", str(row.url or ""))
    if not isinstance(row.text, str) or not row.text.strip():
        raise Dropped("no-text", str(row.external_id))
    row.external_id = str(row.external_id)
    return row


def clean(row: Row) -> Row:
    """The one stored form of every text field (``scanner.text``), numbers and the date."""
    text = _clean(row.text, MAX_TEXT_CHARS)
    if not text:
        raise Dropped("empty-after-cleaning", row.external_id)
    row.text = text
    if row.title is not None:
        row.title = _clean(row.title, 500, line=True) or None
    if row.author is not None:
        row.author = _clean(row.author, 200, line=True) or None
    url = row.url
    row.url = url.strip() if isinstance(url, str) and url.strip() else None
    row.rating = _number(row.rating)
    row.rating_scale = _number(row.rating_scale)
    published = row.published_at
    if published is not None and not isinstance(published, datetime):
        published = parse_published(published)
    row.published_at = iso(published) if published else None
    language = row.language
    row.language = language.strip().lower()[:16] or None if isinstance(language, str) else None
    return row


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
        return cls(company=config.company_named(pinned).name,
                   matcher=CompanyMatcher(config.companies), pinned=pinned,
                   about_company=entry.about_company if entry else None,
                   spider_about=spider_about)  # fmt: skip


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
        return cls(categorise=_categoriser() if wanted else None)


def classify(row: Row, classifier: Classifier) -> Row:
    """The site's language when it gives one, else a cheap guess; grievance; categories."""
    text = row.text
    tokens = words(text)  # once, for both the language and the complaint words
    language = row.language or guess_language(text, tokens)
    row.language = language
    row.is_grievance = classifier.rules.is_grievance(
        text, title=row.title, rating=row.rating, rating_scale=row.rating_scale,
        language=language, tokens=tokens,
    )  # fmt: skip
    if classifier.categorise is not None:
        row.categories = classifier.categorise(text)
    return row


def mention_row(source: str, row: Row) -> dict[str, Any]:
    """The ``mentions`` row ``Store.upsert_mentions`` takes for a classified Row of the
    configured source named ``source`` (whatever the spider put in ``row.source``)."""
    return {
        "id": f"{source}:{row.external_id}", "company": row.company, "source": source,
        "external_id": row.external_id, "origin": "crawl", "url": row.url,
        "author": row.author, "title": row.title, "text": row.text, "rating": row.rating,
        "rating_scale": row.rating_scale, "language": row.language,
        "published_at": row.published_at, "is_grievance": row.is_grievance,
        "categories": row.categories, "extra": row.extra or None,
    }  # fmt: skip


def _plain(value: str) -> bool:
    """Plain one-line ASCII with single spaces, already in its stored form.

    clean_text would return it unchanged (no markup, nothing to compose, no
    controls). These C-speed string tests cost about 0.3 µs on a 300-character
    post (a regex scan cost 4 µs); clean_text costs about 13 µs. For ASCII text,
    ``isprintable`` is exactly "only characters from space to tilde".
    """
    return (value.isascii() and value.isprintable() and "  " not in value and "<" not in value
            and not value.startswith(" ") and not value.endswith(" "))  # fmt: skip


def _clean(value: object, cap: int, *, line: bool = False) -> str:
    if isinstance(value, str) and len(value) <= cap and _plain(value):
        return value
    return clean_line(value, max_chars=cap) if line else clean_text(value, max_chars=cap)


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is no rating


def _categoriser() -> Callable[[str], Any] | None:
    """``scanner.categories.categorise`` if that module exists (it is optional)."""
    try:
        module = importlib.import_module("scanner.categories")
    except ImportError:
        return None
    return getattr(module, "categorise", None)
