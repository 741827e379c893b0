"""Apple App Store: the public customer-reviews feed of one app, per country.

``/<cc>/rss/customerreviews/page=N/id=<app id>/sortby=mostrecent/json`` answers
``{"feed": {"entry": [...], "link": [...], ...}}``. Every value is wrapped as
``{"label": ...}``: ``author.name.label``, ``im:rating.label`` ("1".."5"),
``title.label``, ``content.label``, ``id.label``, ``updated.label``,
``im:version.label``. A page holding one review gives ``entry`` as an object, not
a list; a page past the end has no ``entry`` at all. Apple serves pages 1..10.
Older feeds put the app itself first among the entries (``im:name``, no rating).

Arguments: ``app_id`` (required, usually in the source's ``args`` table),
``countries`` ("us,in", default "us"), ``url`` (base, default https://itunes.apple.com).

Example::

    scrapy crawl appstore -a app_id=123456789 -a countries=us,in
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from scanner.crawl.item import Mention
from scanner.crawl.spider import ScanSpider
from scanner.text.dates import parse_published

from .parsing import as_float, as_list, dig, is_removed_text, load_json, text_or_none

MAX_PAGES = 10  # Apple serves no page past 10 (50 reviews each)


class AppStoreSpider(ScanSpider):
    name = "appstore"
    about_company = True
    default_url = "https://itunes.apple.com"

    def __init__(
        self, *args: Any, app_id: object = None, countries: object = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.app_id = str(app_id).strip() if app_id not in (None, "") else None
        self.countries = [cc.lower() for cc in as_list(countries)] or ["us"]

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        """Called by ``scan crawl`` before crawling: a source without it reads nothing."""
        if not kwargs.get("app_id"):
            raise ValueError("the appstore spider needs an `app_id` (in the source's `args` table)")

    async def start(self) -> AsyncIterator[Any]:
        if not self.app_id or not self.url:
            self.logger.error("appstore: an app_id is required (-a app_id=...)")
            return
        for country in self.countries:
            yield self._page_request(country, 1)

    def _page_request(self, country: str, page: int) -> scrapy.Request:
        url = (
            f"{(self.url or '').rstrip('/')}/{country}/rss/customerreviews/"
            f"page={page}/id={self.app_id}/sortby=mostrecent/json"
        )
        return scrapy.Request(
            url,
            callback=self.parse,
            cb_kwargs={"country": country, "page": page},
            meta={"pagination": True} if page > 1 else {},
        )

    def parse(
        self, response: Response, country: str = "us", page: int = 1, **kwargs: Any
    ) -> Iterator[Any]:
        answer = load_json(self, response)
        if answer is None:
            return
        feed = dig(answer, "feed")
        if not isinstance(feed, dict):
            self.layout_problem(response, "the answer lacks feed")
            return
        entries = feed.get("entry") or []  # no entry at all: past the last page
        entries = [entries] if isinstance(entries, dict) else entries
        if not isinstance(entries, list):
            self.layout_problem(response, "feed.entry is neither a list nor an object")
            return
        reviews = [e for e in entries if isinstance(e, dict) and not _is_app_entry(e)]
        missing: set[str] = set()
        for entry in reviews:
            mention = self._review(response, entry, country, missing)
            if mention is not None:
                yield mention
        if missing:
            self.layout_problem(response, "entries lack " + ", ".join(sorted(missing)))
        if reviews and page < MAX_PAGES:
            yield self._page_request(country, page + 1)

    def _review(
        self, response: Response, entry: dict[str, Any], country: str, missing: set[str]
    ) -> Mention | None:
        review_id, text = _label(entry, "id"), _content(entry)
        for key, value in (("id", review_id), ("content", text)):
            if value is None:
                missing.add(key)
        if review_id is None or text is None:
            return None
        rating = as_float(_label(entry, "im:rating"))
        author, published = _label(entry, "author", "name"), _label(entry, "updated")
        for key, found in (("im:rating", rating), ("author.name", author), ("updated", published)):
            if found is None:
                missing.add(key)
        title = _label(entry, "title")
        removed = is_removed_text(text) or is_removed_text(title)
        text = text if text.strip() else (title or "")
        link = text_or_none(dig(entry, "link", "attributes", "href"))
        base = (self.url or "").rstrip("/")
        return Mention(
            source=self.source,
            external_id=review_id,
            url=link or f"{base}/{country}/review?id={self.app_id}&type=Purple%20Software",
            author=author,
            title=None if removed else title,
            text="" if removed else text,
            rating=rating,
            rating_scale=5.0 if rating is not None else None,
            published_at=parse_published(published),
            about_company=self.about_company,
            removed=removed,
            extra={
                key: value
                for key, value in {
                    "country": country,
                    "app_id": self.app_id,
                    "version": _label(entry, "im:version"),
                    "vote_sum": _label(entry, "im:voteSum"),
                    "vote_count": _label(entry, "im:voteCount"),
                }.items()
                if value is not None
            },
        )


def _label(entry: dict[str, Any], *path: str) -> str | None:
    return text_or_none(dig(entry, *path, "label"))


def _content(entry: dict[str, Any]) -> str | None:
    """The review body; the XML flavour's two ``content`` (text and html) as a list too."""
    content = entry.get("content")
    if isinstance(content, list):
        plain = [c for c in content if dig(c, "attributes", "type") == "text"]
        content = (plain or content or [None])[0]
    label = dig(content, "label")
    return label if isinstance(label, str) else None


def _is_app_entry(entry: dict[str, Any]) -> bool:
    return "im:name" in entry and "im:rating" not in entry
