"""The grouping key of a text: the same grievance typed by different people, on
different keyboards, gets the same words.

Steps: NFKC and case folding (so full-width, ligature and case variants agree);
URLs, e-mail addresses and any token holding a digit (amounts, order ids, dates,
phone numbers) become placeholder tokens, so "order 5512 never arrived" and
"order 9903 never arrived" agree; punctuation, symbols, separators and control
characters become spaces, decided by Unicode category so it is right for every
script. Letters (L*), combining marks (M*) and non-digit numbers are never
touched: vowel signs and viramas are part of Indic words, and dropping them (as
``rapidfuzz.utils.default_process`` does) makes different words collide.

ZWJ and ZWNJ (U+200D, U+200C) are deleted without a space. They only choose a
glyph form (a half form, a visible virama) and are typed inconsistently, so the
same word with or without them must give the same key; treating them as spaces
would split the word. A zero-width space (U+200B) is a word break, so it
becomes a space.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Placeholders are three C1 control characters, which every other rule here
# removes: no NFKC or case rule touches them, and being Latin-1 they keep a key
# of English words a one-byte-per-character string (half the memory of a key
# holding a Private Use character, and rapidfuzz's fastest path). Input that
# holds one of them keeps it as that placeholder, so normalising a key again
# leaves it unchanged.
URL_TOKEN = "\x80"  # noqa: S105 - a placeholder, not a secret
EMAIL_TOKEN = "\x81"  # noqa: S105
NUMBER_TOKEN = "\x82"  # noqa: S105
_PLACEHOLDERS = {URL_TOKEN, EMAIL_TOKEN, NUMBER_TOKEN}

_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_DIGITS = re.compile(r"\d+")
_JOINERS = ("\u200c", "\u200d")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Digits are first marked with NUL (which input never keeps: it is a control
# character), then every word holding a mark becomes one NUMBER_TOKEN.
_MARK = "\x00"
_TWO_NUMBERS = f"{NUMBER_TOKEN} {NUMBER_TOKEN}"
_RUNS_OF_NUMBERS = re.compile(f"{NUMBER_TOKEN}(?: {NUMBER_TOKEN})+")


def _removed(cp: int) -> bool:
    char = chr(cp)
    cat = unicodedata.category(char)
    if cp == 0 or char in _PLACEHOLDERS:
        return False
    return cat[0] in "PSZ" or cat == "Cc" or (cat == "Cf" and char not in _JOINERS)


@cache
def _separators() -> tuple[re.Pattern[str], dict[int, str], dict[int, str]]:
    """What becomes a space: a regex class for the BMP, a translate table for the
    astral planes (emoji, historic scripts), and a table for all-ASCII text.

    Three forms because of cost: ``re`` matches a BMP-only class with a bitmap
    but a class with astral ranges by scanning all its ranges for each
    character (six times slower), and ``str.translate`` is fastest of all on
    ASCII text, which most posts are. Building them scans all of Unicode once
    (about 0.2 s).
    """
    ranges: list[list[int]] = []
    astral: dict[int, str] = {}
    for cp in range(sys.maxunicode + 1):
        if not _removed(cp):
            continue
        if cp > 0xFFFF:
            astral[cp] = " "
        elif ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    body = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    ascii_table = {cp: " " for cp in range(128) if _removed(cp)}
    ascii_table.update({ord(d): _MARK for d in "0123456789"})
    return re.compile(f"[{body}]+"), astral, ascii_table


def normalised_words(text: str) -> list[str]:
    """The words of the grouping key of ``text``, in their original order."""
    if _MARK in text:
        text = text.replace(_MARK, " ")
    if text.isascii():  # NFKC leaves ASCII as it is, and case folding is lower()
        text = text.lower()
        plain = True
    else:
        text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
        plain = text.isascii()
    if "://" in text or "www." in text:
        text = _URL.sub(f" {URL_TOKEN} ", text)
    if "@" in text:
        text = _EMAIL.sub(f" {EMAIL_TOKEN} ", text)
    bmp, astral, ascii_table = _separators()
    if plain:  # the placeholders just put in are not in the table: they stay
        text = text.translate(ascii_table)
    else:
        text = _DIGITS.sub(_MARK, text)
        for joiner in _JOINERS:
            if joiner in text:
                text = text.replace(joiner, "")
        text = bmp.sub(" ", text)
        if _ASTRAL.search(text):
            text = text.translate(astral)
        # Deleting a joiner or separator can bring a base letter and a mark together.
        text = unicodedata.normalize("NFKC", text)
    if _MARK not in text:
        return text.split()
    # "ORD-A5512", "5,512.00", "12:30pm": any word holding digits is one number.
    words = [NUMBER_TOKEN if _MARK in w else w for w in text.split()]
    joined = " ".join(words)
    if _TWO_NUMBERS in joined:
        return _RUNS_OF_NUMBERS.sub(NUMBER_TOKEN, joined).split()
    return words


def normalise(text: str) -> str:
    """The grouping key of ``text``: its words in their original order, one space apart."""
    return " ".join(normalised_words(text))


def sorted_key(text: str) -> str:
    """The key with its words sorted: ``fuzz.ratio`` on two of these equals
    ``fuzz.token_sort_ratio`` on the keys, at a quarter of the cost, because the
    sorting is done once per text instead of once per comparison."""
    return " ".join(sorted(normalise(text).split()))
