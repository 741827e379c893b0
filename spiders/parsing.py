"""Small helpers the JSON-reading spiders share: safe digging, arguments, removed posts.

Site JSON is hostile in a dull way: keys get renamed, a list becomes an object
when it holds one element, a number arrives as a string. These helpers never
raise on such input; the spider decides what counts as a layout problem.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Response

from scanner import jsonsafe
from scanner.crawl.spider import ScanSpider
from scanner.text.clean import is_removed_post


def is_removed_text(text: object) -> bool:
    """Whether a post's text is only the site's "deleted/removed" placeholder."""
    return is_removed_post(text)


def dig(value: Any, *path: str | int) -> Any:
    """``value[path[0]][path[1]]...`` or ``None`` as soon as a step is missing."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return None
        elif not isinstance(value, dict):
            return None
        value = value[step] if isinstance(step, int) else value.get(step)
    return value


def load_json(spider: ScanSpider, response: Response) -> Any:
    """The body as JSON, or ``None`` after reporting a layout problem."""
    try:
        return jsonsafe.loads(response.text)
    except (ValueError, AttributeError) as exc:
        spider.layout_problem(response, f"the answer is not JSON ({exc.__class__.__name__})")
        return None


def as_list(value: object) -> list[str]:
    """A spider argument that may be ``"a,b"`` (``-a``) or a list (an ``args`` table)."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def as_bool(value: object) -> bool:
    """``"1"``, ``"true"``, ``True`` → True; ``"0"``, ``""``, ``None`` → False."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]  # what float() refuses is caught
    except (TypeError, ValueError):
        return None


def text_or_none(value: object) -> str | None:
    """A string field as the site gives it; anything else (a dict, a number) is ``None``."""
    return value if isinstance(value, str) and value.strip() else None
