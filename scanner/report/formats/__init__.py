"""Drawing a report or a comparison: one module per format.

``text``, ``markdown``, ``html``, ``csv`` and ``json`` each draw a report (its
issues and grievances, or one of them in full) and, all but CSV, a comparison
with competitors (``scan compare``); ``common`` holds what they share. Each
offers ``render_report(report, screen)`` and ``render_comparison(cmp, screen)``;
only text looks at the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.compare.model import Comparison
    from scanner.report.model import Report

REPORT_FORMATS = ("text", "json", "csv", "markdown", "html")
COMPARISON_FORMATS = ("text", "json", "markdown", "html")


@dataclass(frozen=True)
class Screen:
    """Where the text goes: its width, and whether it is a terminal that takes colours."""

    width: int = 100
    color: bool = False
    tty: bool = False


def render(
    report: Report, fmt: str, *, width: int = 100, color: bool = False, tty: bool = False
) -> str:
    """The report in one of ``REPORT_FORMATS``."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"no report format {fmt!r}")
    # Imported when asked for: `scan report` in text need not load the HTML templates.
    module = import_module(f"{__name__}.{fmt}")
    return module.render_report(report, Screen(width, color, tty))


def render_comparison(
    cmp: Comparison, fmt: str, *, width: int = 100, color: bool = False, tty: bool = False
) -> str:
    """The comparison in one of ``COMPARISON_FORMATS``."""
    if fmt not in COMPARISON_FORMATS:
        raise ValueError(f"no comparison format {fmt!r}")
    module = import_module(f"{__name__}.{fmt}")
    return module.render_comparison(cmp, Screen(width, color, tty))
