"""``scan compare --format markdown``: for a wiki page, a ticket, or a chat message.

Every name (companies from the config, issues and phrases from posts) is
escaped by ``textsafe.markdown``, so ``|`` and ``*`` stay literal in a cell.
"""

from __future__ import annotations

from scanner import textsafe
from scanner.compare.model import Comparison, Row
from scanner.report import compare_common as cc

md = textsafe.markdown


def render(cmp: Comparison) -> str:
    # The period line is ours (dates and numbers): left as written, not escaped.
    out = [f"# {md(cc.title(cmp))}", "", cc.period_line(cmp), "", "## Companies", ""]
    out += _table(cc.COMPANY_COLUMNS, [[md(c) for c in cc.company_cells(cmp, company)]
                                       for company in cmp.companies])  # fmt: skip
    listed = False
    for _, title, rows, more in cc.sections(cmp):
        listed = True
        out += [f"## {md(title)}", ""]
        out += _rates(cmp, rows, cc.RATE_COLUMNS, with_standing=False)
        if more:
            out += [md(more), ""]
        phrases = [f"**{md(r.name)}**: " + ", ".join(f"“{md(p)}”" for p in r.phrases)
                   for r in rows if r.phrases]  # fmt: skip
        if phrases:
            out += ["Phrases: " + "; ".join(phrases), ""]
    if not listed:
        out += ["No issue is held by enough people at any company to compare.", ""]
    if cc.scattered_line(cmp):
        out += [md(cc.scattered_line(cmp)), ""]
    if cmp.categories:
        out += ["## By category", ""]
        out += _rates(cmp, cmp.categories, ("Category", "Standing", *cc.RATE_COLUMNS[1:]),
                      with_standing=True)  # fmt: skip
    out += [md(note) + "\n" for note in cc.notes(cmp)]
    return "\n".join(out).rstrip("\n") + "\n"


def _table(heads: tuple[str, ...] | list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join("---" for _ in heads) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _rates(cmp: Comparison, rows: list[Row], heads: tuple[str, ...], *,
           with_standing: bool) -> list[str]:  # fmt: skip
    cells = []
    for line in cc.lines(cmp, rows):
        people = f"**{line.people}**" if line.rate.has else line.people
        row = [md(line.label), md(line.company), line.grievances, people, line.trend]
        if with_standing:
            row.insert(1, cc.STANDING_SHORT[line.row.standing] if line.first else "")
        cells.append(row)
    return _table(heads, cells)
