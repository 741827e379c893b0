"""``--format csv``: one row per grievance, or per post with ``--cluster``.

Every cell goes through ``textsafe.csv_cell`` so a post starting with ``=`` or
``@`` stays text when the file is opened in a spreadsheet.
"""

from __future__ import annotations

import csv
import io

from scanner.report.model import Report
from scanner.textsafe import csv_cell

CLUSTER_COLUMNS = [
    "id",
    "verdict",
    "people",
    "mentions",
    "sources",
    "first_seen",
    "last_seen",
    "categories",
    "flags",
    "representative",
]
MEMBER_COLUMNS = ["cluster_id", "id", "source", "author", "url", "published_at", "text"]


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if report.detail:
        writer.writerow(MEMBER_COLUMNS)
        for cluster in report.clusters:
            for m in cluster.members:
                row = [cluster.id, m.id, m.source, m.author, m.url, m.published_at, m.text]
                writer.writerow([csv_cell(v) for v in row])
        return out.getvalue()
    writer.writerow(CLUSTER_COLUMNS)
    for c in report.clusters:
        row = [
            c.id,
            c.verdict,
            c.people,
            c.mentions,
            ";".join(c.sources),
            c.first_seen,
            c.last_seen,
            ";".join(c.categories),
            ";".join(c.flags),
            c.representative,
        ]
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()
