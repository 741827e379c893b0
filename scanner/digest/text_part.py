"""The plain-text part: reads well in mutt, alpine or ``less`` at 78 columns."""

from __future__ import annotations

import textwrap

from scanner.digest.compare_part import text_lines
from scanner.digest.model import Digest, Grievance, Section, SourceNote
from scanner.textsafe import terminal

WIDTH = 78
BAR_WIDTH = 30


def render_text(digest: Digest) -> str:
    out = [f"{terminal(digest.company)}: complaint digest, {digest.as_of:%Y-%m-%d %H:%M} UTC",
           digest.headline,
           _since(digest), ""]  # fmt: skip
    if digest.spike:
        s = digest.spike
        out += _wrap(f"!! Complaint spike: {s.today} grievances in the last 24 hours against "
                     f"a daily mean of {s.mean:g} over {s.days} days.", "") + [""]  # fmt: skip
    for section in digest.sections:
        if section.total:
            out += _section(section)
    out += text_lines(digest.comparison, _wrap)
    bars = digest.bars
    if bars:
        out += _heading("Volume per systemic grievance")
        out.append("  mentions: = already reported, # new since the last digest")
        top = max(b.before + b.added for b in bars) or 1
        for bar in bars:
            old = round(BAR_WIDTH * bar.before / top)
            new = max(
                round(BAR_WIDTH * (bar.before + bar.added) / top) - old, 1 if bar.added else 0
            )
            line = "=" * old + "#" * new
            out.append(f"  {bar.label:>7}  {line:<{BAR_WIDTH}}  {bar.before + bar.added}"
                       + (f" (+{bar.added})" if bar.added else ""))  # fmt: skip
        out.append("")
    if digest.sources:
        out += _heading("Sources") + _sources(digest.sources) + [""]
    if digest.empty:
        out += ["Nothing changed since the last digest.", ""]
    out += ["-- ", "Sent by scan. Details: scan report; one grievance: scan report --cluster ID"]
    return "\n".join(out) + "\n"


def _since(digest: Digest) -> str:
    if digest.since:
        return f"Changes since the last digest ({digest.since[:16].replace('T', ' ')} UTC)."
    return "First digest: everything known so far."


def _heading(title: str) -> list[str]:
    return [title.upper(), "-" * min(len(title), WIDTH)]


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent]


def _section(section: Section) -> list[str]:
    out = _heading(f"{section.title} ({section.total})")
    for g in section.items:
        out += _grievance(g, compact=section.key == "isolated")
    if section.more:
        out.append(f"  ...and {section.more} more (scan report --all).")
    return [*out, ""]


def _grievance(g: Grievance, *, compact: bool) -> list[str]:
    people = f"{g.people} {'person' if g.people == 1 else 'people'}"
    mentions = f"{g.mentions} mention{'s' if g.mentions != 1 else ''}"
    if g.added_people and g.added_people != g.people:
        people += f" (+{g.added_people})"
    if g.added_mentions and g.added_mentions != g.mentions:
        mentions += f" (+{g.added_mentions})"
    sources = ", ".join(terminal(s) for s in g.sources) or "-"
    title = f"#{g.id} {terminal(g.name)}" if g.name else f"#{g.id}"
    out = _wrap(f"{title}  {people}, {mentions}; {sources}"
                + (f"; last {g.last_seen}" if compact and g.last_seen else ""), "  ")  # fmt: skip
    if g.phrases:
        out += _wrap("phrases: " + ", ".join(f'"{terminal(p)}"' for p in g.phrases), "     ")
    out += _wrap(f'"{terminal(g.quote)}"', "     ")
    for post in g.posts:
        host = "" if post.host in post.url else f"  [{post.host}]"
        out.append(f"     - {terminal(post.source)} {post.date or ''}  {post.url}{host}")
    return out


def _sources(notes: list[SourceNote]) -> list[str]:
    out = []
    for n in (n for n in notes if n.change == "new"):
        since = f" since {n.since[:16].replace('T', ' ')}" if n.since else ""
        out += _wrap(f"{n.state.upper()}: {terminal(n.name)}{since}"
                     + (f" - {terminal(n.message)}" if n.message else ""), "  ")  # fmt: skip
    ongoing = [f"{terminal(n.name)} ({n.state}" + (f" since {n.since[:10]})" if n.since else ")")
               for n in notes if n.change == "ongoing"]  # fmt: skip
    if ongoing:
        out += _wrap("Still down: " + ", ".join(ongoing), "  ")
    recovered = [terminal(n.name) for n in notes if n.change == "recovered"]
    if recovered:
        out += _wrap("Recovered: " + ", ".join(recovered), "  ")
    return out
