"""JSON written by strangers, parsed with a bound on how deeply it nests.

``json.loads`` recurses once per level: a line of 100,000 ``[`` raises
``RecursionError``, which is not a ``ValueError``, so code that skips invalid
JSON let it through and lost the whole import (or the whole page, with its
valid JSON-LD blocks). A document that parses but nests a few hundred levels
deep is no better: storing it (``json.dumps``) or walking it recursively fails
later, far from the input. No real record or JSON-LD block nests beyond a
dozen levels, so anything deeper than ``MAX_DEPTH`` is invalid input here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

MAX_DEPTH = 64


class TooDeep(ValueError):
    """The document nests deeper than allowed (a ``ValueError``, as invalid JSON is)."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(f"JSON nested deeper than {max_depth} levels")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads``; :class:`TooDeep` (a ``ValueError``) beyond ``max_depth`` levels."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(max_depth) from None
    if nests_deeper(value, max_depth):
        raise TooDeep(max_depth)
    return value


def nests_deeper(value: Any, max_depth: int) -> bool:
    """Whether ``value`` has lists or dicts more than ``max_depth`` levels deep.

    Walks with an explicit stack, so the check itself cannot recurse too deep.
    """
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
