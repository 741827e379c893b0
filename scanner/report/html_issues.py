"""Issues in ``--format html``: the section a report leads with, and one in full.

Web text is escaped by ``textsafe.html``; links are http(s) only, with
``rel="noopener noreferrer nofollow"``, like the rest of the page.
"""

from __future__ import annotations

from scanner import textsafe
from scanner.report.common import day, moment, more_line, sparkline
from scanner.report.model import IssueMember, IssueView, Report

h = textsafe.html
EXAMPLE_CELLS = 240


def _flags(issue: IssueView) -> str:
    return "".join(f'<span class="flag">{h(f)}</span>' for f in issue.flags)


def _clusters(issue: IssueView) -> str:
    return h(", ".join(f"#{c}" for c in issue.clusters)) or "none"


def _link(m: IssueMember, label: str = "link") -> str:
    url = textsafe.safe_url(m.url)
    return f' · <a href="{h(url)}" rel="noopener noreferrer nofollow">{label}</a>' if url else ""


def issues_section(report: Report) -> str:
    """Systemic issues with phrases and examples, isolated ones as a list; "" before any run."""
    if not report.issues and not report.issues_systemic_more + report.issues_isolated_more:
        return ""
    out = ["<h2>Systemic issues</h2>"]
    for issue in report.systemic_issues:
        out.append(
            f'<h3><span class="systemic">Issue {issue.id}</span>: {h(issue.name)}</h3>'
            f'<p class="meta">{issue.people} people · {issue.mentions} posts · trend '
            f"{sparkline(issue.weekly)} {_flags(issue)}<br>Phrases: "
            f"{h(', '.join(issue.phrases[:8]))}<br>Grievances: {_clusters(issue)}</p>"
        )
        for m in issue.examples[:3]:
            text = textsafe.width_cut(" ".join(textsafe.terminal(m.text).split()), EXAMPLE_CELLS)
            out.append(
                f'<div class="post">{h(text)}<div class="meta">{h(m.source)} · '
                f"{h(day(m.published_at))}{_link(m)}</div></div>"
            )
    if not report.systemic_issues:
        out.append("<p>No systemic issue.</p>")
    if report.issues_systemic_more:
        out.append(f"<p>{h(more_line(report.issues_systemic_more, 'systemic issues'))}</p>")
    if report.isolated_issues:
        items = "".join(
            f"<li>Issue {i.id}: {h(i.name)} · {i.people} people · {i.mentions} posts · last "
            f"{h(day(i.last_seen))}</li>"
            for i in report.isolated_issues
        )
        out.append(f"<h2>Isolated issues, newest first</h2><ul>{items}</ul>")
    if report.issues_isolated_more:
        out.append(f"<p>{h(more_line(report.issues_isolated_more, 'isolated issues'))}</p>")
    return "\n".join(out)


def issue_detail(issue: IssueView) -> str:
    """``--issue ID``: every post with author, source, date, link and text."""
    cls = ' class="systemic"' if issue.verdict == "systemic" else ""
    out = [
        f"<h2>Issue {issue.id}: {h(issue.name)} (<span{cls}>{h(issue.verdict)}</span>)</h2>",
        f'<p class="meta">People {issue.people} · posts {issue.mentions} · sources '
        f"{h(', '.join(issue.sources))} · first seen {h(moment(issue.first_seen))} · last seen "
        f"{h(moment(issue.last_seen))} · flags {_flags(issue) or 'none'} · trend "
        f"{sparkline(issue.weekly)}<br>Phrases: {h(', '.join(issue.phrases))}<br>"
        f"Grievances (near-duplicate clusters): {_clusters(issue)}</p>",
    ]
    for m in issue.members:
        says = f" · says {h(m.phrase)}" if m.phrase else ""
        out.append(
            f'<div class="meta">{h(moment(m.published_at))} · {h(m.source)} · '
            f"{h(m.author or '(no author)')} · {h(m.id)}{says}{_link(m)}</div>"
            f'<div class="post">{h(m.text)}</div>'
        )
    return "\n".join(out)
