"""Hacker News spider (Algolia search_by_date): stories, comments, HTML, paging."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from scrapy.http import Request, TextResponse
from sites import FIXTURES, SITES, fixture_response, layout_problems, start_requests_of

from scanner.crawl.item import Mention
from scanner.spiders.hackernews import HackerNewsSpider
from scanner.text.clean import clean_text

BASE = "http://127.0.0.1:8765"
SITE = SITES["hackernews"]


def split(outputs: list[Any]) -> tuple[list[Mention], list[Request]]:
    return [o for o in outputs if isinstance(o, Mention)], [
        o for o in outputs if isinstance(o, Request)
    ]


def hits_in(name: str) -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "hackernews" / name).read_text("utf-8"))["hits"]


def response_of(name: str, url: str = f"{BASE}/api/v1/search_by_date?query=acme") -> TextResponse:
    body = (FIXTURES / "hackernews" / name).read_bytes()
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))


@pytest.fixture
def spider(make_spider) -> HackerNewsSpider:
    return make_spider(HackerNewsSpider, source="hn", url=BASE, query="acme")


@pytest.fixture
def first_page(spider) -> tuple[list[Mention], list[Request], Request]:
    (start,) = start_requests_of(spider)
    mentions, requests = split(list(spider.parse(fixture_response(start, SITE))))
    return mentions, requests, start


def test_start_url(spider, make_spider):
    (request,) = start_requests_of(spider)
    assert (
        request.url == f"{BASE}/api/v1/search_by_date?query=acme&tags=%28story%2Ccomment%29&page=0"
    )
    assert start_requests_of(make_spider(HackerNewsSpider, url=BASE)) == []


def test_first_page_every_field(first_page):
    mentions, _, _ = first_page
    raw = {hit["objectID"]: hit for hit in hits_in("page-0.json")}
    assert [m.external_id for m in mentions] == list(raw)
    by_id = {m.external_id: m for m in mentions}
    comment = by_id["41000010"]
    hit = raw["41000010"]
    assert comment.source == "hn"
    assert comment.url == "https://news.ycombinator.com/item?id=41000010"
    assert comment.author == hit["author"]
    assert comment.title == "Re: Ask HN: Is anyone else locked out of Acme Cloud?"
    assert comment.rating is None and comment.rating_scale is None
    assert comment.published_at == datetime.fromtimestamp(hit["created_at_i"], UTC)
    assert comment.language is None
    assert comment.about_company is False and comment.removed is False
    assert comment.extra == {
        "kind": "comment",
        "story_id": 41000001,
        "parent_id": 41000001,
        "story_title": "Ask HN: Is anyone else locked out of Acme Cloud?",
    }
    ask = by_id["41000001"]
    assert ask.title == raw["41000001"]["title"]
    assert ask.extra == {"kind": "story", "points": 120, "num_comments": 5}
    assert clean_text(ask.text) == (
        "We were locked out for six hours.\n\n"
        "Support replied with a template & closed the ticket. Anyone else?"
    )
    link = by_id["41000002"]
    assert link.text == link.title == "Acme raises prices 40% for small teams"
    assert link.extra["link"] == "https://news.acme.example/pricing"


def test_comment_html_ends_up_as_clean_text(first_page):
    mentions, _, _ = first_page
    by_id = {m.external_id: m for m in mentions}
    text = clean_text(by_id["41000010"].text)
    assert text == (
        'Acme\'s status page says "all green" but our API calls fail with 503 since 09:00.\n\n'
        'Their support told us to "retry later". See https://status.acme.example/'
    )
    # Entities only, no tag: decoded once, and the escaped markup stays as words.
    assert clean_text(by_id["41000009"].text) == (
        "Acme's dashboard renders a bare <div> where the invoice should be. Not great & not new."
    )
    assert clean_text(by_id["41000008"].text) == by_id["41000008"].text  # plain Hindi


def test_flagged_and_textless_comments_are_removed(first_page):
    mentions, _, _ = first_page
    gone = [m for m in mentions if m.removed]
    assert [m.external_id for m in gone] == ["41000007", "41000006"]
    assert all(m.text == "" for m in gone)


def test_pagination_until_nbpages(spider, first_page):
    _, requests, start = first_page
    (next_page,) = requests
    assert next_page.url == start.url.replace("page=0", "page=1")
    assert next_page.meta.get("pagination") is True
    mentions, more = split(list(spider.parse(fixture_response(next_page, SITE))))
    assert more == []  # page 1 of 2 is the last
    raw = hits_in("page-1.json")
    assert [m.external_id for m in mentions] == [hit["objectID"] for hit in raw]
    assert mentions[0].text == raw[0]["comment_text"]  # Tamil, untouched
    assert mentions[1].text.startswith("Acme nos cobró")
    assert mentions[0].extra["link"] == "https://acme.example/blog/outage"
    # A plain-text title that looks like markup is escaped, so cleaning keeps it.
    assert clean_text(mentions[2].text) == "Why <div> soup & Acme's new editor don't mix"
    assert layout_problems(spider) == 0


def test_renamed_hits_key_warns(spider):
    assert list(spider.parse(response_of("layout-renamed.json"))) == []
    assert layout_problems(spider) == 1
    assert "hits" in spider.crawler.stats.get_value("layout/last_problem")


def test_renamed_fields_give_partial_items_and_warnings(spider):
    mentions, requests = split(list(spider.parse(response_of("field-renamed.json"))))
    assert [m.external_id for m in mentions] == ["40999999", "40999998"]
    assert requests == []
    assert layout_problems(spider) == 2  # comment_text missing; nbPages missing


@pytest.mark.parametrize(
    "body",
    [b"", b"<html>502 Bad Gateway</html>", b"[1, 2]", b'{"hits": [null, 5, {"title": "x"}]}'],
)
def test_hostile_answers_never_raise(spider, body):
    url = f"{BASE}/api/v1/search_by_date?query=acme&page=0"
    response = TextResponse(url=url, body=body, encoding="utf-8", request=Request(url))
    mentions, requests = split(list(spider.parse(response)))
    assert mentions == [] and requests == []
    assert layout_problems(spider) >= 1


def test_real_answer(make_spider, real_pages):
    path = real_pages / "hn-algolia-search-by-date-2017" / "search_by_date.json"
    answer = json.loads(path.read_text("utf-8"))
    url = "https://hn.algolia.com/api/v1/search_by_date?query=nodejs&tags=%28story%2Ccomment%29&page=0"
    spider = make_spider(HackerNewsSpider, query="nodejs")
    response = TextResponse(url=url, body=path.read_bytes(), encoding="utf-8", request=Request(url))
    mentions, requests = split(list(spider.parse(response)))
    hits = answer["hits"]
    assert len(mentions) == len(hits) == 20
    for mention, hit in zip(mentions, hits, strict=True):
        assert mention.external_id == hit["objectID"]
        assert mention.author == hit["author"]
        assert mention.published_at == datetime.fromisoformat(hit["created_at"])
        assert mention.removed is False
        text = clean_text(mention.text)
        assert not re.search(r"&(?:#x?[0-9a-f]+|[a-z]+);|<p>|<a ", text, re.IGNORECASE)
        if "comment" in hit["_tags"]:
            assert mention.title == f"Re: {hit['story_title']}"
            assert mention.extra["story_title"] == hit["story_title"]
            # Algolia's highlighted copy is the same text with entities decoded and <em> added.
            highlighted = hit["_highlightResult"]["comment_text"]["value"]
            plain = re.sub(r"</?em>", "", highlighted)
            assert text == clean_text(plain if "<" in plain else html.unescape(plain))
        else:
            assert mention.title == hit["title"]
            assert text == hit["title"]
    (next_page,) = requests
    assert "page=1" in next_page.url and next_page.meta["pagination"] is True
    assert layout_problems(spider) == 0
