"""``scan compare`` in the terminal: the companies, then each standing as a rate table.

Drawn with rich like the report; web text (company, issue and phrase names come
from config and posts) enters only through ``textsafe.terminal`` as ``Text``.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner import textsafe
from scanner.compare.model import Comparison, Row
from scanner.report import compare_common as cc

TREND_STYLE = {"▲": "red", "▼": "green"}
STANDING_STYLE = {"ours_alone": "bold red", "industry_wide": "yellow", "theirs_alone": "green"}


def render(cmp: Comparison, *, width: int = 100, color: bool = False, tty: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False, emoji=False,
                      markup=False, soft_wrap=False)  # fmt: skip
    boxed = box.SIMPLE_HEAD if tty else None
    console.print(Text.assemble(("scan compare", "bold"), " · ", _safe(cc.title(cmp), "bold")))
    console.print(_safe(cc.period_line(cmp)))
    console.print()
    table = _table(boxed, "Companies")
    for col in cc.COMPANY_COLUMNS:
        table.add_column(col, justify="left" if col in {"Company", "Systemic issues"} else "right",
                         overflow="fold")  # fmt: skip
    for company in cmp.companies:
        cells = cc.company_cells(cmp, company)
        table.add_row(*(_safe(c) for c in cells[:4]), _trend(cells[4]), _safe(cells[5]))
    console.print(table)
    console.print()
    listed = False
    for standing, title, rows, more in cc.sections(cmp):
        listed = True
        _rates(console, cmp, boxed, title, rows, style=STANDING_STYLE.get(standing, "bold"))
        if more:
            console.print(more)
            console.print()
    if not listed:
        console.print("No issue is held by enough people at any company to compare.")
    if cc.scattered_line(cmp):
        console.print(cc.scattered_line(cmp))
        console.print()
    if cmp.categories:
        _categories(console, cmp, boxed)
    for note in cc.notes(cmp):
        console.print(_safe(note))
    text = out.getvalue()
    return text if tty else "\n".join(line.rstrip() for line in text.split("\n"))


def _safe(value: object, style: str = "") -> Text:
    return Text(textsafe.terminal(value), style=style)


def _trend(value: str) -> Text:
    return Text(value, style=TREND_STYLE.get(value[:1], ""))


def _table(boxed: box.Box | None, title: str, style: str = "bold") -> Table:
    return Table(title=title, title_justify="left", title_style=style, box=boxed,
                 show_edge=False, pad_edge=False, header_style="bold")  # fmt: skip


def _rates(console: Console, cmp: Comparison, boxed: box.Box | None, title: str,
           rows: list[Row], *, style: str) -> None:  # fmt: skip
    table = _table(boxed, title, style)
    for col in cc.RATE_COLUMNS:
        table.add_column(col, justify="left" if col in {"Grievance", "Company"} else "right",
                         overflow="fold")  # fmt: skip
    for line in cc.lines(cmp, rows):
        if line.first and table.row_count:
            table.add_section()
        people = _safe(line.people, "bold" if line.rate.has else "")
        table.add_row(_safe(line.label), _safe(line.company), _safe(line.grievances), people,
                      _trend(line.trend))  # fmt: skip
    console.print(table)
    console.print()


def _categories(console: Console, cmp: Comparison, boxed: box.Box | None) -> None:
    table = _table(boxed, "By category")
    for col in ("Category", "Standing", *cc.RATE_COLUMNS[1:]):
        table.add_column(col, justify="right" if "/" in col or col == "Trend" else "left",
                         overflow="fold")  # fmt: skip
    for line in cc.lines(cmp, cmp.categories):
        if line.first and table.row_count:
            table.add_section()
        standing = cc.STANDING_SHORT[line.row.standing] if line.first else ""
        people = _safe(line.people, "bold" if line.rate.has else "")
        styled = Text(standing, STANDING_STYLE.get(line.row.standing, ""))
        table.add_row(_safe(line.label), styled, _safe(line.company), _safe(line.grievances),
                      people, _trend(line.trend))  # fmt: skip
    console.print(table)
    console.print()
