"""Notice a JSON endpoint that answers with nothing, or with an error object.

An API that starts answering ``{}``, ``[]``-less error objects or an empty body
must show up in the source's health as such, never as a quiet day with no posts.
Counted in ``json/empty`` and ``json/error`` (``json/last_problem`` says where).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from scanner import jsonsafe

_ERROR_KEYS = ("error", "errors", "error_message", "fault")


def json_problem(response: Response) -> str | None:
    """Why this JSON answer carries no data, or ``None`` when it looks fine."""
    content_type = (response.headers.get(b"Content-Type") or b"").lower()
    if b"json" not in content_type:
        return None
    body = response.body.strip()
    if not body:
        return "empty body"
    try:
        data = jsonsafe.loads(body)
    except ValueError:
        return "not valid JSON"
    if data in ({}, [], None, ""):
        return "empty JSON value"
    if isinstance(data, dict) and any(data.get(k) for k in _ERROR_KEYS):
        detail = next(data[k] for k in _ERROR_KEYS if data.get(k))
        return f"error object: {str(detail)[:200]}"
    return None


class JsonBodyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonBodyMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        problem = json_problem(response)
        if problem is not None:
            key = "json/empty" if "empty" in problem else "json/error"
            self.crawler.stats.inc_value(key)
            self.crawler.stats.set_value("json/last_problem", f"{problem} ({response.url})")
        return response
