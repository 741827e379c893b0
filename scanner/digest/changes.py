"""Comparing today's report with what the last sent digest reported.

The state a digest records (``digests.state``) is, per cluster, its verdict,
people, mentions and latest post, and per source its health and since when.
Comparing the two tells a new systemic grievance from one that grew, one that is
back after a quiet spell, and a source that just failed from one still failing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from scanner.digest.model import Bar, Grievance, Section
from scanner.digest.views import grievance_view, issue_view
from scanner.store import Store

if TYPE_CHECKING:
    from scanner.digest.rules import DigestRules

STATE_VERSION = 1


def cluster_state(clusters: list[Any]) -> dict[str, dict[str, Any]]:
    return {
        str(c.id): {
            "verdict": c.verdict,
            "people": c.people,
            "mentions": c.mentions,
            "last_seen": c.last_seen,
        }
        for c in clusters
    }


def grievance_sections(
    store: Store,
    report: Any,
    previous: dict[str, Any] | None,
    rules: DigestRules,
    quiet_days: int,
    *,
    issues: list[Grievance],
) -> list[Section]:
    """The sections of grievance news, most important first, cut to ``max_listed``;
    ``issues`` are the report's systemic issues (``systemic_issues``)."""
    before = (previous or {}).get("clusters", {})
    found: dict[str, list[tuple[Any, dict[str, Any] | None]]] = {
        "new": [],
        "grown": [],
        "back": [],
        "calmed": [],
        "isolated": [],
    }
    for cluster in report.clusters:
        old = before.get(str(cluster.id))
        systemic = cluster.verdict == "systemic"
        if systemic and (old is None or old.get("verdict") != "systemic"):
            found["new"].append((cluster, old))
        elif not systemic and old is not None and old.get("verdict") == "systemic":
            found["calmed"].append((cluster, old))  # its people fell below the bar
        elif (grew := _grew(cluster, old)) and _came_back(store, cluster, old, quiet_days):
            found["back"].append((cluster, old))
        elif systemic and grew:
            found["grown"].append((cluster, old))
        elif old is None and not systemic:
            found["isolated"].append((cluster, old))
    sections = []
    if report.issues:
        sections.append(_issue_section(issues, previous, rules))
    for key, pairs in found.items():
        pairs.sort(key=lambda p: _rank(key, *p), reverse=True)
        limit = rules.isolated_listed if key == "isolated" else rules.max_listed
        views = [grievance_view(c, old, rules) for c, old in pairs[:limit]]
        oldest = min((c.last_seen for c, _ in pairs if c.last_seen), default=None)
        sections.append(Section(key, views, more=max(0, len(pairs) - limit), oldest=oldest))
    _quote_once(sections)
    return sections


def systemic_issues(report: Any, rules: DigestRules) -> list[Grievance]:
    """The report's systemic issues as the digest shows them, masked and cut: built
    once per digest, for its section and for the state it records."""
    views = (issue_view(i, rules) for i in report.issues or [])
    return [v for v in views if v.verdict == "systemic"]


def issue_state(issues: list[Grievance]) -> dict[str, dict[str, Any]]:
    """Per systemic issue, what a digest said of it: the next one lists it again
    only once it grew."""
    return {
        str(v.id): {"people": v.people, "mentions": v.mentions, "last_seen": v.last_seen}
        for v in issues
    }


def _issue_section(
    issues: list[Grievance], previous: dict[str, Any] | None, rules: DigestRules
) -> Section:
    """The systemic issues that are new or grew since the last digest; those it
    listed already, unchanged, are counted, not listed again. (A last digest that
    recorded no issues, made before they were recorded, lists them all.)"""
    before = (previous or {}).get("issues")
    changed, unchanged = [], 0
    for issue in issues:
        old = None if before is None else before.get(str(issue.id))
        if old is not None:
            issue.added_people = max(0, issue.people - old.get("people", 0))
            issue.added_mentions = max(0, issue.mentions - old.get("mentions", 0))
        if before is None or old is None or _grew(issue, old):
            changed.append(issue)
        else:
            unchanged += 1
    section = _section("issues", changed, rules.max_listed)
    section.unchanged = unchanged
    return section


def _grew(cluster: Any, old: dict[str, Any] | None) -> bool:
    """More people or posts than the last digest said, or a post newer than its
    latest: one post that left the window and one that came the same night
    leave the counts as they were, and the newcomer is news."""
    if old is None:
        return False
    newer = bool(
        cluster.last_seen and old.get("last_seen") and cluster.last_seen > old["last_seen"]
    )
    return (
        newer or cluster.people > old.get("people", 0) or cluster.mentions > old.get("mentions", 0)
    )


def _quote_once(sections: list[Section]) -> None:
    """A grievance that is the whole of a listed issue is quoted there, not twice."""
    whole = {
        issue.clusters[0]: issue.id
        for section in sections
        if section.key == "issues"
        for issue in section.items
        if len(issue.clusters) == 1
    }
    for section in sections:
        if section.key != "issues":
            for grievance in section.items:
                grievance.quoted_in_issue = whole.get(grievance.id)


def _rank(key: str, cluster: Any, old: dict[str, Any] | None) -> tuple:
    """Most people first; growth by how many people joined; isolated ones newest first."""
    if key == "isolated":
        return (cluster.last_seen or "", cluster.id)
    if key == "grown":
        return (cluster.people - (old or {}).get("people", 0), cluster.people, cluster.mentions)
    return (cluster.people, cluster.mentions, cluster.last_seen or "")


def _section(key: str, items: list[Grievance], limit: int) -> Section:
    return Section(key, items[:limit], more=max(0, len(items) - limit))


def _came_back(store: Store, cluster: Any, old: dict[str, Any] | None, quiet_days: int) -> bool:
    """The first post since the last digest came after at least ``quiet_days`` of silence."""
    last = (old or {}).get("last_seen")
    if not last:
        return "back" in (cluster.flags or [])
    row = store.db.execute(
        "SELECT MIN(COALESCE(m.published_at, m.first_seen_at)) FROM cluster_members cm "
        "JOIN mentions m ON m.id = cm.mention_id WHERE cm.cluster_id = ? "
        "AND COALESCE(m.published_at, m.first_seen_at) > ?",
        [cluster.id, last],
    ).fetchone()
    if not row or not row[0]:
        return False
    gap = _parse(row[0]) - _parse(last)
    return gap >= timedelta(days=quiet_days)


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def volume_bars(report: Any, previous: dict[str, Any] | None, limit: int = 12) -> list[Bar]:
    """Mentions per systemic grievance, busiest first, split into reported and new."""
    before = (previous or {}).get("clusters", {})
    bars = []
    for cluster in report.clusters:
        if cluster.verdict == "systemic":
            old = min(cluster.mentions, (before.get(str(cluster.id)) or {}).get("mentions", 0))
            bars.append(Bar(f"#{cluster.id}", old, cluster.mentions - old))
    bars.sort(key=lambda b: (b.before + b.added, b.added), reverse=True)
    return bars[:limit]
