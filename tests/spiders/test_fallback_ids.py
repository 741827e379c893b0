"""A post whose page gives neither an id nor a link keeps one id from night to night.

Such a post's id is made from what it says and who said it. It must never come
from its date: "2 days ago" parses to a moment that moves with every run, and the
text itself says "3 days ago" tomorrow; either way a recrawl would store the
same post again under a new id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request

from scanner.spiders.bbb import BbbSpider
from scanner.spiders.complaintsboard import ComplaintsboardSpider
from scanner.spiders.jsonld import JsonLdSpider
from scanner.spiders.pissedconsumer import PissedconsumerSpider
from scanner.spiders.site import SiteSpider
from scanner.spiders.sitejabber import SitejabberSpider

POSTS = (
    ("Dana", "The technician never came and Acme kept the fee."),
    ("Ravi", "Acme charged my card twice for one repair."),
)

RULE = """post = "article.post"
[fields]
author = ".who"
text = ".body"
date = ".when"
"""


def site_page(when: str) -> str:
    return "".join(
        f'<article class="post"><span class="who">{a}</span><span class="when">'
        f'{when}</span><div class="body">{t}</div></article>'
        for a, t in POSTS
    )


def jsonld_page(when: str) -> str:
    reviews = [
        {"@type": "Review", "author": a, "datePublished": when, "reviewBody": t} for a, t in POSTS
    ]
    micro = "".join(
        f'<div itemscope itemtype="https://schema.org/Review"><span itemprop='
        f'"author">{a}</span><span itemprop="datePublished">{when}</span><p '
        f'itemprop="reviewBody">{t} (again)</p></div>'
        for a, t in POSTS
    )
    script = f'<script type="application/ld+json">{json.dumps(reviews)}</script>'
    return script + micro


def microdata_page(when: str) -> str:
    return "".join(
        f'<div itemscope itemtype="https://schema.org/Review"><span itemprop='
        f'"author">{a}</span><span itemprop="datePublished">{when}</span><p '
        f'itemprop="reviewBody">{t}</p></div>'
        for a, t in POSTS
    )


def bbb_complaints(when: str) -> str:
    return "".join(
        f'<li class="card bpr-complaint-grid"><div class="bpr-complaint-type">'
        f'Complaint Type: Billing</div><div class="bpr-complaint-date">Date: {when}'
        f'</div><div class="bpr-complaint-body"><div data-body="">{t}</div></div></li>'
        for _, t in POSTS
    )


def bbb_reviews(when: str) -> str:
    return "".join(
        f'<li class="card bpr-review"><h3 class="bpr-review-title">Review from {a}'
        f"</h3><p>Date: {when}</p><div>{t}</div></li>"
        for a, t in POSTS
    )


def complaintsboard(when: str) -> str:
    return "".join(
        f'<div class="complaint"><span class="author-header__name">{a}</span>'
        f'<span class="author-header__date">{when}</span><p class='
        f'"complaint-main__text">{t}</p></div>'
        for a, t in POSTS
    )


def pissedconsumer(when: str) -> str:
    return "".join(
        f'<div class="review-item"><span class="user-name">{a}</span><time class='
        f'"post-time">{when}</time><div itemprop="reviewBody">{t}</div></div>'
        for a, t in POSTS
    )


def sitejabber(when: str) -> str:
    return "".join(
        f'<div class="review"><span class="review__author__name">{a}</span><span '
        f'class="review__date">{when}</span><div class="review__text">{t}</div></div>'
        for a, t in POSTS
    )


CASES: dict[str, tuple[type, dict[str, Any], str, Any]] = {
    "site": (SiteSpider, {}, "/board", site_page),
    "jsonld": (JsonLdSpider, {}, "/reviews", jsonld_page),
    "jsonld-microdata": (JsonLdSpider, {}, "/reviews", microdata_page),
    "bbb-complaints": (BbbSpider, {}, "/us/profile/x/acme-1/complaints", bbb_complaints),
    "bbb-reviews": (BbbSpider, {}, "/us/profile/x/acme-1/customer-reviews", bbb_reviews),
    "complaintsboard": (ComplaintsboardSpider, {}, "/acme-b1", complaintsboard),
    "pissedconsumer": (PissedconsumerSpider, {}, "/review.html", pissedconsumer),
    "sitejabber": (SitejabberSpider, {}, "/reviews/acme.example", sitejabber),
}


def ids_on(case: str, when: str, tmp_path: Path, make_spider: Any) -> list[str]:
    cls, kwargs, path, page = CASES[case]
    url = "https://reviews.example" + path
    if cls is SiteSpider:
        rule = tmp_path / "rule.toml"
        rule.write_text(RULE, encoding="utf-8")
        kwargs = {**kwargs, "rule": str(rule)}
    spider = make_spider(cls, url=url, source="s", **kwargs)
    body = f"<html><body>{page(when)}</body></html>".encode()
    response = HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url))
    callback = spider.parse_reviews if path.endswith("customer-reviews") else spider.parse
    if path.endswith("/complaints"):
        callback = spider.parse_complaints
    return [out.external_id for out in callback(response) if hasattr(out, "external_id")]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_fallback_id_does_not_change_with_the_date(case, tmp_path, make_spider) -> None:
    today = ids_on(case, "2 days ago", tmp_path, make_spider)
    tomorrow = ids_on(case, "3 days ago", tmp_path, make_spider)
    assert len(today) >= 2 and len(set(today)) == len(today)  # one id per post
    assert today == tomorrow
