"""Hacker News through its public Algolia search API, newest first.

``/api/v1/search_by_date?query=...&tags=(story,comment)&page=N`` answers
``hits`` (stories and comments, told apart by ``_tags``) with ``page`` and
``nbPages`` for paging. ``comment_text`` and ``story_text`` are HTML fragments
(``<p>`` between paragraphs, entities such as ``&#x27;``); they are handed on as
HTML and the pipeline's clean stage turns them into text.

Arguments: ``query`` (required), ``url`` (base, default https://hn.algolia.com),
``tags`` (default ``(story,comment)``).

Example::

    scrapy crawl hackernews -a query=acme
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from scanner.crawl.item import Mention
from scanner.crawl.spider import ScanSpider
from scanner.text.clean import REPLY_PREFIX
from scanner.text.dates import parse_published

from .parsing import dig, is_removed_text, load_json, text_or_none

ITEM_URL = "https://news.ycombinator.com/item?id="
_TAG = re.compile(r"<[a-zA-Z/!][^<>]*>")


class HackerNewsSpider(ScanSpider):
    name = "hackernews"
    about_company = False
    default_url = "https://hn.algolia.com"

    def __init__(
        self, *args: Any, query: str | None = None, tags: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.query = query
        self.tags = tags or "(story,comment)"

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        """Called by ``scan crawl`` before crawling: a source without it reads nothing."""
        if not kwargs.get("query"):
            raise ValueError("the hackernews spider needs a search `query`")

    async def start(self) -> AsyncIterator[Any]:
        if not self.query or not self.url:
            self.logger.error("hackernews: a query is required (-a query=...)")
            return
        params = urlencode({"query": self.query, "tags": self.tags, "page": "0"})
        url = f"{self.url.rstrip('/')}/api/v1/search_by_date?{params}"
        yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        answer = load_json(self, response)
        if answer is None:
            return
        hits = dig(answer, "hits")
        if not isinstance(hits, list):
            self.layout_problem(response, "search answer lacks hits")
            return
        missing: set[str] = set()
        for hit in hits:
            mention = self._hit(hit, missing) if isinstance(hit, dict) else None
            if mention is not None:
                yield mention
        if missing:
            self.layout_problem(response, "hits lack " + ", ".join(sorted(missing)))
        page, pages = dig(answer, "page"), dig(answer, "nbPages")
        if not isinstance(page, int) or not isinstance(pages, int):
            self.layout_problem(response, "search answer lacks page/nbPages")
        elif page + 1 < pages:
            next_url = add_or_replace_parameter(response.url, "page", str(page + 1))
            yield scrapy.Request(next_url, callback=self.parse, meta={"pagination": True})

    def _hit(self, hit: dict[str, Any], missing: set[str]) -> Mention | None:
        object_id = hit.get("objectID")
        if object_id is None:
            missing.add("objectID")
            return None
        tags = hit["_tags"] if isinstance(hit.get("_tags"), list) else []
        is_comment = "comment" in tags or ("comment_text" in hit and "title" not in hit)
        field = "comment_text" if is_comment else "title"
        if field not in hit:
            missing.add(field)
            return None
        story_title = text_or_none(hit.get("story_title"))
        title = text_or_none(hit.get("title"))
        if is_comment:  # as for Reddit replies: the story's title, which Algolia matched too
            title = f"{REPLY_PREFIX}{story_title}" if story_title else None
        body = hit.get("comment_text") if is_comment else hit.get("story_text")
        removed = bool(hit.get("deleted") or hit.get("dead")) or is_removed_text(body)
        if is_comment and not text_or_none(body):
            removed = True  # a comment without text is a deleted one
        if not text_or_none(body):  # a link story: its title is all it says
            body = _title_as_html(title or "")
        return Mention(
            source=self.source,
            external_id=str(object_id),
            url=ITEM_URL + str(object_id),
            author=text_or_none(hit.get("author")),
            title=None if removed else title,
            text="" if removed else _as_html(body or ""),
            published_at=parse_published(hit.get("created_at_i") or hit.get("created_at")),
            about_company=self.about_company,
            removed=removed,
            extra={
                key: value
                for key, value in {
                    "kind": "comment" if is_comment else "story",
                    "points": hit.get("points"),
                    "num_comments": hit.get("num_comments"),
                    "story_id": hit.get("story_id"),
                    "parent_id": hit.get("parent_id"),
                    "story_title": story_title,
                    "link": text_or_none(hit.get("url") or hit.get("story_url")),
                }.items()
                if value is not None
            },
        )


def _as_html(fragment: str) -> str:
    """Mark HN's HTML as HTML even when it has no tag, only entities (``don&#x27;t``).

    The clean stage converts text to plain text only when it sees a tag; wrapping a
    one-paragraph comment in ``<p>`` (which is what it is) gets its entities decoded
    exactly once, so ``&lt;div&gt;`` written in a comment stays ``<div>`` as text.
    """
    if "&" in fragment and not _TAG.search(fragment):
        return f"<p>{fragment}</p>"
    return fragment


def _title_as_html(title: str) -> str:
    """Titles are plain text; escaped when they could be mistaken for markup."""
    return f"<p>{html.escape(title, quote=False)}</p>" if re.search("[<&]", title) else title
