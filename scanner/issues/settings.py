"""``rules/issues.toml``: discovery parameters and the issues a user pins.

Every number is checked against its range, and a pinned issue without a name
or phrases is reported with the file, so a typo never silently changes what
the nightly run reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.errors import RuleFileError
from scanner.rules import load_rules, number, rules_path

NAME = "issues.toml"


@dataclass(frozen=True)
class IssueParams:
    min_grievances: int = 3  # a phrase must occur in this many grievances...
    min_people: int = 3  # ...written by this many different people
    word_min_people: int = 6  # a theme of single words only needs this many people
    keyness: float = 6.63  # log-likelihood G2 against the background (p < 0.01)
    min_ratio: float = 1.5  # and this many times more frequent than in the background
    max_ngram: int = 3
    max_issues: int = 50
    merge_overlap: float = 0.5  # two themes join when one lies in the other this far above chance
    min_background: int = 50  # fewer non-grievance mentions: the built-in background
    max_phrases: int = 20
    max_candidates: int = 2000  # strongest phrases kept per phrase length (1, 2, 3 words)
    explain_share: float = 0.5  # a longer phrase holding this much of a word explains it
    covered_share: float = 0.9  # a theme this far inside larger ones says nothing new
    bind_share: float = 0.3  # a phrase this big a part of a head word's grievances binds it
    praise_share: float = 0.25  # a word used in praise this often is the trade's, generic


@dataclass(frozen=True)
class PinnedIssue:
    name: str
    phrases: tuple[str, ...]
    company: str | None = None  # None: every watched company


@dataclass(frozen=True)
class IssueRules:
    params: IssueParams = field(default_factory=IssueParams)
    pinned: tuple[PinnedIssue, ...] = ()

    def pinned_for(self, company: str) -> list[PinnedIssue]:
        return [
            p
            for p in self.pinned
            if p.company is None or p.company.casefold() == company.casefold()
        ]


_RANGES: dict[str, tuple[float, float, type]] = {
    "min_grievances": (1, 100_000, int),
    "min_people": (1, 100_000, int),
    "word_min_people": (1, 100_000, int),
    "keyness": (0, 10_000, float),
    "min_ratio": (0, 1_000, float),
    "max_ngram": (1, 4, int),
    "max_issues": (1, 10_000, int),
    "merge_overlap": (0, 1, float),
    "min_background": (0, 100_000, int),
    "max_phrases": (1, 1_000, int),
    "max_candidates": (10, 1_000_000, int),
    "explain_share": (0, 1, float),
    "covered_share": (0, 1, float),
    "bind_share": (0, 1, float),
    "praise_share": (0, 1, float),
}


def load_issue_rules() -> IssueRules:
    raw = load_rules(NAME)
    return parse_issue_rules(raw)


def parse_issue_rules(raw: dict[str, Any]) -> IssueRules:
    path = rules_path(NAME)
    discovery = raw.get("discovery", {})
    if not isinstance(discovery, dict):
        raise RuleFileError(path, "[discovery] must be a table")
    unknown = set(discovery) - set(_RANGES)
    if unknown:
        raise RuleFileError(path, f"unknown [discovery] keys: {', '.join(sorted(unknown))} "
                                  f"(known: {', '.join(_RANGES)})")  # fmt: skip
    values = {}
    for key, value in discovery.items():
        low, high, kind = _RANGES[key]
        checked = number(discovery, key, name=NAME, low=low, high=high)
        if kind is int and checked != int(checked):
            raise RuleFileError(path, f"{key} must be a whole number, got {value!r}")
        values[key] = kind(checked)
    pinned = []
    entries = raw.get("pinned", [])
    if not isinstance(entries, list):
        raise RuleFileError(path, "pinned issues are written [[pinned]] (an array of tables)")
    for i, entry in enumerate(entries):
        where = f"[[pinned]] number {i + 1}"
        if not isinstance(entry, dict):
            raise RuleFileError(path, f"{where} must be a table")
        name, phrases, company = entry.get("name"), entry.get("phrases"), entry.get("company")
        if not isinstance(name, str) or not name.strip():
            raise RuleFileError(path, f"{where} needs a name")
        if (
            not isinstance(phrases, list)
            or not phrases
            or not all(isinstance(p, str) and p.strip() for p in phrases)
        ):
            raise RuleFileError(path, f"{where} ({name}) needs phrases: a list of strings")
        if company is not None and not isinstance(company, str):
            raise RuleFileError(path, f"{where} ({name}): company must be a string")
        extra = set(entry) - {"name", "phrases", "company"}
        if extra:
            raise RuleFileError(path, f"{where} ({name}): unknown keys {', '.join(sorted(extra))}")
        pinned.append(PinnedIssue(name.strip(), tuple(p.strip() for p in phrases), company))
    return IssueRules(IssueParams(**values), tuple(pinned))
