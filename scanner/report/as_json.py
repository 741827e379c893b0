"""``--format json``: the contract scripts rely on (see ``Report.to_json_dict``)."""

from __future__ import annotations

import json

from scanner.report.common import clean_json
from scanner.report.model import Report


def render(report: Report) -> str:
    return json.dumps(clean_json(report.to_json_dict()), ensure_ascii=False, indent=2) + "\n"
