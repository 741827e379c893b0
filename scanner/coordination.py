"""Spotting a possible review-bombing campaign inside one cluster.

Many people describing the same problem use different words; a campaign pastes
the same words from several accounts within hours. That burst is flagged
``coordinated`` by the verdict so a reader can judge it; the posts still count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from rapidfuzz.fuzz import ratio

from scanner import people

if TYPE_CHECKING:
    from scanner.verdict import Member

# Each post is compared with at most this many later posts inside the time
# window, so a cluster of thousands of posts costs a bounded amount of work.
MAX_NEIGHBOURS = 200


def _fold(text: str) -> str:
    # Case and spacing only: rapidfuzz's default_process would delete Indic
    # vowel signs and viramas.
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(re.findall(r"\S+", text))


def near_verbatim_burst(
    members: Sequence[Member], *, accounts: int, hours: float, similarity: float
) -> bool:
    """True when ``accounts`` distinct people posted near-verbatim text within ``hours``."""
    dated = sorted((m for m in members if m.published_at is not None), key=lambda m: m.published_at)  # type: ignore[arg-type,return-value]
    if len(dated) < accounts:
        return False
    keys = people.person_keys(dated)
    texts = [_fold(m.text) for m in dated]
    span = timedelta(hours=hours)
    for i, anchor in enumerate(dated):
        who = {keys[i]}
        end = anchor.published_at + span  # type: ignore[operator]
        for j in range(i + 1, min(len(dated), i + 1 + MAX_NEIGHBOURS)):
            if dated[j].published_at > end:  # type: ignore[operator]
                break
            if keys[j] in who:
                continue
            if texts[j] == texts[i] or ratio(texts[i], texts[j], score_cutoff=similarity):
                who.add(keys[j])
                if len(who) >= accounts:
                    return True
    return False
