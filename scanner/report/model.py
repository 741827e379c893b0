"""What a report says, independent of how it is drawn.

``build`` fills a :class:`Report`; each format (text, json, csv, markdown, html)
only draws one. :meth:`Report.to_json_dict` is the JSON contract scripts rely on:
its keys never change meaning.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scanner.text.clean import REPLY_PREFIX

TITLE_MARK = " — "  # between a post's title and its text, on one line


@dataclass
class MemberView:
    id: str
    source: str
    author: str | None
    url: str | None
    published_at: str | None  # ISO 8601 UTC
    text: str
    title: str | None = None

    @property
    def heading(self) -> str:
        """The title every format shows above the text (the grievance may be in the
        title alone: "Sucks, says take a break" over "M")."""
        return shown_title(self.title, self.text)


@dataclass
class ClusterView:
    id: int
    verdict: str  # "systemic" or "isolated", nothing else
    people: int
    mentions: int
    sources: list[str]
    first_seen: str | None
    last_seen: str | None
    categories: list[str]
    flags: list[str]
    representative: str
    members: list[MemberView] = field(default_factory=list)
    weekly: list[int] = field(default_factory=list)  # mentions per week, oldest first
    title: str = ""  # the representative post's title as shown (``shown_title``)
    # The systemic issues listed beside it that hold it: a grievance one person wrote
    # is isolated, but the same grievance in other words may be many people's.
    issues: list[int] = field(default_factory=list)

    @property
    def shown(self) -> str:
        """The representative post as every format shows it: its title, then its text
        (an app-store review may say it all in the title: "Too many ads" over "M")."""
        return titled(self.title, self.representative)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict,
            "people": self.people,
            "mentions": self.mentions,
            "sources": self.sources,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "categories": self.categories,
            "flags": self.flags,
            "representative": self.representative,
            "title": self.title,
            "issues": self.issues,
            "members": [vars(m).copy() for m in self.members],
        }


@dataclass
class IssueMember(MemberView):
    phrase: str | None = None  # the issue phrase this post contains
    # An example's title and text on one line, from a little before its phrase
    # (``scanner.report.quotes``): what every format shows of it. "" for a member
    # that is no example.
    quote: str = ""


def titled(title: str, text: str) -> str:
    """A post as every format shows it: "title — text", or the text alone (``title``
    as :func:`shown_title` gives it)."""
    return f"{title}{TITLE_MARK}{text}" if title else text


def shown_title(title: str | None, text: str = "") -> str:
    """A post's title as a report shows it: none for a reply (its title is its
    thread's, shared by every reply), for one of no words ("."), or for one its
    ``text`` opens with (many app stores repeat it there), else stripped."""
    if not title or title.startswith(REPLY_PREFIX) or not any(c.isalnum() for c in title):
        return ""
    title = title.strip()
    opening = unicodedata.normalize("NFC", " ".join(text.split())).casefold()
    head = unicodedata.normalize("NFC", " ".join(title.rstrip(".!?…:;, ").split())).casefold()
    after = opening[len(head) : len(head) + 1]
    # a word goes on after a letter, a digit or a combining mark (Indic vowel signs)
    if opening.startswith(head) and not (
        after.isalnum() or unicodedata.category(after or " ")[0] == "M"
    ):
        return ""
    return title


@dataclass
class IssueView:
    """A theme: different people, different words, one grievance (``scanner.issues``)."""

    id: int
    name: str
    phrases: list[str]  # as discovery ranked them: most posts first
    verdict: str  # same rule as clusters: distinct people within the window
    people: int
    mentions: int
    flags: list[str]
    clusters: list[int]  # near-duplicate clusters rolled up into it
    # None: ``clusters`` are all of them up to the as-of moment. Else only those with
    # one of its posts since this moment: the views that do not read every member.
    clusters_since: str | None = None
    sources: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    first_seen: str | None = None
    last_seen: str | None = None
    pinned: bool = False
    weekly: list[int] = field(default_factory=list)
    examples: list[IssueMember] = field(default_factory=list)  # 2-3 wordings, newest first
    members: list[IssueMember] = field(default_factory=list)  # newest first

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "phrases": self.phrases,
            "verdict": self.verdict,
            "people": self.people,
            "mentions": self.mentions,
            "flags": self.flags,
            "clusters": self.clusters,
            "sources": self.sources,
            "categories": self.categories,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "pinned": self.pinned,
            "weekly": self.weekly,
            "examples": [vars(m).copy() for m in self.examples],
            # a member's quote is an example's alone ("" for the others)
            "members": [{k: v for k, v in vars(m).items() if k != "quote"} for m in self.members],
        }


@dataclass
class SourceView:
    name: str
    last_run_at: str | None
    health: str | None  # ok, failed, blocked, changed, silent, empty; None: never crawled
    message: str | None = None
    #: The last crawl's status as it is now (``runs.last_crawls``): running, killed or
    #: interrupted say that the health is an earlier run's.
    last_run_status: str | None = None


@dataclass
class Report:
    generated_at: datetime
    company: str
    period: dict[str, Any]  # {"since", "until", "days", "as_of"}
    # mentions, grievances, ungrouped (in the period), systemic, systemic_issues (now: in
    # the verdict window, whatever the period), ...; under --source, of that source's
    totals: dict[str, Any]
    companies: list[dict[str, Any]]  # per watched company: name, mentions, grievances, systemic
    clusters: list[ClusterView]
    isolated_more: int  # isolated clusters not listed (the "N more" line)
    sources: list[SourceView]
    issues: list[IssueView] = field(default_factory=list)  # systemic first
    issues_systemic_more: int = 0  # systemic issues not listed (over the cap)
    issues_isolated_more: int = 0
    systemic_more: int = 0  # systemic clusters not listed (over --limit)
    # Posts per week up to the as-of date, oldest first: {"week_start", "mentions", "grievances"}
    volume: list[dict[str, Any]] = field(default_factory=list)
    category_labels: dict[str, str] = field(default_factory=dict)
    # Single-post isolated grievances in the period, left out without --all (None: some
    # are, but how many match --category is not known).
    isolated_hidden: int | None = 0
    # When the period holds no mention: the company's mentions at any date
    # ({"mentions", "first", "last", "other_companies"}), to say where they are.
    outside_period: dict[str, Any] | None = None
    # When the company's latest grievance at or before the as-of date is no later than
    # the verdict window's start: its date, since then none can be systemic.
    stale_since: str | None = None
    detail: bool = False  # one cluster (--cluster) or one issue (--issue) in full
    authors: str = "keep"  # what the database stores of authors: keep, hash, drop (privacy)
    source: str | None = None  # --source: the one source counted, and listed grievances' posts
    # What the lists were narrowed to (--verdict, --min-people, --category), in words:
    # the header says so, and so does a list that is empty because of it.
    filters: list[str] = field(default_factory=list)
    # What a command the report suggests repeats ("--company Chai --as-of 2026-06-30"):
    # ``checks.suggested_options``.
    options: str = ""

    @property
    def systemic(self) -> list[ClusterView]:
        return [c for c in self.clusters if c.verdict == "systemic"]

    @property
    def isolated(self) -> list[ClusterView]:
        return [c for c in self.clusters if c.verdict == "isolated"]

    @property
    def systemic_issues(self) -> list[IssueView]:
        return [i for i in self.issues if i.verdict == "systemic"]

    @property
    def isolated_issues(self) -> list[IssueView]:
        return [i for i in self.issues if i.verdict == "isolated"]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.replace(microsecond=0).isoformat(),
            "company": self.company,
            "source": self.source,  # null: every source; else what totals count
            "filters": self.filters,
            "period": self.period,
            "totals": self.totals,
            "companies": self.companies,
            "sources": [vars(s).copy() for s in self.sources],
            "clusters": [c.to_json_dict() for c in self.clusters],
            "systemic_more": self.systemic_more,
            "isolated_more": self.isolated_more,
            "isolated_hidden": self.isolated_hidden,
            "volume": self.volume,
            "issues": [i.to_json_dict() for i in self.issues],
            "issues_systemic_more": self.issues_systemic_more,
            "issues_isolated_more": self.issues_isolated_more,
            # Why a report may be empty: a period with no mention of the company (where
            # its mentions are instead), or grievances all older than the verdict window.
            "outside_period": self.outside_period,
            "stale_since": self.stale_since,
            "privacy": {"authors": self.authors},
        }
