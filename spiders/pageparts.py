"""Small page-reading helpers shared by the review-site spiders (bbb, complaintsboard,
pissedconsumer, sitejabber).

They exist so that each spider module holds only what is particular to its site:
where the cards are, which microdata or JSON-LD they carry, how the next page is
linked. Everything here is tolerant: a missing node gives ``""`` or ``None``,
never an exception, and the spider decides whether that is a layout problem.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector, SelectorList

from scanner import jsonsafe
from scanner.text.clean import clean_line, clean_text, is_removed_post

_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

Node = Selector | SelectorList | None
logger = logging.getLogger(__name__)


def text_of(node: Node) -> str:
    """Visible text of a node (block elements become line breaks), cleaned."""
    return clean_text(node.get() or "") if node is not None else ""


def line_of(node: Node) -> str:
    """Like :func:`text_of` but on one line: names, titles, dates, labels."""
    return clean_line(node.get() or "") if node is not None else ""


def first(card: Selector, *queries: str) -> str:
    """The first non-empty one-line text or attribute among CSS ``queries``.

    A query ending in ``::attr(x)`` or ``::text`` yields that string; any other
    yields the node's visible text. Microdata queries come first in callers'
    lists because microdata is written for search engines and outlives CSS renames.
    """
    for query in queries:
        found = card.css(query)
        if not found:
            continue
        value = clean_line(found.get()) if "::" in query else line_of(found[0])
        if value:
            return value
    return ""


def block_text(card: Selector, *queries: str) -> str:
    """The visible text of the first node matched by the first query that matches."""
    for query in queries:
        found = card.css(query)
        if found and (text := text_of(found[0])):
            return text
    return ""


def is_removed(*texts: str | None) -> bool:
    """Whether the site shows this post as deleted or removed."""
    return is_removed_post(*texts)


def page_link(response: Any, href: object) -> str | None:
    """The absolute URL of a link found on a page, or None where there is none: no
    href, or one no URL parser reads ("http://[oops/", an unclosed IPv6 host). A
    post keeps its place without it, and the posts after it on the page are still
    read: the exception had ended the page's parsing there, on every crawl."""
    if not isinstance(href, str) or not href.strip():
        return None
    try:
        return str(response.urljoin(href.strip()))
    except ValueError as exc:
        logger.warning("%s: left out a link that is no URL (%s): %r", response.url, exc, href)
        return None


def canonical(url: str) -> str:
    """The URL without query and fragment: the same listing whatever page we are on."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def number(value: object) -> float | None:
    """The first number in ``value`` ("4 stars", "4,5", 4) or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    match = _NUMBER.search(str(value))
    return float(match.group().replace(",", ".")) if match else None


def rating_in_scale(value: object, scale: float = 5.0) -> float | None:
    """A star rating, or None when it is not a number within ``1..scale``."""
    rating = number(value)
    if rating is None or not 0 < rating <= scale:
        return None
    return rating


def strip_ordinals(text: str) -> str:
    """ "March 3rd, 2024" -> "March 3, 2024", so strptime can read it."""
    return _ORDINAL.sub(r"\1", text)


def jsonld(response: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, ``@graph`` and lists flattened.

    A script that is not valid JSON is skipped (sites ship trailing semicolons and
    HTML comments); the caller notices when what it needed is then missing.
    """
    out: list[dict[str, Any]] = []
    for raw in response.css('script[type="application/ld+json"]::text').getall():
        try:
            data = jsonsafe.loads(raw.strip().rstrip(";"))
        except ValueError:
            continue
        out.extend(_flatten(data))
    return out


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from _flatten(data["@graph"])


def dicts_with(data: Any, keys: set[str]) -> Iterator[dict[str, Any]]:
    """Every dict nested anywhere in ``data`` that has all of ``keys``.

    Used on embedded JSON state, whose outer path changes with each front-end
    release while the shape of a review object stays the same.
    """
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if keys <= item.keys():
                yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def types_of(obj: dict[str, Any]) -> set[str]:
    """The schema.org types a JSON-LD object says it is (``@type``: one or a list;
    anything in it but a name, such as ``[{}]``, names none)."""
    kind = obj.get("@type")
    return {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}


def name_of(value: Any) -> str:
    """``author`` in JSON-LD is a string, a Person, or a list of either."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return clean_line(value) if isinstance(value, str) else ""


def language_of(card: Selector) -> str | None:
    """The language the site states for one post (``lang`` or microdata), if any."""
    value = first(
        card,
        '[itemprop="inLanguage"]::attr(content)',
        "::attr(lang)",
        "[lang]::attr(lang)",
    )
    return value.lower() or None


def report_missing(spider: Any, response: Any, total: int, missing: dict[str, int]) -> None:
    """One layout warning per page naming the fields some cards lacked."""
    if missing:
        lacking = ", ".join(f"{field} ({count} of {total})" for field, count in missing.items())
        spider.layout_problem(response, f"cards without: {lacking}")


def says_empty(response: Any, pattern: str) -> bool:
    """Whether the page states it has nothing to list (not a layout change)."""
    body = " ".join(response.css("body ::text").getall())
    return re.search(pattern, body, re.IGNORECASE) is not None


def next_href(response: Any, *queries: str) -> str | None:
    """The absolute URL of the next listing page, or None on the last page."""
    for query in queries:
        href = response.css(query).get()
        if href and href.strip() and not href.strip().startswith(("#", "javascript:")):
            return page_link(response, href)
    return None
