"""From candidate phrases to issues, and from issues to the grievances in them.

1. Phrases explained by longer ones are dropped: "verification" goes when
   most grievances that say it say "age verification" (otherwise the few
   "email verification code" grievances would be glued to the age check, and
   a "verify my card" scam text with them). Only longer phrases that are each
   a large part of it count (``explain_share``): at scale, hundreds of chance
   three-word phrases around a theme word would together explain it away.
2. Phrases of several words are taken first, then single words, each from the
   most widely shared down, each joining the issue that already holds most of
   its grievances (``merge_overlap``, with a lift guard so a phrase everybody
   uses glues nothing), else starting a new one. This is what puts "selfie"
   and "ID" with "age verification": the same people say them together. A
   phrase whose grievances are mostly in issues already found, but spread over
   several, is a word they share and is left out; for a single word a smaller
   share (``explain_share``) is enough: "order" in refund and delivery themes
   is learnt to be generic, and never makes an issue of unrelated orders.
3. A grievance belongs to every issue one of whose phrases it contains, so it
   is assigned only through a phrase that passed all of the above: never
   through a generic word (``rules/phrases.toml``), which no phrase is made of
   alone.

Pinned issues (``rules/issues.toml``) enter step 2 first, so discovered
phrases join them rather than duplicating them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from scanner.issues.counting import index_phrases
from scanner.issues.keyness import Candidate
from scanner.issues.lexicon import Key, Lexicon, phrase_key
from scanner.issues.names import best_name, surface_forms
from scanner.issues.settings import IssueParams, PinnedIssue


@dataclass
class Grievance:
    id: str
    person: str  # who wrote it; equal strings are one person
    text: str


@dataclass
class FoundIssue:
    key: Key  # the phrase that names it: what its id hangs on
    name: str
    phrases: list[Key]
    labels: dict[Key, str]  # phrase -> how people write it
    members: dict[int, Key] = field(default_factory=dict)  # grievance index -> phrase
    people: int = 0
    pinned: bool = False


@dataclass
class Discovery:
    issues: list[FoundIssue]
    background: str  # "mentions" or "built-in"
    candidates: int


def discover(
    grievances: Sequence[Grievance],
    background: Iterable[str],
    *,
    lexicon: Lexicon,
    params: IssueParams,
    pinned: Sequence[PinnedIssue] = (),
) -> Discovery:
    """Find the issues of one company's grievances and assign every grievance."""
    pinned_keys = [[k for p in pin.phrases if (k := phrase_key(p, lexicon))] for pin in pinned]
    found, docs, kind = index_phrases(
        [g.text for g in grievances], list(background), lexicon, params,
        [k for keys in pinned_keys for k in keys],
    )  # fmt: skip
    persons = [g.person for g in grievances]

    def people(indices: Iterable[int]) -> int:
        return len({persons[i] for i in indices})

    kept = _unexplained(found, docs, people, params)
    drafts: list[tuple[list[Key], set[int], str | None]] = [
        (list(keys), set().union(*(docs[k] for k in keys)), pin.name)
        for pin, keys in zip(pinned, pinned_keys, strict=True)
    ]
    _merge(kept, docs, drafts, len(grievances), params)
    issues = []
    for keys, _, pinned_name in drafts:
        keys = sorted(keys, key=lambda k: (-len(docs[k]), -len(k), k))
        if pinned_name is None:
            keys = keys[: params.max_phrases]
        members: dict[int, Key] = {}
        for key in keys:
            for i in sorted(docs[key]):
                members.setdefault(i, key)
        count = people(members)
        if pinned_name is None and count < params.min_people:
            continue
        anchor = keys[0] if pinned_name else best_name(keys, docs)
        issues.append(
            FoundIssue(
                key=anchor if not pinned_name else (f"pin:{pinned_name.casefold()}",),
                name=pinned_name or "", phrases=keys, labels={}, members=members,
                people=count, pinned=pinned_name is not None,
            )
        )  # fmt: skip
    free = sorted((x for x in issues if not x.pinned), key=lambda x: (-x.people, x.key))
    issues = [x for x in issues if x.pinned] + free[: params.max_issues]
    for issue in issues:  # only now: reading texts for names is the slow part
        issue.labels = surface_forms(issue.phrases, docs, grievances, lexicon)
        issue.name = issue.name or issue.labels.get(issue.key, " ".join(issue.key))
    return Discovery(issues, kind, len(found))


def _unexplained(
    found: list[Candidate], docs: dict[Key, set[int]], people, params: IssueParams
) -> list[Candidate]:
    """Drop phrases whose grievances are (nearly) all covered by longer phrases."""
    present = {c.key for c in found}
    longer: dict[Key, list[Key]] = {}
    for c in found:
        if len(c.key) > 1:
            for part in set(combinations(c.key, len(c.key) - 1)):
                if part in present:
                    longer.setdefault(part, []).append(c.key)
    kept = []
    for c in found:
        mine = docs[c.key]
        rest = set(mine)
        for other in longer.get(c.key, ()):
            # Only a longer phrase that is itself a large part of this one explains
            # it: hundreds of chance three-word phrases around a theme word, a few
            # grievances each, would together "explain" the theme away at scale.
            if len(docs[other]) >= params.explain_share * len(mine):
                rest -= docs[other]
        if (
            len(rest) >= params.min_grievances
            and people(rest) >= params.min_people
            and len(rest) > (1 - params.merge_overlap) * len(mine)
        ):
            kept.append(c)
    return kept


def _merge(
    kept: list[Candidate],
    docs: dict[Key, set[int]],
    drafts: list[tuple[list[Key], set[int], str | None]],
    total: int,
    params: IssueParams,
) -> None:
    """Greedy: each phrase, most shared first, joins the issue holding its grievances."""
    doc_issues: dict[int, list[int]] = {}
    for n, (_, members, _) in enumerate(drafts):
        for i in members:
            doc_issues.setdefault(i, []).append(n)
    placed = {key for keys, _, _ in drafts for key in keys}
    # Phrases of several words first: a single word then meets the themes already
    # found and either joins one or, spread over several, is seen to be generic.
    for cand in sorted(
        kept, key=lambda c: (len(c.key) == 1, -len(docs[c.key]), -len(c.key), c.key)
    ):
        if cand.key in placed:
            continue
        placed.add(cand.key)
        mine = docs[cand.key]
        overlap = Counter(n for i in mine for n in doc_issues.get(i, ()))
        target = None
        for n, shared in overlap.most_common():
            share = shared / len(mine)
            base = len(drafts[n][1]) / max(total, 1)
            if share >= params.merge_overlap and share >= params.merge_lift * base:
                target = n
                break
        if target is None:
            covered = sum(1 for i in mine if i in doc_issues)
            # A single word meets the themes of longer phrases first: when a good
            # part of it (and more than chance: min_grievances) lies in them
            # without joining one, it is learnt generic.
            shared = params.merge_overlap * len(mine)
            if len(cand.key) == 1:
                learnt = max(params.explain_share * len(mine), params.min_grievances)
                shared = min(shared, learnt)
            if covered >= shared:
                # Spread over issues already found ("message" in ads, bots and age
                # grievances alike): a word they share, not a theme of its own.
                continue
            drafts.append(([cand.key], set(), None))
            target = len(drafts) - 1
        else:
            drafts[target][0].append(cand.key)
        members = drafts[target][1]
        for i in mine - members:
            doc_issues.setdefault(i, []).append(target)
        members |= mine
