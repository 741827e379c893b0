"""Letters styled with Unicode look-alikes read as the letters they show.

"Fancy text" generators write 𝘢𝘥𝘴 (mathematical italic), phones and East Asian
keyboards ＡＤＳ (full-width), typesetting ﬁ (a ligature). A reader sees "ads"
and "filter"; every matcher here must too, while Indic text reads unchanged.
"""

from __future__ import annotations

import pytest

from scanner.config import Company
from scanner.issues import Lexicon
from scanner.judge.categories import categorise
from scanner.text.clean import clean_text, plain_letters
from scanner.text.matching import CompanyMatcher

ITALIC = "𝘚𝘵𝘪𝘭𝘭 𝘸𝘢𝘪𝘵𝘪𝘯𝘨 𝘧𝘰𝘳 𝘮𝘺 𝘳𝘦𝘧𝘶𝘯𝘥"  # "Still waiting for my refund"
FULL_WIDTH = "ＴＯＯ ＭＡＮＹ ＡＤＳ"


def test_styled_letters_are_plain_and_indic_text_is_unchanged():
    assert plain_letters(ITALIC) == "Still waiting for my refund"
    assert plain_letters(FULL_WIDTH) == "TOO MANY ADS"
    assert plain_letters("ﬁlter") == "filter"
    assert plain_letters("ⓐⓓⓢ ℌ𝔢𝔩𝔭 𝟏𝟎") == "ads Help 10"
    # What is no style of a letter keeps its meaning: NFKC had made "Chai™" the word
    # "chaitm", "don´t" a space and a stray accent, "…" three full stops.
    for text in ["Chai™ charged me", "I don´t like it", "wait… what", "½ price", "x²"]:
        assert plain_letters(text) == text
    # Indic text, with a joiner, a non-joiner and a nukta letter, reads unchanged.
    for text in [
        "मेरा पैसा वापस नहीं मिला",
        "பணத்தை திருப்பி தரவில்லை",
        "డబ్బు తిరిగి",
        "क्‍ष",
        "म‌हीना",
        "ज़रूरत",
    ]:
        assert plain_letters(text) == text
    # Stored text keeps its look: only matching reads it plain.
    assert clean_text(ITALIC) == ITALIC


@pytest.mark.parametrize("text", [ITALIC, "ＳＴＩＬＬ ＷＡＩＴＩＮＧ ＦＯＲ ＭＹ ＲＥＦＵＮＤ"])
def test_a_styled_complaint_has_its_category(text):
    assert "refunds_cancellations" in categorise(text)


def test_a_styled_name_is_a_mention_of_the_company():
    matcher = CompanyMatcher([Company("Acme")])
    assert matcher.match("𝘈𝘤𝘮𝘦 charged me twice") == "Acme"
    assert matcher.match("Ａｃｍｅ charged me twice") == "Acme"
    assert matcher.match("𝘈𝘤𝘮𝘦𝘤𝘰𝘳𝘱 charged me twice") is None  # still a whole word
    assert matcher.match("Acme™ charged me twice") == "Acme"


def test_styled_words_are_the_words_issues_count():
    lexicon = Lexicon(names=["Acme"])
    assert lexicon.sequence("𝘵𝘰𝘰 𝘮𝘢𝘯𝘺 𝘢𝘥𝘴") == lexicon.sequence("too many ads")
    assert lexicon.sequence(FULL_WIDTH) == lexicon.sequence("too many ads")
    assert lexicon.sequence("I don´t like the ads") == lexicon.sequence("I don't like the ads")
    assert lexicon.sequence("Acme™ is full of ads") == lexicon.sequence("Acme is full of ads")
