"""The plain-text part: reads well in mutt, alpine or ``less`` at 80 columns.

Every line fits 78 terminal cells (RFC 5322's advice), wide characters counted
twice, except a link longer than that: a URL is never broken, or it would not
open, so a long one gets a line of its own under its source and date.
"""

from __future__ import annotations

from scanner.digest.compare_part import text_lines
from scanner.digest.model import Digest, Grievance, Post, Section, SourceNote
from scanner.report.formats.common import clock
from scanner.text.counts import counted
from scanner.text.safe import terminal, text_cells, width_cut, wrap_cells, wrap_cells_ending

WIDTH = 78
BAR_WIDTH = 30
INDENT = "  "  # a grievance's first line
BODY = "     "  # its other lines
COORDINATED = (
    "possibly coordinated: several accounts posted near-identical text within "
    "hours, or on one day (a review bomb?)"
)


def render_text(digest: Digest) -> str:
    out = [
        f"{terminal(digest.company)}: complaint digest, {digest.as_of:%Y-%m-%d %H:%M} UTC",
        digest.headline,
        _since(digest),
        "",
    ]
    for note in digest.notes:
        out += _wrap(note, "") + [""]
    if digest.spike:
        s = digest.spike
        out += _wrap(
            f"!! Complaint spike: {s.today} grievances in the last 24 hours against "
            f"a daily mean of {s.mean:g} over {s.days} days.",
            "",
        ) + [""]
    for section in digest.sections:
        if section.total:
            out += _section(section)
    out += text_lines(digest.comparison, _wrap)
    bars = digest.bars
    if bars:
        out += _heading("Volume per systemic grievance")
        out.append("  posts: = already reported, # new since the last digest")
        top = max(b.before + b.added for b in bars) or 1
        for bar in bars:
            old = round(BAR_WIDTH * bar.before / top)
            new = max(
                round(BAR_WIDTH * (bar.before + bar.added) / top) - old, 1 if bar.added else 0
            )
            line = "=" * old + "#" * new
            out.append(
                f"  {bar.label:>7}  {line:<{BAR_WIDTH}}  {bar.before + bar.added}"
                + (f" (+{bar.added})" if bar.added else "")
            )
        out.append("")
    if digest.sources:
        out += _heading("Sources") + _sources(digest.sources) + [""]
    if digest.empty:
        out += [digest.nothing_line, ""]
    out += ["-- ", "Sent by scan. Details: scan report; one grievance: scan report --cluster ID"]
    return "\n".join(out) + "\n"


def _since(digest: Digest) -> str:
    if digest.since:
        return f"Changes since the last digest ({clock(digest.since)} UTC)."
    return "First digest: everything known so far."


def _heading(title: str) -> list[str]:
    return [title.upper(), "-" * min(len(title), WIDTH)]


def _wrap(text: str, indent: str, rest: str | None = None) -> list[str]:
    """Word-wrapped to WIDTH cells; ``rest`` indents the lines after the first."""
    return wrap_cells(text, WIDTH, indent, rest)


def _section(section: Section) -> list[str]:
    out = _heading(f"{section.title} ({section.total})")
    for g in section.items:
        out += _grievance(g, compact=section.key == "isolated")
    if section.more:
        out.append(f"  ...and {section.more} more ({section.list_command}).")
    if section.unchanged:
        out.append(f"  {section.unchanged_line}")
    return [*out, ""]


def _grievance(g: Grievance, *, compact: bool) -> list[str]:
    people = counted(g.people, "person", "people")
    mentions = counted(g.mentions, "post")
    if g.added_people and g.added_people != g.people:
        people += f" (+{g.added_people})"
    if g.added_mentions and g.added_mentions != g.mentions:
        mentions += f" (+{g.added_mentions})"
    sources = ", ".join(terminal(s) for s in g.sources) or "-"
    title = f"Issue {g.id}: {terminal(g.name)}" if g.is_issue else f"#{g.id}"
    flags = f" [{', '.join(terminal(f) for f in g.flags)}]" if g.flags else ""
    last = f"; last {g.last_seen}" if compact and g.last_seen else ""
    last += f"; {g.in_issues}" if g.in_issues else ""
    # People count inside the window: none for a grievance older than it (a first
    # digest lists everything known), where "0 people, 1 mention" would read wrong.
    counts = f"{people}, {mentions}" if g.people else mentions
    out = _wrap(f"{title}{flags}  {counts}; {sources}{last}", INDENT, BODY)
    if g.coordinated:
        out += _wrap(f"!! {COORDINATED}", BODY)
    if g.quoted_in_issue is not None:
        return [*out, f"{BODY}(quoted above, under Issue {g.quoted_in_issue})"]
    if g.clusters:
        ids, command = g.grievance_id_parts
        out += wrap_cells_ending(f"grievances: {ids}", command, WIDTH, BODY)
    if g.phrases:
        out += _wrap("phrases: " + ", ".join(f'"{terminal(p)}"' for p in g.phrases), BODY)
    out += _wrap(f'"{terminal(g.quote)}"', BODY)
    for post in g.posts:
        out += _link(post)
    return out


def _link(post: Post) -> list[str]:
    """``- source date  URL`` on one line when it fits, else the URL on its own line;
    a source name too long for the line is cut with an ellipsis (an import's
    "zendesk-export-customer-care-escalations-…" ran the line past 80 columns)."""
    host = "" if post.host in post.url else f"  [{post.host}]"
    rest = f" {post.date or ''}".rstrip() + host
    room = WIDTH - text_cells(f"{BODY}- {rest}")
    head = f"{BODY}- {width_cut(terminal(post.source), room)}{rest}"
    line = f"{head}  {post.url}"
    if text_cells(line) <= WIDTH:
        return [line]
    return [head, f"{BODY}  {post.url}"]


def _sources(notes: list[SourceNote]) -> list[str]:
    out = []
    for n in (n for n in notes if n.change == "new"):
        since = f" since {clock(n.since)}" if n.since else ""
        out += _wrap(
            f"{n.state.upper()}: {terminal(n.name)}{since}"
            + (f" - {terminal(n.message)}" if n.message else ""),
            "  ",
        )
    ongoing = [
        f"{terminal(n.name)} ({n.state}" + (f" since {n.since[:10]})" if n.since else ")")
        for n in notes
        if n.change == "ongoing"
    ]
    if ongoing:
        out += _wrap("Still down: " + ", ".join(ongoing), "  ")
    recovered = [terminal(n.name) for n in notes if n.change == "recovered"]
    if recovered:
        out += _wrap("Recovered: " + ", ".join(recovered), "  ")
    return out
