"""Cleaning text as it enters the database: one form for every source.

HTML becomes text, Unicode is composed (NFC) so that the same word is stored
the same way whichever keyboard typed it, control characters go, whitespace is
collapsed (paragraph breaks kept), and very long posts are capped.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

from scanner.text.safe import cluster_cut, strip_controls

MAX_TEXT_CHARS = 20_000
# A reply's title: this, then its thread's title (Reddit and Hacker News comments).
# Every reply in a thread shares it, so it says nothing of what the person wrote.
REPLY_PREFIX = "Re: "
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# Markup is read as HTML only where it names an element HTML has: an e-mail in
# angle brackets ("<john.doe@example.com>") or a button quoted as "<Submit>" in a
# plain-text export is text, and was lost when any "<word>" counted as a tag.
_HTML_ELEMENTS = (
    "a|abbr|article|aside|b|big|blockquote|body|br|center|cite|code|dd|del|div|dl|dt|em"
    "|figcaption|figure|font|footer|h[1-6]|head|header|hr|html|i|iframe|img|ins|kbd|li"
    "|link|main|mark|meta|nav|noscript|object|ol|p|pre|q|s|samp|script|section|small|span"
    "|strike|strong|style|sub|sup|svg|table|tbody|td|tfoot|th|thead|time|title|tr|tt|u|ul"
    "|var|wbr|address|area|audio|base|bdi|bdo|button|canvas|caption|col|colgroup|data"
    "|details|dfn|dialog|embed|fieldset|form|frame|frameset|hgroup|input|label|legend"
    "|map|marquee|math|menu|meter|nobr|option|output|picture|progress|rp|rt|ruby|select"
    "|slot|source|summary|template|textarea|video|xmp|acronym|applet|basefont|blink|datalist"
    "|dir|keygen|listing|menuitem|noembed|noframes|optgroup|param|plaintext|rb|rtc|search"
    "|spacer|track"
)
# A tag's attributes, where a quoted value may hold "<" or ">" (alt="<3"); a tag
# whose quotes do not pair up ends at its first ">" as before.
_ATTRIBUTES = r"""(?:(?:"[^"]*"|'[^']*'|[^<>"'])*>|[^<>]*>)"""
_ELEMENT_TAG = rf"</?(?:{_HTML_ELEMENTS})(?=[\s/>]){_ATTRIBUTES}"
_HTML_HINT = re.compile(rf"{_ELEMENT_TAG}|<!--[^<>]*>", re.IGNORECASE)
# Once a text is read as HTML, what else stays markup: a comment; a declaration
# ("<!DOCTYPE html>", Word's "<![if !supportLists]>") or "<?xml …?>"; a drawing (SVG,
# MathML), whose "<path>" names no HTML element; a custom element ("<star-rating>":
# lowercase, a hyphen) and a prefixed one (Word's "<o:p>"), which name no address
# ("<john-doe@example.com>", "<https://…>"). A comment or drawing that is not
# closed runs to the end of the text, so no "<" is scanned to the end twice.
_MARKUP = (
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<[!?][^<>]*>"
    r"|<(?P<drawing>svg|math)(?=[\s/>]).*?(?:</(?P=drawing)\s*>|\Z)"
    rf"|{_ELEMENT_TAG}"
    r"|</?(?-i:[a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z][a-z0-9]*:[A-Za-z][\w.-]*)(?=\s|/?>)"
    + _ATTRIBUTES
)
_MARKUP_OR_ANGLE = re.compile(rf"({_MARKUP})|<", re.IGNORECASE | re.DOTALL)


def _text_angles_escaped(text: str) -> str:
    """``text`` with each "<" that opens no markup written "&lt;", so the HTML parser
    keeps "<john.doe@example.com>" or "<Submit>" beside a "<br>" as the text it is,
    where it would drop them as unknown tags."""
    return _MARKUP_OR_ANGLE.sub(lambda m: m[1] or "&lt;", text)


#: Elements whose text no reader sees.
_HIDDEN = frozenset({"script", "style", "template", "noscript"})
#: Elements whose content lxml keeps as raw text, markup and all ("<textarea>typed
#: <b>here</b>"), and whose words a reader sees; their content is read as HTML once
#: more (once only: nested ones stay as written, so no input makes it quadratic).
_RAW_TEXT = frozenset({"textarea", "xmp", "plaintext", "title"})
#: What stands between an element's text and its neighbours': a paragraph break
#: around paragraphs and headings, a line break around lines, a space between
#: table cells (else "<td>a<td>b" reads "ab").
_BREAKS = {
    **dict.fromkeys(["p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre"], "\n\n"),
    **dict.fromkeys(["br", "div", "li", "tr", "dt", "dd", "hr", "section", "article"], "\n"),
    **dict.fromkeys(["td", "th"], " "),
}


def html_to_text(markup: str, *, nested: bool = False) -> str:
    """Visible text of an HTML fragment, block elements as line breaks.

    Parsed by lxml (libxml2): its time grows with the length of the markup
    whatever the markup is. The standard library's parser, on the Pythons we
    support, takes time that grows with the square of the length on unclosed
    tags and comments (CVE-2025-6069): forty kilobytes of "<svg " took five
    seconds, a megabyte would take an hour. The tree is walked once, with a
    stack of its own: inserting line breaks into a deeply nested tree was
    quadratic too, and recursion would overflow on it."""
    from bs4 import BeautifulSoup, CData, NavigableString, PageElement, Tag

    # libxml2 takes no lone surrogate (half an emoji from a JSON escape) and reads
    # NUL as U+FFFD; both go, as strip_controls would drop a NUL later.
    markup = markup.replace("\x00", "")
    markup = markup.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    soup = BeautifulSoup(markup, "lxml")
    pieces: list[str] = []
    stack: list[PageElement | str] = [soup]
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if node.name in _HIDDEN:
                continue
            if node.name in _RAW_TEXT and not nested:
                inner = node.get_text()
                pieces.append(html_to_text(inner, nested=True) if "<" in inner else inner)
                continue
            gap = _BREAKS.get(node.name, "")
            pieces.append(gap)
            if node.contents:
                stack.append(gap)  # said again once the element's text is out
                stack.extend(reversed(node.contents))
        elif type(node) in (NavigableString, CData, str):  # not comments, doctypes
            pieces.append(str(node))
    return "".join(pieces)


#: Where styled look-alikes of letters and digits live: letterlike symbols, circled
#: ones, the ideographic space, Latin ligatures, full- and half-width forms,
#: mathematical letters and digits, enclosed ones.
_STYLED_BLOCKS = (
    (0x2100, 0x2150),
    (0x2460, 0x2500),
    (0x3000, 0x3001),
    (0xFB00, 0xFB07),
    (0xFF00, 0xFFF0),
    (0x1D400, 0x1D800),
    (0x1F100, 0x1F200),
)
#: Of those, only what is a style of a plain character (Unicode's <font>, <wide>,
#: <narrow> and <circle> decompositions, and the ligatures): "™" (<super>) stays.
_STYLES = ("<font>", "<wide>", "<narrow>", "<circle>", "<compat>")
_STYLED_CHAR = re.compile("[" + "".join(f"{chr(a)}-{chr(b - 1)}" for a, b in _STYLED_BLOCKS) + "]")


@functools.cache
def _styled_table() -> dict[int, str]:
    table = {}
    for start, end in _STYLED_BLOCKS:
        for code in range(start, end):
            tag, _, chars = unicodedata.decomposition(chr(code)).partition(" ")
            if tag in _STYLES and (tag != "<compat>" or 0xFB00 <= code < 0xFB07):
                table[code] = "".join(chr(int(c, 16)) for c in chars.split())
    return table


def plain_letters(text: str) -> str:
    """``text`` with letters styled by Unicode look-alikes read as the letters they
    show, for matching only: "𝘢𝘥𝘴" (mathematical italic, from "fancy text"
    generators), "ａｄｓ" (full-width), "ⓐⓓⓢ" (circled) and "ﬁlter" (a ligature)
    are "ads" and "filter" to a reader. The stored text keeps its look (NFC,
    :func:`clean_text`). Not NFKC: that also rewrites what is no style of a letter
    ("™" to "TM", which hid "Chai™"; "´" to a space and an accent, which broke
    "don´t"; "…" to three full stops) and changes nothing else in any script."""
    if text.isascii() or not _STYLED_CHAR.search(text):
        return text
    return text.translate(_styled_table())


def clean_text(value: object, *, max_chars: int | None = MAX_TEXT_CHARS) -> str:
    """The stored form of a post's text (or title, author); ``max_chars=None``
    leaves it whole, for a caller that says when it cuts (``cut_text``)."""
    if value is None:
        return ""
    text = str(value)
    if "<" in text and _HTML_HINT.search(text):
        text = html_to_text(_text_angles_escaped(text))
    elif "&" in text:  # entities without tags ("don&#x27;t"): decode them too
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = strip_controls(text.replace("\xa0", " "))
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    return text if max_chars is None else cut_text(text, max_chars)


def cut_text(text: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """``text`` in at most ``max_chars`` characters, "…" where it was cut, between
    grapheme clusters (``safe.cluster_cut``): never a vowel sign off its consonant."""
    if len(text) <= max_chars:
        return text
    return text[: cluster_cut(text, max_chars - 1)].rstrip() + "…"


def clean_line(value: object, *, max_chars: int = 500) -> str:
    """Like :func:`clean_text` but on one line (authors, titles)."""
    return " ".join(clean_text(value, max_chars=max_chars).split())


# What sites put in place of a post that was deleted or taken down ("[deleted]",
# "This review has been removed ..."). Anchored at the start, so that a complaint
# that merely *mentions* a removed review is not mistaken for one.
_REMOVED_POST = re.compile(
    r"^\s*\[(?:deleted|removed|flagged|dead)\]\s*$"
    r"|^\s*(?:this\s+)?(?:review|complaint|post|comment)\s+(?:has\s+been|was|is)\s+"
    r"(?:removed|deleted|taken\s+down)\b",
    re.IGNORECASE,
)


def is_removed_post(*texts: object) -> bool:
    """Whether any of these texts is only a site's "deleted/removed" placeholder."""
    return any(isinstance(t, str) and _REMOVED_POST.search(t) for t in texts)


def nfc(value: str) -> str:
    """``value`` in Unicode NFC (almost always already: checked before it is built).
    Names that must compare equal however their accents were composed (a post's id,
    company, source, author; a company or source named in the config or on the
    command line) are compared in this form: the store keeps them so."""
    if unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)
