"""The terminal view of issues: the section the report leads with, and one in full.

An issue is a theme, so it is shown by its words: its name, the phrases people
use for it and two or three posts in different wordings, each cut to one line
of the terminal. Web text enters only through ``textsafe.terminal``.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner import textsafe
from scanner.report.common import day, moment, more_line, sparkline
from scanner.report.model import IssueMember, IssueView, Report

FLAG_STYLE = {"new": "cyan", "growing": "magenta", "coordinated": "red", "back": "yellow"}
PHRASES_SHOWN = 6
ISOLATED_LISTED = 10


def safe(value: object, style: str = "") -> Text:
    return Text(textsafe.terminal(value), style=style)


def flag_text(flags: list[str]) -> Text:
    text = Text()
    for i, flag in enumerate(flags):
        text.append((", " if i else "") + flag, style=FLAG_STYLE.get(flag, ""))
    return text


def issue_label(issue: IssueView) -> str:
    return f"Issue {issue.id}"


def cluster_list(issue: IssueView) -> str:
    return ", ".join(f"#{c}" for c in issue.clusters)


def issues_section(console: Console, report: Report) -> None:
    """Systemic issues in full, isolated ones one line each; nothing before ``scan issues``."""
    systemic, isolated = report.systemic_issues, report.isolated_issues
    if not report.issues and not report.issues_systemic_more + report.issues_isolated_more:
        return
    if systemic:
        total = len(systemic) + report.issues_systemic_more
        console.print(Text(f"Systemic issues ({total}), most people first", style="bold"))
        for issue in systemic:
            _summary(console, issue)
        if report.issues_systemic_more:
            console.print(more_line(report.issues_systemic_more, "systemic issues"))
    else:
        console.print(Text("No systemic issue.", style="green"))
    if isolated:
        total = len(isolated) + report.issues_isolated_more
        console.print()
        console.print(Text(f"Isolated issues ({total}), newest first", style="bold"))
        for issue in isolated[:ISOLATED_LISTED]:
            counts = f" · {issue.people} people · {issue.mentions} posts"
            line = Text.assemble(
                f"  {issue_label(issue)} · ", safe(issue.name, "bold"), counts,
                f" · last {day(issue.last_seen)}",
            )  # fmt: skip
            console.print(line, overflow="ellipsis", no_wrap=True)
        hidden = len(isolated) - ISOLATED_LISTED + report.issues_isolated_more
        if hidden > 0:
            console.print(more_line(hidden, "isolated issues"))
    console.print()


def _summary(console: Console, issue: IssueView) -> None:
    """Head line (wrapped, so the flags are never cut), phrases and clusters, examples."""
    width = console.width
    head = Text.assemble(
        (issue_label(issue), "bold red"), " · ", safe(issue.name, "bold"),
        f" · {issue.people} people · {issue.mentions} posts · {sparkline(issue.weekly)}",
    )  # fmt: skip
    if issue.flags:
        head.append(" · ")
        head.append_text(flag_text(issue.flags))
    console.print(head)
    phrases = ", ".join(issue.phrases[:PHRASES_SHOWN])
    _labelled(console, "Phrases: ", safe(textsafe.width_cut(phrases, 2 * (width - 12))))
    if issue.clusters:
        clusters = textsafe.width_cut(cluster_list(issue), 2 * (width - 15))
        _labelled(console, "Grievances: ", Text(clusters))
    for example in issue.examples[:3]:
        console.print(_example(example, width))


def _labelled(console: Console, label: str, text: Text) -> None:
    """``  Label: text`` with the text wrapped under itself, not under the label."""
    grid = Table.grid()
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row("  " + label, text)
    console.print(grid)


def _example(m: IssueMember, width: int) -> Text:
    where = f" ({textsafe.terminal(m.source)}, {day(m.published_at)})"
    room = max(20, width - 6 - sum(textsafe.cell_width(c) for c in where))
    quote = textsafe.width_cut(" ".join(textsafe.terminal(m.text).split()), room)
    return Text.assemble("  “", Text(quote, style="italic"), "”", Text(where, style="dim"))


def issue_detail(console: Console, issue: IssueView) -> None:
    """``--issue ID``: every post, with its author, source, date, link and text."""
    style = "bold red" if issue.verdict == "systemic" else "bold"
    console.print(Text.assemble((issue_label(issue), "bold"), " · ", safe(issue.name, "bold"),
                                " · ", (issue.verdict, style)))  # fmt: skip
    console.print(
        f"People {issue.people} · posts {issue.mentions} · first seen {moment(issue.first_seen)}"
        f" · last seen {moment(issue.last_seen)}"
    )
    console.print(Text.assemble("Phrases: ", safe(", ".join(issue.phrases))))
    console.print(f"Grievances (near-duplicate clusters): {cluster_list(issue) or 'none'}")
    console.print(Text.assemble("Sources: ", safe(", ".join(issue.sources))))
    console.print(Text.assemble("Flags: ", flag_text(issue.flags) if issue.flags else "none"))
    console.print(f"Trend (weekly posts): {sparkline(issue.weekly)}")
    for i, m in enumerate(issue.members, 1):
        console.print()
        line = Text.assemble(
            f"{i}. {moment(m.published_at)} · ", safe(m.source), " · ",
            safe(m.author or "(no author)"), " · ", safe(m.id, "dim"),
        )  # fmt: skip
        if m.phrase:
            line.append_text(Text.assemble(" · says ", safe(m.phrase, "italic")))
        console.print(line)
        link = textsafe.safe_url(m.url)
        if link:
            console.print(Text("   " + link, style="blue"))
        console.print(Text(textsafe.terminal(m.text, single_line=False)), soft_wrap=True)
