"""Masking the e-mail addresses and phone numbers people quote in complaints.

Complainants often paste their own (or a support agent's) address or number
into a post. The digest travels by e-mail to people who need the grievance, not
the contact details, so both are replaced before any text is drawn. Masking
errs on the side of hiding: a ten-digit order number is masked too.
"""

from __future__ import annotations

import re

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


def _phone(match: re.Match[str]) -> str:
    token = match.group(0)
    digits = sum(ch.isdigit() for ch in token)
    if _DATE.match(token) or _DOTTED_THOUSANDS.match(token) or digits > 15:
        return token
    if digits >= 10:
        return PHONE_MASK
    grouped = any(sep in token for sep in " \u00a0-\u2010\u2011\u2013") or token[0] in "+("
    return PHONE_MASK if digits >= 7 and grouped else token


def mask(text: str | None) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by placeholders."""
    if not text:
        return ""
    text = _EMAIL.sub(EMAIL_MASK, text)
    return _PHONE.sub(_phone, text)
