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

Which issue a phrase names is decided afresh on every run, from the themes as the
user would see them, and only a phrase that *is* the name dismisses: a dismissed
"randomly" that later grows into the ads theme never takes the ads issue with it,
since "ads" names that, and listing "age" never dismisses "age verification" (it
leaves "age" out of it). Pinned issues are the user's own: never dismissed, and
their phrases are tracked even when listed here.

A phrase is read as discovery reads posts: word stems, ``[synonyms]`` as one word,
stop words left out; stop words of every language the company's grievances are in
(a German "die Seele" is "seel", as a German post reads it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner.issues.keyness import Candidate
from scanner.issues.lexicon import Key, Lexicon


class Ignored:
    """The ignored phrases of one company, as keys, and what each has left out."""

    def __init__(
        self, phrases: Sequence[str], lexicon: Lexicon, languages: Iterable[str | None] = ()
    ) -> None:
        readings = {None, *languages}
        self.keys: dict[str, list[frozenset[str]]] = {}
        for phrase in phrases:
            variants = {
                frozenset(s for s in lexicon.sequence(phrase, lang) if s)
                for lang in sorted(readings, key=lambda x: x or "")
            }
            self.keys[phrase] = [v for v in variants if v]
        self.left_out: dict[str, int] = dict.fromkeys(phrases, 0)

    def __bool__(self) -> bool:
        return bool(self.keys)

    def holding(self, key: Key) -> list[str]:
        """The phrases all of whose words ``key`` holds."""
        words = set(key)
        return [p for p, variants in self.keys.items() if any(v <= words for v in variants)]

    def naming(self, key: Key) -> list[str]:
        """The phrases that are ``key``, word for word."""
        words = set(key)
        return [p for p, variants in self.keys.items() if words in variants]

    def count(self, phrases: Iterable[str]) -> None:
        for phrase in phrases:
            self.left_out[phrase] += 1

    def dismissed(self, themes: Iterable[tuple[Key, Sequence[Key]]]) -> set[Key]:
        """The keys of every theme (its naming key, all its keys) that an ignored
        phrase names, each counted as left out by it."""
        out: set[Key] = set()
        for name, keys in themes:
            naming = self.naming(name)
            if naming:
                out.update(keys)
                for _ in keys:
                    self.count(naming[:1])
        return out

    def without(self, found: Sequence[Candidate], dismissed: set[Key]) -> list[Candidate]:
        """The candidates that are neither in a dismissed theme nor hold an ignored phrase."""
        kept = []
        for candidate in found:
            if candidate.key in dismissed:
                continue
            hits = self.holding(candidate.key)
            self.count(hits)
            if not hits:
                kept.append(candidate)
        return kept

    def leaning(
        self, leans: Sequence[tuple[Key, str]], dismissed: set[Key]
    ) -> list[tuple[Key, str]]:
        """The ``[leans]`` words that still lean: not ignored, not in a dismissed theme."""
        kept = []
        for key, theme in leans:
            if key in dismissed:
                continue
            hits = self.holding(key)
            self.count(hits)
            if not hits:
                kept.append((key, theme))
        return kept
