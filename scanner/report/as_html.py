"""``--format html``: one standalone page, readable offline, safe to open.

No scripts, no external stylesheets, fonts or images: styles are inline and
the volume chart is an inline SVG. Web text is escaped by ``textsafe.html`` and
links are http(s) only, with ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

from scanner import textsafe
from scanner.report.common import (
    ISOLATED_COLUMNS,
    NUMBER_COLUMNS,
    SYSTEMIC_COLUMNS,
    category_text,
    day,
    empty_period_line,
    header_counts,
    hidden_line,
    moment,
    more_line,
    short_id,
    sparkline,
)
from scanner.report.html_issues import issue_detail, issues_section
from scanner.report.model import ClusterView, Report

h = textsafe.html
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.num{text-align:right}.nowrap{white-space:nowrap}.text{min-width:12em;overflow-wrap:anywhere}
@media (max-width:60rem){.optional{display:none}}
.systemic{color:#b00020;font-weight:bold}
.flag{display:inline-block;background:#eef;border-radius:3px;padding:0 .3rem;margin:.1rem;
white-space:nowrap}
.post{border-left:3px solid #ccc;padding:.2rem .8rem;margin:.6rem 0;white-space:pre-wrap}
.meta{color:#555;font-size:90%}.hint{color:#8a5a00}svg{max-width:100%;height:auto}
"""


def render(report: Report) -> str:
    title = f"Grievance report: {h(report.company)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">' + textsafe.CSP_META,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
    ]
    if report.detail:
        parts += [_detail(report, c) for c in report.clusters]
        parts += [issue_detail(i) for i in report.issues]
        return "\n".join([*parts, "</body></html>"]) + "\n"
    p = report.period
    parts.append(
        f"<p>Period {day(p['since'])} to {day(p['until'])} (as of "
        f"{h(moment(p['as_of']))}). {h(header_counts(report))}</p>"
    )
    hint = empty_period_line(report)
    if hint:
        parts.append(f'<p class="hint">{h(hint)}</p>')
    parts.append(chart(report))
    if report.companies:
        rows = [
            [h(c["name"]), c["mentions"], c["grievances"], c["systemic"]] for c in report.companies
        ]
        parts.append(_table("Companies", ["Company", "Mentions", "Grievances", "Systemic"], rows))
    if report.sources:
        rows = [
            [
                h(s.name),
                h(moment(s.last_run_at)) or "-",
                h(s.health or "never crawled"),
                h(s.message),
            ]
            for s in report.sources
        ]
        parts.append(_table("Sources", ["Source", "Last crawl", "Health", "Note"], rows))
    parts.append(issues_section(report))
    rows = [
        [
            f'<span class="systemic">{short_id(c)}</span>',
            h(category_text(report, c)),
            c.people,
            c.mentions,
            h(", ".join(c.sources)),
            day(c.first_seen),
            day(c.last_seen),
            sparkline(c.weekly),
            _flags(c),
            h(c.representative),
        ]
        for c in report.systemic
    ]
    heads = list(SYSTEMIC_COLUMNS)
    parts.append(_table("Systemic grievances", heads, rows, empty="No systemic grievance."))
    parts.append(_more(report.systemic_more, "systemic grievances"))
    rows = [
        [
            short_id(c),
            day(c.last_seen),
            h(category_text(report, c)),
            c.mentions,
            h(", ".join(c.sources)),
            _flags(c),
            h(c.representative),
        ]
        for c in report.isolated
    ]
    heads = list(ISOLATED_COLUMNS)
    hidden = hidden_line(report)
    several = " with more than one post" if hidden else ""
    empty = f"No isolated grievance{several} in the period."
    parts.append(_table("Isolated grievances, newest first", heads, rows, empty=empty))
    parts.append(_more(report.isolated_more, "isolated grievances"))
    if hidden:
        parts.append(f"<p>{h(hidden)}</p>")
    return "\n".join([*parts, "</body></html>"]) + "\n"


def _more(count: int, what: str) -> str:
    return f"<p>{h(more_line(count, what))}</p>" if count else ""


def _flags(c: ClusterView) -> str:
    return "".join(f'<span class="flag">{h(f)}</span>' for f in c.flags)


# Columns whose cells must stay on one line; the text column that gets the room; and
# the columns a narrow window leaves out, so the grievance stays readable there.
NOWRAP = {"ID", "First seen", "Last seen", "Last crawl", "Trend"}
TEXT = {"Grievance"}
OPTIONAL = {"First seen", "Trend"}


def _classes(heading: str) -> str:
    names = [
        name
        for name, columns in (("num", NUMBER_COLUMNS), ("nowrap", NOWRAP), ("text", TEXT),
                              ("optional", OPTIONAL))
        if heading in columns
    ]  # fmt: skip
    return f' class="{" ".join(names)}"' if names else ""


def _table(title: str, heads: list[str], rows: list[list[object]], *, empty: str = "") -> str:
    """Cells are already escaped (or numbers).

    A number column is right-aligned, its heading with it, so each number sits
    under its own heading; dates and ids never wrap ("2026-/10-07").
    """
    if not rows:
        return f"<h2>{h(title)}</h2><p>{h(empty)}</p>"
    classes = [_classes(x) for x in heads]
    head = "".join(f"<th{c}>{h(x)}</th>" for x, c in zip(heads, classes, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{c}>{v}</td>" for v, c in zip(row, classes, strict=True)) + "</tr>"
        for row in rows
    )
    return f"<h2>{h(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


SERIES = (("mentions", "#ccc", 0.1, "posts"), ("grievances", "#b00020", 0.25, "grievances"))


def chart(report: Report, *, width: int = 720, height: int = 200) -> str:
    """Posts and grievances per week as an inline SVG bar chart, with a visible legend."""
    weeks = report.volume
    if not weeks:
        return ""
    top = max(max(w["mentions"] for w in weeks), 1)
    pad, legend, base = 34, 26, height - 24
    scale = (base - legend) / top
    step = (width - pad) / len(weeks)
    bars = []
    for i, w in enumerate(weeks):
        x = pad + i * step
        for key, colour, inset, _ in SERIES:
            bar = scale * w[key]
            bars.append(
                f'<rect x="{x + step * inset:.1f}" y="{base - bar:.1f}" '
                f'width="{step * (1 - 2 * inset):.1f}" height="{bar:.1f}" fill="{colour}">'
                f"<title>week of {day(w['week_start'])}: {w[key]} {key}</title></rect>"
            )
    labels = [
        f'<text x="{pad + i * step:.1f}" y="{height - 6}" font-size="11">'
        f"{day(w['week_start'])[5:]}</text>"
        for i, w in enumerate(weeks)
        if i % max(1, len(weeks) // 8) == 0
    ]
    keys, x = [], pad
    for _, colour, _, label in SERIES:
        keys.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/>'
                    f'<text x="{x + 17}" y="14" font-size="12">{label}</text>')  # fmt: skip
        x += 30 + 7 * len(label)
    keys.append(f'<text x="{x}" y="14" font-size="12" fill="#555">per week; '
                "x: week starting (month-day)</text>")  # fmt: skip
    axis = (f'<text x="{pad - 4}" y="{base - scale * top + 4:.1f}" font-size="11" '
            f'text-anchor="end">{top}</text><text x="{pad - 4}" y="{base + 4}" font-size="11" '
            'text-anchor="end">0</text>')  # fmt: skip
    return (
        f'<h2>Volume per week</h2><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<title>Posts (grey) and grievances (red) per week</title>"
        + "".join(keys)
        + axis
        + f'<line x1="{pad}" y1="{base}" x2="{width}" y2="{base}" stroke="#888"/>'
        + "".join(bars)
        + "".join(labels)
        + "</svg>"
    )


def _detail(report: Report, c: ClusterView) -> str:
    cls = ' class="systemic"' if c.verdict == "systemic" else ""
    out = [
        f"<h2>Grievance {short_id(c)}: <span{cls}>{h(c.verdict)}</span></h2>",
        f'<p class="meta">People {c.people} · posts {c.mentions} · sources '
        f"{h(', '.join(c.sources))} · first seen {h(moment(c.first_seen))} · last seen "
        f"{h(moment(c.last_seen))} · categories {h(category_text(report, c))} · "
        f"flags {_flags(c) or 'none'} · trend {sparkline(c.weekly)}</p>",
    ]
    for m in c.members:
        link = textsafe.safe_url(m.url)
        anchor = (
            f' · <a href="{h(link)}" rel="noopener noreferrer nofollow">link</a>' if link else ""
        )
        out.append(
            f'<div class="meta">{h(moment(m.published_at))} · {h(m.source)} · '
            f"{h(m.author or '(no author)')} · {h(m.id)}{anchor}</div>"
            f'<div class="post">{h(m.text)}</div>'
        )
    return "\n".join(out)
