"""The terminal view of a report and of a comparison.

A report is a header, the systemic issues, the systemic table, the isolated
list; or one grievance or issue in full. An issue is a theme, so it is shown by
its words: its name, the phrases people use for it and two or three posts in
different wordings, each cut to one line. A comparison is the companies, then
each standing as a rate table.

Drawn with rich, which fits tables to the width and honours ``NO_COLOR``. Web
text (posts, and names from the config) enters only as ``rich.text.Text`` built
from ``textsafe.terminal`` output, so neither escape sequences nor rich markup
in a post can do anything.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from scanner.compare.model import Comparison, Row
from scanner.report.formats import Screen
from scanner.report.formats import common as cc
from scanner.report.formats.common import (
    category_text,
    day,
    header_counts,
    hidden_line,
    issue_ids,
    moment,
    more_line,
    period_hint,
    short_id,
    sparkline,
)
from scanner.report.formats.text_table import Column, Layout, draw, fit, grid
from scanner.report.model import ClusterView, IssueMember, IssueView, MemberView, Report
from scanner.text import safe as textsafe

FLAG_STYLE = {"new": "cyan", "growing": "magenta", "coordinated": "red", "back": "yellow"}
PHRASES_SHOWN = 6
TREND_STYLE = {"▲": "red", "▼": "green"}
STANDING_STYLE = {"ours_alone": "bold red", "industry_wide": "yellow", "theirs_alone": "green"}
HEALTH_STYLE = {
    "ok": "green",
    "failed": "red",
    "blocked": "red",
    "changed": "yellow",
    "silent": "yellow",
    "empty": "yellow",
    "truncated": "yellow",
    "backlog": "cyan",  # fetching its way through a large site: not a fault
}


def render_report(report: Report, screen: Screen) -> str:
    out = io.StringIO()
    console = _console(out, screen)
    if report.detail:
        for cluster in report.clusters:
            _detail(console, report, cluster)
        for issue in report.issues:
            _issue_detail(console, report, issue)
        return _finish(out.getvalue(), screen.tty)
    _header(console, report, screen.tty)
    _issues(console, report)
    _systemic(console, report, screen.tty)
    _isolated(console, report, screen.tty)
    return _finish(out.getvalue(), screen.tty)


def _console(out: io.StringIO, screen: Screen) -> Console:
    return Console(
        file=out,
        width=screen.width,
        force_terminal=screen.color,
        no_color=not screen.color,
        color_system="standard" if screen.color else None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


def _finish(text: str, tty: bool) -> str:
    """Piped output is plain text: no padding at line ends."""
    if tty:
        return text
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _safe(value: object, style: str = "") -> Text:
    return Text(textsafe.terminal(value), style=style)


def _title(text: str, style: str = "bold") -> Text:
    return Text(text, style=style)


def _header(console: Console, report: Report, tty: bool) -> None:
    p = report.period
    console.print(Text.assemble(("scan report", "bold"), " · ", _safe(report.company, "bold")))
    # The start with its hour unless it is a day's first second: a report as of now
    # counts from this second a week ago, without that day's date-only reviews.
    console.print(f"Period {moment(p['since'])} → {day(p['until'])} (as of {moment(p['as_of'])})")
    console.print(header_counts(report))
    hint = period_hint(report)
    if hint:
        console.print(_safe(hint, "yellow"))
    if report.companies:
        rows = [
            [_safe(c["name"]), *(Text(str(c[k])) for k in cc.COMPANY_KEYS[1:])]
            for c in report.companies
        ]
        right = [col != "Company" for col in cc.COMPANY_HEADS]
        grid(
            console,
            _title("Companies"),
            cc.COMPANY_HEADS,
            rows,
            right=right,
            flexible=[0],
            rule=tty,
        )
    if report.sources:
        rows = [
            [
                _safe(s.name),
                Text(cc.last_crawl(s)),
                Text(s.health or "never crawled", style=HEALTH_STYLE.get(s.health or "", "dim")),
                _safe(s.message),
            ]
            for s in report.sources
        ]
        heads = ("Source", "Last crawl", "Health", "Note")
        grid(console, _title("Sources"), heads, rows, right=[False] * 4, flexible=[3, 0], rule=tty)
    console.print()


def _flags(flags: list[str]) -> Text:
    text = Text()
    for i, flag in enumerate(flags):
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
        Column("Flags", lambda r, c: _flags(c.flags)),
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
        Column("Flags", lambda r, c: _flags(c.flags)),
        Column("Issues", lambda r, c: Text(issue_ids(c)), right=True),
        Column("Category", lambda r, c: _safe(category_text(r, c)), short=_best_category),
        Column("Sources", lambda r, c: _safe(", ".join(c.sources)), short=_first_source),
    ],
    essential=6,
    drops=["Sources"],
    order=["ID", "Posts", "Last", "Flags", "Issues", "Category", "Sources"],
)
# Where no grievance listed is in a systemic issue listed (no issue yet, --verdict
# isolated), an empty Issues column only takes room from the category.
ISOLATED_ALONE = Layout(
    columns=[c for c in ISOLATED.columns if c.heading != "Issues"],
    essential=5,
    drops=ISOLATED.drops,
    order=[h for h in ISOLATED.order if h != "Issues"],
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
    draw(console, report, layout, clusters, lambda c: _safe(c.shown), rule=tty)


def _systemic(console: Console, report: Report, tty: bool) -> None:
    systemic = report.systemic
    if not systemic:
        console.print(Text(cc.none_line(report, "No systemic grievance."), style="green"))
        console.print()
        return
    title = f"Systemic grievances ({len(systemic) + report.systemic_more}), most people first"
    _cluster_table(console, report, tty, title, SYSTEMIC, systemic)
    if report.systemic_more:
        console.print(more_line(report.systemic_more, "systemic grievance"))
    console.print()


def _isolated(console: Console, report: Report, tty: bool) -> None:
    isolated, hidden = report.isolated, hidden_line(report)
    if not isolated:
        several = " with more than one post" if hidden else ""
        console.print(cc.none_line(report, f"No isolated grievance{several} in the period."))
        if hidden:
            console.print(hidden)
        return
    title = "Isolated grievances, newest first"
    layout = ISOLATED if any(c.issues for c in isolated) else ISOLATED_ALONE
    _cluster_table(console, report, tty, title, layout, isolated)
    if report.isolated_more:
        console.print(more_line(report.isolated_more, "isolated grievance"))
    if hidden:
        console.print(hidden)


def _detail(console: Console, report: Report, c: ClusterView) -> None:
    style = "bold red" if c.verdict == "systemic" else "bold"
    console.print(Text.assemble(("Grievance " + short_id(c), "bold"), " · ", (c.verdict, style)))
    console.print(
        f"People {c.people} {cc.people_window(report)} · posts {c.mentions} in all"
        f" · first seen {moment(c.first_seen)} · last seen {moment(c.last_seen)}"
    )
    _wrapped(console, "Sources: " + textsafe.terminal(", ".join(c.sources)))
    _wrapped(console, "Categories: " + textsafe.terminal(category_text(report, c)))
    console.print(Text.assemble("Flags: ", _flags(c.flags) if c.flags else Text("none")))
    console.print(f"Trend (weekly posts): {sparkline(c.weekly)}")
    _posts(console, c.members)


def _issue_label(issue: IssueView) -> str:
    return f"Issue {issue.id}"


def _issues(console: Console, report: Report) -> None:
    """Systemic issues in full, isolated ones one line each; nothing before ``scan issues``."""
    systemic, isolated = report.systemic_issues, report.isolated_issues
    if not report.issues and not report.issues_systemic_more + report.issues_isolated_more:
        return
    window = cc.people_window(report, short=True)
    if systemic:
        total = len(systemic) + report.issues_systemic_more
        console.print(Text(f"Systemic issues ({total}), most people first", style="bold"))
        for issue in systemic:
            _summary(console, issue, window, report.options)
        if report.issues_systemic_more:
            console.print(more_line(report.issues_systemic_more, "systemic issue"))
    else:
        console.print(Text(cc.none_line(report, "No systemic issue."), style="green"))
    if isolated:
        total = len(isolated) + report.issues_isolated_more
        console.print()
        console.print(Text(f"Isolated issues ({total}), newest first", style="bold"))
        for issue in isolated:  # as many as the report holds: --limit, --all
            # No one inside the window (an issue older than it): the posts say enough.
            people = f" · {issue.people} people {window}" if issue.people else ""
            lead = f"  {_issue_label(issue)} · "
            tail = f"{people} · {issue.mentions} posts · last {day(issue.last_seen)}"
            room = max(console.width - len(lead) - len(tail), 8)  # the name gives way
            line = Text.assemble(lead, fit(_safe(issue.name, "bold"), room), tail)
            console.print(line, overflow="ellipsis", no_wrap=True)
        if report.issues_isolated_more:
            console.print(more_line(report.issues_isolated_more, "isolated issue"))
    console.print()


def _summary(console: Console, issue: IssueView, window: str, options: str) -> None:
    """Head line (wrapped, so the flags are never cut), phrases and clusters, examples."""
    width = console.width
    head = [
        Text(_issue_label(issue), "bold red"),
        _safe(issue.name, "bold"),
        Text(f"{issue.people} people {window}"),
        Text(f"{issue.mentions} posts"),
        Text(sparkline(issue.weekly)),
    ]
    _dotted(console, [*head, _flags(issue.flags)] if issue.flags else head)
    phrases = ", ".join(issue.phrases[:PHRASES_SHOWN])
    _labelled(
        console, "Phrases: ", textsafe.terminal(textsafe.width_cut(phrases, 2 * (width - 12)))
    )
    if issue.clusters:
        for line in _grievance_ids(issue, width, options):
            console.print(Text(line), no_wrap=True, overflow="ignore")
    for example in issue.examples[:3]:
        console.print(_example(example, width))


def _grievance_ids(issue: IssueView, width: int, options: str) -> list[str]:
    """The lines of an issue's grievances: as many as fit in two lines beside the
    label, ending with how many more (a cut "#12, #15, …" hid how many it left out)
    and the command that lists them all."""
    limit = cc.SUMMARY_IDS
    while True:
        label, ids, command = cc.issue_grievance_parts(issue, limit, options=options)
        lines = _labelled_lines(label + ": ", ids, width, whole=command)
        if limit == 1 or len(lines) <= 2:
            return lines
        limit -= 1


def _dotted(console: Console, parts: list[Text]) -> None:
    """``parts`` joined by " · " and wrapped between them only, each line within the
    screen by terminal cells (a part wider than a line is cut): the flags at the end
    of an issue's head line are never cut, and a line never breaks inside a name."""
    line, used = Text(), 0
    for part in parts:
        size = textsafe.text_cells(part.plain)
        if used and used + 3 + size > console.width:
            console.print(line, no_wrap=True, overflow="ignore")
            line, used = Text(), 0
        if used:
            line.append(" · ")
            used += 3
        line.append_text(fit(part, console.width - used))
        used += size
    console.print(line, no_wrap=True, overflow="ignore")


def _labelled(console: Console, label: str, text: str) -> None:
    """``  Label: text`` (made safe by the caller) with the text wrapped under itself,
    not under the label."""
    for line in _labelled_lines(label, text, console.width):
        console.print(Text(line), no_wrap=True, overflow="ignore")


def _labelled_lines(label: str, text: str, width: int, *, whole: str = "") -> list[str]:
    """The lines of :func:`_labelled`; ``whole`` (a command to copy) ends them on
    one line (``textsafe.wrap_cells_ending``)."""
    head = "  " + label
    return textsafe.wrap_cells_ending(text, whole, width, head, " " * len(head))


#: Cells an example's quote keeps however long its source's name ("zendesk-export-…").
QUOTE_CELLS = 30


def _example(m: IssueMember, width: int) -> Text:
    when = f", {day(m.published_at)})"
    room_for_source = max(8, width - 6 - QUOTE_CELLS - textsafe.text_cells(" (" + when))
    where = f" ({textsafe.width_cut(textsafe.terminal(m.source), room_for_source)}{when}"
    room = max(20, width - 6 - textsafe.text_cells(where))
    quote = textsafe.width_cut(" ".join(textsafe.terminal(m.quote).split()), room)
    return Text.assemble("  “", Text(quote, style="italic"), "”", Text(where, style="dim"))


def _issue_detail(console: Console, report: Report, issue: IssueView) -> None:
    """``--issue ID``: every post, with its author, source, date, link and text."""
    style = "bold red" if issue.verdict == "systemic" else "bold"
    label, verdict = Text(_issue_label(issue), "bold"), Text(issue.verdict, style)
    _dotted(console, [label, _safe(issue.name, "bold"), verdict])
    console.print(
        f"People {issue.people} {cc.people_window(report)} · posts {issue.mentions} in all"
        f" · first seen {moment(issue.first_seen)} · last seen {moment(issue.last_seen)}"
    )
    _wrapped(console, "Phrases: " + textsafe.terminal(", ".join(issue.phrases)))
    ids = cc.grievance_ids(issue, options=report.options)
    console.print(f"Grievances (near-duplicate clusters): {ids}")
    _wrapped(console, "Sources: " + textsafe.terminal(", ".join(issue.sources)))
    console.print(Text.assemble("Flags: ", _flags(issue.flags) if issue.flags else "none"))
    console.print(f"Trend (weekly posts): {sparkline(issue.weekly)}")
    if not issue.pinned:  # read in full is where a user judges a discovered issue
        name = textsafe.terminal(issue.name)
        hint = f"Not a problem? List “{name}” under [[ignored]] in rules/issues.toml."
        _wrapped(console, hint, "dim")
    _posts(console, issue.members)


def _posts(console: Console, members: Sequence[MemberView]) -> None:
    """Every post of one grievance or issue in full (``--cluster``, ``--issue``): when,
    where, who, its id, the phrase that put it in an issue, its link and its text."""
    for i, m in enumerate(members, 1):
        console.print()
        parts = [
            Text(f"{i}. {moment(m.published_at)}"),
            _safe(m.source),
            _safe(m.author or "(no author)"),
            _safe(m.id, "dim"),
        ]
        if isinstance(m, IssueMember) and m.phrase:  # the phrase that put it in the issue
            parts.append(Text.assemble("says ", _safe(m.phrase, "italic")))
        _dotted(console, parts)
        link = textsafe.safe_url(m.url)
        if link:  # whole, however long: a link broken over two lines is no link
            line = Text("   " + link, style="blue")
            console.print(line, no_wrap=True, overflow="ignore", crop=False)
        # Word-wrapped to the screen like every other line: left to the terminal, a
        # long post broke mid-word at 80 columns ("Ya e" / "scribí al soporte").
        title = m.heading
        if title:
            _wrapped(console, textsafe.terminal(title), "bold")
        _wrapped(console, textsafe.terminal(m.text, single_line=False))


def _wrapped(console: Console, text: str, style: str = "") -> None:
    """``text`` word-wrapped to the screen by terminal cells (``textsafe.wrap_cells``)."""
    for line in textsafe.wrap_cells(text, console.width):
        console.print(Text(line, style=style), no_wrap=True, overflow="ignore")


def render_comparison(cmp: Comparison, screen: Screen) -> str:
    out = io.StringIO()
    console = _console(out, screen)
    tty = screen.tty
    console.print(
        Text.assemble(("scan compare", "bold"), " · ", _safe(cc.comparison_title(cmp), "bold"))
    )
    console.print(_safe(cc.comparison_period(cmp)))
    console.print()
    companies = []
    for company in cmp.companies:
        cells = cc.company_cells(cmp, company)
        companies.append([*(_safe(c) for c in cells[:4]), _trend(cells[4]), _safe(cells[5])])
    right = [col not in {"Company", "Systemic issues"} for col in cc.COMPANY_COLUMNS]
    heads, last = cc.COMPANY_COLUMNS, len(cc.COMPANY_COLUMNS) - 1
    grid(console, _title("Companies"), heads, companies, right=right, flexible=[last, 0], rule=tty)
    console.print()
    listed = False
    for standing, title, rows, more in cc.standings(cmp):
        listed = True
        _rate_table(console, cmp, tty, title, rows, style=STANDING_STYLE.get(standing, "bold"))
        if more:
            console.print(more)
            console.print()
    if not listed:
        console.print(cc.NOTHING_TO_COMPARE)
    if cc.scattered_line(cmp):
        console.print(cc.scattered_line(cmp))
        console.print()
    if cmp.categories:
        _rate_table(console, cmp, tty, "By category", cmp.categories, standings=True)
    for note in cc.comparison_notes(cmp):
        console.print(_safe(note))
    return _finish(out.getvalue(), screen.tty)


def _trend(value: str) -> Text:
    return Text(value, style=TREND_STYLE.get(value[:1], ""))


def _rate_table(
    console: Console,
    cmp: Comparison,
    tty: bool,
    title: str,
    rows: list[Row],
    *,
    style: str = "bold",
    standings: bool = False,
) -> None:
    """Rates per 100 mentions, one section per grievance (or category); with
    ``standings``, a column saying whose problem it is."""
    head = ("Category", "Standing", *cc.RATE_COLUMNS[1:]) if standings else cc.RATE_COLUMNS
    lines: list[list[Text] | None] = []
    for line in cc.rate_lines(cmp, rows):
        if line.first and lines:
            lines.append(None)
        cells: list[Text] = [_safe(line.label)]
        if standings:
            standing = cc.STANDING_SHORT[line.row.standing] if line.first else ""
            cells.append(Text(standing, STANDING_STYLE.get(line.row.standing, "")))
        people = _safe(line.people, "bold" if line.rate.has else "")
        cells += [_safe(line.company), _safe(line.grievances), people, _trend(line.trend)]
        lines.append(cells)
    right = ["/" in col or col == "Trend" for col in head]
    grid(console, _title(title, style), head, lines, right=right, flexible=[0], rule=tty)
    console.print()
