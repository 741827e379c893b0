"""Better Business Bureau: a business profile's complaints and customer reviews.

Start URL: a profile (``https://www.bbb.org/us/<st>/<city>/profile/<category>/<business>``)
to read both sections, or one section's URL (``.../complaints``,
``.../customer-reviews``) to read only that one. Listings are paged ``?page=N``.

Complaints are ``li.card.bpr-complaint-grid`` cards: a complaint type, a status
(Resolved, Answered, Unanswered...), a filing date, the complaint text, and the
exchange that followed (business response, customer response) as ``[data-title]``
headings over ``[data-body]`` texts. Complainants are not named. Reviews are
``li.card.bpr-review`` cards ("Review from <name>", "Date: 03/03/2024", stars);
the page also embeds the same reviews as JSON in ``window.__PRELOADED_STATE__``
(objects with ``displayName``, ``reviewStarRating``, ``date`` {year, month, day},
``extendedText`` holding the business's reply), which is read first.

US profiles write dates month first; Canadian ones (``/ca/`` in the path) day first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from scanner import jsonsafe
from scanner.crawl.item import Mention, fallback_id
from scanner.crawl.spider import ScanSpider
from scanner.text.clean import clean_text
from scanner.text.dates import iso, parse_published

from .pageparts import (
    canonical,
    dicts_with,
    is_removed,
    line_of,
    next_href,
    rating_in_scale,
    report_missing,
    says_empty,
    text_of,
)
from .parsing import text_or_none

_STATE = re.compile(r"__PRELOADED_STATE__\s*=\s*(\{.*\})\s*;?\s*$", re.DOTALL)
_LABEL = re.compile(r"^\s*(?:complaint type|status|date|review from)\s*:?\s*", re.IGNORECASE)
_STARS = re.compile(r"(\d(?:\.\d)?)\s*stars?\b", re.IGNORECASE)
_NEXT = ('a[rel="next"]::attr(href)', 'link[rel="next"]::attr(href)')


class BbbSpider(ScanSpider):
    name = "bbb"

    async def start(self) -> Any:
        if not self.url:
            self.logger.error("bbb: no start URL; pass -a url=<BBB business profile URL>")
            return
        path = urlsplit(self.url).path.rstrip("/")
        if path.endswith("/complaints"):
            yield scrapy.Request(self.url, callback=self.parse_complaints)
        elif path.endswith("/customer-reviews"):
            yield scrapy.Request(self.url, callback=self.parse_reviews)
        else:
            base = canonical(self.url).rstrip("/")
            yield scrapy.Request(f"{base}/complaints", callback=self.parse_complaints)
            yield scrapy.Request(f"{base}/customer-reviews", callback=self.parse_reviews)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """For ``scrapy parse``: pick the section from the URL."""
        if "/customer-reviews" in response.url:
            yield from self.parse_reviews(response)
        else:
            yield from self.parse_complaints(response)

    # -- complaints ---------------------------------------------------------------

    def parse_complaints(self, response: Response) -> Iterator[Any]:
        cards = response.css("li.bpr-complaint-grid")
        if not cards and not says_empty(response, r"\bno (?:complaints|complaint history)\b"):
            self.layout_problem(response, "no complaint cards (li.bpr-complaint-grid)")
        missing: Counter[str] = Counter()
        for card in cards:
            yield from self._complaint(response, card, missing)
        report_missing(self, response, len(cards), missing)
        yield from self._next(response, self.parse_complaints)

    def _complaint(self, response: Response, card: Any, missing: Counter[str]) -> Iterator[Mention]:
        text = text_of(card.css(".bpr-complaint-body > [data-body]")[:1])
        kind = _unlabel(line_of(card.css(".bpr-complaint-type")))
        status = _unlabel(line_of(card.css(".bpr-complaint-status")))
        raw_date = _unlabel(line_of(card.css(".bpr-complaint-date")))
        for field, value in (("text", text), ("complaint type", kind), ("date", raw_date)):
            if not value:
                missing[field] += 1
        if not text:
            return
        published = self._date(response, raw_date)
        cid = card.attrib.get("id") or fallback_id(text)
        extra: dict[str, Any] = {"kind": "complaint", "complaint_type": kind, "status": status}
        extra.update(self._business_response(response, card))
        yield Mention(
            source=self.source,
            external_id=f"complaint-{cid}",
            text=text,
            url=f"{canonical(response.url)}#{cid}",
            # The complaint type ("Billing/Collection Issues") is the BBB's form
            # field, not the person's words: kept in extra, never a title, so that
            # grievances filed under one type do not share it as a phrase.
            title=None,
            published_at=published,
            language=_lang(card),
            about_company=True,
            removed=is_removed(text),
            extra={key: value for key, value in extra.items() if value},
        )

    def _business_response(self, response: Response, card: Any) -> dict[str, Any]:
        """The latest reply headed "Business response" ([data-title] h4 over [data-body])."""
        for block in reversed(card.xpath(".//*[@data-title][.//h4]/..")):
            heading = line_of(block.css("[data-title] h4"))
            if "business" in heading.lower():
                raw = _unlabel(line_of(block.css("[data-title] h4 ~ *")[:1]))
                return {
                    "business_response": text_of(block.css("[data-body]")[:1]),
                    "business_response_at": iso(self._date(response, raw)),
                }
        return {}

    # -- customer reviews ---------------------------------------------------------

    def parse_reviews(self, response: Response) -> Iterator[Any]:
        state = _preloaded_state(response)
        reviews = [] if state is None else list(dicts_with(state, {"displayName", "text"}))
        cards = response.css("li.bpr-review")
        if state is not None and not reviews and cards:
            self.layout_problem(response, "__PRELOADED_STATE__ holds no reviews; read the cards")
        if reviews:
            yield from self.each(response, reviews, self._review_json)
        elif cards:
            missing: Counter[str] = Counter()
            for card in cards:
                yield from self._review_card(response, card, missing)
            report_missing(self, response, len(cards), missing)
        elif not says_empty(response, r"\bno (?:customer )?reviews\b"):
            self.layout_problem(response, "no reviews (li.bpr-review, __PRELOADED_STATE__)")
        yield from self._next(response, self.parse_reviews)

    def _review_json(self, response: Response, item: dict[str, Any]) -> Mention:
        # a list of one may come as the object itself, or as anything else
        extended = item.get("extendedText")
        parts = [extended] if isinstance(extended, dict) else extended
        parts = [x for x in parts if isinstance(x, dict)] if isinstance(parts, list) else []
        text = clean_text(text_or_none(item.get("text")) or "")
        if not text and parts:
            text = clean_text(text_or_none(parts[0].get("text")) or "")
        published = _ymd(item.get("date"))
        author = clean_text(text_or_none(item.get("displayName")) or "") or None
        rid = str(item.get("id") or fallback_id(text, author))
        reply = next((x for x in parts if x.get("isBusiness")), None)
        extra: dict[str, Any] = {"kind": "review"}
        if reply:
            extra["business_response"] = clean_text(reply.get("text") or "")
            extra["business_response_at"] = iso(_ymd(reply.get("date")))
        return self._review(
            response, rid, author, text, item.get("reviewStarRating"), published, extra
        )

    def _review_card(
        self, response: Response, card: Any, missing: Counter[str]
    ) -> Iterator[Mention]:
        author = _unlabel(line_of(card.css("h3.bpr-review-title")))
        dated = [p for p in card.css("p") if line_of(p).lower().startswith("date:")]
        raw_date = _unlabel(line_of(dated[0])) if dated else ""
        text = next((t for div in card.xpath("./div[not(@class)]") if (t := text_of(div))), "")
        rating = _card_stars(card)
        for field, value in (
            ("text", text),
            ("author", author),
            ("date", raw_date),
            ("rating", rating),
        ):
            if not value:
                missing[field] += 1
        if not text:
            return
        published = self._date(response, raw_date)
        rid = card.attrib.get("id") or fallback_id(text, author)
        extra: dict[str, Any] = {"kind": "review"}
        grid = card.css(".bpr-review-business-response-grid")
        if grid:
            extra["business_response"] = text_of(grid.css(".bpr-review-business-response-body"))
            raw = _unlabel(line_of(grid.css(".bpr-review-business-response-date")))
            extra["business_response_at"] = iso(self._date(response, raw))
        yield self._review(response, rid, author or None, text, rating, published, extra)

    def _review(
        self,
        response: Response,
        rid: str,
        author: str | None,
        text: str,
        stars: object,
        published: datetime | None,
        extra: dict[str, Any],
    ) -> Mention:
        return Mention(
            source=self.source,
            external_id=f"review-{rid}",
            text=text,
            url=f"{canonical(response.url)}#{rid}",
            author=author,
            rating=rating_in_scale(stars),
            rating_scale=5.0,
            published_at=published,
            about_company=True,
            removed=is_removed(text),
            extra={key: value for key, value in extra.items() if value},
        )

    # -- shared -------------------------------------------------------------------

    def _next(self, response: Response, callback: Any) -> Iterator[scrapy.Request]:
        url = next_href(response, *_NEXT)
        if url and url != response.url:
            yield scrapy.Request(url, callback=callback, meta={"pagination": True})

    @staticmethod
    def _date(response: Response, raw: str) -> datetime | None:
        day_first = urlsplit(response.url).path.startswith("/ca/")
        formats = ("%d/%m/%Y", "%m/%d/%Y") if day_first else ("%m/%d/%Y", "%d/%m/%Y")
        return parse_published(raw, formats=formats)


def _unlabel(text: str) -> str:
    return _LABEL.sub("", text).strip()


def _lang(card: Any) -> str | None:
    return (card.attrib.get("lang") or "").lower() or None


def _card_stars(card: Any) -> float | None:
    area = card.css(".dtm-review-stars, .star-rating")
    labels = " ".join(area.css("::attr(aria-label), ::attr(title), ::text").getall())
    match = _STARS.search(labels)
    if match:
        return float(match.group(1))
    filled = area.css('svg[data-filled]:not([data-filled="false"])')
    return float(len(filled)) if filled else None


def _ymd(value: Any) -> datetime | None:
    """BBB's JSON dates: {"year": 2024, "month": 3, "day": 3}."""
    try:
        return datetime(int(value["year"]), int(value["month"]), int(value["day"]), tzinfo=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def _preloaded_state(response: Response) -> Any:
    for script in response.css("script::text").getall():
        match = _STATE.search(script)
        if match:
            try:
                return jsonsafe.loads(match.group(1))
            except ValueError:
                return None
    return None
