"""``scan report``: what a person reads each morning, in text, JSON, CSV, Markdown or HTML.

``build`` (in ``builder``) computes a :class:`~scanner.report.model.Report`;
``formats.render`` draws it in one format, and ``formats.render_comparison``
draws a comparison (``scan compare``). Each format is one module of
``formats`` (text, markdown, html, csv, json) that draws the grievances, the
issues and the comparison, so a new section or a new format touches one
place. The builder module is not called ``build``: importing a submodule of
that name would replace the function on the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.report.builder import build as build


def __getattr__(name: str) -> Any:
    """``build`` is the builder's own function, imported on first use: the
    builder pulls in the store and the verdict, which ``scan --help`` and the
    format modules do not need."""
    if name == "build":
        from scanner.report.builder import build

        return build
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
