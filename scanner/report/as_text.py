"""The terminal view: header, systemic issues, systemic table, isolated list; or one in full.

Drawn with rich, which fits tables to the width and honours ``NO_COLOR``. Web
text enters only as ``rich.text.Text`` built from ``textsafe.terminal`` output,
so neither escape sequences nor rich markup in a post can do anything.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner import textsafe
from scanner.report.common import (
    category_text,
    day,
    header_counts,
    moment,
    more_line,
    short_id,
    sparkline,
)
from scanner.report.model import ClusterView, Report
from scanner.report.text_issues import FLAG_STYLE, issue_detail, issues_section

HEALTH_STYLE = {
    "ok": "green",
    "failed": "red",
    "blocked": "red",
    "changed": "yellow",
    "silent": "yellow",
    "empty": "yellow",
}


def render(report: Report, *, width: int = 100, color: bool = False, tty: bool = False) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )
    boxed = box.SIMPLE_HEAD if tty else None
    if report.detail:
        for cluster in report.clusters:
            _detail(console, report, cluster)
        for issue in report.issues:
            issue_detail(console, issue)
        return _finish(out.getvalue(), tty)
    _header(console, report, boxed)
    issues_section(console, report)
    _systemic(console, report, boxed)
    _isolated(console, report, boxed)
    return _finish(out.getvalue(), tty)


def _finish(text: str, tty: bool) -> str:
    """Piped output is plain text: no padding at line ends."""
    if tty:
        return text
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _safe(value: object, style: str = "") -> Text:
    return Text(textsafe.terminal(value), style=style)


def _table(boxed: box.Box | None, title: str, *, expand: bool = False) -> Table:
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=boxed,
        show_edge=False,
        pad_edge=False,
        header_style="bold",
        expand=expand,
    )


def _header(console: Console, report: Report, boxed: box.Box | None) -> None:
    p = report.period
    console.print(Text.assemble(("scan report", "bold"), " · ", _safe(report.company, "bold")))
    console.print(f"Period {day(p['since'])} → {day(p['until'])} (as of {moment(p['as_of'])})")
    console.print(header_counts(report))
    if report.companies:
        table = _table(boxed, "Companies")
        for col in ("Company", "Mentions", "Grievances", "Systemic"):
            table.add_column(col, justify="left" if col == "Company" else "right")
        for c in report.companies:
            table.add_row(
                _safe(c["name"]), str(c["mentions"]), str(c["grievances"]), str(c["systemic"])
            )
        console.print(table)
    if report.sources:
        table = _table(boxed, "Sources")
        for col in ("Source", "Last crawl", "Health", ""):
            table.add_column(col, overflow="ellipsis", no_wrap=True)
        for s in report.sources:
            health = s.health or "never crawled"
            table.add_row(
                _safe(s.name),
                moment(s.last_run_at) or "-",
                Text(health, style=HEALTH_STYLE.get(health, "dim")),
                _safe(s.message),
            )
        console.print(table)
    console.print()


def _flags(cluster: ClusterView) -> Text:
    text = Text()
    for i, flag in enumerate(cluster.flags):
        text.append((", " if i else "") + flag, style=FLAG_STYLE.get(flag, ""))
    return text


# Columns of the two tables: (heading, width it needs, cell). Columns are kept in
# this order of importance while they fit the terminal; the grievance text takes
# what is left (at least GRIEVANCE_MIN cells).
Column = tuple[str, int, Callable[[Report, ClusterView], "Text | str"]]
GRIEVANCE_MIN = 24
SYSTEMIC_COLUMNS: list[Column] = [
    ("ID", 6, lambda r, c: Text(short_id(c), style="bold red")),
    ("People", 6, lambda r, c: Text(str(c.people), style="bold")),
    ("Posts", 5, lambda r, c: str(c.mentions)),
    ("Flags", 14, lambda r, c: _flags(c)),
    ("Category", 18, lambda r, c: _safe(category_text(r, c))),
    ("Last", 10, lambda r, c: day(c.last_seen)),
    ("Trend", 8, lambda r, c: sparkline(c.weekly)),
    ("Sources", 14, lambda r, c: _safe(", ".join(c.sources))),
    ("First", 10, lambda r, c: day(c.first_seen)),
]
ISOLATED_COLUMNS: list[Column] = [
    ("ID", 6, lambda r, c: short_id(c)),
    ("Last", 10, lambda r, c: day(c.last_seen)),
    ("Posts", 5, lambda r, c: str(c.mentions)),
    ("Flags", 14, lambda r, c: _flags(c)),
    ("Category", 18, lambda r, c: _safe(category_text(r, c))),
    ("Sources", 14, lambda r, c: _safe(", ".join(c.sources))),
]
DISPLAY_ORDER = ["ID", "Category", "People", "Posts", "Sources", "First", "Last", "Trend", "Flags"]


def _fitting(columns: list[Column], width: int) -> list[Column]:
    budget, chosen = width - GRIEVANCE_MIN - 2, []
    for column in columns:
        if column[1] + 2 <= budget:
            chosen.append(column)
            budget -= column[1] + 2
    return sorted(chosen, key=lambda col: DISPLAY_ORDER.index(col[0]))


def _cluster_table(
    console: Console,
    report: Report,
    boxed: box.Box | None,
    title: str,
    columns: list[Column],
    clusters: list[ClusterView],
) -> None:
    chosen = _fitting(columns, console.width)
    table = _table(boxed, title, expand=True)
    for heading, need, _ in chosen:
        numeric = heading in {"People", "Posts"}
        table.add_column(
            heading,
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=max(need, 24),
            min_width=min(need, 10),
        )
    table.add_column(
        "Grievance", overflow="ellipsis", no_wrap=True, ratio=1, min_width=GRIEVANCE_MIN
    )
    for c in clusters:
        table.add_row(*(cell(report, c) for _, _, cell in chosen), _safe(c.representative))
    console.print(table)


def _systemic(console: Console, report: Report, boxed: box.Box | None) -> None:
    systemic = report.systemic
    if not systemic:
        console.print(Text("No systemic grievance.", style="green"))
        console.print()
        return
    title = f"Systemic grievances ({len(systemic) + report.systemic_more}), most people first"
    _cluster_table(console, report, boxed, title, SYSTEMIC_COLUMNS, systemic)
    if report.systemic_more:
        console.print(more_line(report.systemic_more, "systemic grievances"))
    console.print()


def _isolated(console: Console, report: Report, boxed: box.Box | None) -> None:
    isolated = report.isolated
    if not isolated:
        console.print("No isolated grievance in the period.")
        return
    title = "Isolated grievances, newest first"
    _cluster_table(console, report, boxed, title, ISOLATED_COLUMNS, isolated)
    if report.isolated_more:
        console.print(more_line(report.isolated_more, "isolated grievances"))


def _detail(console: Console, report: Report, c: ClusterView) -> None:
    style = "bold red" if c.verdict == "systemic" else "bold"
    console.print(Text.assemble(("Grievance " + short_id(c), "bold"), " · ", (c.verdict, style)))
    console.print(
        f"People {c.people} · posts {c.mentions} · first seen {moment(c.first_seen)}"
        f" · last seen {moment(c.last_seen)}"
    )
    console.print(Text.assemble("Sources: ", _safe(", ".join(c.sources))))
    console.print(Text.assemble("Categories: ", _safe(category_text(report, c))))
    console.print(Text.assemble("Flags: ", _flags(c) if c.flags else Text("none")))
    console.print(f"Trend (weekly posts): {sparkline(c.weekly)}")
    for i, m in enumerate(c.members, 1):
        console.print()
        console.print(
            Text.assemble(
                f"{i}. {moment(m.published_at)} · ",
                _safe(m.source),
                " · ",
                _safe(m.author or "(no author)"),
                " · ",
                _safe(m.id, "dim"),
            )
        )
        link = textsafe.safe_url(m.url)
        if link:
            console.print(Text("   " + link, style="blue"))
        console.print(Text(textsafe.terminal(m.text, single_line=False)), style="", soft_wrap=True)
