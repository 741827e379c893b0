"""What a report says, independent of how it is drawn.

``build`` fills a :class:`Report`; each format (text, json, csv, markdown, html)
only draws one. :meth:`Report.to_json_dict` is the JSON contract scripts rely on:
its keys never change meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class MemberView:
    id: str
    source: str
    author: str | None
    url: str | None
    published_at: str | None  # ISO 8601 UTC
    text: str


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
            "members": [vars(m).copy() for m in self.members],
        }


@dataclass
class SourceView:
    name: str
    last_run_at: str | None
    health: str | None  # ok, failed, blocked, changed, silent, empty; None: never crawled
    message: str | None = None


@dataclass
class Report:
    generated_at: datetime
    company: str
    period: dict[str, Any]  # {"since", "until", "days", "as_of"}
    totals: dict[str, Any]  # mentions, grievances, clusters, systemic, isolated, ungrouped
    companies: list[dict[str, Any]]  # per watched company: name, mentions, grievances, systemic
    clusters: list[ClusterView]
    isolated_more: int  # isolated clusters not listed (the "N more" line)
    sources: list[SourceView]
    issues: list[Any] = field(default_factory=list)
    systemic_more: int = 0  # systemic clusters not listed (over --limit)
    # Posts per week up to the as-of date, oldest first: {"week_start", "mentions", "grievances"}
    volume: list[dict[str, Any]] = field(default_factory=list)
    category_labels: dict[str, str] = field(default_factory=dict)
    detail: bool = False  # one cluster in full (--cluster)

    @property
    def systemic(self) -> list[ClusterView]:
        return [c for c in self.clusters if c.verdict == "systemic"]

    @property
    def isolated(self) -> list[ClusterView]:
        return [c for c in self.clusters if c.verdict == "isolated"]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.replace(microsecond=0).isoformat(),
            "company": self.company,
            "period": self.period,
            "totals": self.totals,
            "companies": self.companies,
            "sources": [vars(s).copy() for s in self.sources],
            "clusters": [c.to_json_dict() for c in self.clusters],
            "systemic_more": self.systemic_more,
            "isolated_more": self.isolated_more,
            "volume": self.volume,
            "issues": [i.to_json_dict() if hasattr(i, "to_json_dict") else i for i in self.issues],
        }
