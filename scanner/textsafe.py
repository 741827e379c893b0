"""The one way text from the web reaches a terminal, HTML, Markdown or CSV.

Text in posts is written by strangers. Printed raw it can retitle a terminal
(``ESC ] 0 ;``), clear it (``ESC [ 2 J``), reorder a line with bidi overrides so
that a link reads as another, run script in an HTML report, or become a formula
when a CSV is opened in a spreadsheet. Every renderer calls one of these.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

# ANSI/ECMA-48 escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
# DCS/SOS/PM/APC strings, and two-character escapes; plus the 8-bit C1 forms.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]                       # CSI
    | (?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)  # OSC, DCS...
    | \x1b[@-Z\\-_]                                        # other 2-char escapes
    | \x1b.?                                               # a stray ESC
    """,
    re.VERBOSE | re.DOTALL,
)
# Bidi embeddings, overrides and isolates reorder what follows them (Trojan Source).
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"))
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x0b\x0c\x85]+")


def strip_controls(text: str, *, keep_newlines: bool = True) -> str:
    """Remove escape sequences, C0/C1 controls and bidi overrides; keep the words."""
    if not text:
        return ""
    text = _ESCAPES.sub("", text)
    text = text.translate(_BIDI)
    if not keep_newlines:
        text = _LINE_BREAKS.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def terminal(text: object, *, single_line: bool = True) -> str:
    """Safe to print to a terminal. Single line by default (table cells)."""
    if text is None:
        return ""
    return strip_controls(str(text), keep_newlines=not single_line)


def html(text: object) -> str:
    """Safe inside HTML element content and quoted attribute values."""
    if text is None:
        return ""
    return _html.escape(strip_controls(str(text)), quote=True)


def safe_url(url: object) -> str | None:
    """Only http(s) links are ever made clickable (no ``javascript:``/``data:``)."""
    if not url:
        return None
    url = strip_controls(str(url), keep_newlines=False).strip()
    return url if re.match(r"(?i)^https?://[^\s<>\"']+$", url) else None


# What Markdown (CommonMark plus GitHub's tables and strikethrough) acts on inside a
# line: emphasis, code, links and images, raw HTML and entities, table cells.
_MD_INLINE = re.compile(
    r"""[*`~|\[\]<]            # emphasis, code, strikethrough, cells, links, HTML
    | \\(?=[!-/:-@\[-`{-~]|$)  # a backslash that would escape the next character or break
    | &(?=\#?\w+;)             # an entity such as &amp; or &#123;
    | (?<![^\W_])_|_(?![^\W_])  # "_" opening or closing emphasis (not inside a word)
    """,
    re.VERBOSE,
)
# ... and at the start of a line: headings, quotes, lists, rules, fences, setext lines.
_MD_LINE_START = re.compile(r"^(?:[#>+=-]|\d+(?=[.)]))")


def markdown(text: object) -> str:
    """Literal in Markdown, anywhere: a paragraph, a table cell, a block quote, a list item.

    Only what Markdown would act on is escaped, so the raw file stays readable
    ("app-store!!", "snake_case", "3.50 (incl. tax)" are left alone). Line
    breaks become spaces and leading spaces go, so nothing can start a block.
    """
    if text is None:
        return ""
    line = strip_controls(str(text), keep_newlines=False).strip()
    escaped = _MD_INLINE.sub(lambda m: "&lt;" if m.group() == "<" else "\\" + m.group(), line)
    return _MD_LINE_START.sub(lambda m: m.group() + "\\" if m.group()[0].isdigit()
                              else "\\" + m.group(), escaped)  # fmt: skip


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> object:
    """Neutralise spreadsheet formulas (CSV injection); numbers pass unchanged.

    Controls are stripped *before* the check: ``"\x00=cmd"`` or a bidi override
    in front of ``=`` would otherwise hide the formula from it. Leading spaces do
    not hide one either (some spreadsheets skip them).
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    raw = str(value)
    if raw.startswith(_FORMULA_START):
        return "'" + strip_controls(raw)
    text = strip_controls(raw)
    if text.lstrip(" \u00a0\u3000").startswith(_FORMULA_START):
        return "'" + text
    return text


def cell_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in {"Mn", "Me", "Cf"}:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width_cut(text: str, width: int) -> str:
    """Cut to ``width`` terminal cells with an ellipsis; wide characters count twice.

    One pass that stops at the cut, so a 20,000-character post costs no more
    than a short one.
    """
    if width <= 0:
        return ""
    used, cut = 0, None
    for index, ch in enumerate(text):
        used += cell_width(ch)
        if cut is None and used > width - 1:
            cut = index  # where the text stops if an ellipsis is needed
        if used > width:
            return text[:cut].rstrip() + "…"
    return text
