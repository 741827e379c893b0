"""Any RSS 0.9x/1.0/2.0 or Atom feed, Google Alerts feeds included.

A feed is a general source: its entries are kept only when they mention the
company (the company-match stage decides). Google Alerts wraps every link as
``https://www.google.com/url?...&url=<real URL>``: the real URL is stored. Its
``<b>`` highlighting is markup like any other and the clean stage turns it into
text. Paged feeds (RFC 5005 ``<link rel="next">``) are followed.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax import SAXParseException

import feedparser
import scrapy
from scrapy.http import Response

from scanner.crawl.item import Mention, fallback_id
from scanner.crawl.spider import ScanSpider
from scanner.errors import ScanError

from .pageparts import page_link


def unwrap_link(url: str | None) -> str | None:
    """The real URL behind a Google redirect link (``google.*/url?url=`` or ``?q=``)."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # no URL at all ("http://[oops/"): page_link leaves it out
        return url
    host = parts.hostname or ""
    if parts.path == "/url" and (host.startswith(("google.", "www.google.")) or ".google." in host):
        query = parse_qs(parts.query)
        for key in ("url", "q"):
            target = query.get(key, [""])[0]
            if target.startswith(("http://", "https://")):
                return target
    return url


class FeedSpider(ScanSpider):
    name = "feed"
    about_company = False

    @classmethod
    def check_arguments(cls, url: str | None = None, **_: Any) -> None:
        if not url:
            raise ScanError("the feed spider needs a url (the feed's address)")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.check_arguments(url=self.url)
        # check_arguments has raised if there is no url
        yield scrapy.Request(self.url, callback=self.parse)  # type: ignore[arg-type]

    def parse(self, response: Response) -> Iterator[Mention | scrapy.Request]:
        text = response.text if hasattr(response, "text") else response.body
        feed = feedparser.parse(text)
        if not feed.entries:
            if feed.bozo and not feed.feed:
                self.layout_problem(response, f"not a feed ({feed.get('bozo_exception')})")
            return
        broken = feed.get("bozo_exception")
        if isinstance(broken, SAXParseException):  # XML that stops mid-way: read up to there
            self.page_cut_short(
                response,
                f"the feed is not whole XML ({broken.getMessage()}, "
                f"line {broken.getLineNumber()}); read {len(feed.entries)} "
                "entries before it",
            )
        for entry in feed.entries:
            mention = self._mention(entry, response)
            if mention is not None:
                yield mention
        for link in feed.feed.get("links", []):
            if link.get("rel") == "next" and link.get("href"):
                href = page_link(response, link["href"])
                if href:
                    yield response.follow(href, callback=self.parse, meta={"pagination": True})

    def _mention(self, entry: Any, response: Response) -> Mention | None:
        link = unwrap_link(entry.get("link"))
        body = ""
        if entry.get("content"):
            body = entry.content[0].get("value", "")
            kind = entry.content[0].get("type", "")
        else:
            body = entry.get("summary", "")
            kind = entry.get("summary_detail", {}).get("type", "")
        if "html" in kind and "<" not in body:
            body = html.unescape(body)  # entities only: the clean stage never sees markup
        title = entry.get("title") or None
        if not body and title:
            body = title  # a headline-only feed: the headline is the post
        key = entry.get("id") or link or fallback_id(f"{title}\n{body}", entry.get("author"))
        external_id = key if len(key) <= 200 else hashlib.sha1(key.encode()).hexdigest()  # noqa: S324
        return Mention(
            source=self.source,
            external_id=external_id,
            text=body,
            url=page_link(response, link),
            author=entry.get("author") or None,
            title=title,
            published_at=_date(entry),
            language=(entry.get("language") or None),
            about_company=False,
        )


def _date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime(*value[:6]).replace(tzinfo=UTC)
    return None
