"""``--format json``: the contracts scripts rely on (``Report.to_json_dict``,
``Comparison.to_json_dict``), with web strings freed of control characters."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scanner.report.formats.common import clean_json

if TYPE_CHECKING:
    from scanner.compare.model import Comparison
    from scanner.report.formats import Screen
    from scanner.report.model import Report


def render_report(report: Report, screen: Screen) -> str:
    return _dump(report.to_json_dict())


def render_comparison(cmp: Comparison, screen: Screen) -> str:
    return _dump(cmp.to_json_dict())


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n"
