"""The terminal view: header, systemic issues, systemic table, isolated list; or one in full.

Drawn with rich, which fits tables to the width and honours ``NO_COLOR``. Web
text enters only as ``rich.text.Text`` built from ``textsafe.terminal`` output,
so neither escape sequences nor rich markup in a post can do anything.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner import textsafe
from scanner.report.common import (
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
from scanner.report.model import ClusterView, Report
from scanner.report.text_issues import FLAG_STYLE, issue_detail, issues_section
from scanner.report.text_table import Column, Layout, draw

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
    _systemic(console, report, tty)
    _isolated(console, report, tty)
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
    hint = empty_period_line(report)
    if hint:
        console.print(_safe(hint, "yellow"))
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


def _best_category(report: Report, cluster: ClusterView) -> Text:
    """The best-scoring category, and how many more there are."""
    labels = report.category_labels
    first = labels.get(cluster.categories[0], cluster.categories[0]) if cluster.categories else ""
    more = len(cluster.categories) - 1
    return _safe(f"{first} +{more}" if more > 0 else first)


def _first_source(report: Report, cluster: ClusterView) -> Text:
    more = len(cluster.sources) - 1
    first = cluster.sources[0] if cluster.sources else ""
    return _safe(f"{first} +{more}" if more > 0 else first)


# Columns most important first. Flags stay whole (a possible review bomb must show);
# long lists give way to their first entry, then the least important columns go.
SYSTEMIC = Layout(
    columns=[
        Column("ID", lambda r, c: Text(short_id(c), style="bold red")),
        Column("People", lambda r, c: Text(str(c.people), style="bold"), right=True),
        Column("Posts", lambda r, c: Text(str(c.mentions)), right=True),
        Column("Flags", lambda r, c: _flags(c)),
        Column("Category", lambda r, c: _safe(category_text(r, c)), short=_best_category),
        Column("Last", lambda r, c: Text(day(c.last_seen))),
        Column("Sources", lambda r, c: _safe(", ".join(c.sources)), short=_first_source),
        Column("Trend", lambda r, c: Text(sparkline(c.weekly))),
        Column("First", lambda r, c: Text(day(c.first_seen))),
    ],
    essential=5,
    drops=["First", "Trend", "Sources", "Last"],
    order=["ID", "People", "Posts", "First", "Last", "Trend", "Flags", "Category", "Sources"],
)
ISOLATED = Layout(
    columns=[
        Column("ID", lambda r, c: Text(short_id(c))),
        Column("Last", lambda r, c: Text(day(c.last_seen))),
        Column("Posts", lambda r, c: Text(str(c.mentions)), right=True),
        Column("Flags", lambda r, c: _flags(c)),
        Column("Category", lambda r, c: _safe(category_text(r, c)), short=_best_category),
        Column("Sources", lambda r, c: _safe(", ".join(c.sources)), short=_first_source),
    ],
    essential=5,
    drops=["Sources"],
    order=["ID", "Posts", "Last", "Flags", "Category", "Sources"],
)


def _cluster_table(
    console: Console,
    report: Report,
    tty: bool,
    title: str,
    layout: Layout,
    clusters: list[ClusterView],
) -> None:
    console.print(Text(title, style="bold"))
    draw(console, report, layout, clusters, lambda c: _safe(c.representative), rule=tty)


def _systemic(console: Console, report: Report, tty: bool) -> None:
    systemic = report.systemic
    if not systemic:
        console.print(Text("No systemic grievance.", style="green"))
        console.print()
        return
    title = f"Systemic grievances ({len(systemic) + report.systemic_more}), most people first"
    _cluster_table(console, report, tty, title, SYSTEMIC, systemic)
    if report.systemic_more:
        console.print(more_line(report.systemic_more, "systemic grievances"))
    console.print()


def _isolated(console: Console, report: Report, tty: bool) -> None:
    isolated, hidden = report.isolated, hidden_line(report)
    if not isolated:
        several = " with more than one post" if hidden else ""
        console.print(f"No isolated grievance{several} in the period.")
        if hidden:
            console.print(hidden)
        return
    title = "Isolated grievances, newest first"
    _cluster_table(console, report, tty, title, ISOLATED, isolated)
    if report.isolated_more:
        console.print(more_line(report.isolated_more, "isolated grievances"))
    if hidden:
        console.print(hidden)


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
