"""``scan report``: what a person reads each morning, in text, JSON, CSV, Markdown or HTML.

``build`` (in ``builder``) computes a :class:`~scanner.report.model.Report`;
``render`` draws it in one format. Each format is its own module so a new
section or a new format touches one place; issues (themes over clusters) are
drawn by ``text_issues``, ``md_issues`` and ``html_issues``. The builder module
is not called ``build``: importing a submodule of that name would replace this
function on the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.report.model import Report

FORMATS = ("text", "json", "csv", "markdown", "html")


def build(*args: Any, **kwargs: Any) -> Report:
    from scanner.report.builder import build as _build

    return _build(*args, **kwargs)
