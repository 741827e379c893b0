"""Sitejabber: a site's review pages (``https://www.sitejabber.com/reviews/<domain>``).

Pages are ``?page=N``, linked from ``.pagination__next``. Each page carries the
same reviews twice: as schema.org ``Review`` objects in JSON-LD (the
``Organization``'s ``review`` list: author, ``datePublished`` in ISO, ``name``,
``reviewBody``, ``reviewRating.ratingValue``), and as ``div.review`` cards
(``.review__author__name``, ``.review__date`` "March 3rd, 2024",
``.review__title a`` whose fragment is the review's id, ``.review__text``,
``.stars[title]`` "2 stars").

Which is read: JSON-LD for the fields (it is written for search engines, with
ISO dates and numeric ratings, and survives redesigns), the card of the same
author and day for the site's id. A review in only one of the two is still read.
Without JSON-LD the cards are read alone; without cards, JSON-LD alone with ids
hashed from listing URL, author and date; either absence is reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from scanner.crawl.item import Mention, fallback_id
from scanner.crawl.spider import ScanSpider
from scanner.text.clean import clean_line, clean_text
from scanner.text.dates import parse_published

from .pageparts import (
    block_text,
    canonical,
    first,
    is_removed,
    jsonld,
    language_of,
    name_of,
    next_href,
    rating_in_scale,
    report_missing,
    says_empty,
    strip_ordinals,
    types_of,
)

_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%m/%d/%Y")


class SitejabberSpider(ScanSpider):
    name = "sitejabber"

    async def start(self) -> Any:
        if not self.url:
            self.logger.error("sitejabber: no start URL; pass -a url=<.../reviews/<domain>>")
            return
        yield scrapy.Request(self.url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        from_ld = [_from_jsonld(obj) for obj in _ld_reviews(response)]
        cards = response.css("div.review")
        missing: Counter[str] = Counter()
        from_cards = [_from_card(card, missing) for card in cards]
        if not cards and not from_ld:
            if not says_empty(response, r"\bno reviews\b"):
                self.layout_problem(response, "no reviews (JSON-LD Review, div.review)")
        elif not cards:
            self.layout_problem(response, "no review cards (div.review); read JSON-LD only")
        elif not from_ld:
            self.layout_problem(response, "no JSON-LD reviews; read the cards only")
        report_missing(self, response, len(cards), missing)
        by_key: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
        for rec in from_cards:
            if rec["text"]:
                by_key.setdefault(_key(rec), []).append(rec)
        for rec in from_ld:
            same = by_key.get(_key(rec))
            if same:  # the card gives the site's id; JSON-LD wins on every field it has
                rec = {**same.pop(0), **{k: v for k, v in rec.items() if v}}
            if rec["text"]:
                yield self._mention(response, rec)
        for rest in by_key.values():
            yield from (self._mention(response, rec) for rec in rest)
        url = next_href(
            response,
            ".pagination__next a::attr(href)",
            "a.pagination__next::attr(href)",
            'a[rel="next"]::attr(href)',
            'link[rel="next"]::attr(href)',
        )
        if url and url != response.url:
            yield scrapy.Request(url, callback=self.parse, meta={"pagination": True})

    def _mention(self, response: Response, rec: dict[str, Any]) -> Mention:
        listing = canonical(response.url)
        rid = rec.get("id") or fallback_id(rec["text"], rec["author"])
        return Mention(
            source=self.source,
            external_id=rid,
            text=rec["text"],
            url=f"{listing}#{rid}",
            author=rec["author"] or None,
            title=rec["title"] or None,
            rating=rec["rating"],
            rating_scale=5.0,
            published_at=rec["published"],
            language=rec.get("language"),
            about_company=True,
            removed=is_removed(rec["text"], rec["title"]),
            extra={"kind": "review"},
        )


def _ld_reviews(response: Response) -> Iterator[dict[str, Any]]:
    for obj in jsonld(response):
        if "Review" in types_of(obj):
            yield obj
        elif isinstance(obj.get("review"), list):
            yield from (r for r in obj["review"] if isinstance(r, dict))


def _from_jsonld(obj: dict[str, Any]) -> dict[str, Any]:
    rating = obj.get("reviewRating")
    if isinstance(rating, dict):
        rating = rating.get("ratingValue")
    language = obj.get("inLanguage")
    return {
        "author": name_of(obj.get("author")),
        "title": clean_line(obj.get("name") or obj.get("headline") or ""),
        "text": clean_text(obj.get("reviewBody") or ""),
        "rating": rating_in_scale(rating),
        "published": parse_published(obj.get("datePublished")),
        "language": language.lower() if isinstance(language, str) else None,
    }


def _from_card(card: Any, missing: Counter[str]) -> dict[str, Any]:
    href = first(card, ".review__title a::attr(href)")
    raw_date = strip_ordinals(first(card, "time::attr(datetime)", ".review__date"))
    rec = {
        "id": href.partition("#")[2] or card.attrib.get("data-id") or None,
        "author": first(card, ".review__author__name"),
        "title": first(card, ".review__title__text", ".review__title"),
        "text": block_text(card, ".review__text"),
        "rating": rating_in_scale(first(card, ".stars::attr(title)", ".stars::attr(aria-label)")),
        "published": parse_published(raw_date, formats=_FORMATS),
        "language": language_of(card),
    }
    for field in ("id", "author", "text", "rating", "published"):
        if not rec[field]:
            missing[field] += 1
    return rec


def _key(rec: dict[str, Any]) -> tuple[str, str | None]:
    """What a JSON-LD review and its card agree on: who wrote it, and which day."""
    published = rec["published"]
    return rec["author"].casefold(), published.date().isoformat() if published else None
