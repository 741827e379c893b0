"""Issues in ``--format markdown``: the section a report leads with, and one in full.

Every web string goes through ``textsafe.markdown``; examples are block quotes
cut to a line, so a post cannot open a table, a list or a link of its own.
"""

from __future__ import annotations

from scanner import textsafe
from scanner.report.common import day, moment, more_line, sparkline
from scanner.report.model import IssueView, Report

md = textsafe.markdown
EXAMPLE_CELLS = 160


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _clusters(issue: IssueView) -> str:
    return ", ".join(f"#{c}" for c in issue.clusters) or "none"


def issues_section(report: Report) -> list[str]:
    """Systemic issues with phrases and examples, isolated ones as a table; [] before any run."""
    if not report.issues and not report.issues_systemic_more + report.issues_isolated_more:
        return []
    lines = ["## Systemic issues", ""]
    for issue in report.systemic_issues:
        flags = f" · {md(', '.join(issue.flags))}" if issue.flags else ""
        lines += [
            f"### Issue {issue.id}: {md(issue.name)}",
            "",
            f"{issue.people} people · {issue.mentions} posts · trend {sparkline(issue.weekly)}"
            f"{flags}",
            "",
            f"- Phrases: {md(', '.join(issue.phrases[:8]))}",
            f"- Grievances: {_clusters(issue)}",
            "",
        ]
        for m in issue.examples[:3]:
            text = textsafe.width_cut(" ".join(textsafe.terminal(m.text).split()), EXAMPLE_CELLS)
            lines += [f"> {md(text)} ({md(m.source)}, {day(m.published_at)})", ""]
    if not report.systemic_issues:
        lines += ["No systemic issue.", ""]
    if report.issues_systemic_more:
        lines += [md(more_line(report.issues_systemic_more, "systemic issues")), ""]
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
            )  # fmt: skip
            for i in report.isolated_issues
        ]
        lines.append("")
    if report.issues_isolated_more:
        lines += [md(more_line(report.issues_isolated_more, "isolated issues")), ""]
    return lines


def issue_detail(issue: IssueView, link: object) -> list[str]:
    """``--issue ID``; ``link`` turns a URL into a safe Markdown autolink (or "")."""
    lines = [
        f"## Issue {issue.id}: {md(issue.name)} ({issue.verdict})",
        "",
        f"- People: {issue.people}",
        f"- Posts: {issue.mentions}",
        f"- Phrases: {md(', '.join(issue.phrases))}",
        f"- Grievances (near-duplicate clusters): {_clusters(issue)}",
        f"- Sources: {md(', '.join(issue.sources))}",
        f"- First seen: {moment(issue.first_seen)}",
        f"- Last seen: {moment(issue.last_seen)}",
        f"- Flags: {md(', '.join(issue.flags)) or 'none'}",
        f"- Trend (weekly posts): {sparkline(issue.weekly)}",
        "",
    ]
    for i, m in enumerate(issue.members, 1):
        lines += [
            f"### {i}. {moment(m.published_at)}, {md(m.source)}, {md(m.author or '(no author)')}",
            "",
            f"Id: {md(m.id)}" + (f" · says {md(m.phrase)}" if m.phrase else ""),
        ]
        url = link(m.url)  # type: ignore[operator]
        if url:
            lines.append(f"Link: {url}")
        lines += [
            "",
            *(f"> {md(line)}" for line in textsafe.terminal(m.text, single_line=False).split("\n")),
            "",
        ]
    return lines
