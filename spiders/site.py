"""A declarative spider: a rule file (``rules/sources/*.toml``) describes the site.

A user adds a complaint board by writing a rule file, not code: the listing URL,
the selector of one post, the selectors of its fields, the date format, the
next-page selector. Selectors are CSS (``h2::text``, ``a::attr(href)``) or XPath
(starting with ``/``, ``./`` or ``(``); a selector that names an element (no
``::text``/``::attr``) gives that element's text. The rule file is checked when
the spider is created, so a missing field or a broken selector is reported at
start, never halfway through a crawl. See ``rules/sources/example-board.toml``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from scanner.crawl.item import Mention, fallback_id
from scanner.crawl.spider import ScanSpider
from scanner.errors import RuleFileError
from scanner.rules import check_data, read_toml, rules_path
from scanner.schema import http_url, setting
from scanner.text.dates import parse_published

from .pageparts import page_link

FIELDS = ("id", "author", "title", "text", "rating", "date", "link", "language")
_PROBE = Selector(text="<html><body><p>x</p></body></html>")


def _select(node: Selector | Response, selector: str) -> Any:
    if selector.lstrip().startswith(("/", "./", "(")):
        return node.xpath(selector)
    return node.css(selector)


def _selector_problem(selector: str) -> str | None:
    """Why a CSS or XPath selector cannot work, found before any page is fetched."""
    if not selector.strip():
        return "must be a selector, got an empty string"
    try:
        _select(_PROBE, selector)
    except Exception as exc:  # cssselect and lxml raise several types
        return f"is a broken selector {selector!r}: {exc}"
    return None


@dataclass
class SiteFields:
    """``[fields]``: the selector of each part of a post, relative to the post."""

    text: str = setting(check=_selector_problem)
    id: str | None = setting(None, check=_selector_problem)
    author: str | None = setting(None, check=_selector_problem)
    title: str | None = setting(None, check=_selector_problem)
    rating: str | None = setting(None, check=_selector_problem)
    date: str | None = setting(None, check=_selector_problem)
    link: str | None = setting(None, check=_selector_problem)
    language: str | None = setting(None, check=_selector_problem)


@dataclass
class SiteRule:
    """A rule file as written; each field but ``path`` is a key (``scanner.schema``)."""

    post: str = setting(check=_selector_problem)  # the selector of one post
    fields: SiteFields = setting()
    path: Path = Path()  # the file it was read from
    name: str | None = setting(None)
    url: str | None = setting(None, check=http_url)
    next: str | None = setting(None, check=_selector_problem)
    date_format: str | list[str] = setting([])
    rating_scale: float = setting(5.0, above=0)
    about_company: bool = setting(True)
    language: str | None = setting(None)

    @property
    def selectors(self) -> dict[str, str]:
        """Field name to selector, for the fields the file names."""
        return {key: getattr(self.fields, key) for key in FIELDS if getattr(self.fields, key)}

    @property
    def date_formats(self) -> list[str]:
        return [self.date_format] if isinstance(self.date_format, str) else self.date_format


def rule_file(rule: str) -> Path:
    """A rule name (``example-board``) in ``rules/sources/``, or a path to a file."""
    candidate = Path(rule).expanduser()
    if candidate.suffix == ".toml" and (candidate.exists() or "/" in rule or "\\" in rule):
        return candidate
    name = rule if rule.endswith(".toml") else f"{rule}.toml"
    return rules_path(f"sources/{name}")


def load_rule(rule: str) -> SiteRule:
    """Read and check a rule file: every problem at once, each naming the file and line."""
    path = rule_file(rule)
    text, data = read_toml(path, RuleFileError)
    return check_data(path, data, SiteRule, RuleFileError, text=text, path=path)


def _value(node: Selector, selector: str) -> str | None:
    found = _select(node, selector)
    if not found:
        return None
    if "::" in selector or selector.rstrip().endswith(("text()", ")")) or "/@" in selector:
        value = found.get()
    else:  # an element: its text
        value = "".join(found[0].xpath(".//text()").getall())  # the clean stage tidies spaces
    return value.strip() if isinstance(value, str) and value.strip() else None


def _first_number(text: str | None) -> float | None:
    """``"4.5 out of 5"``, ``"Rated 4,5"`` -> 4.5."""
    match = _NUMBER.search(text or "")
    return float(match.group().replace(",", ".")) if match else None


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


class SiteSpider(ScanSpider):
    name = "site"

    def __init__(self, *args: Any, rule: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check_arguments(rule=rule, url=self.url)
        self.rule = load_rule(rule)  # type: ignore[arg-type]  # check_arguments: not None
        self.url = self.url or self.rule.url
        self.about_company = self.rule.about_company

    @classmethod
    def check_arguments(cls, rule: str | None = None, url: str | None = None, **_: Any) -> None:
        if not rule:
            raise RuleFileError(
                "rules/sources", "the site spider needs a rule (a file name or path)"
            )
        loaded = load_rule(rule)
        if not (url or loaded.url):
            raise RuleFileError(loaded.path, "missing: url (in the rule file or the source)")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # check_arguments (in __init__) has raised if there is no url
        yield scrapy.Request(self.url, callback=self.parse)  # type: ignore[arg-type]

    def parse(self, response: Response) -> Iterator[Mention | scrapy.Request]:
        rule = self.rule
        posts = _select(response, rule.post)
        if not posts:
            self.layout_problem(response, f"no post matches {rule.post!r} ({rule.path.name})")
        for post in posts:
            mention = self._mention(post, response)
            if mention is not None:
                yield mention
        if rule.next:
            href = page_link(response, _value(response, rule.next))  # type: ignore[arg-type]
            if href:
                yield response.follow(href, callback=self.parse, meta={"pagination": True})

    def _mention(self, post: Selector, response: Response) -> Mention | None:
        values = {key: _value(post, selector) for key, selector in self.rule.selectors.items()}
        text = values.get("text")
        if not text:
            self.layout_problem(response, f"a post without text ({self.rule.fields.text!r})")
            return None
        link = page_link(response, values.get("link"))
        date = parse_published(values.get("date"), formats=self.rule.date_formats)
        external_id = values.get("id") or link or fallback_id(text, values.get("author"))
        return Mention(
            source=self.source,
            external_id=external_id,
            text=text,
            url=link,
            author=values.get("author"),
            title=values.get("title"),
            rating=_first_number(values.get("rating")),
            rating_scale=self.rule.rating_scale,
            published_at=date,
            language=values.get("language") or self.rule.language,
            about_company=self.rule.about_company,
        )
