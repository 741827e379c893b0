"""Review-site pages of the demo in the structure of the real ones: Trustpilot and the BBB.

Trustpilot (learnt from a saved company page): a Next.js page whose reviews sit in
``<script id="__NEXT_DATA__">`` at ``props.pageProps.reviews`` with paging in
``props.pageProps.filters.pagination``, repeated as schema.org ``Review`` objects
in a JSON-LD ``@graph`` and as ``<article>`` cards; ``?page=N`` pages, 20 reviews each.

BBB: a business profile's ``/complaints`` (``li.card.bpr-complaint-grid`` cards:
type, status, filing date MM/DD/YYYY, complaint text) and ``/customer-reviews``
(``li.card.bpr-review`` cards, also in ``window.__PRELOADED_STATE__``), ten per
page, ``?page=N`` linked by ``rel="next"``. Complainants are not named on the BBB.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from html import escape
from typing import Any

from scanner.demo.corpus import Post

TRUSTPILOT_PER_PAGE = 20
BBB_PER_PAGE = 10
_SAFE_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def script_json(data: Any) -> str:
    """JSON that cannot close its ``<script>`` element, as Next.js writes it."""
    return json.dumps(data, ensure_ascii=False).translate(_SAFE_JSON)


def trustpilot_id(post: Post) -> str:
    return post.digest(24)


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def trustpilot_page(
    posts: list[Post], page: int, pages: int, *, company: dict[str, Any], path: str
) -> str:
    """One page of a company's Trustpilot reviews, ``posts`` being that page's share."""
    name, domain = company["name"], company["domain"]
    reviews = [_tp_review(p) for p in posts]
    next_data = {
        "props": {
            "pageProps": {
                "businessUnit": {
                    "displayName": name,
                    "identifyingName": domain,
                    "numberOfReviews": company["count"],
                    "websiteUrl": f"https://{domain}",
                },
                "reviews": reviews,
                "filters": {
                    "pagination": {
                        "currentPage": page,
                        "perPage": TRUSTPILOT_PER_PAGE,
                        "totalCount": company["count"],
                        "totalPages": pages,
                    },
                    "selected": {"sort": "recency", "languages": "all"},
                },
            }
        },
        "page": "/review/[businessUnit]",
        "query": {"businessUnit": domain, "page": str(page)},
    }
    graph = [{"@type": "LocalBusiness", "@id": f"#/schema/Organization/{domain}", "name": name}]
    graph += [_tp_json_ld(p, domain) for p in posts]
    cards = "\n".join(_tp_card(p) for p in posts)
    prev_link = f'href="{path}?page={page - 1}"' if page > 1 else 'aria-disabled="true"'
    next_link = f'href="{path}?page={page + 1}"' if page < pages else 'aria-disabled="true"'
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8"/>
<title>{escape(name)} Reviews | Read Customer Service Reviews of {escape(domain)}</title>
<script data-business-unit-json-ld="true" type="application/ld+json">{script_json({"@context": "https://schema.org", "@graph": graph})}</script>
</head><body><div id="__next"><main class="styles_main__demo">
<h1>{escape(name)}</h1>
<section class="styles_reviewsContainer__demo">
{cards}
<nav aria-label="Pagination" class="pagination_pagination___demo" role="navigation">
<a name="pagination-button-previous" {prev_link}>Previous</a>
<a aria-current="page" name="pagination-button-{page}" href="{path}?page={page}">{page}</a>
<a name="pagination-button-next" {next_link}>Next page</a>
</nav></section></main></div>
<script id="__NEXT_DATA__" type="application/json">{script_json(next_data)}</script>
</body></html>
"""  # noqa: E501


def _tp_review(post: Post) -> dict[str, Any]:
    consumer = post.digest(24)[::-1]
    return {
        "id": trustpilot_id(post),
        "filtered": False,
        "pending": False,
        "text": post.text,
        "rating": post.rating,
        "title": post.title or "",
        "likes": 0,
        "labels": {
            "merged": None,
            "verification": {
                "isVerified": False,
                "createdDateTime": _iso(post.published),
                "reviewSourceName": "Organic",
                "verificationLevel": "not-verified",
            },
        },
        "dates": {
            "experiencedDate": post.published.strftime("%Y-%m-%dT00:00:00.000Z"),
            "publishedDate": _iso(post.published),
            "updatedDate": None,
        },
        "report": None,
        "hasUnhandledReports": False,
        "consumer": {
            "id": consumer,
            "displayName": post.author,
            "imageUrl": "",
            "numberOfReviews": 1 if post.fresh_account else 2 + int(consumer[:2], 16) % 9,
            "countryCode": _country(post),
            "hasImage": False,
            "isVerified": False,
        },
        "reply": None,
        "consumersReviewCountOnSameDomain": 1,
        "productReviews": [],
        "language": post.lang,
        "location": None,
    }


def _tp_json_ld(post: Post, domain: str) -> dict[str, Any]:
    return {
        "@type": "Review",
        "@id": f"#/schema/Review/{domain}/{trustpilot_id(post)}",
        "itemReviewed": {"@id": f"#/schema/Organization/{domain}"},
        "author": {"@type": "Person", "name": post.author},
        "datePublished": _iso(post.published),
        "headline": post.title or "",
        "reviewBody": post.text,
        "inLanguage": post.lang,
        "reviewRating": {
            "@type": "Rating",
            "bestRating": "5",
            "worstRating": "1",
            "ratingValue": str(post.rating),
        },
    }


def _tp_card(post: Post) -> str:
    author = escape(post.author or "")
    return f"""<article class="paper_paper__demo styles_reviewCard__demo" data-service-review-card-paper="true">
<aside aria-label="Info for {author}"><a href="/users/{post.digest(24)[::-1]}" name="consumer-profile" rel="nofollow">
<span data-consumer-name-typography="true">{author}</span>
<span data-consumer-country-typography="true">{_country(post)}</span></a></aside>
<section class="styles_reviewContentwrapper__demo">
<div class="styles_reviewHeader__demo" data-service-review-rating="{post.rating}">
<img alt="Rated {post.rating} out of 5 stars" src="/static/stars-{post.rating}.svg"/>
<time datetime="{_iso(post.published)}" data-service-review-date-time-ago="true">{post.published:%b %d, %Y}</time></div>
<div class="styles_reviewContent__demo" data-review-content="true" lang="{post.lang}">
<a href="/reviews/{trustpilot_id(post)}" data-review-title-typography="true" rel="nofollow"><h2 data-service-review-title-typography="true">{escape(post.title or "")}</h2></a>
<p data-service-review-text-typography="true">{escape(post.text)}</p></div></section></article>"""  # noqa: E501


def _country(post: Post) -> str:
    return {"es": "ES", "hi": "IN", "ta": "IN", "te": "IN"}.get(post.lang, "US")


def bbb_id(post: Post) -> str:
    return str(int(post.digest(12), 16) % 10**9)


def bbb_page(
    posts: list[Post], page: int, pages: int, *, company: dict[str, Any], path: str, section: str
) -> str:
    """One page of a BBB profile's complaints (``section="complaints"``) or reviews."""
    if section == "complaints":
        items, state = "\n".join(_bbb_complaint(p) for p in posts), ""
    else:
        items = "\n".join(_bbb_review(p) for p in posts)
        reviews = {"page": page, "totalPages": pages, "reviews": [_bbb_json(p) for p in posts]}
        preloaded = {"businessProfile": {"customerReviews": reviews}}
        state = f"<script>window.__PRELOADED_STATE__ = {script_json(preloaded)};</script>"
    nxt = f'<a rel="next" href="{path}?page={page + 1}">Next</a>' if page < pages else ""
    heading = "Complaints" if section == "complaints" else "Customer Reviews"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/>
<title>{escape(company["name"])} | {heading} | Better Business Bureau® Profile</title>{state}
</head><body><main><h1>{escape(company["name"])}</h1><h2>{heading}</h2>
<ul class="stack">
{items}
</ul>
<nav aria-label="pagination">{nxt}</nav></main></body></html>
"""


def _bbb_complaint(post: Post) -> str:
    kind = "Billing/Collection Issues" if "fee" in post.text else "Problems with Product/Service"
    answered = int(post.digest(2), 16) % 3 == 0  # the business answers about one in three
    response = ""
    if answered:
        response = f"""
<div class="bpr-complaint-response"><div data-title="true"><h4>Business response</h4>
<p class="bds-body">Date: {post.published + timedelta(days=3):%m/%d/%Y}</p></div>
<div data-body="true"><p>We are sorry to hear about your experience. Our team has reached out by
e-mail with a case number so that we can look into this.</p></div></div>"""
    return f"""<li class="card bpr-complaint-grid" id="{bbb_id(post)}" lang="{post.lang}">
<h3 class="visually-hidden">Complaint</h3>
<div class="bpr-complaint-type"><span class="bpr-complaint-label">Complaint Type:</span> <span>{kind}</span></div>
<p class="bpr-complaint-status"><span class="bpr-complaint-label">Status:</span> <span>{"Answered" if answered else "Unanswered"}</span></p>
<p class="bpr-complaint-date"><span>{post.published:%m/%d/%Y}</span></p>
<div class="bpr-complaint-body"><div data-body="true"><div><p>{escape(post.text)}</p></div></div>{response}
</div></li>"""  # noqa: E501


def _bbb_review(post: Post) -> str:
    filled = [str(i < (post.rating or 0)).lower() for i in range(5)]
    stars = "".join(f'<svg data-filled="{f}"></svg>' for f in filled)
    label = f"{post.rating} star{'' if post.rating == 1 else 's'} out of 5"
    return f"""<li class="card bpr-review" id="{bbb_id(post)}">
<h3 class="bpr-review-title"><span class="visually-hidden">Review from</span> <span>{escape(post.author or "")}</span></h3>
<div class="dtm-review-stars"><div class="star-rating" role="img" aria-label="{label}">{stars}</div></div>
<p class="bds-body">Date: {post.published:%m/%d/%Y}</p>
<div>{escape(post.text)}</div></li>"""  # noqa: E501


def _bbb_json(post: Post) -> dict[str, Any]:
    when = post.published
    return {
        "id": bbb_id(post),
        "displayName": post.author,
        "text": post.text,
        "reviewStarRating": post.rating,
        "hasExtendedText": False,
        "extendedText": [],
        "date": {"year": str(when.year), "month": f"{when.month:02d}", "day": f"{when.day:02d}"},
    }
