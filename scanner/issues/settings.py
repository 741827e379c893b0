"""``rules/issues.toml``: discovery parameters, the issues a user pins and the
phrases a user says are no issue.

Every number is checked against its range, and a pinned issue without a name
or phrases is reported with the file, so a typo never silently changes what
the nightly run reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from scanner.errors import RuleFileError
from scanner.rules import check_data, load_checked, rules_path
from scanner.schema import setting

NAME = "issues.toml"


@dataclass(frozen=True)
class IssueParams:
    """``[discovery]``: each field is a key of it (``scanner.schema``)."""

    # a phrase must occur in this many grievances...
    min_grievances: int = setting(3, low=1, high=100_000)
    min_people: int = setting(3, low=1, high=100_000)  # ...written by this many different people
    # a theme of single words only needs this many people
    word_min_people: int = setting(6, low=1, high=100_000)
    # log-likelihood G2 against the background (p < 0.01)
    keyness: float = setting(6.63, low=0, high=10_000)
    # and this many times more frequent than in the background
    min_ratio: float = setting(1.5, low=0, high=1_000)
    max_ngram: int = setting(3, low=1, high=4)
    max_issues: int = setting(50, low=1, high=10_000)
    # two themes join when one lies in the other this far above chance
    merge_overlap: float = setting(0.5, low=0, high=1)
    # a joining theme this small beside the bigger one brings its words, not its posts
    absorb_share: float = setting(0.1, low=0, high=1)
    # a generic word of [leans] joins its theme when it lies in it this far above chance
    lean_overlap: float = setting(0.25, low=0, high=1)
    # fewer non-grievance mentions: the built-in background
    min_background: int = setting(50, low=0, high=100_000)
    max_phrases: int = setting(20, low=1, high=1_000)
    # strongest phrases kept per phrase length (1, 2, 3 words)
    max_candidates: int = setting(2000, low=10, high=1_000_000)
    # a longer phrase holding this much of a word explains it
    explain_share: float = setting(0.5, low=0, high=1)
    # a theme this far inside larger ones says nothing new
    covered_share: float = setting(0.9, low=0, high=1)
    # a phrase this big a part of a head word's grievances binds it
    bind_share: float = setting(0.3, low=0, high=1)
    # a word used in praise this often is the trade's, generic
    praise_share: float = setting(0.25, low=0, high=1)


def _phrases_problem(phrases: tuple[str, ...]) -> str | None:
    if not phrases or not all(p.strip() for p in phrases):
        return "must be a list of phrases, none of them empty"
    return None


@dataclass(frozen=True)
class PinnedIssue:
    """One ``[[pinned]]`` issue: a name and the phrases, in any language, that find it."""

    name: str = setting(nonempty=True)
    phrases: tuple[str, ...] = setting(check=_phrases_problem)
    company: str | None = setting(None)  # None: every watched company

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "phrases", tuple(p.strip() for p in self.phrases))
        object.__setattr__(self, "company", self.company and self.company.strip())


@dataclass(frozen=True)
class IgnoredPhrases:
    """One ``[[ignored]]`` entry: phrases a user has read and judged no problem
    ("soul", "listen"). Discovery is lexical, so some company's angry reviews will
    always share a word that names nothing; the user who reads them decides."""

    phrases: tuple[str, ...] = setting(check=_phrases_problem)
    company: str | None = setting(None)  # None: every watched company

    def __post_init__(self) -> None:
        object.__setattr__(self, "phrases", tuple(p.strip() for p in self.phrases))
        object.__setattr__(self, "company", self.company and self.company.strip())


_T = TypeVar("_T", PinnedIssue, IgnoredPhrases)


def _for(company: str, entries: Sequence[_T]) -> list[_T]:
    """The entries for ``company``: its own and those without one."""
    return [e for e in entries if e.company is None or e.company.casefold() == company.casefold()]


@dataclass(frozen=True)
class IssueRules:
    params: IssueParams = setting(factory=IssueParams, key="discovery")
    pinned: tuple[PinnedIssue, ...] = setting(())
    ignored: tuple[IgnoredPhrases, ...] = setting(())

    def pinned_for(self, company: str) -> list[PinnedIssue]:
        return _for(company, self.pinned)

    def ignored_for(self, company: str) -> list[str]:
        """The phrases that never make or join an issue of ``company``."""
        return [p for entry in _for(company, self.ignored) for p in entry.phrases]

    def unwatched(self, companies: Sequence[str]) -> list[str]:
        """A line for each entry that names a company not watched: it applies to none,
        and a misspelt name would otherwise pass unseen."""
        watched = {c.casefold() for c in companies}
        out = []
        tables: list[tuple[str, Sequence[PinnedIssue | IgnoredPhrases]]] = [
            ("pinned", self.pinned),
            ("ignored", self.ignored),
        ]
        for table, entries in tables:
            for n, entry in enumerate(entries, 1):
                if entry.company is not None and entry.company.casefold() not in watched:
                    out.append(
                        f"{NAME}: [[{table}]] {n} is for {entry.company!r}, not a watched "
                        f"company ({', '.join(companies)}): it applies to none"
                    )
        return out


def load_issue_rules() -> IssueRules:
    return load_checked(NAME, IssueRules)


def parse_issue_rules(raw: dict[str, Any]) -> IssueRules:
    """Rules given as data rather than read from the file (tests; no lines to cite)."""
    return check_data(rules_path(NAME), raw, IssueRules, RuleFileError, text="")
