"""``--format markdown``: for a wiki page, a ticket, or a chat message.

Every web string is escaped by ``textsafe.markdown`` (so ``|``, ``*``, ``<`` and
``[`` stay literal, even in table cells); links are only http(s), with their
parentheses encoded so a URL cannot end the link early.
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
from scanner.report.md_issues import issue_detail, issues_section
from scanner.report.model import ClusterView, Report

md = textsafe.markdown


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


def render(report: Report) -> str:
    lines = [f"# Grievance report: {md(report.company)}", ""]
    if report.detail:
        for cluster in report.clusters:
            lines += _detail(report, cluster)
        for issue in report.issues:
            lines += issue_detail(issue, _link)
        return "\n".join(lines) + "\n"
    p = report.period
    lines += [
        f"Period {day(p['since'])} to {day(p['until'])} (as of {moment(p['as_of'])}).",
        "",
        md(header_counts(report)),
        "",
    ]
    hint = empty_period_line(report)
    if hint:
        lines += [md(hint), ""]
    if report.companies:
        lines += [
            "## Companies",
            "",
            *_head(["Company", "Mentions", "Grievances", "Systemic"]),
        ]
        lines += [
            _row([md(c["name"]), str(c["mentions"]), str(c["grievances"]), str(c["systemic"])])
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
                    moment(s.last_run_at) or "-",
                    md(s.health or "never crawled"),
                    md(s.message),
                ]
            )
            for s in report.sources
        ]
        lines.append("")
    lines += issues_section(report)
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
                    md(textsafe.width_cut(c.representative, 160)),
                ]
            )
            for c in report.systemic
        ]
        if report.systemic_more:
            lines += ["", md(more_line(report.systemic_more, "systemic grievances"))]
    else:
        lines.append("No systemic grievance.")
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
                    md(textsafe.width_cut(c.representative, 160)),
                ]
            )
            for c in report.isolated
        ]
        if report.isolated_more:
            lines += ["", md(more_line(report.isolated_more, "isolated grievances"))]
    else:
        several = " with more than one post" if hidden_line(report) else ""
        lines.append(f"No isolated grievance{several} in the period.")
    if hidden_line(report):
        lines += ["", md(hidden_line(report))]
    return "\n".join(lines).rstrip() + "\n"


def _detail(report: Report, c: ClusterView) -> list[str]:
    lines = [
        f"## Grievance {short_id(c)}: {c.verdict}",
        "",
        f"- People: {c.people}",
        f"- Posts: {c.mentions}",
        f"- Sources: {md(', '.join(c.sources))}",
        f"- First seen: {moment(c.first_seen)}",
        f"- Last seen: {moment(c.last_seen)}",
        f"- Categories: {md(category_text(report, c))}",
        f"- Flags: {md(', '.join(c.flags)) or 'none'}",
        f"- Trend (weekly posts): {sparkline(c.weekly)}",
        "",
    ]
    for i, m in enumerate(c.members, 1):
        lines += [
            f"### {i}. {moment(m.published_at)}, {md(m.source)}, {md(m.author or '(no author)')}",
            "",
            f"Id: {md(m.id)}",
        ]
        if _link(m.url):
            lines.append(f"Link: {_link(m.url)}")
        lines += [
            "",
            *(f"> {md(line)}" for line in textsafe.terminal(m.text, single_line=False).split("\n")),
            "",
        ]
    return lines
