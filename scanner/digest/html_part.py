"""The HTML part: tables and inline styles only, no script, no image, no remote file.

Mail clients strip ``<style>`` blocks, block remote images and often SVG, so the
layout is nested tables and the chart is table cells with a background colour.
Every piece of web text is escaped (``textsafe.html``), only http(s) links are
made, each link shows the host it really goes to, and addresses quoted inside
complaints are broken with zero-width spaces so no client turns them into links.
"""

from __future__ import annotations

import re

from scanner.digest.compare_part import html_block
from scanner.digest.model import Digest, Grievance, Section, SourceNote
from scanner.textsafe import CSP_META, html

FONT = "font-family:Arial,Helvetica,sans-serif;"
MUTED = "color:#666666;font-size:12px;"
BAR_PX = 260
_LINKLIKE = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*:/*|www\.)\S+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b")


def render_html(digest: Digest) -> str:
    rows = [_row(f'<h1 style="{FONT}font-size:20px;margin:0 0 4px 0;color:#222222">'
                 f"{html(digest.company)}: {html(digest.headline)}</h1>"
                 f'<div style="{MUTED}">{html(_since(digest))}</div>')]  # fmt: skip
    if digest.spike:
        s = digest.spike
        rows.append(_row(
            '<div style="background:#fff4cc;border:1px solid #e0b000;padding:10px;'
            f'{FONT}font-size:14px"><b>Complaint spike:</b> {s.today} grievances in the last '
            f"24 hours against a daily mean of {s.mean:g} over {s.days} days.</div>"))  # fmt: skip
    for section in digest.sections:
        if section.total:
            rows.append(_row(_section(section)))
    compared = html_block(digest.comparison, _h2, MUTED)
    if compared:
        rows.append(_row(compared))
    bars = _chart(digest)
    if bars:
        rows.append(_row(bars))
    if digest.sources:
        rows.append(_row(_sources(digest.sources)))
    if digest.empty:
        rows.append(_row(f'<p style="{FONT}">Nothing changed since the last digest.</p>'))
    rows.append(_row(f'<div style="{MUTED}">Sent by scan. Details: <code>scan report</code>; '
                     "one grievance: <code>scan report --cluster ID</code>.</div>"))  # fmt: skip
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        + CSP_META
        + '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html(digest.headline)}</title></head>\n"
        '<body style="margin:0;padding:0;background:#f4f4f4">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="background:#f4f4f4"><tr><td align="center" style="padding:16px 8px">\n'
        '<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" '
        f'style="max-width:640px;width:100%;background:#ffffff;{FONT}font-size:14px;'
        'color:#222222">\n' + "\n".join(rows) + "\n</table>\n</td></tr></table>\n</body></html>\n"
    )


def defang(text: str) -> str:
    """Escaped text in which nothing looks like a link to a client that auto-links."""
    out, last = [], 0
    for match in _LINKLIKE.finditer(text):
        out.append(html(text[last : match.start()]))
        token = html(match.group(0))
        out.append(token.replace(".", ".\u200b").replace(":", ":\u200b").replace("@", "@\u200b"))
        last = match.end()
    out.append(html(text[last:]))
    return "".join(out)


def _row(content: str) -> str:
    return f'<tr><td style="padding:12px 20px">{content}</td></tr>'


def _since(digest: Digest) -> str:
    if digest.since:
        return f"Changes since the last digest ({digest.since[:16].replace('T', ' ')} UTC)."
    return f"First digest: everything known so far ({digest.as_of:%Y-%m-%d %H:%M} UTC)."


def _h2(title: str) -> str:
    return (f'<h2 style="{FONT}font-size:16px;margin:0 0 8px 0;padding-bottom:4px;'
            f'border-bottom:2px solid #dddddd;color:#222222">{html(title)}</h2>')  # fmt: skip


def _section(section: Section) -> str:
    parts = [_h2(f"{section.title} ({section.total})")]
    parts += [_grievance(g) for g in section.items]
    if section.more:
        parts.append(f'<p style="{MUTED}">…and {section.more} more '
                     "(<code>scan report --all</code>).</p>")  # fmt: skip
    return "".join(parts)


FLAG_STYLE = "display:inline-block;border-radius:3px;padding:0 5px;margin-left:4px;font-size:12px;"
FLAG_COLOURS = {"coordinated": "background:#b00020;color:#ffffff"}  # a review bomb stands out


def _flags(g: Grievance) -> str:
    return "".join(
        f'<span style="{FLAG_STYLE}{FLAG_COLOURS.get(f, "background:#e8eaf6;color:#222222")}">'
        f"{html(f)}</span>"
        for f in g.flags
    )


def _grievance(g: Grievance) -> str:
    def plus(n: int, total: int) -> str:
        return f' <span style="color:#b00020">(+{n})</span>' if n and n != total else ""

    title = f"Issue {g.id}: {html(g.name)}" if g.is_issue else f"#{g.id}"
    facts = (f"<b>{g.people}</b> {'person' if g.people == 1 else 'people'}"
             f"{plus(g.added_people, g.people)} · <b>{g.mentions}</b> "
             f"mention{'s' if g.mentions != 1 else ''}{plus(g.added_mentions, g.mentions)} · "
             + html(", ".join(g.sources)))  # fmt: skip
    body = ""
    if g.coordinated:
        body += ('<div style="color:#b00020;font-size:13px;margin:2px 0"><b>Possibly '
                 "coordinated:</b> several accounts posted near-identical text within hours "
                 "(a review bomb?).</div>")  # fmt: skip
    if g.quoted_in_issue is not None:
        body += f'<div style="{MUTED}">Quoted above, under Issue {g.quoted_in_issue}.</div>'
    else:
        if g.clusters:
            body += (f'<div style="{MUTED}">Grievances: '
                     + html(", ".join(f"#{c}" for c in g.clusters)) + "</div>")  # fmt: skip
        if g.phrases:
            body += f'<div style="{MUTED}">Phrases: ' + ", ".join(
                f"“{defang(p)}”" for p in g.phrases) + "</div>"  # fmt: skip
        body += (
            f'<div style="margin:4px 0;color:#333333;font-style:italic">“{defang(g.quote)}”</div>'
        )
        links = "".join(
            f'<li style="margin:2px 0"><a href="{html(p.url)}" style="color:#1a5fb4">'
            f"{html(p.source)} {html(p.date or '')} · {html(p.host)}</a></li>"
            for p in g.posts
        )
        if links:
            body += f'<ul style="margin:4px 0;padding-left:18px;font-size:13px">{links}</ul>'
    return (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="margin:0 0 12px 0"><tr><td style="border-left:4px solid '
        f'{"#b00020" if g.verdict == "systemic" else "#999999"};padding:4px 10px">'
        f'<div style="font-size:14px"><b>{title}</b>{_flags(g)} · {facts}</div>{body}'
        "</td></tr></table>"
    )


def _chart(digest: Digest) -> str:
    bars = digest.bars
    if not bars:
        return ""
    top = max(b.before + b.added for b in bars) or 1
    rows = []
    for bar in bars:
        old = round(BAR_PX * bar.before / top)
        new = max(round(BAR_PX * (bar.before + bar.added) / top) - old, 2 if bar.added else 0)
        cells = "".join(
            f'<td width="{w}" height="14" bgcolor="{c}" style="width:{w}px;height:14px;'
            f'background:{c};font-size:1px;line-height:1px">&nbsp;</td>'
            for w, c in ((old, "#9aa5b1"), (new, "#b00020")) if w
        )  # fmt: skip
        count = f"{bar.before + bar.added}" + (f" (+{bar.added})" if bar.added else "")
        rows.append(
            f'<tr><td style="padding:2px 8px 2px 0;font-size:13px;white-space:nowrap">'
            f'{html(bar.label)}</td><td style="padding:2px 0">'
            '<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>'
            f'{cells}</tr></table></td><td style="padding:2px 0 2px 8px;font-size:13px;'
            f'white-space:nowrap">{count}</td></tr>'
        )
    legend = (f'<div style="{MUTED}">Mentions per grievance: grey already reported, '
              "red new since the last digest.</div>")  # fmt: skip
    return (_h2("Volume per systemic grievance") + '<table role="presentation" cellpadding="0" '
            'cellspacing="0" border="0">' + "".join(rows) + "</table>" + legend)  # fmt: skip


def _sources(notes: list[SourceNote]) -> str:
    items = []
    for n in (n for n in notes if n.change == "new"):
        since = f" since {html(n.since[:16].replace('T', ' '))}" if n.since else ""
        message = f" — {html(n.message)}" if n.message else ""
        items.append(f'<li><b style="color:#b00020">{html(n.state)}</b>: <b>{html(n.name)}</b>'
                     f"{since}{message}</li>")  # fmt: skip
    ongoing = [f"{html(n.name)} ({html(n.state)}" + (f" since {html(n.since[:10])})" if n.since
               else ")") for n in notes if n.change == "ongoing"]  # fmt: skip
    if ongoing:
        items.append("<li>Still down: " + ", ".join(ongoing) + "</li>")
    recovered = [html(n.name) for n in notes if n.change == "recovered"]
    if recovered:
        items.append('<li style="color:#2e7d32">Recovered: ' + ", ".join(recovered) + "</li>")
    return _h2("Sources") + '<ul style="margin:0;padding-left:18px">' + "".join(items) + "</ul>"
