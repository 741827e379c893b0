"""``--format markdown``: a report or a comparison for a wiki page, a ticket, a chat message.

Every web string (posts, and names from the config) is escaped by
``textsafe.markdown`` (so ``|``, ``*``, ``<`` and ``[`` stay literal, even in
table cells); links are only http(s), with their parentheses encoded so a URL
cannot end the link early. An issue's examples are block quotes cut to a line,
so a post cannot open a table, a list or a link of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.compare.model import CompanyTotals, Comparison, Row
from scanner.report.formats import Screen
from scanner.report.formats import common as cc
from scanner.report.formats.common import (
    ISOLATED_COLUMNS,
    NUMBER_COLUMNS,
    SYSTEMIC_COLUMNS,
    category_text,
    day,
    header_counts,
    hidden_line,
    issue_ids,
    moment,
    more_line,
    none_line,
    period_hint,
    short_id,
    sparkline,
)
from scanner.report.model import ClusterView, IssueMember, IssueView, MemberView, Report
from scanner.text import safe as textsafe

md = textsafe.markdown
EXAMPLE_CELLS = 160


def _link(url: str | None) -> str:
    safe = textsafe.safe_url(url)
    if not safe:
        return ""
    return "<" + safe.replace("(", "%28").replace(")", "%29").replace(">", "%3E") + ">"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _head(heads: list[str] | tuple[str, ...]) -> list[str]:
    """A table's heading row and its rule: number columns right-aligned (``---:``)."""
    return [_row(list(heads)), _row(["---:" if x in NUMBER_COLUMNS else "---" for x in heads])]


def render_report(report: Report, screen: Screen) -> str:
    lines = [f"# Grievance report: {md(report.company)}", ""]
    if report.detail:
        for cluster in report.clusters:
            lines += _detail(report, cluster)
        for issue in report.issues:
            lines += _issue_detail(report, issue)
        return "\n".join(lines) + "\n"
    p = report.period
    lines += [
        f"Period {moment(p['since'])} to {day(p['until'])} (as of {moment(p['as_of'])}).",
        "",
        md(header_counts(report)),
        "",
    ]
    hint = period_hint(report)
    if hint:
        lines += [md(hint), ""]
    if report.companies:
        lines += [
            "## Companies",
            "",
            *_head(cc.COMPANY_HEADS),
        ]
        lines += [
            _row([md(c["name"]), *(str(c[k]) for k in cc.COMPANY_KEYS[1:])])
            for c in report.companies
        ]
        lines.append("")
    if report.sources:
        lines += [
            "## Sources",
            "",
            *_head(["Source", "Last crawl", "Health", "Note"]),
        ]
        lines += [
            _row(
                [
                    md(s.name),
                    cc.last_crawl(s),
                    md(s.health or "never crawled"),
                    md(s.message),
                ]
            )
            for s in report.sources
        ]
        lines.append("")
    lines += _issues(report)
    lines += ["## Systemic grievances", ""]
    if report.systemic:
        lines += _head(SYSTEMIC_COLUMNS)
        lines += [
            _row(
                [
                    short_id(c),
                    md(category_text(report, c)),
                    str(c.people),
                    str(c.mentions),
                    md(", ".join(c.sources)),
                    day(c.first_seen),
                    day(c.last_seen),
                    sparkline(c.weekly),
                    md(", ".join(c.flags)),
                    md(textsafe.width_cut(c.shown, 160)),
                ]
            )
            for c in report.systemic
        ]
        if report.systemic_more:
            lines += ["", md(more_line(report.systemic_more, "systemic grievance"))]
    else:
        lines.append(md(none_line(report, "No systemic grievance.")))
    lines += ["", "## Isolated grievances, newest first", ""]
    if report.isolated:
        lines += _head(ISOLATED_COLUMNS)
        lines += [
            _row(
                [
                    short_id(c),
                    day(c.last_seen),
                    md(category_text(report, c)),
                    str(c.mentions),
                    md(", ".join(c.sources)),
                    md(", ".join(c.flags)),
                    issue_ids(c),
                    md(textsafe.width_cut(c.shown, 160)),
                ]
            )
            for c in report.isolated
        ]
        if report.isolated_more:
            lines += ["", md(more_line(report.isolated_more, "isolated grievance"))]
    else:
        several = " with more than one post" if hidden_line(report) else ""
        lines.append(md(none_line(report, f"No isolated grievance{several} in the period.")))
    if hidden_line(report):
        lines += ["", md(hidden_line(report))]
    return "\n".join(lines).rstrip() + "\n"


def _detail(report: Report, c: ClusterView) -> list[str]:
    lines = [
        f"## Grievance {short_id(c)}: {c.verdict}",
        "",
        f"- People {cc.people_window(report)}: {c.people}",
        f"- Posts in all: {c.mentions}",
        f"- Sources: {md(', '.join(c.sources))}",
        f"- First seen: {moment(c.first_seen)}",
        f"- Last seen: {moment(c.last_seen)}",
        f"- Categories: {md(category_text(report, c))}",
        f"- Flags: {md(', '.join(c.flags)) or 'none'}",
        f"- Trend (weekly posts): {sparkline(c.weekly)}",
        "",
    ]
    return lines + _posts(c.members)


def _issues(report: Report) -> list[str]:
    """Systemic issues with phrases and examples, isolated ones as a table; [] before any run."""
    if not report.issues and not report.issues_systemic_more + report.issues_isolated_more:
        return []
    lines = ["## Systemic issues", ""]
    for issue in report.systemic_issues:
        flags = f" · {md(', '.join(issue.flags))}" if issue.flags else ""
        lines += [
            f"### Issue {issue.id}: {md(issue.name)}",
            "",
            f"{issue.people} people {cc.people_window(report, short=True)} · "
            f"{issue.mentions} posts · trend {sparkline(issue.weekly)}"
            f"{flags}",
            "",
            f"- Phrases: {md(', '.join(issue.phrases[:8]))}",
            "- {}: {}".format(*cc.issue_grievances(issue, cc.SUMMARY_IDS, options=report.options)),
            "",
        ]
        for m in issue.examples[:3]:
            text = textsafe.width_cut(" ".join(textsafe.terminal(m.quote).split()), EXAMPLE_CELLS)
            lines += [f"> {md(text)} ({md(m.source)}, {day(m.published_at)})", ""]
    if not report.systemic_issues:
        lines += [md(none_line(report, "No systemic issue.")), ""]
    if report.issues_systemic_more:
        lines += [md(more_line(report.issues_systemic_more, "systemic issue")), ""]
    if report.isolated_issues:
        lines += [
            "## Isolated issues, newest first",
            "",
            _row(["ID", "Issue", "People", "Posts", "Last seen", "Phrases"]),
            _row(["---:", "---", "---:", "---:", "---", "---"]),
        ]
        lines += [
            _row(
                [
                    str(i.id),
                    md(i.name),
                    str(i.people),
                    str(i.mentions),
                    day(i.last_seen),
                    md(", ".join(i.phrases[:5])),
                ]
            )
            for i in report.isolated_issues
        ]
        lines.append("")
    if report.issues_isolated_more:
        lines += [md(more_line(report.issues_isolated_more, "isolated issue")), ""]
    return lines


def _issue_detail(report: Report, issue: IssueView) -> list[str]:
    """``--issue ID``: every post with author, source, date, link and text."""
    lines = [
        f"## Issue {issue.id}: {md(issue.name)} ({issue.verdict})",
        "",
        f"- People {cc.people_window(report)}: {issue.people}",
        f"- Posts in all: {issue.mentions}",
        f"- Phrases: {md(', '.join(issue.phrases))}",
        f"- Grievances (near-duplicate clusters): "
        f"{cc.grievance_ids(issue, options=report.options)}",
        f"- Sources: {md(', '.join(issue.sources))}",
        f"- First seen: {moment(issue.first_seen)}",
        f"- Last seen: {moment(issue.last_seen)}",
        f"- Flags: {md(', '.join(issue.flags)) or 'none'}",
        f"- Trend (weekly posts): {sparkline(issue.weekly)}",
        "",
    ]
    return lines + _posts(issue.members)


def _posts(members: Sequence[MemberView]) -> list[str]:
    """Every post of one grievance or issue in full (``--cluster``, ``--issue``): when,
    where, who, its id, the phrase that put it in an issue, its link, title and text."""
    lines: list[str] = []
    for i, m in enumerate(members, 1):
        says = f" · says {md(m.phrase)}" if isinstance(m, IssueMember) and m.phrase else ""
        lines += [
            f"### {i}. {moment(m.published_at)}, {md(m.source)}, {md(m.author or '(no author)')}",
            "",
            f"Id: {md(m.id)}{says}",
        ]
        url = _link(m.url)
        if url:
            lines.append(f"Link: {url}")
        title = m.heading
        lines += [
            "",
            *([f"> **{md(textsafe.terminal(title))}**", ">"] if title else []),
            *(f"> {md(line)}" for line in textsafe.terminal(m.text, single_line=False).split("\n")),
            "",
        ]
    return lines


def render_comparison(cmp: Comparison, screen: Screen) -> str:
    # The period line is ours (dates and numbers): left as written, not escaped.
    out = [
        f"# {md(cc.comparison_title(cmp))}",
        "",
        cc.comparison_period(cmp),
        "",
        "## Companies",
        "",
    ]
    out += _plain_table(cc.COMPANY_COLUMNS, [_company_row(cmp, c) for c in cmp.companies])
    listed = False
    for _, title, rows, more in cc.standings(cmp):
        listed = True
        out += [f"## {md(title)}", ""]
        out += _rate_table(cmp, rows, cc.RATE_COLUMNS, with_standing=False)
        if more:
            out += [md(more), ""]
        phrases = [
            f"**{md(r.name)}**: " + ", ".join(f"“{md(p)}”" for p in r.phrases)
            for r in rows
            if r.phrases
        ]
        if phrases:
            out += ["Phrases: " + "; ".join(phrases), ""]
    if not listed:
        out += [cc.NOTHING_TO_COMPARE, ""]
    if cc.scattered_line(cmp):
        out += [md(cc.scattered_line(cmp)), ""]
    if cmp.categories:
        out += ["## By category", ""]
        heads = ("Category", "Standing", *cc.RATE_COLUMNS[1:])
        out += _rate_table(cmp, cmp.categories, heads, with_standing=True)
    out += [md(note) + "\n" for note in cc.comparison_notes(cmp)]
    return "\n".join(out).rstrip("\n") + "\n"


def _company_row(cmp: Comparison, company: CompanyTotals) -> list[str]:
    """The name is the user's text, so escaped; the figures are ours and need no
    escape, so they read as in the rate tables ("79.4": the escape, taking it for a
    numbered list, had written "79\\.4")."""
    name, *figures = cc.company_cells(cmp, company)
    return [md(name), *figures]


def _plain_table(heads: tuple[str, ...] | list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _rate_table(
    cmp: Comparison, rows: list[Row], heads: tuple[str, ...], *, with_standing: bool
) -> list[str]:
    cells = []
    for line in cc.rate_lines(cmp, rows):
        people = f"**{line.people}**" if line.rate.has else line.people
        row = [md(line.label), md(line.company), line.grievances, people, line.trend]
        if with_standing:
            row.insert(1, cc.STANDING_SHORT[line.row.standing] if line.first else "")
        cells.append(row)
    return _plain_table(heads, cells)
