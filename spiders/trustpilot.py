"""Trustpilot: a company's review pages (``/review/<domain>?page=N``).

The page is a Next.js app: every review sits in ``<script id="__NEXT_DATA__">``
under ``props.pageProps.reviews`` with the page count in
``props.pageProps.filters.pagination``. The same reviews are repeated as schema.org
``Review`` objects in a JSON-LD ``@graph``, which is read only when the Next.js data
is missing (both are checked against a real saved page in the tests).

Example::

    scrapy crawl trustpilot -a url=https://www.trustpilot.com/review/acme.example
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameter, url_query_parameter

from scanner import jsonsafe
from scanner.crawl.item import Mention
from scanner.crawl.spider import ScanSpider
from scanner.text.dates import parse_published

from .pageparts import page_link
from .parsing import as_float, dig, is_removed_text, text_or_none


class TrustpilotSpider(ScanSpider):
    name = "trustpilot"
    about_company = True
    default_url = None  # a company's page, e.g. https://www.trustpilot.com/review/acme.example

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        """Called by ``scan crawl`` before crawling: a source without it reads nothing."""
        if not kwargs.get("url"):
            raise ValueError("the trustpilot spider needs the company's review page as `url`")

    async def start(self) -> AsyncIterator[Any]:
        if not self.url:
            self.logger.error("trustpilot: no url (the company's /review/<domain> page)")
            return
        url = self.url
        # Newest first, so that the crawl can stop paging at the first known review.
        if url_query_parameter(url, "sort") is None:
            url = add_or_replace_parameter(url, "sort", "recency")
        yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        props = _page_props(response)
        reviews = dig(props, "reviews")
        if props is None:
            self.layout_problem(response, "no readable __NEXT_DATA__ script")
        elif not isinstance(reviews, list):
            self.layout_problem(response, "__NEXT_DATA__ lacks props.pageProps.reviews")
        mentions = []
        if isinstance(reviews, list):
            mentions = list(self._from_next_data(response, reviews))
        if mentions or reviews == []:
            yield from mentions
        else:  # no Next.js data, or none of its reviews could be read
            yield from self._from_json_ld(response)
        next_url = self._next_page(response, props)
        if next_url:
            yield scrapy.Request(next_url, callback=self.parse, meta={"pagination": True})

    def _from_next_data(self, response: Response, reviews: list[Any]) -> Iterator[Mention]:
        missing: set[str] = set()
        for raw in reviews:
            review_id = text_or_none(dig(raw, "id"))
            text = dig(raw, "text")
            if review_id is None or not isinstance(text, str):
                missing.add("id" if review_id is None else "text")
                continue
            for key, path in _EXPECTED.items():
                if dig(raw, *path) is None and not (key == "title" and "title" in raw):
                    missing.add(key)
            reply = dig(raw, "reply")
            yield self._mention(
                response,
                review_id,
                text=text,
                title=text_or_none(dig(raw, "title")),
                author=text_or_none(dig(raw, "consumer", "displayName")),
                rating=as_float(dig(raw, "rating")),
                published=dig(raw, "dates", "publishedDate"),
                language=text_or_none(dig(raw, "language")),
                extra={
                    "experienced_at": dig(raw, "dates", "experiencedDate"),
                    "updated_at": dig(raw, "dates", "updatedDate"),
                    "country": dig(raw, "consumer", "countryCode"),
                    "verified": dig(raw, "labels", "verification", "isVerified"),
                    "likes": dig(raw, "likes"),
                    "reply": dig(reply, "message") if isinstance(reply, dict) else None,
                    "reply_at": dig(reply, "publishedDate") if isinstance(reply, dict) else None,
                },
            )
        if missing:
            self.layout_problem(response, "reviews lack " + ", ".join(sorted(missing)))

    def _from_json_ld(self, response: Response) -> Iterator[Mention]:
        found = False
        for node in _json_ld_nodes(response):
            types = node.get("@type")
            if types != "Review" and not (isinstance(types, list) and "Review" in types):
                continue
            found = True
            review_id = str(node.get("@id") or "").rstrip("/").rsplit("/", 1)[-1]
            text = node.get("reviewBody")
            if not review_id or not isinstance(text, str):
                self.layout_problem(response, "a JSON-LD Review lacks @id or reviewBody")
                continue
            yield self._mention(
                response,
                review_id,
                text=text,
                title=text_or_none(node.get("headline")),
                author=text_or_none(dig(node, "author", "name")),
                rating=as_float(dig(node, "reviewRating", "ratingValue")),
                scale=as_float(dig(node, "reviewRating", "bestRating")),
                published=node.get("datePublished"),
                language=text_or_none(node.get("inLanguage")),
                extra={},
            )
        if not found:
            self.layout_problem(response, "no reviews in __NEXT_DATA__ nor in JSON-LD")

    def _mention(
        self,
        response: Response,
        review_id: str,
        *,
        text: str,
        title: str | None,
        author: str | None,
        rating: float | None,
        published: object,
        language: str | None,
        extra: dict[str, Any],
        scale: float | None = None,
    ) -> Mention:
        removed = is_removed_text(text) or is_removed_text(title)
        if not text.strip() and title:  # a review with a title only
            text = title
        return Mention(
            source=self.source,
            external_id=review_id,
            url=response.urljoin(f"/reviews/{review_id}"),
            author=author,
            title=None if removed else title,
            text="" if removed else text,
            rating=rating,
            rating_scale=(scale or 5.0) if rating is not None else None,
            published_at=parse_published(published),
            language=language,
            about_company=self.about_company,
            removed=removed,
            extra={k: v for k, v in extra.items() if v is not None},
        )

    def _next_page(self, response: Response, props: dict[str, Any] | None) -> str | None:
        pagination = dig(props, "filters", "pagination")
        current, total = dig(pagination, "currentPage"), dig(pagination, "totalPages")
        if isinstance(current, int) and isinstance(total, int):
            if current < total:
                return add_or_replace_parameter(response.url, "page", str(current + 1))
            return None
        if props is not None:
            self.layout_problem(response, "__NEXT_DATA__ lacks props.pageProps.filters.pagination")
        # The page's own "next" button; it has no href on the last page.
        href = response.css('a[name="pagination-button-next"]::attr(href)').get()
        return page_link(response, href)


# Where each field sits in a review object, for naming what a changed layout lost.
_EXPECTED = {
    "rating": ("rating",),
    "title": ("title",),
    "consumer.displayName": ("consumer", "displayName"),
    "dates.publishedDate": ("dates", "publishedDate"),
}


def _page_props(response: Response) -> dict[str, Any] | None:
    raw = response.css("script#__NEXT_DATA__::text").get()
    if not raw:
        return None
    try:
        data = jsonsafe.loads(raw)
    except ValueError:
        return None
    props = dig(data, "props", "pageProps")
    return props if isinstance(props, dict) else None


def _json_ld_nodes(response: Response) -> Iterator[dict[str, Any]]:
    for raw in response.css('script[type="application/ld+json"]::text').getall():
        try:
            data = jsonsafe.loads(raw)
        except ValueError:
            continue
        nodes = data if isinstance(data, list) else [data]
        for node in nodes:
            graph = dig(node, "@graph")
            for item in graph if isinstance(graph, list) else [node]:
                if isinstance(item, dict):
                    yield item
