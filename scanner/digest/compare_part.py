"""The digest's "Compared with competitors" section: its lines, for the plain text and
the HTML part (drawn by the template ``digest_parts.html``).

Shown only when the comparison changed since the last digest
(``scanner.compare.news``): a grievance that became ours alone, or a systemic
issue that appeared at a competitor. Names pass through ``views.quote`` (masked,
one line, cut) and then each medium's own escaping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scanner.compare.model import Row
from scanner.compare.news import CompareNews
from scanner.digest.views import quote
from scanner.text.counts import counted
from scanner.text.safe import terminal

TITLE = "Compared with competitors"
SHORT = {
    "ours_alone": "ours alone",
    "industry_wide": "industry-wide",
    "theirs_alone": "theirs alone: an opening",
    "shared": "shared with some",
    "scattered": "too few people to say",
}


def _name(text: str) -> str:
    return quote(text, 120)


def _rates(news: CompareNews, row: Row) -> str:
    few = {c.name for c in news.comparison.few}
    parts = []
    for name, rate in row.rates.items():
        value = "-" if rate.people_per_100 is None else f"{rate.people_per_100:.1f}"
        parts.append(f"{_name(name)}{'*' if name in few else ''} {value}")
    return "people per 100 mentions: " + ", ".join(parts)


def _facts(news: CompareNews) -> list[tuple[str, str]]:
    """(headline, detail) per item, in the order shown; at most ``news.listed`` of each."""
    out = []
    for row in news.ours_alone[: news.listed]:
        kind = "category" if row.kind == "category" else "issue"
        out.append((f"Now ours alone ({kind}): {_name(row.name)}", _rates(news, row)))
    if len(news.ours_alone) > news.listed:
        out.append((f"...and {len(news.ours_alone) - news.listed} more now ours alone", ""))
    for item in news.systemic[: news.listed]:
        standing = SHORT[item.row.standing] if item.row else "not matched to ours"
        days = f"{news.comparison.period['days']:g}"
        what = "issues" if len(item.issues) > 1 else "issue"
        ids = ", ".join(f"#{iid} {_name(name)}" for iid, name in item.issues)
        # The people are the grievance's: with issues of it already systemic, theirs too.
        before = ", ".join(f"#{iid} {_name(name)}" for iid, name in item.before)
        together = f"with {before}, systemic before: " if before else ""
        head = (
            f"New systemic {what} at {_name(item.company)}: {ids} "
            f"({together}{counted(item.people, 'person', 'people')} in {days} days; "
            f"{standing})"
        )
        out.append((head, _rates(news, item.row) if item.row else ""))
    rest = sum(len(item.issues) for item in news.systemic[news.listed :])
    if rest:
        out.append((f"...and {rest} more new systemic issues at competitors", ""))
    return out


def _footnote(news: CompareNews) -> str:
    few = news.comparison.few
    if not few:
        return ""
    names = ", ".join(_name(c.name) for c in few)
    return (
        f"* fewer than {news.comparison.min_mentions} mentions in the period ({names}): "
        "those rates mean little."
    )


def text_lines(news: CompareNews | None, wrap: Callable[[str, str], list[str]]) -> list[str]:
    """The section for the plain-text part; ``wrap(text, indent)`` is its line wrapper."""
    if news is None or not news.changed:
        return []
    out = [TITLE.upper(), "-" * len(TITLE)]
    for head, detail in _facts(news):
        out += wrap(terminal(head), "  ")
        if detail:
            out += wrap(terminal(detail), "     ")
    if _footnote(news):
        out += wrap(terminal(_footnote(news)), "  ")
    out.append("  Details: scan compare")
    return [*out, ""]


@dataclass
class HtmlNews:
    """What the HTML part shows: the title, (headline, detail) pairs and a footnote."""

    title: str
    facts: list[tuple[str, str]]
    footnote: str


def html_news(news: CompareNews | None) -> HtmlNews | None:
    """The section for the HTML part; None when the comparison did not change."""
    if news is None or not news.changed:
        return None
    return HtmlNews(TITLE, _facts(news), _footnote(news))
