"""Reddit spider: search listings, per-subreddit search, comment threads, removed posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy.http import Request, TextResponse
from sites import FIXTURES, SITES, fixture_response, layout_problems, start_requests_of

from scanner.crawl.item import Mention
from scanner.spiders.reddit import RedditSpider

BASE = "http://127.0.0.1:8765"
SITE = SITES["reddit"]


def split(outputs: list[Any]) -> tuple[list[Mention], list[Request]]:
    return [o for o in outputs if isinstance(o, Mention)], [
        o for o in outputs if isinstance(o, Request)
    ]


def posts_in(name: str) -> list[dict[str, Any]]:
    listing = json.loads((FIXTURES / "reddit" / name).read_text("utf-8"))
    return [child["data"] for child in listing["data"]["children"]]


@pytest.fixture
def spider(make_spider) -> RedditSpider:
    return make_spider(RedditSpider, source="reddit-bp", url=BASE, query="brightpay")


def test_start_searches_all_of_reddit_newest_first(spider):
    (request,) = start_requests_of(spider)
    assert request.url == f"{BASE}/search.json?q=brightpay&sort=new&limit=100&raw_json=1"


def test_start_searches_each_subreddit_instead(make_spider):
    spider = make_spider(
        RedditSpider, url=BASE + "/", query="bright pay", subreddits="personalfinance, r/india"
    )
    urls = [r.url for r in start_requests_of(spider)]
    assert urls == [
        f"{BASE}/r/personalfinance/search.json?q=bright+pay&sort=new&limit=100&raw_json=1"
        "&restrict_sr=1",
        f"{BASE}/r/india/search.json?q=bright+pay&sort=new&limit=100&raw_json=1&restrict_sr=1",
    ]


def test_start_takes_lists_from_an_args_table(make_spider):
    spider = make_spider(RedditSpider, query="x", subreddits=["a", "b"], comments=True)
    assert spider.subreddits == ["a", "b"] and spider.comments is True
    assert spider.url == "https://www.reddit.com"  # the default, never fetched in tests


def test_start_without_query_requests_nothing(make_spider):
    assert start_requests_of(make_spider(RedditSpider, url=BASE)) == []


def test_first_page_every_field_and_after(spider):
    (start,) = start_requests_of(spider)
    mentions, requests = split(list(spider.parse(fixture_response(start, SITE))))
    raw = {post["name"]: post for post in posts_in("search-1.json")}
    assert [m.external_id for m in mentions] == list(raw)
    first = mentions[0]
    post = raw["t3_bp001"]
    assert first.source == "reddit-bp"
    assert first.url == f"{BASE}/r/personalfinance/comments/bp001/brightpay_froze_my_account/"
    assert first.author == post["author"] == "cardholder_in_pune"
    assert first.title == post["title"]
    assert first.text == post["selftext"]
    assert first.rating is None and first.rating_scale is None
    assert first.published_at == datetime.fromtimestamp(post["created_utc"], UTC)
    assert first.published_at.tzinfo is not None
    assert first.language is None  # Reddit does not say
    assert first.about_company is False and first.removed is False
    assert first.extra == {"subreddit": "personalfinance", "score": 57, "num_comments": 4}
    link_post = mentions[1]
    assert link_post.text == link_post.title == raw["t3_bp002"]["title"]
    assert link_post.extra["link"] == "https://news.example/brightpay-fees"
    (next_page,) = requests  # comments are off by default
    assert next_page.url == start.url + "&after=t3_bp004"
    assert next_page.meta.get("pagination") is True
    assert layout_problems(spider) == 0


def test_removed_and_deleted_posts_are_marked_and_emptied(spider):
    (start,) = start_requests_of(spider)
    mentions, _ = split(list(spider.parse(fixture_response(start, SITE))))
    gone = {m.external_id: m for m in mentions if m.removed}
    assert sorted(gone) == ["t3_bp003", "t3_bp004"]  # [removed] by a moderator, [deleted]
    for mention in gone.values():
        assert mention.text == "" and mention.title is None and mention.author is None
    assert all("[removed]" not in m.text and "[deleted]" not in m.text for m in mentions)


def test_last_page_stops_and_keeps_scripts(spider):
    request = Request(
        f"{BASE}/search.json?q=brightpay&sort=new&limit=100&raw_json=1&after=t3_bp004"
    )
    mentions, requests = split(list(spider.parse(fixture_response(request, SITE))))
    assert requests == []
    raw = posts_in("search-2.json")
    assert [m.text for m in mentions] == [p["selftext"] for p in raw]
    assert [m.title for m in mentions] == [p["title"] for p in raw]
    assert "माँगता" in mentions[0].text


def test_comments_are_followed_with_the_post_id(make_spider):
    spider = make_spider(RedditSpider, url=BASE, query="brightpay", comments="1")
    (start,) = start_requests_of(spider)
    _, requests = split(list(spider.parse(fixture_response(start, SITE))))
    threads = [r for r in requests if not r.meta.get("pagination")]
    # Only the live post with comments: not the link post (0 comments), not removed posts.
    assert [r.url for r in threads] == [
        f"{BASE}/r/personalfinance/comments/bp001/brightpay_froze_my_account.json?raw_json=1"
    ]
    assert threads[0].meta == {"external_id": "t3_bp001", "page_mark": "4 comments"}
    assert threads[0].callback == spider.parse_comments


def test_comment_thread_every_field(make_spider):
    spider = make_spider(RedditSpider, url=BASE, query="brightpay", comments="1")
    (start,) = start_requests_of(spider)
    (thread,) = [r for r in spider.parse(fixture_response(start, SITE)) if isinstance(r, Request)][
        :1
    ]
    response = fixture_response(thread, SITE)
    mentions, requests = split(list(thread.callback(response, **thread.cb_kwargs)))
    assert requests == []  # "more" stubs are not fetched
    assert [m.external_id for m in mentions] == ["t1_c01", "t1_c02", "t1_c03", "t1_c04", "t1_c05"]
    by_id = {m.external_id: m for m in mentions}
    first = by_id["t1_c01"]
    assert first.author == "same_here_blr"
    assert first.text.startswith("Same thing happened")
    # A reply carries its thread's title, so the company matcher sees "Brightpay".
    assert first.title == "Re: Brightpay froze my account after a salary deposit"
    assert first.url == f"{BASE}/r/personalfinance/comments/bp001/brightpay_froze_my_account/c01/"
    assert first.published_at == datetime(2024, 6, 25, 9, 0, tzinfo=UTC)
    assert first.extra["post_title"] == "Brightpay froze my account after a salary deposit"
    assert first.extra["parent_id"] == "t3_bp001"
    assert by_id["t1_c02"].extra["parent_id"] == "t1_c01"
    assert by_id["t1_c02"].text.startswith("मेरे साथ")
    # A deleted comment is marked, but the replies under it are still read.
    for gone in ("t1_c03", "t1_c05"):
        assert by_id[gone].removed is True and by_id[gone].text == ""
        assert by_id[gone].author is None and by_id[gone].title is None
    assert by_id["t1_c04"].removed is False
    assert by_id["t1_c04"].text.startswith("A mí también")
    assert layout_problems(spider) == 0


def test_renamed_children_key_warns(spider):
    request = Request(f"{BASE}/search.json?q=x")
    body = (FIXTURES / "reddit" / "layout-renamed.json").read_bytes()
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    assert list(spider.parse(response)) == []
    assert layout_problems(spider) == 1
    assert "data.children" in spider.crawler.stats.get_value("layout/last_problem")


def test_renamed_post_field_gives_partial_items(spider):
    request = Request(f"{BASE}/search.json?q=x")
    body = (FIXTURES / "reddit" / "field-renamed.json").read_bytes()
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    mentions, _ = split(list(spider.parse(response)))
    assert [m.external_id for m in mentions] == ["t3_bp005"]
    assert layout_problems(spider) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Too Many Requests</html>",
        b"[]",
        b'{"kind": "Listing", "data": {"children": [null, {"kind": "t3", "data": 5}], "after": 7}}',
        b'{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": 5}}]}}',
    ],
)
def test_hostile_answers_never_raise(spider, body):
    request = Request(f"{BASE}/search.json?q=x")
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    mentions, requests = split(list(spider.parse(response)))
    assert mentions == [] and requests == []
    comments = list(spider.parse_comments(response))
    assert comments == []
    assert layout_problems(spider) >= 1


def test_real_listing(make_spider, real_pages):
    path = (
        real_pages / "reddit-search-listing-praw" / "r_all_search_praw_oauth_search_2016-07-12.json"
    )
    listing = json.loads(path.read_text("utf-8"))
    url = "https://www.reddit.com/search.json?q=praw&sort=new&limit=100&raw_json=1"
    spider = make_spider(RedditSpider, query="praw", comments="1")
    response = TextResponse(url=url, body=path.read_bytes(), encoding="utf-8", request=Request(url))
    mentions, requests = split(list(spider.parse(response)))
    posts = [child["data"] for child in listing["data"]["children"]]
    assert len(mentions) == len(posts) == 6
    for mention, post in zip(mentions, posts, strict=True):
        assert mention.external_id == post["name"]
        assert mention.author == post["author"]
        assert mention.title == post["title"]
        assert mention.text == (post["selftext"] or post["title"])
        assert mention.published_at == datetime.fromtimestamp(post["created_utc"], UTC)
        assert mention.extra["subreddit"] == post["subreddit"]
        # The search permalink's "?ref=search_posts" is not part of the post's address.
        assert mention.url == "https://www.reddit.com" + post["permalink"].split("?")[0]
    assert not any(r.meta.get("pagination") for r in requests)  # "after" is null
    threads = [r.url for r in requests]
    with_comments = [p for p in posts if p["num_comments"]]
    assert len(threads) == len(with_comments)
    assert all(u.endswith(".json?raw_json=1") and "?ref=" not in u for u in threads)
    assert layout_problems(spider) == 0
