"""Words and their rough stems, in every script we support.

Issue phrases are matched on words, so word boundaries must be right in
Devanagari, Tamil and Telugu as well as Latin: a word is a run of letters,
digits and combining marks (Unicode M*: the vowel signs and viramas without
which "वापस" falls apart), and everything else (whitespace, punctuation P*,
symbols S*) separates words. ``rapidfuzz.utils.default_process`` is never used:
it deletes those marks.

Stems are deliberately light: enough that "verify", "verified" and
"verification" meet, or "पैसे" and "पैसा", without a language model. A stem
only has to be the same for the variants of one word; it never has to be a
real word, because issues are named from the surface text.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache, lru_cache
from typing import Any

from scanner.text.clean import plain_letters


def _mark_ranges() -> str:
    """A regex class body with every combining mark (M*) of the whole code space."""
    ranges: list[tuple[int, int]] = []
    # Combining marks live in planes 0 and 1 and in plane 14 (variation selectors);
    # planes 2-13 hold none, so skipping them makes this 8 times cheaper at import.
    codes = (*range(0x0300, 0x20000), *range(0xE0000, min(0xE1000, sys.maxunicode + 1)))
    for code in codes:
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


# Letters, digits and combining marks, as one class (fast); "_" (punctuation,
# though \w includes it) and ZWJ/ZWNJ are replaced before matching.
_MARKS = _mark_ranges()
WORD = re.compile(rf"[\w{_MARKS}]+")
# The same words where they stand in a text as written (for their spans): "_" a
# separator, joiners and soft hyphens inside a word (fold a match with ``fold``).
RAW_WORD = re.compile(rf"(?:[^\W_]|[{_MARKS}\u200c\u200d\u00ad])+")
# Where a phrase cannot run on: sentence ends (Latin and Devanagari danda), line breaks.
SENTENCE = re.compile(r"[.!?;:()\[\]\n\u0964\u0965\u3002\uff01\uff1f]+")
_JOINERS = str.maketrans("", "", "\u200c\u200d\u00ad")
# The same rules for pure-ASCII text as one byte table (20 times faster than the
# regex): letters lower-cased, digits kept, sentence ends -> BREAK, the rest space.
BREAK = b"\x01"
# A comma: no break for phrases (its number is a dropped word's), but where a
# clause ends for scanner.issues.asides.
COMMA = b"\x02"
ASCII = bytes(
    c + 32
    if 65 <= c <= 90
    else c
    if 48 <= c <= 57 or 97 <= c <= 122
    else 1
    if chr(c) in ".!?;:()[]\n"
    else 2
    if c == 44
    else 32
    for c in range(256)
)

# English and Spanish suffixes, longest first: (suffix, replacement).
_LATIN_RULES = (
    ("ificaciones", "if"),
    ("ificación", "if"),
    ("ificacion", "if"),
    ("ifications", "if"),
    ("ification", "if"),
    ("ifying", "if"),
    ("ified", "if"),
    ("ifies", "if"),
    ("ificar", "if"),
    ("ify", "if"),
    ("aciones", ""),
    ("ación", ""),
    ("acion", ""),
    ("ations", ""),
    ("ation", ""),
    ("tions", "t"),
    ("tion", "t"),
    ("ments", ""),
    ("ment", ""),
    ("ness", ""),
    ("ingly", ""),
    ("ings", ""),
    ("ing", ""),
    ("ies", "i"),
    ("ied", "i"),
    ("ed", ""),
)
_ES_AFTER = ("sh", "ch", "ss", "x", "z")
# Words the suffix rules would fold into another word: "statement" and "station"
# into "state" (a bank statement, a petrol station and state law made one issue),
# "comment" into "come", "question" into "quest", "mention" into "men". Each is its
# own stem, its plural with it.
_WHOLE = frozenset(
    ["statement", "station", "comment", "question", "mention", "department", "apartment"]
    + ["government", "moment", "element", "segment", "nation"]
)
_DEVANAGARI = sorted(
    [
        "ियाँ",
        "ियां",
        "ियों",
        "ाएँ",
        "ाएं",
        "ाओं",
        "ुओं",
        "ाने",
        "ाना",
        "ाती",
        "ाता",
        "ाते",
        "ाया",
        "ाई",
        "ों",
        "ें",
        "ीं",
        "ां",
        "ाँ",
        "ता",
        "ती",
        "ते",
        "ना",
        "ने",
        "नी",
        "ा",
        "ी",
        "े",
        "ि",
        "ु",
        "ू",
        "ो",
        "हरूको",
        "हरुको",
        "हरूले",
        "हरू",
        "हरु",
        "लाई",
        "बाट",
        "को",
        "मा",
        "ले",
    ],
    key=len,
    reverse=True,
)
_TAMIL = sorted(
    [
        "த்தில்",
        "த்தை",
        "த்தின்",
        "களுக்கு",
        "களை",
        "களின்",
        "கள்",
        "க்கு",
        "ுக்கு",
        "ில்",
        "ின்",
        "ால்",
        "ிடம்",
        "ை",
        "ு",
        "ா",
    ],
    key=len,
    reverse=True,
)
_TELUGU = sorted(
    ["లను", "లకు", "లో", "ను", "కి", "కు", "లు", "ని", "తో", "ం", "ా", "ి", "ు"],
    key=len,
    reverse=True,
)


def fold(word: str) -> str:
    """A :data:`RAW_WORD` match as :func:`words` gives it: no joiner, styled letters
    plain, case-folded."""
    return plain_letters(word.translate(_JOINERS)).casefold()


def _folded(text: str) -> str:
    """``text`` as every tokeniser here reads it: joiners and soft hyphens out (a
    word holding one is one word), styled letters plain ("𝘢𝘥𝘴" is "ads":
    ``plain_letters``), case-folded, "_" a separator (``\\w`` holds it)."""
    if "\u200c" in text or "\u200d" in text or "\u00ad" in text:
        text = text.translate(_JOINERS)
    return plain_letters(text).casefold().replace("_", " ")


def segments(text: str) -> list[list[str]]:
    """Case-folded words, grouped by sentence (phrases never cross a sentence end)."""
    return [words for part in SENTENCE.split(_folded(text)) if (words := WORD.findall(part))]


_COMMAS = re.compile(r"[,\u060c\u3001\uff0c]")  # Latin, Arabic, CJK ideographic, full-width


def unicode_words(text: str) -> list[str]:
    """Words of any text as :func:`ascii_words` gives them (as str): each sentence
    followed by ``"\x01"``, ``"\x02"`` where a comma stood."""
    out: list[str] = []
    for sentence in SENTENCE.split(_folded(text)):
        parts = _COMMAS.split(sentence) if _COMMAS.search(sentence) else [sentence]
        found = [WORD.findall(part) for part in parts]
        if not any(found):
            continue
        for i, part in enumerate(found):
            if i:
                out.append("\x02")
            out += part
        out.append("\x01")
    return out


def ascii_words(text: str) -> list[bytes]:
    """Words of a pure-ASCII text as bytes, sentence ends as :data:`BREAK` and
    commas as :data:`COMMA`; the same words :func:`segments` finds, 20 times faster."""
    spaced = text.encode("ascii").translate(ASCII).replace(BREAK, b" \x01 ")
    return spaced.replace(COMMA, b" \x02 ").split() if COMMA in spaced else spaced.split()


def words(text: str) -> list[str]:
    """Case-folded words of ``text`` in order."""
    return WORD.findall(_folded(text))


@lru_cache(maxsize=1 << 19)
def stem(word: str) -> str:
    """A light, script-aware stem: the same for the common variants of one word."""
    first = word[0]
    if first < "\u0250":
        return _latin(word)
    if "\u0900" <= first <= "\u097f":
        return _strip(word, _DEVANAGARI, 2)
    if "\u0b80" <= first <= "\u0bff":
        if word.endswith("ங்கள்"):  # plural of a noun in -ம்: விளம்பரங்கள் -> விளம்பரம்
            return word[:-5] + "ம்"
        return _strip(word, _TAMIL, 2)
    if "\u0c00" <= first <= "\u0c7f":
        return _strip(word, _TELUGU, 2)
    if "\u0400" <= first <= "\u04ff":
        return _russian().stemWord(word)
    return word


@cache
def _russian() -> Any:
    """Snowball's Russian stemmer: Cyrillic words inflect too much for a suffix list
    ("реклама", "рекламы", "рекламу" are one word)."""
    import snowballstemmer

    return snowballstemmer.stemmer("russian")


def _strip(word: str, suffixes: list[str], keep: int) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    return word


def _latin(word: str) -> str:
    if word in _WHOLE or (word[-1] == "s" and word[:-1] in _WHOLE):
        return word.removesuffix("s")
    if len(word) <= 3:
        # "ads" -> "ad", "ids" -> "id"; but "bus", "gas" and "yes" stay.
        if len(word) == 3 and word[2] == "s" and word[1] not in "aesiu":
            return word[:2]
        return word
    for suffix, replacement in _LATIN_RULES:
        if suffix == "ed" and word.endswith("eed"):
            continue  # "greed", "need", "speed": no past tense to take off
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("es") and word[:-2].endswith(_ES_AFTER):
            word = word[:-2]
        elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeious":
        word = word[:-1]
    return word
