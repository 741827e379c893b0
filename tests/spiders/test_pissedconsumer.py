"""PissedConsumer spider: microdata cards, ?page=N then RT-P<N> pages, relative dates, changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sites_b import HOSTS, build, fixture, problems, respond, run, site_response, starts

from scanner.spiders.pissedconsumer import PissedconsumerSpider

HOST = HOSTS["pissedconsumer"]


def spider() -> PissedconsumerSpider:
    return build(PissedconsumerSpider, url=f"{HOST}/review.html", source="pc-acme")


def test_three_pages_every_field_and_the_pager() -> None:
    s = spider()
    request = starts(s)[0]
    pages = []
    while request is not None:
        mentions, requests = run(request.callback, site_response("pissedconsumer", request))
        pages.append((request.url, mentions))
        assert all(r.meta == {"pagination": True} for r in requests)
        request = requests[0] if requests else None
    assert [url for url, _ in pages] == [
        f"{HOST}/review.html",
        f"{HOST}/review.html?page=2",
        f"{HOST}/RT-P3.html",
    ]
    nina, carlos, anil = pages[0][1]
    assert nina.source == "pc-acme" and nina.external_id == "3456701"
    assert nina.url == f"{HOST}/charged-for-a-visit-that-never-happened-3456701.html"
    assert nina.title == "Charged for a visit that never happened"
    assert nina.text == (
        "Acme charged my card for a dishwasher repair visit. Nobody ever came to the house.\n\n"
        "Customer service keeps saying the refund is processing."
    )
    assert (nina.author, nina.rating, nina.rating_scale) == ("Nina R.", 1.0, 5.0)
    assert nina.published_at == datetime(2024, 3, 3, tzinfo=UTC)
    assert nina.language is None and nina.about_company and not nina.removed
    assert nina.extra == {"kind": "review", "location": "Denver, CO"}
    assert (carlos.language, carlos.title) == ("es", "El técnico no llegó")
    assert (anil.language, anil.rating) == ("hi", 2.0)
    assert anil.text == "एक्मे का तकनीशियन एसी की मरम्मत अधूरी छोड़कर चला गया।"
    chloe, removed = pages[1][1]  # the windows-1252 page
    assert chloe.author == "Chloé P." and chloe.title == "“Repaired” fridge died again"
    assert chloe.text == (
        "The fridge in my café died again two days after Acme’s “repair” – I was naïve to pay "
        "the €90 call-out fee up front."
    )
    assert removed.removed and not chloe.removed
    (lakshmi,) = pages[2][1]
    assert lakshmi.language == "te" and lakshmi.text == "ఏక్మే నాకు ఒకే రిపేర్\u200cకు రెండుసార్లు బిల్లు వేసింది."
    assert problems(s) == 0


def test_relative_dates_are_read_against_now() -> None:
    page = respond(f"{HOST}/RT-P3.html", fixture("pissedconsumer", "review_p3.html"))
    before = datetime.now(UTC)
    (m,) = run(spider().parse, page)[0]
    after = datetime.now(UTC)
    assert before - timedelta(days=2) <= m.published_at <= after - timedelta(days=2)


def test_cards_without_microdata_fall_back_to_class_names() -> None:
    html = fixture("pissedconsumer", "review_p1.html").read_bytes()
    for attr in (b'itemprop="reviewBody"', b'itemprop="ratingValue"', b'itemprop="datePublished"'):
        html = html.replace(attr, b'data-x="1"')
    s = spider()
    mentions, _ = run(
        s.parse,
        respond(f"{HOST}/review.html", fixture("pissedconsumer", "review_p1.html")).replace(
            body=html
        ),
    )
    with_microdata, _ = run(
        spider().parse, respond(f"{HOST}/review.html", fixture("pissedconsumer", "review_p1.html"))
    )
    assert mentions == with_microdata
    assert problems(s) == 0


def test_changed_layout_warns_and_yields_nothing() -> None:
    s = spider()
    page = respond(f"{HOST}/review.html", fixture("pissedconsumer", "review_layout_changed.html"))
    assert run(s.parse, page) == ([], [])
    assert problems(s) == 1
    assert "div.review-item" in s.crawler.stats.get_value("layout/last_problem")


def test_a_card_link_that_is_no_url_loses_only_itself() -> None:
    """A title link such as "http://[oops/…" raised in urllib and ended the page."""
    from scrapy.http import HtmlResponse, Request

    url = f"{HOST}/review.html"
    text = fixture("pissedconsumer", "review_p1.html").read_text(encoding="utf-8")
    good = 'href="/charged-for-a-visit-that-never-happened-3456701.html"'
    assert good in text
    bad = text.replace(good, 'href="http://[oops/charged-3456701.html"', 1)
    s = spider()
    page = HtmlResponse(url=url, body=bad.encode(), request=Request(url))
    mentions, _ = run(s.parse, page)
    assert len(mentions) == 3, [m.external_id for m in mentions]
    assert all("oops" not in (m.url or "") for m in mentions)
