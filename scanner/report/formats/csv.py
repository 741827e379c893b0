"""``--format csv``: one row per grievance and per issue, or per post in full views.

The ``kind`` column tells cluster rows (``cluster``: near-duplicate posts) from
issue rows (``issue``: a theme in different words; its ``name``, ``phrases``
and the ``clusters`` rolled up into it are filled). Every cell goes through
``textsafe.csv_cell`` so a post starting with ``=`` or ``@`` stays text when
the file is opened in a spreadsheet. A comparison has no CSV form (its rows
are nested: a grievance, then each company's rate); use JSON.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from scanner.text.safe import csv_cell

if TYPE_CHECKING:
    from scanner.report.formats import Screen
    from scanner.report.model import Report

ROW_COLUMNS = [
    "kind",
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
    "title",
    "name",
    "phrases",
    "clusters",
    "issues",  # a grievance's: the systemic issues listed that hold it
]
MEMBER_COLUMNS = ["cluster_id", "id", "source", "author", "url", "published_at", "title", "text"]
ISSUE_MEMBER_COLUMNS = [
    "issue_id",
    "id",
    "source",
    "author",
    "url",
    "published_at",
    "phrase",
    "text",
]


def render_report(report: Report, screen: Screen) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")

    def write(row: list[object]) -> None:
        writer.writerow([csv_cell(v) for v in row])

    if report.detail:
        if report.clusters:
            writer.writerow(MEMBER_COLUMNS)
            for cluster in report.clusters:
                for m in cluster.members:
                    row = [m.id, m.source, m.author, m.url, m.published_at, m.heading, m.text]
                    write([cluster.id, *row])
        for issue in report.issues:
            writer.writerow(ISSUE_MEMBER_COLUMNS)
            for m in issue.members:
                write([issue.id, m.id, m.source, m.author, m.url, m.published_at, m.phrase, m.text])
        return out.getvalue()
    writer.writerow(ROW_COLUMNS)
    for c in report.clusters:
        write(
            [
                "cluster",
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
                c.title,
                "",
                "",
                "",
                ";".join(str(i) for i in c.issues),
            ]
        )
    for i in report.issues:
        example = i.examples[0].quote if i.examples else ""
        write(
            [
                "issue",
                i.id,
                i.verdict,
                i.people,
                i.mentions,
                ";".join(i.sources),
                i.first_seen,
                i.last_seen,
                ";".join(i.categories),
                ";".join(i.flags),
                example,  # an issue's example quote holds its title already
                "",
                i.name,
                ";".join(i.phrases),
                ";".join(str(c) for c in i.clusters),
                "",
            ]
        )
    return out.getvalue()
