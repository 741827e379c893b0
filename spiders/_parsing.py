"""Small helpers the JSON-reading spiders share: safe digging, arguments, removed posts.

Site JSON is hostile in a dull way: keys get renamed, a list becomes an object
when it holds one element, a number arrives as a string. These helpers never
raise on such input; the spider decides what counts as a layout problem.
"""

from __future__ import annotations

import json
import re
from typing import Any

from scrapy.http import Response

from scanner.spiderbase import ScanSpider

# What sites print in place of a post that was deleted by its author or removed by
# a moderator (Reddit's "[deleted]"/"[removed]", HN's "[flagged]"/"[dead]", review
# sites' "this review has been removed ...").
# Anchored at the start, so that a complaint that merely *mentions* a removed review
# is not mistaken for one (the same rule as spiders/_pageparts.py).
_REMOVED = re.compile(
    r"^\s*\[(?:deleted|removed|flagged|dead)\]\s*$"
    r"|^\s*(?:this\s+)?(?:review|post|comment)\s+(?:has\s+been|was|is)\s+"
    r"(?:removed|deleted|taken\s+down)\b",
    re.IGNORECASE,
)


def is_removed_text(text: object) -> bool:
    """Whether a post's text is only the site's "deleted/removed" placeholder."""
    return isinstance(text, str) and bool(_REMOVED.search(text))


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
        return json.loads(response.text)
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
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def text_or_none(value: object) -> str | None:
    """A string field as the site gives it; anything else (a dict, a number) is ``None``."""
    return value if isinstance(value, str) and value.strip() else None
