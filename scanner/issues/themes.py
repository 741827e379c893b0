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
   that angry reviews often list together ("ads and limits") stay apart. A
   theme under ``absorb_share`` of the bigger one's size brings its words but
   not its posts: the few it holds outside the bigger theme are as likely about
   something else ("multiple" joined the ads theme of many "multiple ads", and
   with it "it won't open after multiple tries").
4. A generic word of ``[leans]`` joins the theme it leans towards when this
   company's grievances that use it lie inside that theme ``lean_overlap`` of
   the way from chance to all: in an app that sells subscriptions, "have to
   pay to chat" is the price grievance; in a bank's complaints "pay" and
   "money" are everywhere and join nothing. A generic word never makes a theme
   of its own, so it can never become a catch-all. A leaning word that is not
   generic ("restrictions", towards censorship) may have made one; where the
   word joins, its theme joins with it, and elsewhere (a bank's restricted
   accounts) it stays a theme of its own. Words that joined grow their theme,
   so the others are judged again, in rounds, until none joins: Chai's reviews
   write "money" with "pay" far more than with "subscription".
5. Overlaps are counted again (step 3), since a leaning word grows its theme:
   PolyBuzz's "opals" posts say "pay for opals", not "subscription", and lie
   inside the price theme only once "pay" has joined it.

A grievance belongs to every theme one of whose phrases it contains: a review
about ads and limits is in both, and a word is never "generic" merely because
its grievances are also about something else.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

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
    leaning: set[Key] = field(default_factory=set)  # generic words that joined (step 4)


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
    generic: frozenset[str] = frozenset(),
    leans: Sequence[tuple[Key, str]] = (),
) -> list[Draft]:
    """Themes of the candidate phrases (see the module docstring), pinned ones first.
    ``generic`` words never stand for a head word, even when they look like one
    ("transfer" for "transferencia")."""
    keys = [c.key for c in found]
    heads = {k[0] for k in keys if len(k) == 1}
    union = _Union([*keys, *(k for _, pin in pinned for k in pin)])
    _join_forms(sorted(heads), union)
    # A word of a phrase that is a form of a head word stands for it ("unlimited" in
    # "free unlimited chats" for "limit"), though it did not pass the test alone.
    head_of = {w: w for w in heads}
    by_beginning = _by_beginning(heads)
    for word in {w for k in keys for w in k} - heads - generic:
        form = _form_of(word, by_beginning)
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
    explained = unexplained_complement(found, docs, params)
    groups = union.groups()
    for key in keys:
        if len(key) > 1 and union.find(key) == key and len(groups[key]) == 1:
            words = sorted({head_of[w] for w in key if w in head_of})
            homes = {union.find((w,)) for w in words}
            if len(homes) > 1:
                # Between two themes a phrase names neither, unless one of its words
                # is explained by longer phrases and assigns through them alone ("age
                # check" for "age", which "age verification" explains).
                quiet = [w for w in words if (w,) in explained]
                homes = {union.find((quiet[0],))} if quiet else set()
            if homes:
                union.union(key, homes.pop())
            else:
                orphans.append(key)
    groups = union.groups()
    pinned_roots = {union.find(pin[0]): name for name, pin in pinned if pin}
    drafts = []
    for root, members in groups.items():
        if any(k in orphans for k in members) and len(members) == 1:
            continue
        explained_here = {k for k in members if k in explained}
        docs_of = set().union(*(docs.get(k, set()) for k in members if k not in explained_here))
        drafts.append(Draft(members, docs_of, pinned_roots.get(root), explained_here))
    drafts = _merge_overlapping(drafts, total, params)
    joined = True
    while joined:  # a word that joined grows its theme: judge the others again
        drafts, joined = _lean(drafts, leans, docs, total, params)
    drafts = _merge_overlapping(drafts, total, params)  # step 5
    drafts = [d for d in drafts if d.pinned is not None or people(d.members) >= _floor(d, params)]
    return _drop_covered(drafts, total, params)


def _lean(
    drafts: list[Draft],
    leans: Sequence[tuple[Key, str]],
    docs: dict[Key, set[int]],
    total: int,
    params: IssueParams,
) -> tuple[list[Draft], bool]:
    """One round of step 4 of the module docstring, and whether a word joined. Each
    word is judged against the themes as the previous round left them, so the order
    of ``leans`` changes nothing; a word that joined already is not judged again. A
    leaning word that is no generic word may have made a theme of its own
    ("restrictions" of content): where it joins, that theme joins with it, so no
    grievance is told twice. Its own theme is one most of whose grievances hold the
    word; a bigger theme that merely has it among its phrases stays. A word in a
    pinned issue leans nowhere."""
    joins = []
    pinned = {k for d in drafts if d.pinned for k in d.keys}
    for key, head in leans:
        holders = docs.get(key, set())
        homes = [d for d in drafts if (head,) in d.keys]
        if len(holders) < params.min_grievances or not homes or key in pinned:
            continue
        home = max(homes, key=lambda d: len(d.members))
        if key in home.leaning:
            continue
        share = len(holders & home.members) / len(holders)
        if _beyond_chance(share, len(home.members) / max(total, 1)) >= params.lean_overlap:
            joins.append((home, key, holders))
    absorbed: dict[int, Draft] = {}  # id of a word's own theme -> the theme it joined
    for home, key, holders in joins:
        while id(home) in absorbed:
            home = absorbed[id(home)]
        if key not in home.keys:
            home.keys.append(key)
        home.leaning.add(key)
        home.members |= holders
        for own in drafts:
            if own is home or own.pinned or id(own) in absorbed or key not in own.keys:
                continue
            if 2 * len(own.members & holders) < len(own.members):
                continue  # not the word's own theme: it only shares the word
            home.keys.extend(k for k in own.keys if k != key)
            home.members |= own.members
            home.explained |= own.explained
            home.leaning |= own.leaning
            absorbed[id(own)] = home
        home.explained.discard(key)  # it assigns its grievances: that is why it joined
    return [d for d in drafts if id(d) not in absorbed], bool(joins)


def _beyond_chance(share: float | np.ndarray, chance: float | np.ndarray) -> Any:
    """How far ``share`` goes from ``chance`` towards all of it: 0 at chance, 1 at
    all, below 0 under chance. Scalars or numpy arrays alike; a chance of 1 is
    taken as just under it."""
    chance = np.minimum(chance, 1 - 1e-9)
    return (share - chance) / (1 - chance)


def _floor(draft: Draft, params: IssueParams) -> int:
    """People a theme needs: ``min_people`` when some phrase of two words or more
    is shared by several of them, ``word_min_people`` when they share single words
    only. Four people who each mention "interest" in four different complaints (a
    late payment, a fallen rate, a missing statement) are weaker evidence of one
    grievance than four who all say "stuck on pending"."""
    if any(len(key) > 1 for key in draft.keys):
        return params.min_people
    return max(params.min_people, params.word_min_people)


def _drop_covered(drafts: list[Draft], total: int, params: IssueParams) -> list[Draft]:
    """Leave out a theme whose grievances already lie in larger ones, spread over
    several (or it would have joined one): a word those themes share ("gold" in a
    refund, an ads and a ban complaint) says nothing new. Its share inside them must
    go ``covered_share`` of the way from chance to all: where four big themes hold
    most grievances, a small real theme lies mostly in them too."""
    kept: list[Draft] = []
    seen: set[int] = set()
    for draft in sorted(drafts, key=lambda d: (d.pinned is None, -len(d.members))):
        share = len(draft.members & seen) / max(len(draft.members), 1)
        chance = len(seen) / max(total, 1)
        if draft.pinned is None and _beyond_chance(share, chance) >= params.covered_share:
            continue
        kept.append(draft)
        seen |= draft.members
    return kept


def unexplained_complement(
    found: Sequence[Candidate], docs: dict[Key, set[int]], params: IssueParams
) -> set[Key]:
    """Head words explained by a longer phrase that binds them to another head word:
    "verification" when most grievances that say it say "age verification"
    (``explain_share``). Such a word assigns no grievance on its own (the few
    "verification email" posts stay out of the age check), the phrase does. A
    phrase with one head word explains nothing ("fake profiles" is the fake-profile
    theme, and "फर्जी प्रोफाइल" is too), and one phrase must hold it: hundreds of
    chance three-word phrases around a theme word never explain it away."""
    heads = {c.key[0] for c in found if len(c.key) == 1}
    longer: dict[Key, list[Key]] = {}
    for c in found:
        if len(c.key) > 1 and len(heads.intersection(c.key)) > 1:
            for word in set(c.key) & heads:
                longer.setdefault((word,), []).append(c.key)
    return {
        c.key
        for c in found
        if len(c.key) == 1
        and any(
            len(docs[other]) >= params.explain_share * len(docs[c.key])
            for other in longer.get(c.key, ())
        )
    }


def _form_of(word: str, heads: dict[str, list[str]]) -> str | None:
    """The head word ``word`` is a form of, if any (see :func:`_same_word`);
    ``heads`` is :func:`_by_beginning` of the head words."""
    for head in sorted(_candidates(word, heads)):
        if _same_word(head, word):
            return head
    return None


_PREFIXES = ("un", "in", "im", "dis", "non", "de", "re")


def _same_word(a: str, b: str) -> bool:
    """Forms of one word: a negating or repeating prefix ("limit", "unlimit"), a
    longer ending ("subscrib", "subscript", "limitless"), never a word inside
    another ("lock", "block") nor a word grown into another ("persona",
    "personaliti": what a user plays and what a bot is like)."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4 or short == long_:
        return False
    if long_.startswith(short) and (len(long_) - len(short) <= 3 or long_[len(short) :] == "less"):
        return True
    if long_.endswith(short) and long_[: -len(short)] in _PREFIXES:
        return True
    if len(short) < 6 or short[:6] != long_[:6]:
        return False
    common = len(os.path.commonprefix([short, long_]))
    return len(long_) - common <= 3


def _by_beginning(words: Iterable[str]) -> dict[str, list[str]]:
    """Words by their first four letters: the only ones :func:`_same_word` can pair."""
    out: dict[str, list[str]] = {}
    for word in words:
        if len(word) >= 4:
            out.setdefault(word[:4], []).append(word)
    return out


def _candidates(word: str, index: dict[str, list[str]]) -> set[str]:
    """Words of ``index`` that may be forms of ``word``: same beginning, or the
    beginning of ``word`` without a prefix, or ``word`` as the bare form of one."""
    found = set(index.get(word[:4], ()))
    for prefix in _PREFIXES:
        if word.startswith(prefix):
            found.update(index.get(word[len(prefix) : len(prefix) + 4], ()))
        found.update(w for w in index.get((prefix + word)[:4], ()) if w.endswith(word))
    return found


def _join_forms(heads: list[str], union: _Union) -> None:
    """Head words that are forms of one word (:func:`_same_word`). Every word of a
    group is a form of its shortest one: "persona" ~ "personal" ~ "personaliti"
    must not chain "persona" to "personaliti"."""
    index = _by_beginning(heads)
    group = {word: [word] for word in heads}
    for word in heads:
        for other in sorted(_candidates(word, index)):
            if other <= word or not _same_word(word, other):
                continue
            a, b = group[word], group[other]
            if a is b:
                continue
            joined = a + b
            bare = min(joined, key=lambda w: (len(w), w))
            if all(w == bare or _same_word(bare, w) for w in joined):
                union.union((word,), (other,))
                for w in joined:
                    group[w] = joined


def _merge_overlapping(drafts: list[Draft], total: int, params: IssueParams) -> list[Draft]:
    """Join themes that hold mostly the same grievances, in rounds: each round joins
    the qualifying pairs strongest first, then counts again."""
    while True:
        a, b, shared = _overlaps(drafts)
        if not len(a):
            return drafts
        size = np.array([len(d.members) for d in drafts], np.float64)
        pinned = np.array([d.pinned is not None for d in drafts])
        small, big = np.minimum(size[a], size[b]), np.maximum(size[a], size[b])
        # How far the smaller theme's share inside the bigger one goes from chance
        # (the bigger one's share of all grievances) towards all of it.
        excess = _beyond_chance(shared / np.maximum(small, 1), big / max(total, 1))
        # Inside a theme of more than half of all grievances, anything lies mostly by
        # chance: no measure of overlap can tell, so nothing joins it by overlap.
        ok = (excess >= params.merge_overlap) & ~(pinned[a] & pinned[b])
        ok &= (big <= total / 2) & (shared >= params.min_grievances)
        if not ok.any():
            return drafts
        order = np.argsort(-excess[ok], kind="stable")
        # Each round a theme either absorbs (any number of smaller ones) or is absorbed
        # (into its best partner), never both: counts are fresh for every decision.
        into: dict[int, int] = {}
        absorbers: set[int] = set()
        for x, y in zip(a[ok][order].tolist(), b[ok][order].tolist(), strict=True):
            small_one, big_one = (
                (x, y) if size[x] < size[y] or (size[x] == size[y] and x > y) else (y, x)
            )
            if drafts[small_one].pinned is not None:
                small_one, big_one = big_one, small_one
            if small_one in into or small_one in absorbers or big_one in into:
                continue
            into[small_one] = big_one
            absorbers.add(big_one)
        for drop, keep in into.items():
            drafts[keep].keys += drafts[drop].keys
            drafts[keep].explained |= drafts[drop].explained
            if len(drafts[drop].members) < params.absorb_share * len(drafts[keep].members):
                drafts[keep].explained |= set(drafts[drop].keys)  # its words, not its posts
            drafts[keep].members |= drafts[drop].members
        drafts = [d for i, d in enumerate(drafts) if i not in into]


def _overlaps(drafts: list[Draft]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each pair of themes that share grievances (``a < b``) and how many they share,
    counted over the theme lists of every grievance (vectorised: millions of
    memberships at scale)."""
    empty = np.zeros(0, np.int64)
    if len(drafts) < 2:
        return empty, empty, empty
    sizes = [len(d.members) for d in drafts]
    doc = np.fromiter((i for d in drafts for i in d.members), np.int64, sum(sizes))
    theme = np.repeat(np.arange(len(drafts), dtype=np.int64), sizes)
    order = np.lexsort((theme, doc))
    doc, theme = doc[order], theme[order]
    width = len(drafts)
    codes = []
    for step in range(1, MAX_THEMES_PER_DOC):
        if step >= len(doc):
            break
        same = np.flatnonzero(doc[step:] == doc[:-step])
        if not len(same):
            break
        codes.append(theme[same] * width + theme[same + step])
    if not codes:
        return empty, empty, empty
    pairs, shared = np.unique(np.concatenate(codes), return_counts=True)
    return pairs // width, pairs % width, shared
