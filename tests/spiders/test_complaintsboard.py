"""ComplaintsBoard spider: listing → complaint pages, in-place blocks, pagination, changes."""

from __future__ import annotations

from datetime import UTC, datetime

from sites_b import CB_LISTING, HOSTS, build, fixture, problems, respond, run, site_response, starts

from scanner.spiders.complaintsboard import ComplaintsboardSpider

HOST = HOSTS["complaintsboard"]
LISTING = HOST + CB_LISTING


def spider() -> ComplaintsboardSpider:
    return build(ComplaintsboardSpider, url=LISTING, source="cb-acme")


def crawl_page(s: ComplaintsboardSpider, request: object) -> tuple[list, list]:
    return run(request.callback, site_response("complaintsboard", request))


def test_listing_follows_complaint_pages_reads_unlinked_blocks_and_pages_on() -> None:
    s = spider()
    (start,) = starts(s)
    assert start.url == LISTING
    mentions, requests = crawl_page(s, start)
    details = [r for r in requests if not r.meta.get("pagination")]
    assert [(r.url, r.meta) for r in details] == [
        (
            f"{HOST}/acme-home-services-technician-never-showed-up-c2100001",
            {"external_id": "2100001"},
        ),
        (f"{HOST}/acme-home-services-cobro-doble-c2100002", {"external_id": "2100002"}),
    ]
    assert all(r.callback == s.parse_complaint for r in details)
    (hindi,) = mentions  # no link of its own: read from the listing, id from its anchors
    assert hindi.external_id == "2100003"
    assert hindi.url == f"{LISTING}#c2100003"
    assert hindi.title == "रिफंड नहीं मिला"
    assert hindi.text == "एक्मे ने वॉशिंग मशीन की मरम्मत रद्द की लेकिन अग्रिम भुगतान वापस नहीं किया।"
    assert hindi.author == "a customer" and hindi.language == "hi"
    assert hindi.published_at == datetime(2024, 2, 20, 6, 15, tzinfo=UTC)
    assert hindi.extra == {"kind": "complaint", "location": "Pune, IN"}
    (nxt,) = [r for r in requests if r.meta.get("pagination")]
    assert (nxt.url, nxt.meta, nxt.callback) == (f"{LISTING}/page/2", {"pagination": True}, s.parse)
    assert problems(s) == 0


def test_a_complaint_page_gives_every_field() -> None:
    s = spider()
    _, requests = crawl_page(s, starts(s)[0])
    mentions, more = crawl_page(s, requests[0])
    assert more == []
    (m,) = mentions
    assert m.source == "cb-acme" and m.external_id == "2100001"
    assert m.url == f"{HOST}/acme-home-services-technician-never-showed-up-c2100001"
    assert m.title == "Technician never showed up"
    assert m.author == "dana_w"
    assert m.text == (
        "I booked a dryer repair with Acme for Saturday morning. Nobody came and nobody called.\n\n"
        "When I phoned on Monday they said the slot was never confirmed, although I have the "
        "confirmation e-mail."
    )
    assert m.published_at == datetime(2024, 3, 3, 21, 41, tzinfo=UTC)
    assert m.rating is None and m.rating_scale is None
    assert m.language is None and m.about_company and not m.removed
    assert m.extra == {
        "kind": "complaint",
        "location": "Austin, US",
        "status": "Resolved",
        "claimed_loss": "$249",
        "desired_outcome": "Refund of the call-out fee",
    }
    assert problems(s) == 0


def test_a_review_page_with_a_rating_in_spanish() -> None:
    s = spider()
    _, requests = crawl_page(s, starts(s)[0])
    (m,) = crawl_page(s, requests[1])[0]
    assert (m.external_id, m.rating, m.rating_scale, m.language) == ("2100002", 1.0, 5.0, "es")
    assert m.title == "Cobro doble por la reparación"
    assert m.text.startswith("Acme me cobró dos veces la misma reparación del horno")
    assert m.published_at == datetime(2024, 2, 27, 15, 5, tzinfo=UTC)
    assert m.extra["claimed_loss"] == "MXN 1,800"


def test_last_listing_page_a_removed_complaint_and_a_windows_1252_page() -> None:
    s = spider()
    page2 = respond(f"{LISTING}/page/2", fixture("complaintsboard", "listing_p2.html"))
    mentions, requests = run(s.parse, page2)
    assert mentions == []
    assert [r.meta for r in requests] == [{"external_id": "2100004"}, {"external_id": "2100005"}]
    (removed,) = crawl_page(s, requests[0])[0]
    assert removed.removed and removed.external_id == "2100004"
    (zoe,) = crawl_page(s, requests[1])[0]
    assert zoe.author == "Zoë B." and zoe.extra["location"] == "Montréal, CA"
    assert zoe.text == (
        "My café’s fridge stopped cooling after the “repair”. Acme says the warranty doesn’t "
        "cover it – I was naïve to believe their promise."
    )
    assert not zoe.removed
    assert problems(s) == 0


def test_changed_listing_layout_warns_and_yields_nothing() -> None:
    s = spider()
    page = respond(LISTING, fixture("complaintsboard", "listing_layout_changed.html"))
    assert run(s.parse, page) == ([], [])
    assert problems(s) == 1
    assert "div.complaint" in s.crawler.stats.get_value("layout/last_problem")


def test_changed_complaint_page_warns_about_the_missing_text() -> None:
    s = spider()
    url = f"{HOST}/acme-home-services-technician-never-showed-up-c2100001"
    page = respond(url, fixture("complaintsboard", "complaint_layout_changed.html"))
    assert run(s.parse_complaint, page) == ([], [])
    assert problems(s) == 1
    assert "text (1 of 1)" in s.crawler.stats.get_value("layout/last_problem")
