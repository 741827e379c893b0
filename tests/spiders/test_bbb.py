"""BBB spider: complaints and customer reviews, JSON state vs cards, pagination, changes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sites_b import (
    BBB_PROFILE,
    HOSTS,
    build,
    fixture,
    problems,
    respond,
    run,
    site_response,
    starts,
)

from scanner.spiders.bbb import BbbSpider

PROFILE = HOSTS["bbb"] + BBB_PROFILE
COMPLAINTS = f"{PROFILE}/complaints"
REVIEWS = f"{PROFILE}/customer-reviews"


def day(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=UTC)


def spider() -> BbbSpider:
    return build(BbbSpider, url=PROFILE, source="bbb-acme")


def test_a_profile_url_starts_both_sections_and_a_section_url_only_that_one() -> None:
    assert [r.url for r in starts(spider())] == [COMPLAINTS, REVIEWS]
    only = starts(build(BbbSpider, url=f"{REVIEWS}?page=1"))
    assert [r.url for r in only] == [f"{REVIEWS}?page=1"]
    assert starts(build(BbbSpider)) == []  # no URL: an error in the log, no request


def test_complaints_page_one_every_field_and_the_next_page() -> None:
    s = spider()
    request = starts(s)[0]
    mentions, requests = run(request.callback, site_response("bbb", request))
    assert [m.external_id for m in mentions] == [
        "complaint-5512001",
        "complaint-5512002",
        "complaint-5512003",
    ]
    first, spanish, third = mentions
    assert first.source == "bbb-acme"
    assert first.url == f"{COMPLAINTS}#5512001"
    assert first.text == (
        "I was charged twice for the same dryer repair visit. Acme support promised a refund "
        "within five days and nothing arrived after three weeks.\n\n"
        "I had to dispute the charge with my bank."
    )
    assert first.title is None  # the type is the site's, not the person's words
    assert first.extra["complaint_type"] == "Billing/Collection Issues"
    assert first.author is None  # BBB does not name complainants
    assert first.rating is None and first.rating_scale is None
    assert first.published_at == day(2024, 3, 3)
    assert first.about_company and not first.removed
    assert first.language is None
    assert first.extra == {
        "kind": "complaint",
        "complaint_type": "Billing/Collection Issues",
        "status": "Resolved",
        "business_response": "We are sorry for the duplicate charge. The second payment was "
        "refunded on March 11.",
        "business_response_at": "2024-03-12T00:00:00+00:00",
    }
    assert spanish.language == "es" and spanish.text.startswith("El técnico de Acme nunca llegó")
    assert spanish.extra == {
        "kind": "complaint",
        "complaint_type": "Problems with Product/Service",
        "status": "Unanswered",
    }
    assert third.extra["business_response"].startswith("Our carrier made the error")
    assert [r.url for r in requests] == [f"{COMPLAINTS}?page=2"]
    assert requests[0].meta == {"pagination": True}
    assert requests[0].callback == s.parse_complaints
    assert problems(s) == 0


def test_complaints_last_page_hindi_and_a_removed_complaint() -> None:
    s = spider()
    mentions, requests = run(
        s.parse_complaints, respond(f"{COMPLAINTS}?page=2", fixture("bbb", "complaints_p2.html"))
    )
    assert requests == []
    hindi, removed = mentions
    assert hindi.text == "एक्मे के तकनीशियन ने फ्रिज की मरम्मत अधूरी छोड़ दी और फिर से आने के पैसे माँगे।"
    assert hindi.language == "hi" and hindi.published_at == day(2023, 12, 21)
    assert hindi.extra["status"] == "Unresolved" and not hindi.removed
    assert removed.removed and removed.external_id == "complaint-5512005"


def test_canadian_profiles_write_the_day_first() -> None:
    url = COMPLAINTS.replace("/us/tx/", "/ca/on/")
    mentions, _ = run(spider().parse_complaints, respond(url, fixture("bbb", "complaints_p1.html")))
    assert mentions[0].published_at == day(2024, 3, 3)
    assert mentions[2].published_at == day(2024, 9, 1)  # "01/09/2024" read as 1 September
    assert mentions[0].extra["business_response_at"] == "2024-12-03T00:00:00+00:00"


def test_reviews_are_read_from_the_preloaded_state_with_the_business_reply() -> None:
    s = spider()
    request = starts(s)[1]
    mentions, requests = run(request.callback, site_response("bbb", request))
    assert [(m.external_id, m.author, m.rating, m.published_at) for m in mentions] == [
        ("review-0875_90012345_1001", "Maria G.", 1.0, day(2024, 3, 5)),
        ("review-0875_90012345_1002", "Ravi K.", 2.0, day(2024, 2, 20)),
        ("review-0875_90012345_1003", "Jordan P.", 5.0, day(2024, 2, 2)),
    ]
    maria, ravi, jordan = mentions
    assert maria.url == f"{REVIEWS}#0875_90012345_1001"
    assert maria.rating_scale == 5.0 and maria.title is None and maria.about_company
    assert maria.extra == {
        "kind": "review",
        "business_response": "We apologise for the missed visit and have credited your account.",
        "business_response_at": "2024-03-07T00:00:00+00:00",
    }
    assert ravi.text == "ఏక్మే టెక్నీషియన్ మూడు సార్లు అపాయింట్\u200cమెంట్ మార్చారు, ఫ్రిజ్ ఇంకా పని చేయడం లేదు."
    assert jordan.text == "Quick and friendly furnace service, fair price."  # HTML in JSON
    assert [(r.url, r.meta) for r in requests] == [(f"{REVIEWS}?page=2", {"pagination": True})]
    assert problems(s) == 0


def test_the_review_cards_say_the_same_as_the_preloaded_state() -> None:
    """Without the JSON (a front-end release can drop it) the cards give the same items."""
    html = fixture("bbb", "reviews_p1.html").read_text(encoding="utf-8")
    without_state = re.sub(r"<script>window\.__PRELOADED_STATE__.*?</script>", "", html, flags=re.S)
    assert without_state != html
    from_json, _ = run(spider().parse_reviews, respond(REVIEWS, fixture("bbb", "reviews_p1.html")))
    s = spider()
    response = respond(REVIEWS, fixture("bbb", "reviews_p1.html")).replace(
        body=without_state.encode()
    )
    from_cards, _ = run(s.parse_reviews, response)
    assert from_cards == from_json
    assert problems(s) == 0


def test_windows_1252_page_and_a_removed_review() -> None:
    s = spider()
    mentions, requests = run(
        s.parse_reviews, respond(f"{REVIEWS}?page=2", fixture("bbb", "reviews_p2.html"))
    )
    assert requests == []
    renee, jose, removed = mentions
    assert renee.author == "Renée D."
    assert renee.text == (
        "They “fixed” the espresso machine in my café and it broke again the next morning – "
        "I was naïve to pay up front. Don’t trust the warranty."
    )
    assert jose.text == "El técnico llegó tarde… y cobró de más por la visita."
    assert (jose.rating, jose.published_at) == (2.0, day(2024, 1, 3))
    assert removed.removed and not renee.removed and not jose.removed


def test_changed_review_layout_gives_partial_items_and_warnings() -> None:
    s = spider()
    mentions, _ = run(
        s.parse_reviews, respond(REVIEWS, fixture("bbb", "reviews_layout_changed.html"))
    )
    assert [(m.author, m.published_at, m.rating) for m in mentions] == [("Maria G.", None, 1.0)]
    assert problems(s) == 2  # renamed JSON keys; cards without date and text
    last = s.crawler.stats.get_value("layout/last_problem")
    assert "date (2 of 2)" in last and "text (1 of 2)" in last


def test_changed_complaint_layout_gives_nothing_and_a_warning() -> None:
    s = spider()
    page = respond(COMPLAINTS, fixture("bbb", "complaints_layout_changed.html"))
    assert run(s.parse_complaints, page) == ([], [])
    assert problems(s) == 1
    assert "li.bpr-complaint-grid" in s.crawler.stats.get_value("layout/last_problem")


def test_an_empty_listing_is_not_a_layout_change() -> None:
    s = spider()
    page = respond(COMPLAINTS, fixture("bbb", "complaints_p1.html")).replace(
        body=b"<html><body><h2>Customer Complaints</h2><p>There are no complaints for this "
        b"business.</p></body></html>"
    )
    assert run(s.parse_complaints, page) == ([], [])
    assert problems(s) == 0


def test_a_review_of_an_unforeseen_shape_costs_only_itself(tmp_path) -> None:
    """One review whose "extendedText" came as the object itself (a list of one
    often does), or as a string, or whose year had thirteen digits, raised inside
    the page: its other reviews and every later page were lost, every night."""
    page = fixture("bbb", "reviews_p1.html").read_text(encoding="utf-8")
    found = re.search(r"__PRELOADED_STATE__\s*=\s*(\{.*\})\s*;?\s*</script>", page, re.S)
    assert found
    state = json.loads(found.group(1))
    items = state["businessProfile"]["customerReviews"]["items"]
    items[0]["extendedText"] = items[0]["extendedText"][0]  # the object, not a list of one
    items[1]["extendedText"] = "not a list"
    items[2]["date"] = {"year": "9999999999999", "month": 1, "day": 1}
    items.append({"displayName": "Odd", "text": ["a", "list"], "extendedText": [None, 1]})
    hostile = tmp_path / "reviews.html"
    hostile.write_text(page[: found.start(1)] + json.dumps(state) + page[found.end(1) :], "utf-8")
    s = spider()
    mentions, requests = run(s.parse_reviews, respond(REVIEWS, hostile))
    by_author = {m.author: m for m in mentions}
    assert {"Maria G.", "Ravi K.", "Jordan P."} <= set(by_author)
    assert by_author["Maria G."].extra["business_response"].startswith("We apologise")
    assert by_author["Jordan P."].published_at is None  # the year no calendar has
    assert requests  # the next page is still asked for
