"""Decode a page with the charset it really uses, not the one it claims.

Scrapy trusts the ``Content-Type`` charset first. Small sites often declare
UTF-8 and send windows-1252 (every "é" becomes U+FFFD), or declare latin-1 and
send UTF-8 (every "é" becomes "Ã©"). Valid UTF-8 with non-ASCII bytes is almost
never anything else, and windows-1252 is what browsers fall back to, so: body
valid as UTF-8 → UTF-8; declared UTF-8 but invalid → the charset the page's own
``<meta>`` names, else windows-1252.
"""

from __future__ import annotations

import codecs

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    try:
        found = codecs.lookup(name).name
        b"\0\0".decode(found)  # "hex", "rot13": codecs, but of no text (LookupError)
    except LookupError:
        return None
    except ValueError:  # a text encoding these two bytes are no text of
        pass
    return found


def declared_encoding(response: TextResponse) -> str | None:
    """The charset the response claims, in the order Scrapy honours them: a byte-order
    mark, the ``Content-Type`` header, then the page's own ``<meta>``."""
    body = response.body
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    return (
        read_bom(body)[0]
        or http_content_type_encoding(content_type)
        or html_body_declared_encoding(body)
    )


def real_encoding(body: bytes, declared: str | None) -> str | None:
    """The encoding to decode ``body`` with, or ``None`` to keep the declared one."""
    declared = _canonical(declared)
    if body.isascii():
        return None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        if declared not in (None, "utf-8"):
            return None  # declared something else, and it is not UTF-8: trust it
        if not mostly_utf8(body):  # else UTF-8 with a stray byte, which alone is U+FFFD
            inner = _canonical(html_body_declared_encoding(body))
            return inner if inner not in (None, "utf-8") else "cp1252"
    return None if declared == "utf-8" else "utf-8"


def mostly_utf8(body: bytes) -> bool:
    """Whether ``body`` is UTF-8 but for a few stray bytes: a windows-1252 "’" pasted
    into one review of a page in UTF-8. Windows-1252 text read as UTF-8 is almost
    all bad sequences; such a page is almost all good ones, and decoding it all as
    windows-1252 turned every other review into "RenÃ©e" (and Hindi into noise)."""
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return good >= 4 * bad


class EncodingFixMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingFixMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or response.body.isascii():
            return response  # ASCII reads the same in every charset we could pick
        fixed = real_encoding(response.body, declared_encoding(response))
        if fixed is None or fixed == _canonical(response.encoding):
            return response
        self.crawler.stats.inc_value("encoding/fixed")
        return response.replace(encoding=fixed)
