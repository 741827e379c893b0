"""Spotting a possible review-bombing campaign inside one cluster.

Many people describing the same problem use different words; a campaign pastes
the same words from several accounts within hours. That burst is flagged
``coordinated`` by the verdict so a reader can judge it; the posts still count.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import timedelta
from operator import itemgetter

from rapidfuzz.fuzz import ratio

from scanner.judge import people
from scanner.judge.people import Member
from scanner.text.dates import is_date_only

# Each post is compared with at most this many later posts inside the time
# window, so a cluster of thousands of posts costs a bounded amount of work.
MAX_NEIGHBOURS = 200
ONE_DAY = timedelta(days=1)


def _fold(text: str) -> str:
    # Case and spacing only: rapidfuzz's default_process would delete Indic
    # vowel signs and viramas.
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def near_verbatim_burst(
    members: Sequence[Member],
    *,
    accounts: int,
    hours: float,
    similarity: float,
    keys: Sequence[str] | None = None,
    day_words: int | None = None,
) -> bool:
    """True when ``accounts`` distinct people posted near-verbatim text within ``hours``.

    A post known only by its day (a store that gives dates, an import of dates) sits
    at midnight, and "within hours" cannot be told for it: it is within the window
    of the posts of its own day, when its text holds at least ``day_words`` words
    (None: never). Three one-star "bad" on one day are no campaign; five copies of
    one long review from five accounts on one day are (seen on Google Play).
    ``keys`` are the members' person keys when the caller has them already.
    """
    if keys is None:
        keys = people.person_keys(members)
    found = sorted(
        ((m.published_at, m, k) for m, k in zip(members, keys, strict=True) if m.published_at),
        key=itemgetter(0),
    )
    if len(found) < accounts:
        return False
    times = [when for when, _, _ in found]
    dated = [m for _, m, _ in found]
    keys = [k for _, _, k in found]
    by_day = [hours < 24 and is_date_only(when) for when in times]
    folded: dict[int, str] = {}

    def text(i: int) -> str:  # folded only when a post is actually compared
        if i not in folded:
            folded[i] = _fold(dated[i].text)
        return folded[i]

    def long_enough(i: int) -> bool:
        return day_words is not None and len(text(i).split()) >= day_words

    span = timedelta(hours=hours)
    for i in range(len(dated)):
        if by_day[i] and not long_enough(i):
            continue
        who = {keys[i]}
        end = times[i] + (ONE_DAY if by_day[i] else span)
        for j in range(i + 1, min(len(dated), i + 1 + MAX_NEIGHBOURS)):
            if times[j] >= end if by_day[i] else times[j] > end:
                break
            if keys[j] in who or (by_day[j] and times[j] != times[i]):
                continue  # a post of another day is not within its day
            if text(j) == text(i) or ratio(text(i), text(j), score_cutoff=similarity):
                who.add(keys[j])
                if len(who) >= accounts:
                    return True
    return False
