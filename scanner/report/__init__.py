"""``scan report``: what a person reads each morning, in text, JSON, CSV, Markdown or HTML.

``build`` (in ``builder``) computes a :class:`~scanner.report.model.Report`;
``formats.render`` draws it in one format, and ``formats.render_comparison``
draws a comparison (``scan compare``). Each format is one module of
``formats`` (text, markdown, html, csv, json) that draws the grievances, the
issues and the comparison, so a new section or a new format touches one
place. The builder module is not called ``build``: importing a submodule of
that name would replace this function on the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.report.model import Report


def build(*args: Any, **kwargs: Any) -> Report:
    from scanner.report.builder import build as _build

    return _build(*args, **kwargs)
