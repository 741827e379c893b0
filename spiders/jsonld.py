"""Any page carrying schema.org ``Review`` objects, as JSON-LD or as microdata.

A ``Review`` may stand alone, sit in a ``Product``/``Organization``/``LocalBusiness``
(``review`` key), or in an ``@graph``. The pages are about the reviewed company
by construction. The next page is the configured ``next_selector`` (CSS, or
XPath when it starts with ``/`` or ``(``), else ``<link rel="next">`` or
``<a rel="next">``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from scanner import jsonsafe
from scanner.crawl.item import Mention, fallback_id
from scanner.crawl.spider import ScanSpider
from scanner.errors import ScanError
from scanner.text.dates import parse_published

from .pageparts import page_link

_CONTAINER_KEYS = ("review", "reviews", "@graph", "itemListElement", "item", "mainEntity")


def is_xpath(selector: str) -> bool:
    return selector.lstrip().startswith(("/", "(", "./"))


def select(node: Selector | Response, selector: str) -> Any:
    return node.xpath(selector) if is_xpath(selector) else node.css(selector)


def reviews_in(data: Any) -> Iterator[dict[str, Any]]:
    """Every ``Review`` object in a JSON-LD value, however it is nested."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, dict):
            types = value.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.rsplit("/", 1)[-1] == "Review" for t in types):
                yield value
                continue
            stack.extend(reversed([value[k] for k in _CONTAINER_KEYS if k in value]))


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    return str(value) if value not in (None, "") else None


def _rating(review: dict[str, Any]) -> tuple[float | None, float | None]:
    rating = review.get("reviewRating")
    if isinstance(rating, list):
        rating = rating[0] if rating else None
    if not isinstance(rating, dict):
        return None, None
    try:
        value = float(str(rating.get("ratingValue")).replace(",", "."))
    except ValueError:
        return None, None
    try:
        best = float(str(rating.get("bestRating") or 5).replace(",", "."))
    except ValueError:
        best = 5.0
    return value, best


class JsonLdSpider(ScanSpider):
    name = "jsonld"
    about_company = True

    def __init__(self, *args: Any, next_selector: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.next_selector = next_selector

    @classmethod
    def check_arguments(
        cls, url: str | None = None, next_selector: str | None = None, **_: Any
    ) -> None:
        if not url:
            raise ScanError("the jsonld spider needs a url (the first review page)")
        if next_selector:
            try:
                select(Selector(text="<html></html>"), next_selector)
            except Exception as exc:  # cssselect and lxml raise several types
                raise ScanError(f"next_selector {next_selector!r} is not valid: {exc}") from exc

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.check_arguments(url=self.url, next_selector=self.next_selector)
        # check_arguments has raised if there is no url
        yield scrapy.Request(self.url, callback=self.parse)  # type: ignore[arg-type]

    def parse(self, response: Response) -> Iterator[Mention | scrapy.Request]:
        found = 0
        reviews: list[dict[str, Any]] = []
        for script in response.xpath('//script[@type="application/ld+json"]/text()').getall():
            try:
                data = jsonsafe.loads(script)
            except ValueError:
                self.layout_problem(response, "a JSON-LD block that is not valid JSON")
                continue
            reviews.extend(reviews_in(data))
        # A key several reviews of the page share is no review's id: many sites give
        # every review the product page's url, and the reviews became one post.
        keys = Counter(_key(review) for review in reviews)
        shared = {key for key, count in keys.items() if count > 1} | {response.url}
        for review in reviews:
            mention = self._from_jsonld(review, response, shared)
            if mention is not None:
                found += 1
                yield mention
        if not found:
            for node in response.xpath(
                '//*[@itemtype and contains(@itemtype, "schema.org/Review")]'
            ):
                mention = self._from_microdata(node, response)
                if mention is not None:
                    found += 1
                    yield mention
        if not found:
            self.layout_problem(response, "no schema.org Review on the page")
        href = page_link(response, self._next(response))
        if href:
            yield response.follow(href, callback=self.parse, meta={"pagination": True})

    def _next(self, response: Response) -> str | None:
        if self.next_selector:
            return select(response, self.next_selector).get()
        return (
            response.css('link[rel~="next"]::attr(href)').get()
            or response.css('a[rel~="next"]::attr(href)').get()
        )

    def _from_jsonld(
        self, review: dict[str, Any], response: Response, shared: set[str]
    ) -> Mention | None:
        text = review.get("reviewBody") or review.get("description") or review.get("text")
        if not isinstance(text, str) or not text.strip():
            return None
        rating, scale = _rating(review)
        author = _name(review.get("author"))
        date = review.get("datePublished") or review.get("dateCreated")
        key = _key(review)
        return Mention(
            source=self.source,
            external_id=(key if key not in shared else "") or fallback_id(text, author),
            text=text,
            url=page_link(response, review.get("url")),
            author=author,
            title=_name(review.get("name") or review.get("headline")),
            rating=rating,
            rating_scale=scale,
            published_at=parse_published(date) if isinstance(date, str | int | float) else None,
            language=review.get("inLanguage")
            if isinstance(review.get("inLanguage"), str)
            else None,
            about_company=True,
        )

    def _from_microdata(self, node: Selector, response: Response) -> Mention | None:
        text = _prop(node, "reviewBody") or _prop(node, "description")
        if not text:
            return None
        author, date = _prop(node, "author"), _prop(node, "datePublished")
        rating_node = _prop_node(node, "reviewRating")
        scope = rating_node if rating_node is not None else node
        rating, best = _prop(scope, "ratingValue"), _prop(scope, "bestRating")
        return Mention(
            source=self.source,
            external_id=node.attrib.get("itemid")
            or node.attrib.get("id")
            or fallback_id(text, author),
            text=text,
            url=response.url,
            author=author,
            title=_prop(node, "name"),
            rating=_float(rating),
            rating_scale=_float(best) or 5.0,
            published_at=parse_published(date),
            about_company=True,
        )


def _prop_node(scope: Selector, name: str) -> Selector | None:
    """The element with ``itemprop=name`` that belongs to ``scope`` itself, not to an
    item nested in it (a reviewer's ``Person`` has a ``name`` too)."""
    depth = len(scope.xpath("ancestor-or-self::*[@itemscope]"))
    found = scope.xpath(f'.//*[@itemprop="{name}"][count(ancestor::*[@itemscope]) = {depth}]')
    return found[0] if found else None


def _prop(scope: Selector, name: str) -> str | None:
    node = _prop_node(scope, name)
    if node is None:
        return None
    if "itemscope" in node.attrib:  # a nested item (author Person): its name
        inner = _prop(node, "name")
        if inner:
            return inner
    value = node.attrib.get("content") or node.attrib.get("datetime")
    return value or "".join(node.xpath(".//text()").getall()).strip() or None


def _float(value: str | None) -> float | None:
    try:
        return float(value.replace(",", ".")) if value else None
    except ValueError:
        return None


def _key(review: dict[str, Any]) -> str:
    """What the review says identifies it: its ``@id``, else its ``url``, else its
    ``identifier`` ("" for none)."""
    key = review.get("@id") or review.get("url") or review.get("identifier")
    return str(_name(key) if isinstance(key, dict | list) else key or "")
