"""What one digest says, independent of how it is drawn (plain text or HTML).

Every string in here that came from the web is already masked (``mask``) and
cut to length, but not yet escaped: each renderer escapes for its own medium.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scanner.report.formats.common import grievance_id_parts, grievance_ids, issue_ids
from scanner.text.counts import counted

GRIEVANCE_IDS = 10  # an issue's grievances a digest names, largest first

SECTION_TITLES = {
    "issues": "Systemic issues",
    "new": "New systemic grievances",
    "grown": "Systemic grievances that grew",
    "back": "Back after a quiet spell",
    "calmed": "No longer systemic",
    "isolated": "New isolated grievances",
}


@dataclass
class Post:
    """A link to one post of a grievance; ``url`` is always http(s)."""

    url: str
    source: str
    date: str | None  # YYYY-MM-DD
    host: str  # as ASCII (IDNA), so a look-alike domain shows what it really is


@dataclass
class Grievance:
    id: int
    verdict: str
    people: int
    mentions: int
    sources: list[str]
    quote: str
    added_people: int = 0  # since the last digest
    added_mentions: int = 0
    last_seen: str | None = None
    weekly: list[int] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    name: str | None = None  # issues only: the issue's name
    phrases: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # new, growing, back, cross-posted, coordinated
    clusters: list[int] = field(default_factory=list)  # issues only: the grievances in it
    # A grievance that is the whole of an issue listed above: its quote and links are
    # there, so here it is one line that points to it.
    quoted_in_issue: int | None = None
    # A grievance's: the systemic issues that hold it (the same grievance in other
    # words, many people's), so an isolated one is not read as a one-off.
    issues: list[int] = field(default_factory=list)

    @property
    def is_issue(self) -> bool:
        return self.name is not None

    @property
    def grievance_ids(self) -> str:
        """An issue's largest grievances as "#92, #111, … and 190 more (scan report
        --issue 1)": all ids of a big issue are a wall of numbers in a mail."""
        return grievance_ids(self, GRIEVANCE_IDS)

    @property
    def grievance_id_parts(self) -> tuple[str, str]:
        """:attr:`grievance_ids` as (ids, the command that lists them all or "")."""
        return grievance_id_parts(self, GRIEVANCE_IDS)

    @property
    def in_issues(self) -> str:
        """ "in issue 1" or "in issues 1, 4": the systemic issues holding a grievance."""
        if not self.issues:
            return ""
        word = "issue" if len(self.issues) == 1 else "issues"
        return f"in {word} {issue_ids(self)}"

    @property
    def coordinated(self) -> bool:
        return "coordinated" in self.flags


@dataclass
class Section:
    key: str  # one of SECTION_TITLES
    items: list[Grievance]
    more: int = 0  # how many more there are than listed
    oldest: str | None = None  # the earliest latest post of its grievances, listed or not
    unchanged: int = 0  # issues: listed by an earlier digest, not grown since (not listed)

    @property
    def list_command(self) -> str:
        """The report that lists what the section left out: every grievance active
        since the oldest of them. A bare ``scan report --all`` lists the last week's,
        which after an import of older reviews is none of them."""
        since = f" --since {self.oldest[:10]}" if self.oldest else ""
        return f"scan report --all{since}"

    @property
    def title(self) -> str:
        return SECTION_TITLES[self.key]

    @property
    def total(self) -> int:
        return len(self.items) + self.more + self.unchanged

    @property
    def news(self) -> int:
        """What the section tells that the last digest did not."""
        return len(self.items) + self.more

    @property
    def unchanged_line(self) -> str:
        more = counted(self.unchanged, "more systemic issue")
        return f"{more}, unchanged since the last digest (scan report)."


@dataclass
class SourceNote:
    name: str
    state: str  # ok, failed, blocked, changed, silent, empty
    since: str | None
    message: str | None
    change: str  # "new" (just went bad), "ongoing" (already announced), "recovered"


@dataclass
class Spike:
    today: int  # grievances in the last 24 hours
    mean: float  # mean per 24 hours over the baseline
    days: int  # baseline length actually used


@dataclass
class Bar:
    label: str
    before: int  # mentions the last digest already reported
    added: int  # mentions since


@dataclass
class Digest:
    company: str
    as_of: datetime
    since: str | None  # when the last sent digest was made; None for the first
    systemic_total: int
    sections: list[Section]
    sources: list[SourceNote]
    spike: Spike | None
    state: dict[str, Any]  # recorded once the digest is sent
    bars: list[Bar] = field(default_factory=list)  # volume per systemic grievance
    comparison: Any = None  # scanner.compare.news.CompareNews, with competitors only
    systemic_issues: int = 0  # themes many people raise in their own words
    # Why the digest shows less than the database holds: grievances not grouped yet,
    # or all of them older than the verdict window (reviews imported months after
    # they were written), so that none can be systemic.
    notes: list[str] = field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def new_systemic(self) -> int:
        section = self.section("new")
        return section.total if section else 0

    @property
    def failing_sources(self) -> list[SourceNote]:
        return [s for s in self.sources if s.change != "recovered"]

    @property
    def empty(self) -> bool:
        """Nothing changed: no grievance news, no source changed state, no spike, and no
        change in the comparison with competitors."""
        news = any(s.news for s in self.sections)
        moved = any(s.change in {"new", "recovered"} for s in self.sources)
        compared = self.comparison is not None and self.comparison.changed
        return not (news or moved or self.spike or compared)

    @property
    def nothing_line(self) -> str:
        """What an empty digest says. The first one has no last digest to compare with:
        its posts are all older than the report's period, or there are none."""
        if self.since:
            return "Nothing changed since the last digest."
        if self.notes:
            return "Nothing to report yet."
        return "Nothing to report: no grievance in the period yet."

    @property
    def coordinated(self) -> int:
        """Grievances listed with the coordinated flag: a possible review bomb."""
        return sum(1 for s in self.sections if s.key != "issues" for g in s.items if g.coordinated)

    @property
    def headline(self) -> str:
        """'3 systemic grievances, 1 new' after the systemic issues if any, then review
        bombs, the spike and failing sources. Issues come first: on app-store reviews
        few posts are near-duplicates, and a subject opening "0 systemic grievances"
        read as nothing to see while 13 issues were systemic."""
        parts = [f"{counted(self.systemic_total, 'systemic grievance')}, {self.new_systemic} new"]
        if self.systemic_issues:
            parts.insert(0, counted(self.systemic_issues, "systemic issue"))
        if self.coordinated:
            parts.append(f"{self.coordinated} possibly coordinated")
        if self.spike:
            parts.append(f"complaint spike ({self.spike.today} in 24 h)")
        failing = len(self.failing_sources)
        if failing:
            parts.append(f"{counted(failing, 'source')} failing")
        return "; ".join(parts)
