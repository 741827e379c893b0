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
import tomllib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from scanner.crawl.item import Mention, fallback_id
from scanner.crawl.spider import ScanSpider
from scanner.dates import parse_published
from scanner.errors import RuleFileError
from scanner.rules import rules_path

FIELDS = ("id", "author", "title", "text", "rating", "date", "link", "language")
_TOP = {"name", "url", "post", "next", "fields", "date_format", "rating_scale", "about_company",
        "language"}  # fmt: skip


@dataclass
class SiteRule:
    path: Path
    post: str
    fields: dict[str, str]
    url: str | None = None
    next: str | None = None
    date_formats: list[str] = field(default_factory=list)
    rating_scale: float = 5.0
    about_company: bool = True
    language: str | None = None


def rule_file(rule: str) -> Path:
    """A rule name (``example-board``) in ``rules/sources/``, or a path to a file."""
    candidate = Path(rule).expanduser()
    if candidate.suffix == ".toml" and (candidate.exists() or "/" in rule or "\\" in rule):
        return candidate
    name = rule if rule.endswith(".toml") else f"{rule}.toml"
    return rules_path(f"sources/{name}")


def _line(raw: str, key: str) -> int | None:
    for number, text in enumerate(raw.splitlines(), 1):
        if text.strip().startswith((f"{key} ", f"{key}=")):
            return number
    return None


def load_rule(rule: str) -> SiteRule:
    """Read and check a rule file: every problem is a ``RuleFileError`` naming file and line."""
    path = rule_file(rule)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleFileError(path, f"cannot read rule file: {exc}") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise RuleFileError(
            # .msg is Python 3.14+: a crash on 3.11 (issue 17 item 1, the schema branch)
            path,
            f"not valid TOML: {exc.msg}",  # type: ignore[attr-defined]
            getattr(exc, "lineno", None),
        ) from exc
    unknown = set(data) - _TOP
    if unknown:
        key = sorted(unknown)[0]
        raise RuleFileError(path, f"unknown key {key!r} (known: {', '.join(sorted(_TOP))})",
                            _line(raw, key))  # fmt: skip
    fields = data.get("fields")
    if not isinstance(data.get("post"), str) or not data["post"].strip():
        raise RuleFileError(path, "missing: post = the selector of one post", _line(raw, "post"))
    if not isinstance(fields, dict) or not isinstance(fields.get("text"), str):
        raise RuleFileError(path, "missing: [fields] text = the selector of a post's text",
                            _line(raw, "[fields]"))  # fmt: skip
    for key, value in fields.items():
        if key not in FIELDS:
            raise RuleFileError(path, f"unknown field {key!r} (known: {', '.join(FIELDS)})",
                                _line(raw, key))  # fmt: skip
        if not isinstance(value, str) or not value.strip():
            raise RuleFileError(path, f"field {key!r} must be a selector string", _line(raw, key))
    probe = Selector(text="<html><body><p>x</p></body></html>")
    selectors = [("post", data["post"]), *fields.items()]
    if data.get("next"):
        selectors.append(("next", data["next"]))
    for key, selector in selectors:
        try:
            _select(probe, selector)
        except Exception as exc:  # cssselect and lxml raise several types
            raise RuleFileError(path, f"{key}: broken selector {selector!r}: {exc}",
                                _line(raw, key)) from exc  # fmt: skip
    formats = data.get("date_format", [])
    return SiteRule(
        path=path,
        post=data["post"],
        fields=dict(fields),
        url=data.get("url"),
        next=data.get("next"),
        date_formats=[formats] if isinstance(formats, str) else list(formats),
        rating_scale=float(data.get("rating_scale", 5)),
        about_company=bool(data.get("about_company", True)),
        language=data.get("language"),
    )


def _select(node: Selector | Response, selector: str) -> Any:
    if selector.lstrip().startswith(("/", "./", "(")):
        return node.xpath(selector)
    return node.css(selector)


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
            href = _value(response, rule.next)  # type: ignore[arg-type]  # a Response is a node
            if href:
                yield response.follow(href, callback=self.parse, meta={"pagination": True})

    def _mention(self, post: Selector, response: Response) -> Mention | None:
        values = {key: _value(post, selector) for key, selector in self.rule.fields.items()}
        text = values.get("text")
        if not text:
            self.layout_problem(response, f"a post without text ({self.rule.fields['text']!r})")
            return None
        # values["link"] is a string here: the condition checks it
        link = response.urljoin(values["link"]) if values.get("link") else None  # type: ignore[arg-type]
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
