"""Reddit: search results as JSON, and optionally each post's comment thread.

A search answers a ``Listing``: ``data.children`` holds ``{"kind": "t3", "data":
post}`` and ``data.after`` names the next page (``null`` on the last). A post's
``<permalink>.json`` answers two listings, the post and its comment tree
(``t1`` comments whose ``replies`` is another listing or ``""``; ``more`` stubs
are not followed). ``raw_json=1`` asks Reddit not to HTML-escape ``& < >``.

Arguments: ``query`` (required), ``url`` (base, default https://www.reddit.com),
``subreddits`` ("a,b": search only inside these), ``comments`` ("1": also read
each post's comment thread, and read it again when its comment count changed).

Example::

    scrapy crawl reddit -a query='"acme bank"' -a subreddits=personalfinance -a comments=1
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import scrapy
from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from scanner.crawl.item import Mention
from scanner.crawl.spider import ScanSpider
from scanner.text.clean import REPLY_PREFIX
from scanner.text.dates import parse_published

from .parsing import as_bool, as_list, dig, is_removed_text, load_json, text_or_none

_GONE_AUTHOR = "[deleted]"


class RedditSpider(ScanSpider):
    name = "reddit"
    about_company = False
    default_url = "https://www.reddit.com"

    def __init__(
        self,
        *args: Any,
        query: str | None = None,
        subreddits: object = None,
        comments: object = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.query = query
        self.subreddits = as_list(subreddits)
        self.comments = as_bool(comments)

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        """Called by ``scan crawl`` before crawling: a source without it reads nothing."""
        if not kwargs.get("query"):
            raise ValueError("the reddit spider needs a search `query`")

    async def start(self) -> AsyncIterator[Any]:
        if not self.query or not self.url:
            self.logger.error("reddit: a query is required (-a query=...)")
            return
        base = self.url.rstrip("/")
        params = {"q": self.query, "sort": "new", "limit": "100", "raw_json": "1"}
        if not self.subreddits:
            yield scrapy.Request(f"{base}/search.json?{urlencode(params)}", callback=self.parse)
        for sub in self.subreddits:
            query = urlencode({**params, "restrict_sr": "1"})
            url = f"{base}/r/{quote(sub.removeprefix('r/'), safe='')}/search.json?{query}"
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        listing = load_json(self, response)
        if listing is None:
            return
        children = dig(listing, "data", "children")
        if not isinstance(children, list):
            self.layout_problem(response, "search answer lacks data.children")
            return
        for child in children:
            post = dig(child, "data")
            if dig(child, "kind") != "t3" or not isinstance(post, dict):
                continue
            mention = self._post(response, post)
            if mention is None:
                continue
            yield mention
            count = dig(post, "num_comments")
            if self.comments and not mention.removed and count != 0:
                meta: dict[str, Any] = {"external_id": mention.external_id}
                if isinstance(count, int) and not isinstance(count, bool):
                    meta["page_mark"] = f"{count} comments"  # new replies: read again
                yield scrapy.Request(
                    _thread_url(response, post),
                    callback=self.parse_comments,
                    meta=meta,
                    cb_kwargs={"post_title": mention.title},
                )
        if "after" not in listing["data"]:
            self.layout_problem(response, "search answer lacks data.after")
        after = dig(listing, "data", "after")
        if isinstance(after, str) and after:
            next_url = add_or_replace_parameter(response.url, "after", after)
            yield scrapy.Request(next_url, callback=self.parse, meta={"pagination": True})

    def parse_comments(self, response: Response, post_title: str | None = None) -> Iterator[Any]:
        answer = load_json(self, response)
        if answer is None:
            return
        children = dig(answer, 1, "data", "children")
        if not isinstance(children, list):
            self.layout_problem(response, "comment thread lacks [1].data.children")
            return
        # The thread's own copy of the post names it (a resumed request may lack cb_kwargs).
        post_title = (
            text_or_none(dig(answer, 0, "data", "children", 0, "data", "title")) or post_title
        )
        yield from self._comments(response, children, post_title)

    def _comments(
        self, response: Response, children: list[Any], post_title: str | None
    ) -> Iterator[Mention]:
        for child in children:
            data = dig(child, "data")
            if dig(child, "kind") != "t1" or not isinstance(data, dict):
                continue  # "more" stubs: the rest of a long thread, not fetched
            body = data.get("body")
            if not isinstance(body, str) or not text_or_none(data.get("id")):
                self.layout_problem(response, "a comment lacks id or body")
                continue
            removed = is_removed_text(body)
            permalink = text_or_none(data.get("permalink"))
            thread = _path(response.url).removesuffix(".json").rstrip("/")
            url = response.urljoin(_path(permalink) or f"{thread}/{data['id']}/")
            yield Mention(
                source=self.source,
                external_id=data.get("name") or f"t1_{data['id']}",
                url=url,
                author=_author(data),
                # A reply has no title of its own; the thread's tells what it is about
                # (and lets the company matcher see the name the reply leaves out).
                title=None if removed or not post_title else f"{REPLY_PREFIX}{post_title}",
                text="" if removed else body,
                published_at=parse_published(data.get("created_utc")),
                about_company=self.about_company,
                removed=removed,
                extra=_extra(data, post_title=post_title, parent_id=data.get("parent_id")),
            )
            replies = dig(data, "replies", "data", "children")
            if isinstance(replies, list):
                yield from self._comments(response, replies, post_title)

    def _post(self, response: Response, post: dict[str, Any]) -> Mention | None:
        post_id, title = text_or_none(post.get("id")), text_or_none(post.get("title"))
        if post_id is None or title is None or "selftext" not in post:
            self.layout_problem(response, "a post lacks id, title or selftext")
            return None
        selftext = post.get("selftext") or ""
        removed = is_removed_text(selftext) or bool(post.get("removed_by_category"))
        permalink = text_or_none(post.get("permalink"))
        link = None if post.get("is_self", True) else text_or_none(post.get("url"))
        return Mention(
            source=self.source,
            external_id=post.get("name") or f"t3_{post_id}",
            url=response.urljoin(path) if (path := _path(permalink)) else None,
            author=_author(post),
            title=None if removed else title,
            # A link post has no body: its title is what the poster said.
            text="" if removed else (selftext or title),
            published_at=parse_published(post.get("created_utc")),
            about_company=self.about_company,
            removed=removed,
            extra=_extra(post, link=link, num_comments=post.get("num_comments")),
        )


def _author(data: dict[str, Any]) -> str | None:
    author = text_or_none(data.get("author"))
    return None if author == _GONE_AUTHOR else author


def _extra(data: dict[str, Any], **more: Any) -> dict[str, Any]:
    out = {"subreddit": data.get("subreddit"), "score": data.get("score"), **more}
    return {key: value for key, value in out.items() if value is not None}


def _path(url: str | None) -> str:
    """A permalink without its query (search results carry ``?ref=search_posts``);
    "" for none, or for one no URL parser reads ("http://[oops/")."""
    try:
        return urlsplit(url).path if url else ""
    except ValueError:
        return ""


def _thread_url(response: Response, post: dict[str, Any]) -> str:
    permalink = _path(text_or_none(post.get("permalink"))) or f"/comments/{post.get('id')}/"
    return response.urljoin(permalink.rstrip("/") + ".json?raw_json=1")
