"""PissedConsumer: a company's review listing.

Start URL: ``https://<company>.pissedconsumer.com/review.html``; further pages are
linked from the pager (``div.pager ul.pagination li.next a``), as ``review.html?page=N``
or ``RT-P<N>.html`` depending on the page generation, so the link is followed
rather than built. Each review is a ``div.f-component-item.review-item`` card
(``id="review-<id>"``, ``data-id``, the title in ``aria-label`` and its heading)
carrying schema.org microdata: ``reviewBody``, ``author``/``name``,
``datePublished`` (a ``meta`` with an ISO date; the visible ``time.post-time``
says "Mar 3, 2024") and ``ratingValue`` (1-5). Microdata is read first, the
class names (``f-component-text``, ``rating-title``) only when it is missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from scanner.crawl.item import Mention, fallback_id
from scanner.crawl.spider import ScanSpider
from scanner.text.dates import parse_published

from .pageparts import (
    block_text,
    canonical,
    first,
    is_removed,
    language_of,
    next_href,
    page_link,
    rating_in_scale,
    report_missing,
    says_empty,
)

_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S")


class PissedconsumerSpider(ScanSpider):
    name = "pissedconsumer"

    async def start(self) -> Any:
        if not self.url:
            self.logger.error("pissedconsumer: no start URL; pass -a url=<.../review.html>")
            return
        yield scrapy.Request(self.url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        cards = response.css("div.review-item")
        if not cards and not says_empty(response, r"\bno reviews\b"):
            self.layout_problem(response, "no review cards (div.review-item)")
        missing: Counter[str] = Counter()
        for card in cards:
            yield from self._mention(response, card, missing)
        report_missing(self, response, len(cards), missing)
        url = next_href(
            response,
            ".pager li.next a::attr(href)",
            'a[rel="next"]::attr(href)',
            'link[rel="next"]::attr(href)',
        )
        if url and url != response.url:
            yield scrapy.Request(url, callback=self.parse, meta={"pagination": True})

    def _mention(self, response: Response, card: Any, missing: Counter[str]) -> Iterator[Mention]:
        text = block_text(card, '[itemprop="reviewBody"]', ".f-component-text .overflow-text")
        title = first(card, "::attr(aria-label)", '[itemprop="headline"]', "h2", "h3")
        author = first(card, '[itemprop="author"] [itemprop="name"]', ".user-name", ".user")
        raw_date = first(
            card,
            '[itemprop="datePublished"]::attr(content)',
            "time::attr(datetime)",
            "time.post-time",
        )
        stars = first(
            card,
            '[itemprop="ratingValue"]::attr(content)',
            '[itemprop="ratingValue"]',
            ".rating-title",
        )
        rating = rating_in_scale(stars)
        for field, value in (("text", text), ("date", raw_date), ("rating", rating)):
            if not value:
                missing[field] += 1
        if not text:
            return
        published = parse_published(raw_date, formats=_FORMATS)
        rid = card.attrib.get("data-id") or card.attrib.get("id", "").removeprefix("review-")
        rid = rid or fallback_id(text, author)
        link = first(card, "h2 a::attr(href)", "a.review-link::attr(href)")
        yield Mention(
            source=self.source,
            external_id=rid,
            text=text,
            url=page_link(response, link) or f"{canonical(response.url)}#review-{rid}",
            author=author or None,
            title=title or None,
            rating=rating,
            rating_scale=5.0,
            published_at=published,
            language=language_of(card),
            about_company=True,
            removed=is_removed(text, title),
            extra={"kind": "review", **_location(card)},
        )


def _location(card: Any) -> dict[str, str]:
    where = first(card, ".location-line")
    return {"location": where} if where else {}
