"""Draw a report in one format. Text needs to know about the terminal; others do not."""

from __future__ import annotations

from importlib import import_module

from scanner.report.model import Report

MODULES = {
    "text": "as_text",
    "json": "as_json",
    "csv": "as_csv",
    "markdown": "as_markdown",
    "html": "as_html",
}


def render(
    report: Report, fmt: str, *, width: int = 100, color: bool = False, tty: bool = False
) -> str:
    module = import_module(f"scanner.report.{MODULES[fmt]}")
    if fmt == "text":
        return module.render(report, width=width, color=color, tty=tty)
    return module.render(report)
