"""Text from the web, made safe for the terminal, HTML, Markdown and CSV."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from scanner import textsafe

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
    assert textsafe.csv_cell(-3) == -3 and textsafe.csv_cell(None) is None


def test_html_and_links():
    assert textsafe.html('<script>"x"</script>') == "&lt;script&gt;&quot;x&quot;&lt;/script&gt;"
    assert textsafe.safe_url("javascript:alert(1)") is None
    assert textsafe.safe_url("data:text/html,x") is None
    assert textsafe.safe_url("https://example.com/a") == "https://example.com/a"


@given(st.text(max_size=60))
def test_markdown_escaping_keeps_text_literal(text):
    html = MarkdownIt("commonmark").render(textsafe.markdown(text))
    assert "<script" not in html and "<a " not in html and "<img" not in html
    assert "<em>" not in html and "<h1>" not in html


def test_width_cut_counts_wide_and_combining_characters():
    assert textsafe.width_cut("日本語テキスト", 6) == "日本…"
    assert textsafe.width_cut("पैसा वापस नहीं मिला", 6).endswith("…")
