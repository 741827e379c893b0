"""Draw a comparison in one format (text needs to know about the terminal; others do not)."""

from __future__ import annotations

import json
from importlib import import_module

from scanner.compare.model import Comparison
from scanner.report.common import clean_json

FORMATS = ("text", "json", "markdown", "html")
MODULES = {"text": "compare_text", "markdown": "compare_markdown", "html": "compare_html"}


def render(
    cmp: Comparison, fmt: str, *, width: int = 100, color: bool = False, tty: bool = False
) -> str:
    if fmt == "json":
        return json.dumps(clean_json(cmp.to_json_dict()), ensure_ascii=False, indent=2) + "\n"
    module = import_module(f"scanner.report.{MODULES[fmt]}")
    if fmt == "text":
        return module.render(cmp, width=width, color=color, tty=tty)
    return module.render(cmp)
