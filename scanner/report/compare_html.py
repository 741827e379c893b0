"""``scan compare --format html``: one standalone page with a small chart, safe to open.

No script, no external file: styles are inline and the chart is an inline SVG
of people per 100 mentions, one bar per company, for every grievance and the
issues that have a standing. Names are escaped by ``textsafe.html``.
"""

from __future__ import annotations

from scanner import textsafe
from scanner.compare.model import Comparison, Row
from scanner.report import compare_common as cc
from scanner.report.as_html import STYLE

h = textsafe.html
COLOURS = ("#b00020", "#1a5fb4", "#2e7d32", "#e66100", "#613583", "#865e3c", "#5e5c64")
CHART_ROWS = 8
EXTRA_STYLE = ".has{font-weight:bold}.first td{border-top:2px solid #bbb}"


def render(cmp: Comparison) -> str:
    title = h(cc.title(cmp))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{STYLE}{EXTRA_STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>{h(cc.period_line(cmp))}</p>",
        chart(cmp),
        _table("Companies", cc.COMPANY_COLUMNS,
               [[h(c) for c in cc.company_cells(cmp, company)] for company in cmp.companies]),
    ]  # fmt: skip
    listed = False
    for _, heading, rows, more in cc.sections(cmp):
        listed = True
        parts.append(_rates(cmp, heading, rows, cc.RATE_COLUMNS, with_standing=False))
        if more:
            parts.append(f"<p>{h(more)}</p>")
    if not listed:
        parts.append("<p>No issue is held by enough people at any company to compare.</p>")
    if cc.scattered_line(cmp):
        parts.append(f"<p>{h(cc.scattered_line(cmp))}</p>")
    if cmp.categories:
        heads = ("Category", "Standing", *cc.RATE_COLUMNS[1:])
        parts.append(_rates(cmp, "By category", cmp.categories, heads, with_standing=True))
    parts += [f'<p class="meta">{h(note)}</p>' for note in cc.notes(cmp)]
    return "\n".join([*parts, "</body></html>"]) + "\n"


def _table(title: str, heads: tuple[str, ...], rows: list[list[str]]) -> str:
    """Cells are escaped already; the columns of numbers (1-4) are right-aligned."""
    head = "".join(f"<th>{h(x)}</th>" for x in heads)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{v}</td>' if 1 <= i <= 4 else f"<td>{v}</td>"
                         for i, v in enumerate(row)) + "</tr>"
        for row in rows
    )  # fmt: skip
    return f"<h2>{h(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rates(cmp: Comparison, title: str, rows: list[Row], heads: tuple[str, ...], *,
           with_standing: bool) -> str:  # fmt: skip
    body = []
    for line in cc.lines(cmp, rows):
        label = h(line.label)
        if line.first and line.row.phrases:
            label += '<div class="meta">' + h(", ".join(line.row.phrases)) + "</div>"
        cells = [label, h(line.company), f'<td class="num">{h(line.grievances)}',
                 f'<td class="num{" has" if line.rate.has else ""}">{h(line.people)}',
                 f'<td class="num">{h(line.trend)}']  # fmt: skip
        if with_standing:
            cells.insert(1, h(cc.STANDING_SHORT[line.row.standing]) if line.first else "")
        tds = "".join(c + "</td>" if c.startswith("<td") else f"<td>{c}</td>" for c in cells)
        body.append(('<tr class="first">' if line.first else "<tr>") + tds + "</tr>")
    head = "".join(f"<th>{h(x)}</th>" for x in heads)
    return (f"<h2>{h(title)}</h2><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")  # fmt: skip


def chart(cmp: Comparison, *, width: int = 720) -> str:
    """People per 100 mentions: all grievances, then issues of every standing."""
    groups = [("All grievances", [c.all.people_per_100 or 0.0 for c in cmp.companies])]
    sections = [rows for _, _, rows, _ in cc.sections(cmp)]
    # A few of each standing first (ours alone, industry-wide, theirs alone), then the rest.
    each = max(1, CHART_ROWS // max(1, len(sections)))
    listed = [r for rows in sections for r in rows[:each]]
    listed += [r for rows in sections for r in rows[each:]][: max(0, CHART_ROWS - len(listed))]
    groups += [(r.name, [r.rates[n].people_per_100 or 0.0 for n in cmp.names]) for r in listed]
    top = max((v for _, values in groups for v in values), default=0.0) or 1.0
    bar, gap, label_w = 12, 10, 170
    few = {c.name for c in cmp.few}
    per_group = bar * len(cmp.names) + gap
    height = 24 + per_group * len(groups)
    shapes = []
    for g, (label, values) in enumerate(groups):
        y0 = 20 + g * per_group
        shapes.append(f'<text x="0" y="{y0 + bar:.0f}" font-size="11">'
                      f"{h(textsafe.width_cut(label, 28))}</text>")  # fmt: skip
        for i, value in enumerate(values):
            y = y0 + i * bar
            w = (width - label_w - 50) * value / top
            colour = COLOURS[i % len(COLOURS)]
            company = cmp.names[i]
            faint = ' fill-opacity="0.4"' if company in few else ""  # too few mentions
            shapes.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{colour}"'
                f"{faint}>"
                f"<title>{h(company)}: {value:.1f} people per 100 mentions</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 3}" font-size="10">{value:.1f}'
                "</text>"
            )
    legend = " ".join(
        f'<span style="color:{COLOURS[i % len(COLOURS)]}">■</span> {h(cc.name(cmp, n))}'
        for i, n in enumerate(cmp.names)
    )
    return (f'<h2>People per 100 mentions</h2><p class="meta">{legend}</p>'
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}"><title>People per 100 mentions, by company'
            "</title>" + "".join(shapes) + "</svg>")  # fmt: skip
