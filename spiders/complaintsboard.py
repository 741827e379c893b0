"""ComplaintsBoard: a company's complaint listing and the complaint pages it links to.

Start URL: the company's listing, ``https://www.complaintsboard.com/<company>-b<id>``;
further pages are ``.../page/N``. Each complaint is a ``div.complaint`` block with
schema.org microdata (``itemprop`` about/reviewBody/author/name/datePublished),
which is read before the class names (``complaint-main__header-name``,
``complaint-main__text``, ``author-header__name``, ``author-header__date``) because
microdata outlives CSS renames. A block that links its own page
(``/<slug>-c<id>``) is followed, and the complaint is read there in full, with the
facts only that page shows (claimed loss, desired outcome, a star rating for
reviews). A block without such a link is read from the listing itself, its id
taken from the comment anchor (``#create-comment-<id>``) or attachment paths.

Dates are "Jan 20, 2024" with the time beside them ("12:06 am UTC").
"""

from __future__ import annotations

import re
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
    line_of,
    next_href,
    page_link,
    rating_in_scale,
    report_missing,
    says_empty,
)

_PERMALINK = re.compile(r"-c(\d{4,})(?:\.html)?/?(?:$|[?#])")
_ID_HINTS = (
    re.compile(r"#create-comment-(\d{4,})"),
    re.compile(r"/(?:complaint|post)/full/(\d{4,})/"),
)
_PAGE = re.compile(r"/page/(\d+)/?$")
_FORMATS = ("%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%b %d, %Y", "%B %d, %Y", "%m/%d/%Y")
_FACT_KEYS = {"claimed loss": "claimed_loss", "desired outcome": "desired_outcome"}


class ComplaintsboardSpider(ScanSpider):
    name = "complaintsboard"

    async def start(self) -> Any:
        if not self.url:
            self.logger.error("complaintsboard: no start URL; pass -a url=<company listing URL>")
            return
        yield scrapy.Request(self.url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A listing page: follow each complaint's own page, read the rest in place."""
        blocks = response.css("div.complaint")
        if not blocks and not says_empty(response, r"\bno complaints\b"):
            self.layout_problem(response, "no complaint blocks (div.complaint)")
        missing: Counter[str] = Counter()
        for block in blocks:
            link = _permalink(response, block)
            if link:
                cid, url = link
                yield scrapy.Request(url, callback=self.parse_complaint, meta={"external_id": cid})
            else:
                yield from self._mention(response, block, _listing_id(block), missing)
        report_missing(self, response, len(blocks), missing)
        next_url = _next_page(response)
        if next_url:
            yield scrapy.Request(next_url, callback=self.parse, meta={"pagination": True})

    def parse_complaint(self, response: Response) -> Iterator[Any]:
        """A complaint's own page: the first ``div.complaint`` is it (replies follow)."""
        block = response.css("div.complaint")[:1]
        if not block:
            self.layout_problem(response, "no complaint block (div.complaint) on its page")
            return
        match = _PERMALINK.search(response.url)
        cid = response.meta.get("external_id") or (match.group(1) if match else None)
        missing: Counter[str] = Counter()
        yield from self._mention(response, block[0], cid, missing, own_page=True)
        report_missing(self, response, 1, missing)

    def _mention(
        self,
        response: Response,
        block: Any,
        cid: str | None,
        missing: Counter[str],
        *,
        own_page: bool = False,
    ) -> Iterator[Mention]:
        title = first(block, '[itemprop="about"]', ".complaint-main__header-name", "h1", "h3")
        text = block_text(block, '[itemprop="reviewBody"]', ".complaint-main__text")
        author = first(block, '[itemprop="author"] [itemprop="name"]', ".author-header__name")
        raw_date = first(
            block,
            '[itemprop="datePublished"]::attr(content)',
            '[itemprop="datePublished"]',
            ".author-header__date",
        )
        clock = first(block, ".author-header__time").upper().replace("UTC", "").strip()
        for field, value in (("text", text), ("author", author), ("date", raw_date)):
            if not value:
                missing[field] += 1
        if not text:
            return
        published = parse_published(f"{raw_date} {clock}".strip(), formats=_FORMATS)
        if published is None and clock:
            published = parse_published(raw_date, formats=_FORMATS)
        if cid is None:
            cid = fallback_id(text, author)
        stars = first(block, '[itemprop="reviewRating"] [itemprop="ratingValue"]::attr(content)')
        rating = rating_in_scale(stars)
        yield Mention(
            source=self.source,
            external_id=cid,
            text=text,
            url=canonical(response.url) if own_page else f"{canonical(response.url)}#c{cid}",
            author=author or None,
            title=title or None,
            rating=rating,
            rating_scale=5.0 if rating is not None else None,
            published_at=published,
            language=language_of(block),
            about_company=True,
            removed=is_removed(text, title),
            extra=_facts(block),
        )


def _permalink(response: Response, block: Any) -> tuple[str, str] | None:
    """The complaint's own page, when the block links it (not the /faq "Learn more")."""
    for href in block.css("a::attr(href)").getall():
        match = _PERMALINK.search(href.strip())
        if match:
            url = page_link(response, href)
            return (match.group(1), url) if url else None
    return None


def _listing_id(block: Any) -> str | None:
    for value in (block.attrib.get("data-id"), block.attrib.get("id")):
        if value and value.lstrip("c").isdigit():
            return value.lstrip("c")
    for href in block.css("a::attr(href), img::attr(src)").getall():
        for pattern in _ID_HINTS:
            match = pattern.search(href)
            if match:
                return match.group(1)
    return None


def _facts(block: Any) -> dict[str, Any]:
    """Location, status and the "Claimed loss: $249"-style rows some complaints carry."""
    facts: dict[str, Any] = {"kind": "complaint"}
    where = first(block, ".author-header__address")
    if where:
        facts["location"] = re.sub(r"^of\s+", "", where, flags=re.IGNORECASE)
    status = first(block, ".complaint__status", ".complaint-main__status")
    if status:
        facts["status"] = status
    for row in block.css(".complaint-new__charge-info-row"):
        label, _, value = line_of(row).partition(":")
        key = _FACT_KEYS.get(label.strip().lower())
        if key and value.strip():
            facts[key] = value.strip()
    return facts


def _next_page(response: Response) -> str | None:
    found = next_href(
        response,
        'link[rel="next"]::attr(href)',
        'a[rel="next"]::attr(href)',
        "a.pagination__next::attr(href)",
    )
    if found:
        return found
    current = _PAGE.search(canonical(response.url))
    wanted = f"/page/{int(current.group(1)) + 1 if current else 2}"
    for href in response.css(".pagination a::attr(href), nav a::attr(href)").getall():
        url = page_link(response, href)
        if url and canonical(url).rstrip("/").endswith(wanted):
            return url
    return None
