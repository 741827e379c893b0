"""``[[ignored]]``: phrases a user read in a discovered issue and judged no problem.

Discovery goes by shared words, and in thousands of angry reviews some word that
names nothing ("soul", "listen") is shared by enough people to pass every test.
Only a reader can tell, so a user lists it. Two things follow, both by phrase:

- The issue the phrase *names* is dismissed whole: listing "age verification"
  removes that issue with all its phrases ("age", "ID", "selfie"), not just the
  one phrase, after which the rest would stand again as "verification".
- Anywhere else the phrase is only left out: it and every longer phrase holding
  its words ("soul crushing" for "soul") are no candidates, and a generic word of
  ``[leans]`` ("pay") joins no theme. Listing "watch" takes it out of the ads
  issue; the ads issue stays.

Which issue a phrase names is decided afresh on every run, and only a phrase that
*is* an issue's name dismisses it (the name the report shows; where the phrase the
issue hangs on reads as a sentence and a shorter one is shown, either): a dismissed
"randomly" that later grows into the ads theme never takes the ads issue with it,
since "ads" names that, and listing "age" never dismisses "age verification" (it
leaves "age" out of it). Each phrase is judged on the themes that the other listed
phrases leave, which is what the user saw when listing it: with "verification"
listed, the age check is named "age", and listing "age" then dismisses it. Pinned
issues are the user's own: never dismissed, and their phrases are tracked even when
listed here.

A phrase is read as a pinned phrase is: word stems, ``[synonyms]`` as one word, the
stop words of our own lists left out. Not those of every language a company's posts
are in: "multiple" is a French stop word, and "multiple ads" would read as "ads".

Each phrase that matches something costs one more pass over the themes (about 5 s
at a million grievances); without ``[[ignored]]``, discovery is as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scanner.issues.keyness import Candidate
from scanner.issues.lexicon import Key, Lexicon, phrase_key
from scanner.issues.themes import Draft

Leans = Sequence[tuple[Key, str]]


class Ignored:
    """The ignored phrases of one company and, once applied, what each left out."""

    def __init__(self, phrases: Sequence[str], lexicon: Lexicon) -> None:
        # a phrase of stop words only has no words, and matches nothing
        self.words = {p: frozenset(phrase_key(p, lexicon)) for p in phrases}
        self.left_out: dict[str, int] = dict.fromkeys(phrases, 0)

    def __bool__(self) -> bool:
        return bool(self.words)

    def _holds(self, phrase: str, key: Key) -> bool:
        words = self.words[phrase]
        return bool(words) and words <= set(key)

    def apply(
        self,
        found: Sequence[Candidate],
        leans: Leans,
        build: Callable[[Sequence[Candidate], Leans], list[Draft]],
        names: Callable[[Draft], tuple[Key, ...]],
    ) -> list[Draft]:
        """The themes of ``found`` and ``leans`` with every theme an ignored phrase
        names dismissed and every other key holding one left out (see the module
        docstring). ``build`` makes themes, ``names`` gives the phrases that name a
        theme: the one it hangs on and the one the report shows, when that differs."""
        live = [
            p
            for p in self.words
            if any(self._holds(p, c.key) for c in found) or any(self._holds(p, k) for k, _ in leans)
        ]
        dismissed: dict[str, set[Key]] = {p: set() for p in self.words}

        def without(out: Sequence[str]) -> tuple[list[Candidate], list[tuple[Key, str]]]:
            gone = set().union(*dismissed.values())

            def keep(key: Key) -> bool:
                return key not in gone and not any(self._holds(p, key) for p in out)

            return [c for c in found if keep(c.key)], [(k, t) for k, t in leans if keep(k)]

        for phrase in live:  # on the themes the other phrases leave: what the user saw
            words = self.words[phrase]
            for draft in build(*without([q for q in live if q != phrase])):
                if draft.pinned is not None or not any(set(k) == words for k in draft.keys):
                    continue  # (reading how a theme's name is written costs time)
                if any(set(name) == words for name in names(draft)):
                    dismissed[phrase].update(draft.keys)
        # No theme left can be named by a phrase: every key that is one is left out.
        drafts = build(*without(live))
        keys = [c.key for c in found] + [k for k, _ in leans]
        for p in self.words:
            self.left_out[p] = len({k for k in keys if self._holds(p, k)} | dismissed[p])
        return drafts
