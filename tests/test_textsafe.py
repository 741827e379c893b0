"""Text from the web, made safe for the terminal, HTML, Markdown and CSV."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from scanner.text import safe as textsafe

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
NASTY = "a\x1b]0;owned\x07b\x1b[2Jc\u202ed\x9b31me\x07f\x00g\u2066h"


def test_terminal_strips_escapes_controls_and_bidi():
    assert textsafe.terminal(NASTY) == "abcdefgh"
    assert textsafe.terminal("one\ntwo") == "one two"
    assert textsafe.terminal("one\r\ntwo", single_line=False) == "one\ntwo"
    assert textsafe.terminal("हिन्दी தமிழ் తెలుగు") == "हिन्दी தமிழ் తెలుగు"  # marks untouched


@given(st.text())
def test_terminal_output_never_holds_a_control(text):
    out = textsafe.terminal(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)
    assert not set(out) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_csv_cells_never_start_a_formula():
    for value in [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\x00=cmd",
        "\u202e=cmd",
        " =cmd",
        "\x1b[2J=cmd",
        "＝1",
    ]:
        cell = textsafe.csv_cell(value)
        assert isinstance(cell, str) and cell.startswith("'"), repr(value)
    assert textsafe.csv_cell("plain") == "plain"
    # where a spreadsheet splits at ";", what follows one starts a cell
    assert textsafe.csv_cell("closed my account;=cmd|' /C calc'!A0") == (
        "closed my account;'=cmd|' /C calc'!A0"
    )
    assert textsafe.csv_cell("a; @SUM(1)") == "a;' @SUM(1)"
    assert textsafe.csv_cell("fees; refunds; 3.50") == "fees; refunds; 3.50"
    # ... and what follows a line break inside a post starts a row of its own
    assert textsafe.csv_cell("Refund never came.\n\n=HYPERLINK(1)") == (
        "Refund never came.\n\n'=HYPERLINK(1)"
    )
    assert textsafe.csv_cell("x;\t=1+1") == "x;'\t=1+1"
    assert textsafe.csv_cell(-3) == -3 and textsafe.csv_cell(None) is None


def test_html_and_links():
    assert textsafe.html('<script>"x"</script>') == "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"
    assert textsafe.safe_url("javascript:alert(1)") is None
    assert textsafe.safe_url("data:text/html,x") is None
    assert textsafe.safe_url("https://example.com/a") == "https://example.com/a"
    assert textsafe.safe_url("https://example.com/a?to=x@y.z#at@") is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example\\@paypal.com/login",  # a browser goes to evil.example
        "https://evil.example\\paypal.com/",
        "https://paypal.com@evil.example/",  # a user name that looks like the host
        "https://paypal.com:secret@evil.example/",
        "https://evil.example%5C@paypal.com/",
        "http://[oops/review/1",  # no URL at all: urllib raises on it
        "http://shop.example:99999/",
        "http://shop.example:abc/",
    ],
)
def test_a_link_whose_host_readers_disagree_on_is_not_made(url):
    """The digest prints a link's host beside it ("paypal.com") as Python reads it;
    a browser read "https://evil.example\\@paypal.com/" as evil.example."""
    assert textsafe.safe_url(url) is None


@given(st.text(max_size=60))
def test_markdown_escaping_keeps_text_literal(text):
    html = MarkdownIt("commonmark").render(textsafe.markdown(text))
    assert "<script" not in html and "<a " not in html and "<img" not in html
    assert "<em>" not in html and "<h1>" not in html


class _Rendered(HTMLParser):
    """The tags of a rendered page, and its text outside table headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.in_heading = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.in_heading = self.in_heading or tag == "th"

    def handle_endtag(self, tag):
        self.in_heading = self.in_heading and tag != "th"

    def handle_data(self, data):
        if not self.in_heading:
            self.text.append(data)


# Where the reports put escaped text: a paragraph, a block quote (post lines), a list
# item and a table cell. GitHub's strikethrough is on, as it is where reports are read.
CONTEXTS = {
    "paragraph": ("{}", set()),
    "quote": ("> {}", {"blockquote"}),
    "item": ("- Sources: {}", {"ul", "li"}),
    "cell": ("| heading |\n|---|\n| {} |", {"table", "thead", "tbody", "tr", "th", "td"}),
}
MARKDOWN_CHARS = list("*_`~|[]()<>&\\#+-=!.:0123456789 ") + ["a", "é", "\u093e", "\t"]


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from(MARKDOWN_CHARS), max_size=24) | st.text(max_size=24))
def test_markdown_escaped_text_renders_as_exactly_itself_in_every_context(text):
    expected = textsafe.strip_controls(text, keep_newlines=False).strip()
    if not expected:
        return
    escaped = textsafe.markdown(text)
    for name, (template, structure) in CONTEXTS.items():
        page = _Rendered()
        page.feed(MARKDOWN.render(template.format(escaped)))
        assert page.tags <= {"p"} | structure, (name, text, escaped)
        shown = "".join(page.text).strip()
        if name == "item":
            shown = shown.removeprefix("Sources: ")
        assert shown == expected, (name, text, escaped)


def test_markdown_escapes_only_what_markdown_acts_on():
    """Issue #15: "app\\-store", "\\!\\!" made the raw file ugly."""
    for plain in (
        "app-store!!",
        "snake_case_name",
        "$4.99 (incl. tax).",
        "AT&T",
        "100% sure",
        "a + b = c",
        "2026-11-07",
        "don't",
        "who? me!",
        "e-mail: x@y.z",
    ):
        assert textsafe.markdown(plain) == plain
    assert textsafe.markdown("*bold* _em_ `code` ~~gone~~ a|b") == (
        "\\*bold\\* \\_em\\_ \\`code\\` \\~\\~gone\\~\\~ a\\|b"
    )
    assert textsafe.markdown("# title") == "\\# title"
    assert textsafe.markdown("1. first") == "1\\. first"
    assert textsafe.markdown("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert textsafe.markdown("<b>&amp;") == "&lt;b>\\&amp;"


def test_wrap_cells_keeps_every_line_within_the_width_in_cells():
    # Wide characters count twice, and the spacing vowel signs of Devanagari, Tamil
    # and Telugu ("ा", "ா", "ు") once, as glibc's wcwidth (tmux, xterm, mutt) does.
    text = (
        "ads, 日本語のテキスト, पैसा वापस नहीं आया, பணம் திரும்ப வரவில்லை, "
        "డబ్బు తిరిగి రాలేదు, 二重請求 refunds, " * 3
    )
    lines = textsafe.wrap_cells(text, 30, "  ", "    ")
    assert len(lines) > 6 and lines[0].startswith("  ") and lines[1].startswith("    ")
    assert all(textsafe.text_cells(line) <= 30 for line in lines)
    assert max(textsafe.text_cells(line) for line in lines) >= 24  # filled, not scattered
    assert " ".join(" ".join(lines).split()) == " ".join(text.split())  # nothing lost
    assert textsafe.wrap_cells("", 30, "  ") == ["  "]


def test_wrap_cells_keeps_spacing_and_line_breaks_and_splits_only_an_overlong_word():
    assert textsafe.wrap_cells("#7 [new]  3 people", 40) == ["#7 [new]  3 people"]
    assert textsafe.wrap_cells("one\n\ntwo three", 40, "> ") == ["> one", "> ", "> two three"]
    assert textsafe.wrap_cells("a " + "x" * 25, 10) == ["a", "x" * 10, "x" * 10, "x" * 5]
    assert textsafe.wrap_cells("日本語日本語", 5) == ["日本", "語日", "本語"]


def test_wrap_cells_ending_keeps_a_command_on_one_line():
    """ "(all: scan report --issue 12)" broke after "scan" in tmux at 80 columns."""
    ids = "#275, #289, #342, #400, #431, #510"
    command = "(all: scan report --issue 12)"
    wrap = textsafe.wrap_cells_ending
    assert wrap(ids, command, 80, "  Ids: ", "       ") == [f"  Ids: {ids} {command}"]
    # No room left on the last line: a line of its own, under the text.
    assert wrap(ids, command, 50, "  Ids: ", "       ") == [
        "  Ids: #275, #289, #342, #400, #431, #510",
        f"       {command}",
    ]
    # Too wide under the text: nearer the margin, still whole.
    assert wrap("#1", command, 40, " " * 20, " " * 20)[1:] == [f"    {command}"]
    assert wrap(ids, "", 80) == textsafe.wrap_cells(ids, 80)


def test_text_cells_counts_spacing_vowel_signs_as_terminals_do():
    assert textsafe.text_cells("abc") == 3
    assert textsafe.text_cells("का") == 2  # KA and the spacing sign AA (Mc)
    assert textsafe.text_cells("कि") == 2  # the sign I is spacing too
    assert textsafe.text_cells("कु") == 1  # the sign U is not (Mn)
    assert textsafe.text_cells("日本") == 4


def test_width_cut_counts_wide_and_combining_characters():
    assert textsafe.width_cut("日本語テキスト", 6) == "日本…"
    assert textsafe.width_cut("पैसा वापस नहीं मिला", 6).endswith("…")


# UTF-8 read as Latin-1 (mojibake, common on the web): "ß" becomes "Ã" and U+009F
# (APC), "Ü" "Ã" and U+009C (ST), Cyrillic capitals "Ð" and U+0090 (DCS), U+0098
# (SOS), U+009D (OSC), U+009E (PM).
MOJIBAKE = [
    "Die Straße war gesperrt. Übel! Ich will mein Geld zurück.".encode().decode("latin-1"),
    # "ě" holds U+009B (CSI), which took the letter after it: "DÄuji"
    "Děkuji, věc nefunguje".encode().decode("latin-1"),
    "Доставка не пришла, ООО Мегафон молчит. Ничего не работает".encode().decode("latin-1"),
]


@pytest.mark.parametrize("text", MOJIBAKE)
def test_a_control_string_that_never_ends_loses_only_its_introducer(text):
    kept = "".join(c for c in text if not 0x80 <= ord(c) <= 0x9F)
    assert textsafe.terminal(text) == kept  # it had been cut at the first "Ã"
    assert textsafe.sanitize(text, free_text=True) == kept
    assert textsafe.html(text) == textsafe.html(kept)
    assert textsafe.terminal("a\x1b]0;never ended") == "a0;never ended"


@pytest.mark.parametrize(
    "text",
    [
        "a\x1b]0;owned\x07b",  # OSC retitle, ended by BEL
        "a\x1b]52;c;cm0gLXJm\x1b\\b",  # OSC 52 clipboard write, ended by ESC \
        "a\x1b]8;;http://evil.example/\x1b\\b\x1b]8;;\x1b\\",  # OSC 8 hyperlink
        "a\x1bPdcs\x9cb",  # DCS ended by 8-bit ST
        "a\x9d0;owned\x07b",  # 8-bit OSC
        "a\x9d52;c;cm0gLXJm\x1b\\b",
    ],
)
def test_a_control_string_that_ends_goes_with_what_it_carries(text):
    assert textsafe.terminal(text) == "ab"


# Letters of several scripts with the marks that belong to them, emoji with skin tones
# and ZWJ partners, and flags: every cut must fall between what a reader sees as one
# character ("फिर्ता" cut to "फिर्त…" lost its vowel sign; a family cut in half is two
# people).
_CLUSTERS = [
    " ",
    *("फि", "र्ता", "क्षि", "नहीं", "ति", "ணு", "வை", "ల్", "న్నా", "ను", "క్ష", "é", "a", "日"),
    *("🇮🇳", "🇳🇵"),
    "🤦🏽\u200d♂️",
    "👨\u200d👩\u200d👧\u200d👦",
]


def _boundaries(text: str) -> set[int]:
    import regex

    return {0} | {m.end() for m in regex.finditer(r"\X", text)}


@given(st.lists(st.sampled_from(_CLUSTERS), max_size=30), st.integers(1, 40))
@settings(max_examples=300)
def test_cuts_and_wraps_fall_between_grapheme_clusters(parts, width):
    text = "".join(parts)
    cut = textsafe.width_cut(text, width)
    kept = cut[:-1] if cut.endswith("…") and cut != text else cut
    assert text.startswith(kept) and len(kept.rstrip()) in _boundaries(text)
    assert textsafe.text_cells(cut) <= width or len(_boundaries(kept)) <= 1
    lines = textsafe.wrap_cells(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    ends, at = set(), 0
    for line in lines:  # each line ends on a boundary of the whole text
        at = text.index(line, at) + len(line) if line else at
        ends.add(at)
    assert ends <= _boundaries(text)


def test_a_cut_keeps_vowel_signs_viramas_and_emoji_sequences_whole():
    from scanner.text.clean import cut_text

    assert textsafe.width_cut("फिर्ता पनि आएन", 5) == "फि…"  # not "फिर्त…"
    assert textsafe.width_cut("డబ్బు పంపలేకపోతున్నాను", 13) == "డబ్బు పంపలేకపో…"  # not "…పోత…"
    assert textsafe.width_cut("డబ్బు పంపలేకపోతున్నాను", 7) == "డబ్బు…"  # not "ప" without "ం"
    assert textsafe.width_cut("ok 🤦🏽\u200d♂️ bye", 6) == "ok…"  # no bare 🤦 left
    assert textsafe.wrap_cells("🇮🇳🇳🇵🇮🇳", 3) == ["🇮🇳", "🇳🇵", "🇮🇳"]  # no flag in halves
    assert cut_text("पैसा फिर्ता", 10) == "पैसा फि…"  # stored cut: by characters, whole


@pytest.mark.parametrize(
    "cluster",
    [
        "👨" + "\u200d👩" * 3000,  # emoji chained by ZWJ: one cluster
        "👍" + "\U0001f3fd" * 2000,  # a run of skin tones
        "\u1100" * 3000 + "\u1161",  # Hangul leading jamo: one syllable
    ],
)
def test_a_cluster_wider_than_a_line_is_cut_where_the_line_ends(cluster):
    # Kept whole, one hostile post made a line thousands of cells wide, and a post
    # opening with one was stored as "…" alone.
    text = "My review: " + cluster
    assert max(textsafe.text_cells(line) for line in textsafe.wrap_cells(text, 40)) <= 40
    assert textsafe.text_cells(textsafe.width_cut(text, 20)) <= 20
    from scanner.text.clean import cut_text

    assert len(cut_text(text, 100)) == 100 and cut_text(text, 100).startswith(text[:11])
