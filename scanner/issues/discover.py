"""One company's grievances in, its issues out, every grievance assigned.

1. The nouns of the company's trade are learnt from its posts
   (``scanner.issues.praise``) and join the generic words: they are in every
   theme and name none.
2. Candidate phrases (``scanner.issues.counting``): word n-grams of at least
   ``min_grievances`` grievances, far more frequent in grievances than in what
   the company's other posts praise, never made only of generic words.
3. Themes (``scanner.issues.themes``): head words with the phrases that say
   them, forms and synonyms of one word, and heavily overlapping themes, joined;
   then the generic words of ``[leans]`` that this company's grievances use with
   a theme ("pay" with the price theme of an app that sells subscriptions).
4. A grievance belongs to every theme one of whose phrases it contains.

Pinned issues (``rules/issues.toml``) enter step 3 first, so discovered
phrases join them rather than duplicating them. Ignored phrases (``[[ignored]]``,
what a user read and judged no problem, ``scanner.issues.ignored``) dismiss the
theme they name and are left out of every other: step 3 runs once more without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from scanner.issues.counting import index_phrases
from scanner.issues.ignored import Ignored
from scanner.issues.keyness import Candidate
from scanner.issues.lexicon import Key, Lexicon, phrase_key
from scanner.issues.names import NAME_SAMPLE, SAMPLE, best_name, name_order, surface_forms
from scanner.issues.praise import praise_parts, trade_words
from scanner.issues.settings import IssueParams, PinnedIssue
from scanner.issues.themes import Draft, build_themes

T = TypeVar("T")

BACKGROUND_SAMPLE = 100_000  # other posts read at most, evenly spaced


@dataclass
class Grievance:
    id: str
    person: str  # who wrote it; equal strings are one person
    text: str
    language: str | None = None  # ISO 639-1, for its stop words


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
    # each ignored phrase: how many candidates it left out (0: it matched none, a typo?)
    ignored: dict[str, int] = field(default_factory=dict)


def discover(
    grievances: Sequence[Grievance],
    background: Iterable[str | tuple[str, str | None]],
    *,
    lexicon: Lexicon,
    params: IssueParams,
    pinned: Sequence[PinnedIssue] = (),
    ignored: Sequence[str] = (),
) -> Discovery:
    """Find the issues of one company's grievances and assign every grievance.

    ``background``: the company's other posts, as texts or (text, language) pairs."""
    others = [b if isinstance(b, tuple) else (b, None) for b in background]
    texts = [g.text for g in grievances]
    lexicon.learn(trade_words([*texts, *(t for t, _ in others)], lexicon, params.praise_share))
    pinned_keys = [[k for p in pin.phrases if (k := phrase_key(p, lexicon))] for pin in pinned]
    leans: list[tuple[Key, str]] = [
        ((word,), theme) for word, theme in sorted(lexicon.leans.items())
    ]
    # The background: what the other posts praise. A post that only complains (a
    # five-star "so you see this") adds nothing to it. Rates are what count, so an
    # even sample of a big company's posts is as good as all.
    sample = even_sample(others, BACKGROUND_SAMPLE)
    kept = praise_parts(sample)
    if len(kept) < params.min_background:  # posts that hardly praise: news, forums
        kept = praise_parts(sample, praising=False)
    index = index_phrases(
        texts,
        [t for t, _ in kept],
        lexicon,
        params,
        [*(k for keys in pinned_keys for k in keys), *(k for k, _ in leans)],
        languages=([g.language for g in grievances], [lang for _, lang in kept]),
    )
    persons = [g.person for g in grievances]

    def people(indices: Iterable[int]) -> int:
        return len({persons[i] for i in indices})

    def themes(found: Sequence[Candidate], leans: Sequence[tuple[Key, str]]) -> list[Draft]:
        return build_themes(
            found,
            index.docs,
            people,
            len(grievances),
            params,
            [(pin.name, keys) for pin, keys in zip(pinned, pinned_keys, strict=True)],
            frozenset(lexicon.generic),
            leans,
        )

    docs = index.docs
    labels = _Labels(docs, grievances, lexicon)

    def names(draft: Draft) -> tuple[Key, ...]:
        # a user lists the name the report shows, or the phrase behind it
        keys, anchor = _named(draft, docs)
        return (anchor, _shown(anchor, keys[: params.max_phrases], docs, labels))

    ignoring = Ignored(ignored, lexicon)
    if ignoring:
        drafts = ignoring.apply(index.found, leans, themes, names)
    else:
        drafts = themes(index.found, leans)
    issues = []
    for draft in drafts:
        keys, anchor = _named(draft, docs)
        members: dict[int, Key] = {}
        for key in keys:
            if key in draft.explained:
                continue
            for i in sorted(docs.get(key, ())):
                members.setdefault(i, key)
        issues.append(
            FoundIssue(
                key=(f"pin:{draft.pinned.casefold()}",) if draft.pinned else anchor,
                name=draft.pinned or "",
                phrases=keys[: params.max_phrases],
                labels={},
                members=members,
                people=people(members),
                pinned=draft.pinned is not None,
            )
        )
    free = sorted((x for x in issues if not x.pinned), key=lambda x: (-x.people, x.key))
    issues = [x for x in issues if x.pinned] + free[: params.max_issues]
    for issue in issues:  # only now: reading texts for names is the slow part
        issue.labels = {k: labels(k) for k in issue.phrases}
        if not issue.pinned:
            issue.labels[issue.key] = labels.name(issue.key)
            issue.name = issue.labels[_shown(issue.key, issue.phrases, docs, labels)]
    return Discovery(issues, index.background, len(index.found), ignoring.left_out)


def _named(draft: Draft, docs: dict[Key, set[int]]) -> tuple[list[Key], Key]:
    """A theme's keys, most common first, and the one that names it."""
    keys = sorted(set(draft.keys), key=lambda k: (-len(docs.get(k, ())), -len(k), k))
    own = [k for k in keys if k not in draft.leaning] or keys  # a leaning word never names
    return keys, keys[0] if draft.pinned else best_name(own, docs)


def even_sample(items: Sequence[T], at_most: int) -> Sequence[T]:
    """At most ``at_most`` of ``items``, evenly spaced from the first: every
    ``ceil(len / at_most)``-th one (every other one of 199,999 posts, not all)."""
    return items[:: max(1, -(-len(items) // max(at_most, 1)))]


# A name longer than this reads as a sentence, not a label: "froze my account and
# kept my money" (seven words), "reimbursement applications were mishandled" (43
# characters).
NAME_CHARS = 40
NAME_WORDS = 5


class _Labels:
    """How people write each phrase, read in its grievances once per run: the
    phrase that names an issue, which a person reads first, in more of them."""

    def __init__(self, docs: dict[Key, set[int]], texts: Sequence[Grievance], lexicon: Lexicon):
        self.docs, self.texts, self.lexicon = docs, texts, lexicon
        self.read: dict[tuple[Key, int], str] = {}

    def __call__(self, key: Key, sample: int = SAMPLE) -> str:
        if (key, sample) not in self.read:
            found = surface_forms([key], self.docs, self.texts, self.lexicon, sample)
            self.read[key, sample] = found[key]
        return self.read[key, sample]

    def name(self, key: Key) -> str:
        return self(key, NAME_SAMPLE)


def _shown(anchor: Key, phrases: Sequence[Key], docs: dict[Key, set[int]], labels: _Labels) -> Key:
    """The phrase whose label an issue shows as its name: the one that names it,
    unless that reads as a sentence ("hung up on me when i asked why my account was
    limited", "froze my account and kept my money"): then the most specific common
    phrase that is short enough ("froze my account"). Only the name shown changes:
    the issue's id hangs on ``anchor``. The report tells a user to list this name
    under ``[[ignored]]``, so dismissal goes by it too (``scanner.issues.ignored``)."""
    if _label_like(labels.name(anchor)):
        return anchor
    top = max(len(docs.get(k, ())) for k in phrases)
    short = [
        k
        for k in phrases
        if k != anchor and 2 * len(docs.get(k, ())) >= top and _label_like(labels(k))
    ]
    if not short:
        return anchor
    return min(short, key=name_order(phrases, docs))


def _label_like(text: str) -> bool:
    """Whether ``text`` is short enough to read as a name (``NAME_CHARS``, ``NAME_WORDS``)."""
    return len(text) <= NAME_CHARS and len(text.split()) <= NAME_WORDS
