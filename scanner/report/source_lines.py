"""``scan sources`` and the ``scan crawl`` summary, readable at 80 columns.

A wide table of every fact folds each cell into slivers on a narrow terminal
("sourc/e", "2026-/11-30/T14:1/1:27"). These tables keep to the few numbers a
person scans for, with short dates, and put what is long (a health message,
why posts were dropped) on a line of its own under its row, wrapped to the
width. ``scan sources --details`` lists every fact, one per line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from scanner.store.runs import UNJUDGED
from scanner.text.safe import terminal, text_cells, width_cut, wrap_cells

INDENT = "  "


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    notes: Sequence[Sequence[str]],
    *,
    numeric: set[str],
    width: int,
) -> str:
    """Columns as wide as their widest cell, the first one cut only when the rest
    would not fit; each row followed by its ``notes`` (indented, wrapped)."""
    cells = [[terminal("" if c is None else str(c)) for c in row] for row in rows]
    widths = [
        max([text_cells(h), *(text_cells(r[i]) for r in cells)]) for i, h in enumerate(headers)
    ]
    room = width - sum(widths[1:]) - 2 * (len(headers) - 1)
    widths[0] = max(min(widths[0], room), 8)
    lines = [_line(headers, widths, headers, numeric)]
    for row, row_notes in zip(cells, notes, strict=True):
        lines.append(_line(row, widths, headers, numeric))
        for note in row_notes:
            lines += wrap_cells(terminal(note), max(width, 20 + len(INDENT)), INDENT)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _line(
    cells: Sequence[str], widths: Sequence[int], headers: Sequence[str], numeric: set[str]
) -> str:
    out = []
    for cell, width, header in zip(cells, widths, headers, strict=True):
        cell = width_cut(cell, width) if text_cells(cell) > width else cell
        pad = " " * (width - text_cells(cell))
        out.append(pad + cell if header in numeric else cell + pad)
    return "  ".join(out)


def when(value: str | None, now: datetime | None = None) -> str:
    """A moment as a person scans for it: "today 18:10", "11-29 03:15", "2025-11-29"."""
    if not value:
        return "never"
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value[:16]
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if moment.date() == now.date():
        return f"today {moment:%H:%M}"
    if moment.year == now.year:
        return f"{moment:%m-%d %H:%M}"
    return f"{moment:%Y-%m-%d}"


def sources_text(rows: Sequence[dict[str, Any]], *, width: int, details: bool = False) -> str:
    """``scan sources``: a row per configured source, its message under it, then a
    table of the crawled sources no longer configured (their posts and last crawl),
    then one of the imported sources (no crawl, so no health); or every fact."""
    if details:
        return "\n".join(_details(r) for r in rows)
    crawled = [r for r in rows if r["configured"]]
    gone = [r for r in rows if r["configured"] is False]
    imported = [r for r in rows if r["origin"] == "import"]
    tables = [_crawled(crawled, width)] if crawled else []
    if gone:
        body = [(r["source"], r["posts"], _last_run(r)) for r in gone]
        headers = ("no longer configured", "posts", "last crawl")
        tables.append(table(headers, body, [[] for _ in gone], numeric={"posts"}, width=width))
    if imported:
        body = [(r["source"], r["posts"], when(r["last_run"])) for r in imported]
        headers = ("imported source", "posts", "last import")
        notes: list[list[str]] = [[] for _ in imported]
        tables.append(table(headers, body, notes, numeric={"posts"}, width=width))
    return "\n".join(tables)


def _crawled(rows: Sequence[dict[str, Any]], width: int) -> str:
    headers = ("source", "health", "last run", "new", "pending")
    body = [
        (
            r["source"] + ("" if r["enabled"] else " (off)"),
            r["health"] or "-",
            _last_run(r),
            "" if r["new"] is None else r["new"],
            r["pending"] or "",
        )
        for r in rows
    ]
    notes = [[r["message"]] if r["message"] else [] for r in rows]
    return table(headers, body, notes, numeric={"new", "pending"}, width=width)


def _last_run(r: dict[str, Any]) -> str:
    """Its time, and its status when that run judged nothing ("today 03:15 killed")."""
    return when(r["last_run"]) + (f" {r['status']}" if r["status"] in UNJUDGED else "")


def _details(r: dict[str, Any]) -> str:
    last_run = (
        "last run",
        f"{r['last_run'] or 'never'}" + (f", {r['status']}" if r["status"] else ""),
    )
    health = ("health", (r["health"] or "-") + (f" since {r['since']}" if r["since"] else ""))
    message = ("message", r["message"] or "")
    facts: list[tuple[str, Any]]
    if r["origin"] == "import":
        facts = [
            ("origin", "scan import (no crawl, no health)"),
            ("last run", f"{r['last_run'] or 'never'}, import"),
            ("posts", f"{r['posts']} stored"),
        ]
    elif not r["configured"]:
        facts = [
            ("origin", "crawled, no longer configured (not crawled again)"),
            last_run,
            ("posts", f"{r['posts']} stored"),
            health,
            message,
        ]
    else:
        facts = [
            ("spider", r["spider"]),
            ("enabled", "yes" if r["enabled"] else "no"),
            last_run,
            ("posts", f"{r['items'] or 0} found, {r['new'] or 0} new"),
            health,
            ("pending", f"{r['pending']} pages"),
            message,
        ]
    suffix = {None: " (imported)", False: " (no longer configured)"}.get(r["configured"], "")
    lines = [terminal(r["source"]) + suffix]
    lines += [f"{INDENT}{name:<9} {terminal(str(value))}" for name, value in facts if value != ""]
    return "\n".join(lines) + "\n"
