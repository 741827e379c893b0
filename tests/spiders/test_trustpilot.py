"""Trustpilot spider: Next.js data first, JSON-LD as fallback, pagination, removed reviews."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from sites import FIXTURES, SITES, fixture_response, layout_problems, start_requests_of

from scanner.crawl.item import Mention
from scanner.spiders.trustpilot import TrustpilotSpider

BASE = "http://127.0.0.1:8765"
PAGE_URL = f"{BASE}/review/acme.example?sort=recency"
NEXT_DATA = re.compile(r'<script id="__NEXT_DATA__"[^>]*>(.*?)</script>', re.DOTALL)


def next_data_reviews(html: str) -> list[dict[str, Any]]:
    """The reviews as the page's own Next.js data holds them (the expected values)."""
    return json.loads(NEXT_DATA.search(html).group(1))["props"]["pageProps"]["reviews"]


def split(outputs: list[Any]) -> tuple[list[Mention], list[Request]]:
    return [o for o in outputs if isinstance(o, Mention)], [
        o for o in outputs if isinstance(o, Request)
    ]


def parse_file(spider: TrustpilotSpider, path: Path, url: str = PAGE_URL) -> list[Any]:
    request = Request(url)
    response = HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8", request=request)
    return list(spider.parse(response))


@pytest.fixture
def spider(make_spider) -> TrustpilotSpider:
    return make_spider(TrustpilotSpider, source="tp-acme", url=f"{BASE}/review/acme.example")


def assert_matches_next_data(mention: Mention, raw: dict[str, Any], source: str) -> None:
    assert mention.source == source
    assert mention.external_id == raw["id"]
    assert mention.url.endswith(f"/reviews/{raw['id']}")
    assert mention.author == raw["consumer"]["displayName"]
    assert mention.title == raw["title"]
    assert mention.text == raw["text"]
    assert mention.rating == float(raw["rating"])
    assert mention.rating_scale == 5.0
    published = datetime.fromisoformat(raw["dates"]["publishedDate"].replace("Z", "+00:00"))
    assert mention.published_at == published
    assert mention.published_at.tzinfo is not None
    assert mention.language == raw["language"]
    assert mention.about_company is True
    assert mention.removed is False


def test_start_asks_for_newest_first(spider):
    (request,) = start_requests_of(spider)
    assert request.url == PAGE_URL
    assert request.callback == spider.parse


def test_start_keeps_a_sort_the_user_chose(make_spider):
    spider = make_spider(TrustpilotSpider, url=f"{BASE}/review/acme.example?sort=relevance")
    (request,) = start_requests_of(spider)
    assert request.url == f"{BASE}/review/acme.example?sort=relevance"


def test_start_without_url_requests_nothing(make_spider):
    assert start_requests_of(make_spider(TrustpilotSpider)) == []


def test_first_page_every_field_and_next_page(spider):
    (start,) = start_requests_of(spider)
    response = fixture_response(start, SITES["trustpilot"])
    mentions, requests = split(list(spider.parse(response)))
    expected = next_data_reviews(response.text)
    assert len(mentions) == len(expected) == 4
    for mention, raw in zip(mentions, expected, strict=True):
        assert_matches_next_data(mention, raw, "tp-acme")
        assert mention.url == f"{BASE}/reviews/{raw['id']}"
    assert [m.language for m in mentions] == ["en", "hi", "ta", "es"]
    # Indic text arrives untouched (vowel signs and viramas included).
    assert mentions[2].text.startswith("என் கணக்கிலிருந்து")
    assert mentions[0].published_at == datetime(2024, 6, 27, 8, 3, 48, tzinfo=UTC)
    assert mentions[0].extra["reply"].startswith("We are sorry")
    assert mentions[0].extra["country"] == "IN"
    assert mentions[0].extra["verified"] is True
    (next_page,) = requests
    assert next_page.url == f"{PAGE_URL}&page=2"
    assert next_page.meta.get("pagination") is True
    assert next_page.callback == spider.parse
    assert layout_problems(spider) == 0


def test_last_page_has_no_next_request_and_hides_removed_review(spider):
    request = Request(f"{PAGE_URL}&page=2")
    response = fixture_response(request, SITES["trustpilot"])
    mentions, requests = split(list(spider.parse(response)))
    assert requests == []
    expected = next_data_reviews(response.text)
    assert [m.external_id for m in mentions] == [r["id"] for r in expected]
    removed = [m for m in mentions if m.removed]
    assert [m.external_id for m in removed] == ["66a1000000000000000000b2"]
    assert removed[0].text == ""
    assert removed[0].title is None
    assert "removed" not in " ".join(m.text for m in mentions)
    kept = [m for m in mentions if not m.removed]
    by_id = {r["id"]: r for r in expected}
    for mention in kept:
        assert_matches_next_data(mention, by_id[mention.external_id], "tp-acme")
    # Characters that look like markup stay as the reviewer typed them.
    assert "works & the fees" in kept[0].text and "<10 seconds" in kept[0].text
    assert kept[0].extra["updated_at"] == "2024-06-21T10:00:00.000Z"


def test_renamed_next_data_falls_back_to_json_ld_and_next_button(spider):
    path = FIXTURES / "trustpilot" / "layout-renamed.html"
    mentions, requests = split(parse_file(spider, path))
    graph = json.loads(
        re.search(r'application/ld\+json">(.*?)</script>', path.read_text(), re.DOTALL).group(1)
    )["@graph"]
    reviews = [node for node in graph if node["@type"] == "Review"]
    assert len(mentions) == len(reviews) == 4
    for mention, node in zip(mentions, reviews, strict=True):
        assert node["@id"].endswith("/" + mention.external_id)
        assert mention.author == node["author"]["name"]
        assert mention.title == node["headline"]
        assert mention.text == node["reviewBody"]
        assert mention.rating == float(node["reviewRating"]["ratingValue"])
        assert mention.rating_scale == 5.0
        assert mention.language == node["inLanguage"]
        assert mention.published_at == datetime.fromisoformat(node["datePublished"])
    (next_page,) = requests
    assert next_page.url == f"{PAGE_URL}&page=2"
    assert next_page.meta["pagination"] is True
    assert layout_problems(spider) == 2  # no reviews key, no pagination key
    last = spider.crawler.stats.get_value("layout/last_problem")
    assert "pagination" in last


def test_renamed_review_field_gives_partial_items_and_a_warning(spider):
    mentions, _ = split(parse_file(spider, FIXTURES / "trustpilot" / "field-renamed.html"))
    assert [m.rating for m in mentions] == [1.0, None]
    assert mentions[1].rating_scale is None
    assert mentions[1].text  # the rest of the review is still read
    assert layout_problems(spider) == 1
    assert "rating" in spider.crawler.stats.get_value("layout/last_problem")


def test_page_without_any_review_data_warns_and_yields_nothing(spider):
    outputs = parse_file(spider, FIXTURES / "trustpilot" / "layout-broken.html")
    assert split(outputs)[0] == []
    assert layout_problems(spider) >= 2


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>Access denied</body></html>",
        b'<script id="__NEXT_DATA__" type="application/json">{not json</script>',
        b'<script id="__NEXT_DATA__" type="application/json">{"props": []}</script>',
        b'<script id="__NEXT_DATA__" type="application/json">'
        b'{"props": {"pageProps": {"reviews": [null, 3, {"id": 7}], "filters": 1}}}</script>',
    ],
)
def test_hostile_pages_never_raise(spider, body):
    response = HtmlResponse(url=PAGE_URL, body=body, encoding="utf-8", request=Request(PAGE_URL))
    mentions, requests = split(list(spider.parse(response)))
    assert mentions == [] and requests == []
    assert layout_problems(spider) >= 1


# --- the real saved pages ---------------------------------------------------------------


def test_real_page_all_twenty_reviews(make_spider, real_pages):
    path = real_pages / "trustpilot-page-eventnet-2024" / "trustpilot_page.html"
    url = "https://www.trustpilot.com/review/eventnet.de?sort=recency"
    spider = make_spider(TrustpilotSpider, source="tp", url="https://www.trustpilot.com/review/x")
    mentions, requests = split(parse_file(spider, path, url))
    expected = next_data_reviews(path.read_text(encoding="utf-8"))
    assert len(mentions) == len(expected) == 20
    for mention, raw in zip(mentions, expected, strict=True):
        assert_matches_next_data(mention, raw, "tp")
        assert mention.url == f"https://www.trustpilot.com/reviews/{raw['id']}"
    replies = [r for r in expected if r["reply"]]
    assert replies
    for raw in replies:
        mention = next(m for m in mentions if m.external_id == raw["id"])
        assert mention.extra["reply"] == raw["reply"]["message"]
    assert requests == []  # one page only: totalPages is 1 and the next button has no href
    assert layout_problems(spider) == 0


def test_real_page_json_ld_fallback_agrees(make_spider, real_pages):
    html = (real_pages / "trustpilot-page-eventnet-2024" / "trustpilot_page.html").read_text(
        encoding="utf-8"
    )
    expected = next_data_reviews(html)
    without_next_data = NEXT_DATA.sub("", html)
    url = "https://www.trustpilot.com/review/eventnet.de"
    response = HtmlResponse(url=url, body=without_next_data.encode(), encoding="utf-8")
    spider = make_spider(TrustpilotSpider, url=url)
    mentions, _ = split(list(spider.parse(response)))
    by_id = {raw["id"]: raw for raw in expected}
    assert sorted(m.external_id for m in mentions) == sorted(by_id)
    for mention in mentions:
        raw = by_id[mention.external_id]
        assert (mention.author, mention.rating, mention.language) == (
            raw["consumer"]["displayName"],
            float(raw["rating"]),
            raw["language"],
        )
        # Trustpilot's JSON-LD drops line breaks (one reason it is only the fallback).
        assert "".join(mention.text.split()) == "".join(raw["text"].split())
        assert mention.title == raw["title"]
        assert mention.published_at == datetime.fromisoformat(raw["dates"]["publishedDate"])
    assert layout_problems(spider) == 1  # the missing Next.js data is reported


def test_sixty_raw_review_objects(make_spider, real_pages):
    reviews = json.loads(
        (real_pages / "trustpilot-review-objects" / "trustpilot__reviews.json").read_text("utf-8")
    )
    data = {
        "props": {
            "pageProps": {
                "reviews": reviews,
                "filters": {"pagination": {"currentPage": 1, "perPage": 60, "totalPages": 3}},
            }
        }
    }
    page = f'<html><body><script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}'
    page += "</script></body></html>"
    url = "https://www.trustpilot.com/review/example.com?sort=recency"
    spider = make_spider(TrustpilotSpider, url=url)
    response = HtmlResponse(url=url, body=page.encode(), encoding="utf-8", request=Request(url))
    mentions, requests = split(list(spider.parse(response)))
    assert len(mentions) == len(reviews) == 60
    for mention, raw in zip(mentions, reviews, strict=True):
        assert_matches_next_data(mention, raw, "trustpilot")
    assert [r.url for r in requests] == [url + "&page=2"]
    assert layout_problems(spider) == 0


@pytest.mark.parametrize(
    ("text", "removed"),
    [
        ("This review has been removed because it breached our guidelines.", True),
        ("  review was deleted", True),
        ("[removed]", True),
        ("[deleted]", True),
        # A complaint that talks about a removed review is a complaint.
        ("Acme had my first review removed, so here it is again: no refund.", False),
        ("I wrote that [deleted] comment myself", False),
        ("", False),
    ],
)
def test_removed_placeholder_rule(text, removed):
    from scanner.spiders.parsing import is_removed_text

    assert is_removed_text(text) is removed
