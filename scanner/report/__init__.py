"""``scan report``: what a person reads each morning, in text, JSON, CSV, Markdown or HTML.

``build`` computes a :class:`~scanner.report.model.Report`; ``render`` draws it in
one format. Each format is its own module so a new section (issues) or a new
format touches one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.report.model import Report

FORMATS = ("text", "json", "csv", "markdown", "html")


def build(*args: Any, **kwargs: Any) -> Report:
    from scanner.report.builder import build as _build

    return _build(*args, **kwargs)
