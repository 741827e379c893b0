"""The grouping key: Unicode-correct for every script, numbers and ids masked."""

from __future__ import annotations

import string
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.utils import default_process

from scanner.grouping.keys import normalise_all
from scanner.grouping.normalise import (
    EMAIL_TOKEN,
    NUMBER_TOKEN,
    URL_TOKEN,
    normalise,
    sorted_key,
)

# Any character except digits (masked by design), surrogates and private use
# (our placeholders live there).
_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs", "Co", "Nd")), max_size=60)


def test_numbers_amounts_and_order_ids_are_masked() -> None:
    a = normalise("Order 5512 never arrived")
    assert a == normalise("order #9903 never ARRIVED!") == f"order {NUMBER_TOKEN} never arrived"
    assert normalise("refund of $5,512.00 for ORD-A77812") == (
        f"refund of {NUMBER_TOKEN} for ord {NUMBER_TOKEN}"
    )
    assert normalise("मेरा ऑर्डर ५५१२ नहीं आया") == normalise("मेरा ऑर्डर 9903 नहीं आया")


def test_emails_and_urls_are_masked() -> None:
    key = normalise("Write to help@shop.example or see https://shop.example/faq?q=1 now")
    assert key == f"write to {EMAIL_TOKEN} or see {URL_TOKEN} now"
    assert normalise("see www.shop.example/x") == f"see {URL_TOKEN}"


def test_indic_vowel_signs_and_viramas_are_kept() -> None:
    # default_process turns vowel signs and viramas into spaces, so some of these
    # different words (less / work / shortage; shop / bite / cross) collide or split;
    # our key keeps every one of them whole and apart.
    for words in (["कम", "काम", "कमी"], ["கடை", "கடி", "கட"], ["పని", "పాని", "పన"]):
        assert len({default_process(w) for w in words}) < len(words)
        assert all(normalise(w) == w for w in words)
        assert len({normalise(w) for w in words}) == len(words)
    assert normalise("क्षमा") == "क्षमा"


def test_zero_width_joiners_do_not_split_or_change_a_word() -> None:
    assert normalise("क्\u200dष") == normalise("क्ष")
    assert normalise("ന്\u200cറ") == normalise("ന്റ")
    assert normalise("a\u200bb") == "a b"  # zero-width space is a word break


def test_punctuation_and_symbols_of_every_script_are_removed() -> None:
    assert normalise("नहीं आया। ठीक॥") == "नहीं आया ठीक"
    assert normalise("«¡Hola!» — ¿qué?") == "hola qué"
    assert normalise("Worst 😡😡 service ever!!!") == "worst service ever"
    assert normalise("ＦＵＬＬ ｗｉｄｔｈ ﬁne") == "full width fine"


def test_sorted_key_sorts_words() -> None:
    assert sorted_key("never arrived order 12") == f"arrived never order {NUMBER_TOKEN}"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_normalise_is_idempotent(text: str) -> None:
    key = normalise(text)
    assert normalise(key) == key


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_nfc_and_nfd_give_the_same_key(text: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert normalise(nfc) == normalise(nfd)


def _letters_and_marks(text: str) -> list[str]:
    """The letters and marks, each decomposed (so composition does not matter)."""
    kept = "".join(c for c in text if unicodedata.category(c)[0] in "LM")
    return [c for c in unicodedata.normalize("NFD", kept) if unicodedata.category(c)[0] in "LM"]


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_no_letter_or_combining_mark_is_lost(text: str) -> None:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if any(c.isdigit() for c in folded) or "@" in folded or "://" in folded or "www." in folded:
        return  # masked by design
    assert _letters_and_marks(normalise(text)) == _letters_and_marks(folded)


def test_keys_of_latin_text_stay_one_byte_strings() -> None:
    """Placeholders are Latin-1 characters, so the key of an English complaint
    with an amount, a URL and an e-mail address is a one-byte-per-character
    string: half the memory of a key holding a Private Use character, and
    rapidfuzz compares it on its fastest path."""
    key = normalise("Refund of $45.10 promised on 3 May, see https://x.example or mail a@b.example")
    assert NUMBER_TOKEN in key and URL_TOKEN in key and EMAIL_TOKEN in key
    assert max(map(ord, key)) < 256
    assert normalise("Ａ ｂ 12") == f"a b {NUMBER_TOKEN}"  # NFKC first, then the same key


_ASCII_WORDS = st.lists(
    st.one_of(
        st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
        st.text(alphabet=string.digits + ".,$#:-", min_size=1, max_size=6),
        st.sampled_from(["www.x.example", "a@b.example", "https://x.example/a", "\x00", "\n"]),
        st.text(alphabet=string.printable, max_size=4),
    ),
    max_size=25,
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_ASCII_WORDS.map(" ".join), st.text(max_size=30)), max_size=12))
def test_keys_of_many_texts_at_once_equal_normalise(texts: list[str]) -> None:
    """The vectorised path (ASCII text) and normalise give the same key."""
    assert normalise_all(texts, chunk=5) == [normalise(t) for t in texts]
