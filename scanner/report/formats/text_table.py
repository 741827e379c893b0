"""The grievance tables of the terminal report, laid out for the width at hand.

What a reader needs from a row is the grievance itself, so its text is the
widest column at every width. Other columns take the width of their longest
cell, so nothing is cut that fits. When the terminal is too narrow for all of
them, the layout gives way: a long list shows its first entry and how many
more ("Delivery and delays +2"), then less important columns go
(``Layout.drops``). When even the essential columns would leave the
grievance too little room (an 80-column terminal), each grievance takes its
own line under its numbers.

Cells are ``rich.text.Text`` built from ``textsafe.terminal`` output, padded
and cut by terminal cells as terminals count them (``textsafe.text_cells``:
wide characters two, Devanagari, Tamil and Telugu vowel signs one, which rich's
own measure counts none).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

from scanner.report.model import ClusterView, Report
from scanner.text.safe import text_cells, width_cut, wrap_cells

Cell = Callable[[Report, ClusterView], Text]
GAP = 2  # spaces between columns
INDENT = 4  # the grievance line of the two-line layout
# A one-line row gives the grievance at least this many cells and a third of the width:
# less says too little, and a two-line layout then shows more.
GRIEVANCE_MIN = 40


@dataclass
class Column:
    heading: str
    cell: Cell
    right: bool = False  # numbers are right-aligned, and so are their headings
    short: Cell | None = None  # the compact form of a list ("first +2")


def _shown_cell(full: Text, compact: Text, width: int) -> Text:
    """A compact column still shows a whole list where it fits the column's width."""
    return full if cell_size(full) <= width else compact


@dataclass
class Layout:
    """Columns by importance, how they give way, and the order they are shown in."""

    columns: list[Column]
    essential: int  # the first N columns are never dropped
    drops: list[str] = field(default_factory=list)  # headings, the first to go first
    order: list[str] = field(default_factory=list)  # display order of the headings


@dataclass
class _Plan:
    shown: list[int]  # column indexes, in display order
    short: set[int]
    widths: dict[int, int]
    two_line: bool
    grievance: int  # width of the grievance column (one line) or line


def draw(
    console: Console,
    report: Report,
    table: Layout,
    clusters: Sequence[ClusterView],
    grievance: Callable[[ClusterView], Text],
    *,
    rule: bool,
) -> None:
    """Print the header and one row (or two lines) per cluster."""
    full = [[col.cell(report, c) for col in table.columns] for c in clusters]
    compact = [[(col.short or col.cell)(report, c) for col in table.columns] for c in clusters]
    texts = [grievance(c) for c in clusters]
    plan = _plan(table, full, compact, max((cell_size(t) for t in texts), default=0), console.width)

    def cells(row: int) -> list[Text]:
        return [
            _shown_cell(full[row][i], compact[row][i], plan.widths[i])
            if i in plan.short
            else full[row][i]
            for i in plan.shown
        ]

    headings = [Text(table.columns[i].heading, style="bold") for i in plan.shown]
    if not plan.two_line:
        headings.append(Text("Grievance", style="bold"))
    console.print(_line(plan, table, headings))
    if plan.two_line:
        console.print(Text(" " * INDENT + "Grievance", style="bold"))
    if rule:
        console.print(Text("─" * console.width, style="dim"))
    for row, text in enumerate(texts):
        if plan.two_line:
            console.print(_line(plan, table, cells(row)))
            console.print(Text(" " * INDENT) + fit(text, plan.grievance))
        else:
            console.print(_line(plan, table, [*cells(row), text]))


def _line(plan: _Plan, table: Layout, cells: list[Text]) -> Text:
    out = Text()
    for position, cell in enumerate(cells):
        if position:
            out.append(" " * GAP)
        if position < len(plan.shown):
            index = plan.shown[position]
            width = plan.widths[index]
            last = plan.two_line and position == len(plan.shown) - 1
            out.append_text(fit(cell, width, right=table.columns[index].right, pad=not last))
        else:  # the grievance, last: cut, not padded
            out.append_text(fit(cell, plan.grievance))
    return out


def cell_size(text: Text) -> int:
    """Terminal cells of a cell's text (``textsafe.text_cells``)."""
    return text_cells(text.plain)


def fit(text: Text, width: int, *, right: bool = False, pad: bool = False) -> Text:
    """``text`` in ``width`` terminal cells: cut with an ellipsis, else aligned right
    or padded on request."""
    size = cell_size(text)
    if size > width:
        if width <= 0:
            return Text()
        cut = width_cut(text.plain, width)  # "…" after what fits; styles kept
        return text[: len(cut) - 1] + Text("…", style=text.style)
    if right:
        return Text(" " * (width - size)) + text
    text = text.copy()
    if pad:
        text.pad_right(width - size)
    return text


def _plan(
    table: Layout,
    full: list[list[Text]],
    compact: list[list[Text]],
    grievance_natural: int,
    width: int,
) -> _Plan:
    """The richest layout that keeps the grievance the widest column (see the docstring).

    Candidates run from every column, lists compacted, to the essential ones
    (``Layout.drops`` says which go first); the first that fits one line per
    grievance wins, else the first that fits two lines. Then each compacted
    list is shown whole where the grievance still keeps half the width (one
    line) or the line still fits (two lines).
    """
    headings = [col.heading for col in table.columns]

    def natural(i: int, short: bool) -> int:
        rows = compact if short else full
        return max([len(headings[i]), *(cell_size(row[i]) for row in rows)])

    shown = list(range(len(table.columns)))
    short = {i for i, col in enumerate(table.columns) if col.short is not None}
    candidates = [list(shown)]
    for heading in table.drops:
        i = headings.index(heading)
        if i in shown and i >= table.essential:
            shown.remove(i)
            candidates.append(list(shown))

    def room(widths: dict[int, int]) -> int:
        return width - sum(widths.values()) - GAP * len(widths)

    def one_line(share: int) -> Callable[[dict[int, int]], bool]:
        """The grievance gets GRIEVANCE_MIN cells, 1/share of the width, and is the widest."""

        def fits(widths: dict[int, int]) -> bool:
            wanted = max(GRIEVANCE_MIN, width // share, max(widths.values(), default=0) + 1)
            return room(widths) >= min(grievance_natural, wanted)

        return fits

    def two_line(widths: dict[int, int]) -> bool:
        return room(widths) + GAP >= 0

    # A compact list is shown whole again only while the grievance keeps half the width.
    for fits, restore in ((one_line(3), one_line(2)), (two_line, two_line)):
        for cols in candidates:
            widths = {i: natural(i, i in short) for i in cols}
            if fits(widths):
                widths = _restore(short, widths, restore, natural)
                if fits is two_line:
                    return _Plan(_ordered(table, cols), short, widths, True, width - INDENT)
                return _Plan(_ordered(table, cols), short, widths, False, room(widths))
    # Even the essential columns are too wide for one line: the last one is cut.
    ordered = _ordered(table, cols)
    widths[ordered[-1]] = max(1, widths[ordered[-1]] + room(widths) + GAP)
    return _Plan(ordered, short, widths, True, max(1, width - INDENT))


def _restore(
    shorts: set[int],
    widths: dict[int, int],
    fits: Callable[[dict[int, int]], bool],
    natural: Callable[[int, bool], int],
) -> dict[int, int]:
    """Show compact lists whole again, cheapest first, while the layout still fits."""
    for i in sorted(shorts & widths.keys(), key=lambda i: natural(i, False) - widths[i]):
        grown = {**widths, i: natural(i, False)}
        if fits(grown):
            widths = grown
    return widths


def _ordered(table: Layout, cols: list[int]) -> list[int]:
    headings = [col.heading for col in table.columns]
    rank = {h: n for n, h in enumerate(table.order or headings)}
    return sorted(cols, key=lambda i: rank.get(headings[i], len(rank)))


def grid(
    console: Console,
    title: Text,
    headings: Sequence[str],
    rows: Sequence[Sequence[Text] | None],
    *,
    right: Sequence[bool],
    flexible: Sequence[int],
    rule: bool,
) -> None:
    """A small table (companies, sources, a comparison's rates) measured by
    terminal cells, as the grievance tables are: rich's own tables count Hindi,
    Tamil and Telugu vowel signs as no cell, so a column of issue names in those
    scripts pushed the next column out of line and the row past 80 columns.

    Every column takes the width of its longest cell but the ``flexible`` ones,
    which give way in that order when the screen is too narrow, and wrap onto
    further lines. A row of ``None`` starts a new section (a blank line under a
    ruled header)."""
    cells = [row for row in rows if row is not None]
    widths = [
        max([text_cells(h), *(cell_size(row[i]) for row in cells)]) for i, h in enumerate(headings)
    ]
    for column in flexible:
        spare = console.width - _span(widths)
        if spare >= 0:
            break
        widths[column] = max(widths[column] + spare, 8)
    console.print(title)
    head = [Text(h, style="bold") for h in headings]
    _grid_row(console, head, widths, right, flexible)
    if rule:
        console.print(Text("─" * min(_span(widths), console.width), "dim"))
    for row in rows:
        if row is None:
            if rule:
                console.print()
            continue
        _grid_row(console, row, widths, right, flexible)


def _span(widths: list[int]) -> int:
    """Cells a row of columns this wide takes, the gaps between them included."""
    return sum(widths) + GAP * (len(widths) - 1)


def _grid_row(
    console: Console,
    row: Sequence[Text],
    widths: list[int],
    right: Sequence[bool],
    flexible: Sequence[int],
) -> None:
    """One row; the flexible cells' further lines under it, the others blank."""
    wrapped = {i: wrap_cells(row[i].plain, widths[i]) or [""] for i in flexible}
    for n in range(max(len(lines) for lines in wrapped.values())):
        out = Text()
        for i, width in enumerate(widths):
            if i in wrapped:
                lines = wrapped[i]
                cell = Text(lines[n] if n < len(lines) else "", style=row[i].style)
            else:
                cell = row[i] if n == 0 else Text()
            last = i == len(widths) - 1
            out.append_text(fit(cell, width, right=right[i], pad=not last))
            if not last:
                out.append(" " * GAP)
        console.print(out, no_wrap=True, overflow="ignore")
