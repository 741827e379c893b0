"""From candidate phrases to themes: one issue per grievance, however it is worded.

A theme is anchored on *head words*: the single words that passed the keyness
test ("ad", "limit", "verif"). Everything else is a way of saying one:

1. A longer phrase belongs to the theme of the head words in it ("ads every
   few messages", "remove the ads", "ad popup" are the ads theme). Two head
   words join when a phrase holding both is a large part of each
   (``bind_share``): "age verification" binds "age" and "verif", while "ads
   and limits", a small part of both, binds nothing (and a small word that
   follows a big one, "Shein ads", joins it by overlap, step 3).
2. Head words that are forms of one word join ("limit" and "unlimited",
   "subscribe" and "subscription"), as do the words of one ``[synonyms]`` entry
   in any language, which the lexicon already reads as one stem.
3. Themes whose grievances overlap heavily join: the smaller one's share
   inside the bigger goes at least ``merge_overlap`` of the way from chance
   (the bigger one's share of all grievances) to all of it. Two big themes
   that angry reviews often list together ("ads and limits") stay apart.

A grievance belongs to every theme one of whose phrases it contains: a review
about ads and limits is in both, and a word is never "generic" merely because
its grievances are also about something else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from scanner.issues.keyness import Candidate
from scanner.issues.lexicon import Key
from scanner.issues.settings import IssueParams

MAX_THEMES_PER_DOC = 24  # co-occurrence counting looks at this many themes of one grievance


@dataclass
class Draft:
    keys: list[Key]
    members: set[int] = field(default_factory=set)
    pinned: str | None = None
    explained: set[Key] = field(default_factory=set)  # keys that assign no grievance


class _Union:
    def __init__(self, items: Iterable[Key]) -> None:
        self.parent = {k: k for k in items}

    def find(self, key: Key) -> Key:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: Key, b: Key) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[Key, list[Key]]:
        out: dict[Key, list[Key]] = {}
        for key in self.parent:
            out.setdefault(self.find(key), []).append(key)
        return out


def build_themes(
    found: Sequence[Candidate],
    docs: dict[Key, set[int]],
    people: Callable[[Iterable[int]], int],
    total: int,
    params: IssueParams,
    pinned: Sequence[tuple[str, list[Key]]] = (),
) -> list[Draft]:
    """Themes of the candidate phrases (see the module docstring), pinned ones first."""
    keys = [c.key for c in found]
    heads = {k[0] for k in keys if len(k) == 1}
    union = _Union([*keys, *(k for _, pin in pinned for k in pin)])
    _join_forms(sorted(heads), union)
    # A word of a phrase that is a form of a head word stands for it ("unlimited" in
    # "free unlimited chats" for "limit"), though it did not pass the test alone.
    head_of = {w: w for w in heads}
    for word in {w for k in keys for w in k} - heads:
        form = _form_of(word, heads)
        if form:
            head_of[word] = form
    orphans: list[Key] = []  # phrases whose head words ended in different themes
    for key in keys:
        inside = sorted({head_of[w] for w in key if w in head_of}) if len(key) > 1 else []
        if inside and len(docs[key]) >= params.bind_share * max(len(docs[(w,)]) for w in inside):
            for word in inside:
                union.union(key, (word,))
    for _, pin in pinned:
        for key in pin[1:]:
            union.union(pin[0], key)
        for key in keys:  # a discovered phrase inside a pinned one joins it
            if any(set(p) <= set(key) or key == p for p in pin):
                union.union(pin[0], key)
    groups = union.groups()
    for key in keys:
        if len(key) > 1 and union.find(key) == key and len(groups[key]) == 1:
            homes = {union.find((head_of[w],)) for w in key if w in head_of}
            if len(homes) == 1:
                union.union(key, homes.pop())
            elif homes:
                orphans.append(key)
    groups = union.groups()
    pinned_roots = {union.find(pin[0]): name for name, pin in pinned if pin}
    explained = unexplained_complement(found, docs, params)
    drafts = []
    for root, members in groups.items():
        if any(k in orphans for k in members) and len(members) == 1:
            continue
        quiet = {k for k in members if k in explained}
        docs_of = set().union(*(docs.get(k, set()) for k in members if k not in quiet))
        drafts.append(Draft(members, docs_of, pinned_roots.get(root), quiet))
    drafts = _merge_overlapping(drafts, total, params)
    drafts = [d for d in drafts if d.pinned is not None or people(d.members) >= params.min_people]
    return _drop_covered(drafts, params)


def _drop_covered(drafts: list[Draft], params: IssueParams) -> list[Draft]:
    """Leave out a theme whose grievances already lie, nearly all, in larger ones
    (spread over several, or it would have joined one): a word those themes share
    ("gold" in a refund, an ads and a ban complaint) says nothing new."""
    kept: list[Draft] = []
    seen: set[int] = set()
    for draft in sorted(drafts, key=lambda d: (d.pinned is None, -len(d.members))):
        inside = len(draft.members & seen)
        if draft.pinned is None and inside >= params.covered_share * len(draft.members):
            continue
        kept.append(draft)
        seen |= draft.members
    return kept


def unexplained_complement(
    found: Sequence[Candidate], docs: dict[Key, set[int]], params: IssueParams
) -> set[Key]:
    """Single words explained by longer phrases: "verification" when most grievances
    that say it say "age verification". Such a word assigns no grievance on its own
    (the few "verification email" posts stay out of the age check), the phrase does.
    Only a longer phrase that is itself a large part of the word counts
    (``explain_share``): at scale hundreds of chance three-word phrases around a
    theme word, a few grievances each, would together explain the theme away."""
    longer: dict[Key, list[Key]] = {}
    for c in found:
        if len(c.key) > 1:
            for word in set(c.key):
                longer.setdefault((word,), []).append(c.key)
    out = set()
    for c in found:
        if len(c.key) != 1 or c.key not in longer:
            continue
        mine = docs[c.key]
        rest = set(mine)
        for other in longer[c.key]:
            if len(docs[other]) >= params.explain_share * len(mine):
                rest -= docs[other]
        if len(rest) <= (1 - params.merge_overlap) * len(mine):
            out.add(c.key)
    return out


def _form_of(word: str, heads: set[str]) -> str | None:
    """The head word ``word`` is a form of, if any (see :func:`_join_forms`)."""
    for head in sorted(heads):
        if _same_word(head, word):
            return head
    return None


_PREFIXES = ("un", "in", "im", "dis", "non", "de", "re")


def _same_word(a: str, b: str) -> bool:
    """Forms of one word: a negating or repeating prefix ("limit", "unlimit"), a
    longer ending ("subscrib", "subscript"), never a word inside another ("lock",
    "block")."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4 or short == long_:
        return False
    if long_.startswith(short) and len(long_) - len(short) <= 3:
        return True
    if long_.endswith(short) and long_[: -len(short)] in _PREFIXES:
        return True
    return len(short) >= 6 and short[:6] == long_[:6]


def _join_forms(heads: list[str], union: _Union) -> None:
    """Head words that are forms of one word (:func:`_same_word`)."""
    for i, word in enumerate(heads):
        for other in heads[i + 1 :]:
            if _same_word(word, other):
                union.union((word,), (other,))


def _merge_overlapping(drafts: list[Draft], total: int, params: IssueParams) -> list[Draft]:
    """Join themes that hold mostly the same grievances, in rounds: each round joins
    the qualifying pairs strongest first, each theme at most once, then counts again."""
    while True:
        ranked = []
        for (a, b), shared in _overlaps(drafts).items():
            small, big = sorted((len(drafts[a].members), len(drafts[b].members)))
            # How far the smaller theme's share inside the bigger one goes from chance
            # (the bigger one's share of all grievances) towards all of it.
            chance = big / max(total, 1)
            excess = (shared / max(small, 1) - chance) / max(1 - chance, 1e-9)
            both_pinned = drafts[a].pinned is not None and drafts[b].pinned is not None
            if excess >= params.merge_overlap and not both_pinned:
                ranked.append((-excess, a, b))
        if not ranked:
            return drafts
        touched: set[int] = set()
        gone: set[int] = set()
        for _, a, b in sorted(ranked):
            if a in touched or b in touched:
                continue
            touched |= {a, b}
            keep, drop = (a, b) if len(drafts[a].members) >= len(drafts[b].members) else (b, a)
            if drafts[drop].pinned is not None:
                keep, drop = drop, keep
            drafts[keep].keys += drafts[drop].keys
            drafts[keep].members |= drafts[drop].members
            gone.add(drop)
        drafts = [d for i, d in enumerate(drafts) if i not in gone]


def _overlaps(drafts: list[Draft]) -> dict[tuple[int, int], int]:
    """Grievances shared by each pair of themes, counted over the theme lists of
    every grievance (vectorised: millions of memberships at scale)."""
    if len(drafts) < 2:
        return {}
    sizes = [len(d.members) for d in drafts]
    doc = np.fromiter((i for d in drafts for i in d.members), np.int64, sum(sizes))
    theme = np.repeat(np.arange(len(drafts), dtype=np.int64), sizes)
    order = np.lexsort((theme, doc))
    doc, theme = doc[order], theme[order]
    width = len(drafts)
    counts: dict[tuple[int, int], int] = {}
    for step in range(1, MAX_THEMES_PER_DOC):
        if step >= len(doc):
            break
        same = np.flatnonzero(doc[step:] == doc[:-step])
        if not len(same):
            break
        codes, n = np.unique(theme[same] * width + theme[same + step], return_counts=True)
        for code, count in zip(codes.tolist(), n.tolist(), strict=True):
            pair = divmod(code, width)
            counts[pair] = counts.get(pair, 0) + count
    return counts
