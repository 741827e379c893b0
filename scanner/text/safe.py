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
from collections.abc import Iterator
from urllib.parse import urlsplit

import regex

# ANSI/ECMA-48 escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
# DCS/SOS/PM/APC strings, and two-character escapes; plus the 8-bit C1 forms.
# A string goes with what it carries only where it ends: one that never does loses
# its introducer alone (the control characters go below), where it had taken the
# rest of the text with it. That rest is no attack once the introducer is gone, and
# it is often a post: UTF-8 read as Latin-1, common on the web, writes "ß" as "Ã"
# and U+009F (APC), "Н" as "Ð" and U+009D (OSC), "Ü" with U+009C (ST), so "Die
# Straße war gesperrt …" was stored as "Die StraÃ". The 8-bit forms end only at BEL
# or ESC \, which such text never holds. No string runs past another introducer,
# so each character is read once: a megabyte of them costs no more than its length.
# The 8-bit CSI (U+009B, in "ě" and "ś" read so) goes with a sequence only when
# parameters follow it ("\x9b31m"): else it took the next letter ("Děkuji" lost its
# "k"), and alone it is dropped with the other controls.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~] | \x9b[0-?]+[ -/]*[@-~]                  # CSI
    | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)                # OSC, DCS...
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x90\x98\x9d\x9e\x9f]*(?:\x07|\x1b\\)  # 8-bit forms
    | \x1b[@-Z\\-_]                                                   # other 2-char escapes
    | \x1b.?                                                          # a stray ESC
    """,
    re.VERBOSE | re.DOTALL,
)
# Bidi embeddings, overrides and isolates reorder what follows them (Trojan Source).
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"))
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x0b\x0c\x85]+")


def strip_controls(text: str, *, keep_newlines: bool = True) -> str:
    """Remove escape sequences, C0/C1 controls and bidi overrides, and cut floods of
    combining marks (:func:`cap_marks`); keep the words."""
    if not text:
        return ""
    text = _ESCAPES.sub("", text)
    text = text.translate(_BIDI)
    if not keep_newlines:
        text = _LINE_BREAKS.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return cap_marks(_CONTROLS.sub("", text))


#: Combining marks kept on one character. Real writing needs at most five (Burmese
#: "ကြွေး" has four, pointed Hebrew and vocalised Arabic three); "Zalgo" text puts
#: hundreds on one letter, which browsers and terminals stack into a column drawn
#: across every line above and below it: out of its table cell, over the chart.
MAX_MARKS = 8


# No Python re class can name the combining marks (Unicode M*) short of listing
# hundreds of ranges, which made this search 50 times slower than regex's \p{M}:
# 13 times the cost of sanitising a non-ASCII post.
# Invisible format characters (ZWJ, ZWNJ, word joiners) between the marks do not
# break a flood: "a" with 300 accents and a ZWNJ after each stacks just as high.
# Possessive (*+): each invisible run is read once, where a pattern that could split
# it between two parts took 8 s over 32,000 zero-width spaces after eight marks.
_MARK_FLOOD = regex.compile(rf"(?:\p{{M}}\p{{Cf}}*+){{{MAX_MARKS + 1},}}")
_MARK = regex.compile(r"\p{M}")


def cap_marks(text: str) -> str:
    """``text`` with at most :data:`MAX_MARKS` combining marks on one character (the
    invisible format characters among them not counted): the rest of a flood goes,
    the letter and its first marks stay."""
    if text.isascii():
        return text
    return _MARK_FLOOD.sub(_first_marks, text)


def _first_marks(flood: regex.Match[str]) -> str:
    ninth = list(_MARK.finditer(flood.group()))[MAX_MARKS]
    return flood.group()[: ninth.start()]


# Invisible format characters (Unicode category Cf, less the visible Arabic and
# Syriac number signs): zero-width space, ZWNJ/ZWJ, LRM/RLM/ALM, bidi embeddings,
# overrides and isolates, word joiner and invisible operators, BOM, interlinear
# annotations, shorthand format controls, musical format marks, and the "tag"
# characters that can smuggle invisible ASCII.
_INVISIBLE_CLASS = (
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
_JOINERS = "\u200c\u200d"
# Letters of scripts without case and their marks: where ZWJ/ZWNJ shape words
# (Indic conjuncts and chillus, Persian ZWNJ). After a Latin, Greek or Cyrillic
# letter a joiner only hides one word inside another ("pay\u200dpal").
_JOINING = frozenset({"Lo", "Mn", "Mc"})
# Anything sanitize would change: one C-speed search decides that most text is
# fine as it is (free text keeps tabs and line breaks; names keep neither).
_UNSAFE_FREE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\r{_INVISIBLE_CLASS}]")
_UNSAFE_NAME = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{_INVISIBLE_CLASS}]")
_BREAKS = re.compile(r"[\n\r\t\v\f\x85\u2028\u2029]+")


def sanitize(text: str, *, free_text: bool = False) -> str:
    """What hostile text keeps when it is stored: the one rule for every writer.

    Escape sequences, C0/C1 controls, bidi controls, LRM/RLM and zero-width
    characters go, and so do combining marks past :data:`MAX_MARKS` on one
    character. In ``free_text`` (a post's text and title) line breaks stay, and so
    do ZWJ/ZWNJ inside words of scripts that need them; in identifiers, names,
    languages and URLs (the default) nothing invisible stays and line breaks
    become spaces. Text with none of these comes back as it is, after one C-speed
    search (two when it is not ASCII): this runs on every field of every stored post.
    """
    if not needs_sanitizing(text, free_text=free_text):
        return text
    text = strip_controls(text)
    if not free_text:
        text = _BREAKS.sub(" ", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub(lambda m: m.group() if free_text and _joins(m) else "", text)
    return text


def needs_sanitizing(text: str, *, free_text: bool = False) -> bool:
    """Whether :func:`sanitize` would change ``text`` (one C-speed search, two for
    text that is not ASCII: a flood of combining marks is cut too)."""
    if (_UNSAFE_FREE if free_text else _UNSAFE_NAME).search(text):
        return True
    return not text.isascii() and _MARK_FLOOD.search(text) is not None


def sanitize_tree(value: object) -> object:
    """Every string in a JSON-like value sanitised: keys as names, values as free text.

    For facts stored as JSON (a post's ``extra``) and for JSON output.
    """
    if isinstance(value, str):
        return sanitize(value, free_text=True)
    if isinstance(value, dict):
        return {sanitize(str(k)): sanitize_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [sanitize_tree(v) for v in value]
    return value


def _joins(match: re.Match[str]) -> bool:
    """Whether a joiner shapes what it stands in: a word of a script that needs it,
    or an emoji sequence ("👩‍👩‍👧" is one family, "👨🏽‍💻" one coder; without the
    ZWJ they read as three people, or a man beside a computer)."""
    at, text = match.start(), match.string
    if match.group() not in _JOINERS or at == 0:
        return False
    before = unicodedata.category(text[at - 1])
    if before in _JOINING:
        return True
    after = unicodedata.category(text[at + 1]) if at + 1 < len(text) else ""
    return match.group() == "\u200d" and before in {"So", "Sk"} and after == "So"


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


#: For every HTML page we write (the report, the digest's HTML part), as defence
#: in depth behind the escaping: no script of any origin, nothing fetched (no
#: images, fonts, frames, connections), no <base> or form targets; only the
#: inline styles and inline SVG the pages are made of.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'


_LINKABLE = re.compile(r"(?i)^https?://[^\s<>\"'\\]+$")


def safe_url(url: object) -> str | None:
    """A link that may be made clickable, or None: only http(s) (no ``javascript:``
    or ``data:``), and only where every reader sees the same host. A browser reads
    a backslash as a slash, so in "https://evil.example\\@bank.com/" it goes to
    evil.example while Python (and the host we print beside the link) reads
    bank.com; a user name before "@" ("https://bank.com@evil.example/") is the
    old trick for the same. No review site needs either."""
    if not url:
        return None
    url = strip_controls(str(url), keep_newlines=False).strip()
    if not _LINKABLE.match(url):
        return None
    try:  # what the digest reads its host from; "http://[oops/" would stop it
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is no number or out of range
    except ValueError:
        return None
    return url if parts.hostname and "@" not in parts.netloc else None


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
    return _MD_LINE_START.sub(
        lambda m: m.group() + "\\" if m.group()[0].isdigit() else "\\" + m.group(), escaped
    )


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
    text = _SPLIT_FORMULA.sub("'", strip_controls(raw))
    if raw.startswith(_FORMULA_START) or text.lstrip(" \u00a0\u3000").startswith(_FORMULA_START):
        return "'" + text
    return text


# A spreadsheet set to split at ";" (where the decimal comma is used) reads a
# comma-separated file as one field up to the ";" inside a post, quotes or not:
# what follows starts a cell of its own ("closed my account;=cmd|' /C calc'!A0"),
# as what follows a line break inside a post starts a row of its own.
_SPLIT_FORMULA = re.compile(r"(?<=[;\n\r])(?=[ \t\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20])")


def cell_width(ch: str) -> int:
    """Terminal cells of one character, as terminals count them (glibc's wcwidth, so
    tmux, xterm, VTE and mutt): wide characters two, marks that do not advance (Mn,
    Me) and format characters none, and everything else one, spacing vowel signs
    (Mc: "ा", "ி", "ు") included. Rich counts those none, so rich's own wrapping
    and cutting runs Hindi, Tamil and Telugu lines past the screen's edge: the views
    measure with this instead."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in {"Mn", "Me", "Cf"}:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def text_cells(text: str) -> int:
    """Terminal cells of ``text`` (:func:`cell_width` of each character)."""
    return len(text) if text.isascii() else sum(map(cell_width, text))


_TOKENS = re.compile(r"[^\s]+|[^\S\n]+")


def wrap_cells(text: str, width: int, indent: str = "", rest: str | None = None) -> list[str]:
    """``text`` word-wrapped to ``width`` terminal cells (:func:`cell_width`),
    ``indent`` before the first line and ``rest`` (default: ``indent``) before the
    others, all within ``width``. Line breaks in ``text`` are kept; a word wider than
    the room is split where the room ends. Made safe by the caller."""
    rest = indent if rest is None else rest
    room = max(width - max(text_cells(indent), text_cells(rest)), 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used, gap, start = "", 0, "", True
        for token in _TOKENS.findall(paragraph):
            if token.isspace():
                gap = token  # kept between words ("#7  3 people"), dropped at a break
                continue
            size = text_cells(token)
            joined = used + text_cells(gap) + size
            if (line or start) and joined <= room:
                line, used, gap, start = line + gap + token, joined, "", False
                continue
            if line:
                lines.append(line)
            while size > room:  # a word wider than the room: split by cells
                cut = _fitting(token, room) or _first_cluster(token, room)
                lines.append(token[:cut])
                token = token[cut:]
                size = text_cells(token)
            line, used, gap, start = token, size, "", False
        lines.append(line)
    return [(indent if n == 0 else rest) + line for n, line in enumerate(lines)]


def wrap_cells_ending(
    text: str, ending: str, width: int, indent: str = "", rest: str | None = None
) -> list[str]:
    """:func:`wrap_cells` of ``text`` then ``ending`` (a command to copy) kept on one
    line: at the end of the last line, or on a line of its own under ``rest`` (or
    four spaces in, where ``rest`` leaves it too little room). "(all: scan report
    --issue 12)" had broken after "scan", and copied as two commands. Only an
    ending wider than the screen is wrapped."""
    rest = indent if rest is None else rest
    lines = wrap_cells(text, width, indent, rest)
    if not ending:
        return lines
    if text_cells(f"{lines[-1]} {ending}") <= width:
        return [*lines[:-1], f"{lines[-1]} {ending}"]
    under = rest if text_cells(rest + ending) <= width else "    "
    return lines + wrap_cells(ending, width, under)


# What a reader sees as one character (an extended grapheme cluster, UAX #29): a
# consonant with its vowel signs and viramas ("कि", "र्ता", "క్ష"), an emoji with its
# skin tone and ZWJ partners ("🤦🏽‍♂️", "👨‍👩‍👧"), a flag's two letters ("🇮🇳"). A cut or a
# line break between code points left "फिर्त…" of "फिर्ता" (the sign AA gone), a
# bare virama, or half a family; every cut here falls between clusters.
_GRAPHEME = regex.compile(r"\X")
#: The longest cluster kept whole. Real ones are short (a family emoji is 7 code
#: points, a conjunct with its signs under 10); a hostile post can make one of
#: thousands (emoji chained by ZWJ, a run of skin tones or of Hangul leading jamo),
#: which no line can hold: such a cluster is cut anywhere, as before clusters were.
MAX_CLUSTER = 32
#: The widest cluster a line too narrow for it still takes whole (a family emoji is 8
#: cells as wcwidth counts them); a wider one is cut where the line ends.
WIDEST_KEPT = 8


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each grapheme cluster of ``text``; of each code point of one
    longer than :data:`MAX_CLUSTER`."""
    for cluster in _GRAPHEME.finditer(text):
        start, end = cluster.span()
        if end - start <= MAX_CLUSTER:
            yield start, end
        else:
            yield from ((at, at + 1) for at in range(start, end))


def _fitting(text: str, width: int) -> int:
    """How many leading characters of ``text`` fill at most ``width`` cells, in whole
    grapheme clusters; reads no further than the first cluster that does not fit, so
    a 20,000-character post costs no more than a short one."""
    if text.isascii():  # one character, one cluster and one cell ("\r\n" is never cut here)
        return min(len(text), max(width, 0))
    used = 0
    for start, end in _clusters(text):
        used += text_cells(text[start:end])
        if used > width:
            return start
    return len(text)


def _first_cluster(text: str, width: int) -> int:
    """Where to end a line that cannot hold the first cluster of ``text``: after it
    when it is a letter or an emoji (at most :data:`WIDEST_KEPT` cells), else (21
    skin tones in a row) where ``width`` cells end."""
    start, end = next(_clusters(text), (0, 0))
    if text_cells(text[start:end]) <= WIDEST_KEPT:
        return end
    return _points_fitting(text, width)


def _points_fitting(text: str, width: int) -> int:
    """How many leading code points of ``text`` fill ``width`` cells, at least one."""
    used = 0
    for at, char in enumerate(text):
        used += cell_width(char)
        if used > width:
            return max(at, 1)
    return len(text)


def cluster_cut(text: str, max_chars: int) -> int:
    """The end of the last whole grapheme cluster within ``text[:max_chars]``: where
    to cut a text by characters without parting a letter from its marks."""
    if len(text) <= max_chars or text.isascii():
        return min(len(text), max_chars)
    end = 0
    for _start, stop in _clusters(text):
        if stop > max_chars:
            break
        end = stop
    return end


def width_cut(text: str, width: int) -> str:
    """Cut to ``width`` terminal cells with an ellipsis; wide characters count twice,
    and the cut falls between grapheme clusters."""
    if width <= 0:
        return ""
    if _fitting(text, width) == len(text):
        return text
    return text[: _fitting(text, width - 1)].rstrip() + "…"
