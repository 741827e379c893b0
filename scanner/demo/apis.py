"""API answers and feeds of the demo, in the shape of the real ones.

- Reddit ``/search.json``: a ``Listing`` whose ``data.children`` are ``t3`` posts
  (``name``, ``title``, ``selftext``, ``author``, ``created_utc``, ``permalink``...)
  and whose ``data.after`` names the next page (``null`` on the last).
- Hacker News (Algolia) ``/api/v1/search_by_date``: ``hits`` of stories and
  comments (``comment_text`` is HTML with entities such as ``&#x27;``), with
  ``page``/``nbPages``/``hitsPerPage``.
- App Store customer reviews ``.../json``: ``feed.entry`` with every value wrapped
  as ``{"label": ...}``; a page past the end has no ``entry``.
- Google Alerts Atom: entries whose links go through ``google.com/url?...&url=``
  and whose title and content highlight the query with ``<b>``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import quote

from scanner.demo.corpus import Post

REDDIT_PER_PAGE = 25
HN_PER_PAGE = 20
APPSTORE_PER_PAGE = 50
_PACIFIC = timezone(timedelta(hours=-7))


def reddit_id(post: Post) -> str:
    number, digits = int(post.digest(10), 16), "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    for _ in range(7):
        number, rest = divmod(number, 36)
        out += digits[rest]
    return out


def hn_id(post: Post) -> str:
    return str(41_000_000 + int(post.digest(10), 16) % 2_000_000)


def appstore_id(post: Post) -> str:
    return str(11_000_000_000 + int(post.digest(10), 16) % 900_000_000)


def alert_id(post: Post) -> str:
    return "tag:google.com,2013:googlealerts/feed:" + str(int(post.digest(16), 16))


def _subreddit(post: Post) -> str:
    if post.lang != "en":
        return {"es": "espanol", "hi": "india", "ta": "Chennai", "te": "hyderabad"}[post.lang]
    return ("personalfinance", "OrvellaPay", "fintech", "povertyfinance")[
        int(post.digest(2), 16) % 4
    ]


def reddit_listing(posts: list[Post], after: str | None) -> dict[str, Any]:
    children = []
    for post in posts:
        pid, sub = reddit_id(post), _subreddit(post)
        slug = "_".join(re.findall(r"\w+", (post.title or "").lower()))[:50]
        permalink = f"/r/{sub}/comments/{pid}/{slug}/"
        children.append(
            {
                "kind": "t3",
                "data": {
                    "subreddit": sub,
                    "subreddit_name_prefixed": f"r/{sub}",
                    "selftext": post.text,
                    "author_fullname": f"t2_{post.digest(6)}",
                    "title": post.title,
                    "name": f"t3_{pid}",
                    "id": pid,
                    "score": 1 + int(post.digest(2), 16) % 40,
                    "ups": 1,
                    "is_self": True,
                    "domain": f"self.{sub}",
                    "created_utc": post.published.timestamp(),
                    "author": post.author,
                    "num_comments": int(post.digest(1), 16),
                    "over_18": False,
                    "permalink": permalink,
                    "url": f"https://www.reddit.com{permalink}",
                    "removed_by_category": None,
                    "link_flair_text": None,
                },
            }
        )
    return {
        "kind": "Listing",
        "data": {
            "after": after,
            "dist": len(children),
            "modhash": "",
            "geo_filter": "",
            "children": children,
            "before": None,
        },
    }


def _hn_html(text: str) -> str:
    """HN's comment markup: entities for quotes, ``<p>`` between paragraphs."""
    return "<p>".join(escape(p, quote=True) for p in text.split("\n\n"))


def hn_answer(posts: list[Post], page: int, pages: int, total: int, query: str) -> dict[str, Any]:
    hits = []
    for post in posts:
        oid = hn_id(post)
        story = 40_990_000 + int(post.digest(3), 16) % 5000
        hits.append(
            {
                "created_at": post.published.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "title": None,
                "url": None,
                "author": post.author,
                "points": None,
                "story_text": None,
                "comment_text": _hn_html(post.text),
                "num_comments": None,
                "story_id": story,
                "story_title": "Ask HN: Which money transfer apps do you trust?",
                "story_url": None,
                "parent_id": story,
                "created_at_i": int(post.published.timestamp()),
                "_tags": ["comment", f"author_{post.author}", f"story_{story}"],
                "objectID": oid,
            }
        )
    return {
        "hits": hits,
        "nbHits": total,
        "page": page,
        "nbPages": pages,
        "hitsPerPage": HN_PER_PAGE,
        "exhaustiveNbHits": True,
        "query": query,
        "params": f"query={quote(query)}&page={page}",
        "processingTimeMS": 1,
    }


def appstore_feed(
    posts: list[Post], *, country: str, page: int, app_id: str, base: str, last_page: int
) -> dict[str, Any]:
    def link(rel: str, n: int) -> dict[str, Any]:
        href = f"{base}/{country}/rss/customerreviews/page={n}/id={app_id}/sortby=mostrecent/json"
        return {"attributes": {"rel": rel, "type": "application/json", "href": href}}

    feed: dict[str, Any] = {
        "author": {
            "name": {"label": "iTunes Store"},
            "uri": {"label": "http://www.apple.com/itunes/"},
        },
        "updated": {"label": datetime.now(UTC).astimezone(_PACIFIC).isoformat(timespec="seconds")},
        "rights": {"label": "Copyright 2008 Apple Inc."},
        "title": {"label": "iTunes Store: Customer Reviews"},
        "link": [
            link("self", page),
            link("first", 1),
            link("last", last_page),
            link("previous", max(page - 1, 1)),
            link("next", min(page + 1, last_page)),
        ],
        "id": {"label": link("self", page)["attributes"]["href"]},
    }
    if posts:
        feed["entry"] = [_appstore_entry(p, country, app_id, base) for p in posts]
    return {"feed": feed}


def _appstore_entry(post: Post, country: str, app_id: str, base: str) -> dict[str, Any]:
    rid = appstore_id(post)
    return {
        "author": {
            "uri": {"label": f"{base}/{country}/reviews/id{post.digest(9)}"},
            "name": {"label": post.author},
            "label": "",
        },
        "updated": {"label": post.published.astimezone(_PACIFIC).isoformat(timespec="seconds")},
        "im:rating": {"label": str(post.rating)},
        "im:version": {"label": "7.4.1"},
        "id": {"label": rid},
        "title": {"label": post.title or ""},
        "content": {"label": post.text, "attributes": {"type": "text"}},
        "link": {
            "attributes": {
                "rel": "related",
                "href": f"{base}/{country}/review?id={app_id}&rid={rid}",
            }
        },
        "im:voteSum": {"label": "0"},
        "im:voteCount": {"label": "0"},
        "im:contentType": {"attributes": {"term": "Application", "label": "Application"}},
    }


def alerts_feed(posts: list[Post], *, company: str, feed_path: str) -> str:
    """A Google Alerts Atom feed for ``company``."""
    bolded = re.compile(re.escape(company), re.IGNORECASE)

    def highlight(text: str) -> str:
        return escape(bolded.sub(lambda m: f"<b>{m.group(0)}</b>", text), quote=False)

    entries = []
    for post in posts:
        slug = "-".join(re.findall(r"[a-z0-9]+", (post.title or "").lower()))
        target = f"https://news.example/{post.published:%Y/%m/%d}/{slug}"
        link = (
            f"https://www.google.com/url?rct=j&sa=t&url={target}&ct=ga"
            f"&cd=CAIyGjE4ZGVtbzpjb206ZW46VVM&usg=AOvVaw{post.digest(12)}"
        )
        when = post.published.strftime("%Y-%m-%dT%H:%M:%SZ")
        entries.append(f"""<entry><id>{alert_id(post)}</id>
<title type="html">{highlight(post.title or "")}</title>
<link href="{escape(link)}"></link><published>{when}</published><updated>{when}</updated>
<content type="html">{highlight(post.text)}</content><author><name></name></author></entry>""")
    updated = posts[0].published.strftime("%Y-%m-%dT%H:%M:%SZ") if posts else "2026-01-01T00:00:00Z"
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
<id>tag:google.com,2005:reader/user/00000000000000000000/state/com.google/alerts/1</id>
<title>Google Alert - {escape(company)}</title>
<link href="{escape(feed_path)}" rel="self"></link><updated>{updated}</updated>
{"".join(entries)}
</feed>
"""
