"""The HTML part, drawn by the template ``digest.html`` (``scanner/templates``).

Mail clients strip ``<style>`` blocks, block remote images and often SVG, so the
layout is nested tables with inline styles and the chart is table cells with a
background colour. The template escapes every value; this module hands it what
a template should not compute: the lines of the header and of the comparison,
the widths of the bars, and ``defang`` for text quoted from complaints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner import templates
from scanner.digest.compare_part import html_news
from scanner.digest.model import Bar, Digest

BAR_PX = 260
_LINKLIKE = re.compile(r"(?i)(?:[a-z][a-z0-9+.-]*:/*|www\.)\S+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b")


def render_html(digest: Digest) -> str:
    return templates.render(
        "digest.html",
        digest=digest,
        title=digest.headline,
        since=_since(digest),
        compared=html_news(digest.comparison),
        bars=[_bar(bar, digest.bars) for bar in digest.bars],
        defang=defang,
    )


def defang(text: str) -> str:
    """Text in which nothing looks like a link to a client that auto-links: a zero-width
    space after each dot, colon and at-sign of an address. Not escaped: the template
    escapes it (escaping neither adds nor removes those three characters)."""
    return _LINKLIKE.sub(_break, text)


def _break(match: re.Match[str]) -> str:
    token = match.group(0)
    return token.replace(".", ".\u200b").replace(":", ":\u200b").replace("@", "@\u200b")


def _since(digest: Digest) -> str:
    if digest.since:
        return f"Changes since the last digest ({digest.since[:16].replace('T', ' ')} UTC)."
    return f"First digest: everything known so far ({digest.as_of:%Y-%m-%d %H:%M} UTC)."


@dataclass
class BarCells:
    """One grievance's bar: its label, (width in pixels, colour) cells and the count."""

    label: str
    cells: list[tuple[int, str]]
    count: str


def _bar(bar: Bar, bars: list[Bar]) -> BarCells:
    """Grey for the mentions already reported, red (at least 2 px) for the new ones."""
    top = max(b.before + b.added for b in bars) or 1
    old = round(BAR_PX * bar.before / top)
    new = max(round(BAR_PX * (bar.before + bar.added) / top) - old, 2 if bar.added else 0)
    cells = [(w, colour) for w, colour in ((old, "#9aa5b1"), (new, "#b00020")) if w]
    count = f"{bar.before + bar.added}" + (f" (+{bar.added})" if bar.added else "")
    return BarCells(bar.label, cells, count)
