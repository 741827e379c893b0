"""Masking the e-mail addresses and phone numbers people quote in complaints.

Complainants often paste their own (or a support agent's) address or number
into a post. The digest travels by e-mail to people who need the grievance, not
the contact details, so both are replaced before any text is drawn.

An order, invoice or ticket number is what a reader needs to find the case, so
a run of digits is a phone number only when its context or its shape says so:

- the nearest word before it (up to three words back) is a phone word ("call",
  "phone", "WhatsApp", "teléfono", "फ़ोन": masked from 7 digits) or an id word
  ("order", "invoice", "ref", "ticket", "pedido": left alone);
- otherwise its shape decides: a leading ``+`` or ``(area)``, 10 to 15 digits,
  or a local number of 7 to 9 digits in groups whose last has 4 or more
  ("555-1234"). "2026-114" (a year and a serial) and dates are not phones.

The word lists are ``[mask]`` in ``rules/digest.toml``. Doubt still hides: ten
digits with no context are masked.
"""

from __future__ import annotations

import re
from functools import cache

from scanner.digest.rules import load_digest_rules

EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[phone]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with the separators phone numbers are written with. \d is
# Unicode-aware, so Devanagari, Tamil or Telugu digits are numbers too.
_PHONE = re.compile(
    r"(?<![\w/#])(?:\+|\(\+?)?\d[\d \u00a0().\-\u2010\u2011\u2013]{5,24}\d(?![\w/])"
)
_DATE = re.compile(r"^\d{1,4}[-./ ]\d{1,2}[-./ ]\d{1,4}$")
_DOTTED_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
_GROUPS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_][\w\u0900-\u0dff]*")  # words, Indic vowel signs included
_LOOK_BACK = 40  # characters before a number searched for its context word


def _phone_or_not(text: str, match: re.Match[str]) -> str:
    token = match.group(0)
    digits = sum(ch.isdigit() for ch in token)
    if _DATE.match(token) or _DOTTED_THOUSANDS.match(token) or digits > 15:
        return token
    if token[0] in "+(" and digits >= 7:
        return PHONE_MASK
    context = _context(text[max(0, match.start() - _LOOK_BACK) : match.start()])
    if context == "phone":
        return PHONE_MASK if digits >= 7 else token
    if context == "id":
        return token
    if digits >= 10:
        return PHONE_MASK
    groups = _GROUPS.findall(token)
    year_and_serial = len(groups) == 2 and len(groups[0]) == 4 and groups[0][:2] in {"19", "20"}
    local = digits >= 7 and len(groups) > 1 and len(groups[-1]) >= 4 and not year_and_serial
    return PHONE_MASK if local else token


def _context(before: str) -> str | None:
    """ "phone", "id" or None: the nearest of the last three words that says which."""
    phone, ids = _words()
    for word in reversed(_WORD.findall(before.casefold())[-3:]):
        if word in phone:
            return "phone"
        if word in ids:
            return "id"
    return None


@cache
def _words() -> tuple[frozenset[str], frozenset[str]]:
    """``[mask] phone_words`` and ``id_words`` of ``rules/digest.toml``, folded."""
    rules = load_digest_rules()
    return (
        frozenset(w.casefold() for w in rules.phone_words),
        frozenset(w.casefold() for w in rules.id_words),
    )


def mask(text: str | None) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by placeholders."""
    if not text:
        return ""
    text = _EMAIL.sub(EMAIL_MASK, text)
    return _PHONE.sub(lambda m: _phone_or_not(text, m), text)
