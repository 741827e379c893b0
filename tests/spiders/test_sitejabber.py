"""Sitejabber spider: JSON-LD fields with the cards' ids, either alone, pagination, changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sites_b import HOSTS, SJ_REVIEWS, build, fixture, problems, respond, run, site_response, starts

from scanner.crawl.item import fallback_id
from scanner.spiders.sitejabber import SitejabberSpider

LISTING = HOSTS["sitejabber"] + SJ_REVIEWS


def spider() -> SitejabberSpider:
    return build(SitejabberSpider, url=LISTING, source="sj-acme")


def page(name: str, url: str = LISTING) -> object:
    return respond(url, fixture("sitejabber", name))


def test_first_page_every_field_and_the_next_page() -> None:
    s = spider()
    request = starts(s)[0]
    mentions, requests = run(request.callback, site_response("sitejabber", request))
    tom, marta, srinivas = mentions
    assert tom.source == "sj-acme" and tom.external_id == "9100001"
    assert tom.url == f"{LISTING}#9100001"
    assert tom.author == "Tom H." and tom.title == "Booked a repair, got a no-show"
    assert tom.text == (
        "Acme confirmed my oven repair twice and then nobody turned up. "
        "The call centre could not tell me why."
    )
    assert (tom.rating, tom.rating_scale) == (1.0, 5.0)
    assert tom.published_at == datetime(2024, 3, 3, tzinfo=UTC)
    assert tom.language is None and tom.about_company and not tom.removed
    assert tom.extra == {"kind": "review"}
    assert (marta.external_id, marta.language) == ("9100002", "es")  # JSON-LD inLanguage
    assert (srinivas.external_id, srinivas.language, srinivas.rating) == ("9100003", "te", 3.0)
    assert srinivas.text == "ఏక్మే సర్వీస్ రెండు వారాలు ఆలస్యమైంది, కానీ చివరికి రిపేర్ బాగా చేశారు."
    assert [(r.url, r.meta, r.callback) for r in requests] == [
        (f"{LISTING}?page=2", {"pagination": True}, s.parse)
    ]
    assert problems(s) == 0


def test_second_page_windows_1252_cards_beyond_the_json_ld_and_a_removed_review() -> None:
    s = spider()
    mentions, requests = run(s.parse, page("reviews_p2.html", f"{LISTING}?page=2"))
    assert requests == []  # "Next" is disabled on the last page
    assert [m.external_id for m in mentions] == ["9100004", "9100005", "9100006"]
    helene, removed, priya = mentions
    assert helene.author == "Hélène V." and helene.title == "“Fixed” twice, broken three times"
    assert helene.text == (
        "The dishwasher in my café was “fixed” twice – Acme’s technician was naïve or careless, "
        "I can’t tell which."
    )
    assert removed.removed and not helene.removed and not priya.removed
    assert (priya.rating, priya.published_at) == (2.0, datetime(2024, 1, 12, tzinfo=UTC))
    assert problems(s) == 0


def test_cards_alone_give_the_same_reviews_and_report_the_missing_json_ld() -> None:
    s = spider()
    html = fixture("sitejabber", "reviews_p1.html").read_text(encoding="utf-8")
    bare = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    with_ld, _ = run(spider().parse, page("reviews_p1.html"))
    cards_only, _ = run(s.parse, page("reviews_p1.html").replace(body=bare.encode()))
    assert [
        (m.external_id, m.author, m.title, m.text, m.rating, m.published_at) for m in cards_only
    ] == [(m.external_id, m.author, m.title, m.text, m.rating, m.published_at) for m in with_ld]
    assert cards_only[1].language is None  # only JSON-LD states Marta's language
    assert problems(s) == 1


def test_changed_card_layout_falls_back_to_json_ld_with_stable_ids() -> None:
    s = spider()
    mentions, _ = run(s.parse, page("reviews_layout_changed.html"))
    assert [(m.author, m.rating) for m in mentions] == [("Tom H.", 1.0), ("Marta G.", 1.0)]
    assert mentions[0].external_id == fallback_id(mentions[0].text, "Tom H.")
    again, _ = run(spider().parse, page("reviews_layout_changed.html", f"{LISTING}?page=3"))
    assert [m.external_id for m in again] == [m.external_id for m in mentions]
    assert problems(s) == 1
    assert "div.review" in s.crawler.stats.get_value("layout/last_problem")


def test_a_page_with_neither_warns_and_yields_nothing() -> None:
    s = spider()
    broken = page("reviews_p1.html").replace(
        body=b"<html><body><div class='x'>redesign</div></body></html>"
    )
    assert run(s.parse, broken) == ([], [])
    assert problems(s) == 1
