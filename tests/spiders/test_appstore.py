"""App Store spider: the customer-reviews JSON feed, per country, pages 1..10."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from scrapy.http import Request, TextResponse
from sites import APP_ID, FIXTURES, SITES, fixture_response, layout_problems, start_requests_of

from scanner.crawl.item import Mention
from scanner.spiders.appstore import MAX_PAGES, AppStoreSpider

BASE = "http://127.0.0.1:8765"
SITE = SITES["appstore"]
PDT = timezone(timedelta(hours=-7))


def split(outputs: list[Any]) -> tuple[list[Mention], list[Request]]:
    return [o for o in outputs if isinstance(o, Mention)], [
        o for o in outputs if isinstance(o, Request)
    ]


def page_url(country: str, page: int) -> str:
    return f"{BASE}/{country}/rss/customerreviews/page={page}/id={APP_ID}/sortby=mostrecent/json"


def entries_in(name: str) -> list[dict[str, Any]]:
    entries = json.loads((FIXTURES / "appstore" / name).read_text("utf-8"))["feed"]["entry"]
    entries = entries if isinstance(entries, list) else [entries]
    return [e for e in entries if "im:rating" in e]


def run(spider: AppStoreSpider, request: Request) -> tuple[list[Mention], list[Request]]:
    response = fixture_response(request, SITE)
    return split(list(request.callback(response, **request.cb_kwargs)))


@pytest.fixture
def spider(make_spider) -> AppStoreSpider:
    return make_spider(
        AppStoreSpider, source="ios", url=BASE, app_id=int(APP_ID), countries="us,IN"
    )


def test_start_one_feed_per_country(spider, make_spider):
    requests = start_requests_of(spider)
    assert [r.url for r in requests] == [page_url("us", 1), page_url("in", 1)]
    assert [r.cb_kwargs for r in requests] == [
        {"country": "us", "page": 1},
        {"country": "in", "page": 1},
    ]
    assert not any(r.meta.get("pagination") for r in requests)
    default = make_spider(AppStoreSpider, app_id="42")
    assert [r.url for r in start_requests_of(default)] == [
        "https://itunes.apple.com/us/rss/customerreviews/page=1/id=42/sortby=mostrecent/json"
    ]
    assert start_requests_of(make_spider(AppStoreSpider, url=BASE)) == []


def test_first_page_every_field(spider):
    us, _ = start_requests_of(spider)
    mentions, requests = run(spider, us)
    raw = entries_in("us-page-1.json")  # the app's own entry comes first and is skipped
    assert len(mentions) == len(raw) == 3
    for mention, entry in zip(mentions, raw, strict=True):
        assert mention.source == "ios"
        assert mention.external_id == entry["id"]["label"]
        assert mention.url == entry["link"]["attributes"]["href"]
        assert mention.author == entry["author"]["name"]["label"]
        assert mention.title == entry["title"]["label"]
        assert mention.text == entry["content"]["label"]
        assert mention.rating == float(entry["im:rating"]["label"])
        assert mention.rating_scale == 5.0
        assert mention.language is None  # a storefront is not a language
        assert mention.about_company is True and mention.removed is False
        assert mention.extra["version"] == entry["im:version"]["label"]
        assert mention.extra["country"] == "us" and mention.extra["app_id"] == APP_ID
    assert mentions[0].published_at == datetime(2024, 6, 27, 19, 22, 41, tzinfo=PDT)
    assert mentions[0].published_at.utcoffset() == timedelta(0)  # stored in UTC
    assert mentions[0].published_at == datetime(2024, 6, 28, 2, 22, 41, tzinfo=UTC)
    (next_page,) = requests
    assert next_page.url == page_url("us", 2)
    assert next_page.meta.get("pagination") is True
    assert next_page.cb_kwargs == {"country": "us", "page": 2}
    assert layout_problems(spider) == 0


def test_single_entry_object_then_empty_page_stops(spider):
    us, _ = start_requests_of(spider)
    _, (second,) = run(spider, us)
    mentions, (third,) = run(spider, second)
    assert [m.external_id for m in mentions] == ["11000000000"]  # "entry" was an object
    assert mentions[0].text.startswith("My card got declined")
    mentions, requests = run(spider, third)
    assert mentions == [] and requests == []
    assert layout_problems(spider) == 0  # no "entry" past the end is normal


def test_other_country_scripts_and_removed_review(spider):
    _, india = start_requests_of(spider)
    mentions, (next_page,) = run(spider, india)
    raw = entries_in("in-page-1.json")
    assert [m.external_id for m in mentions] == [e["id"]["label"] for e in raw]
    assert mentions[0].text == raw[0]["content"]["label"]
    assert mentions[1].title == "OTP வரவில்லை"
    removed = mentions[2]
    assert removed.removed is True and removed.text == "" and removed.title is None
    assert all(m.extra["country"] == "in" for m in mentions)
    assert run(spider, next_page) == ([], [])


def test_never_past_page_ten(spider):
    request = Request(page_url("us", MAX_PAGES), cb_kwargs={"country": "us", "page": MAX_PAGES})
    body = (FIXTURES / "appstore" / "us-page-1.json").read_bytes()
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    mentions, requests = split(list(spider.parse(response, **request.cb_kwargs)))
    assert len(mentions) == 3 and requests == []


def test_renamed_entry_fields_give_partial_items_and_a_warning(spider):
    request = Request(page_url("us", 1), cb_kwargs={"country": "us", "page": 1})
    body = (FIXTURES / "appstore" / "field-renamed.json").read_bytes()
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    mentions, _ = split(list(spider.parse(response, **request.cb_kwargs)))
    # "im:rating" renamed: kept without a rating; "content" renamed: cannot be read.
    assert [(m.external_id, m.rating) for m in mentions] == [("11000000003", None)]
    assert layout_problems(spider) == 1
    problem = spider.crawler.stats.get_value("layout/last_problem")
    assert "content" in problem and "im:rating" in problem


def test_renamed_feed_key_warns(spider):
    request = Request(page_url("us", 1))
    body = (FIXTURES / "appstore" / "layout-renamed.json").read_bytes()
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    assert list(spider.parse(response)) == []
    assert layout_problems(spider) == 1


@pytest.mark.parametrize(
    "body",
    [b"", b"<html>Not Found</html>", b'{"feed": []}', b'{"feed": {"entry": "oops"}}'],
)
def test_hostile_answers_never_raise(spider, body):
    request = Request(page_url("us", 1))
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    assert list(spider.parse(response, country="us", page=1)) == []
    assert layout_problems(spider) == 1


def test_entries_that_are_not_objects_are_skipped(spider):
    request = Request(page_url("us", 1))
    body = b'{"feed": {"entry": [null, 3, {"id": {"label": "9"}, "content": {"label": "ok"}}]}}'
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    mentions, _ = split(list(spider.parse(response, country="us", page=1)))
    assert [(m.external_id, m.text, m.author, m.rating) for m in mentions] == [
        ("9", "ok", None, None)
    ]
    assert layout_problems(spider) == 1  # author, rating and date missing, reported once
