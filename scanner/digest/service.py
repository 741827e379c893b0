"""Compose a digest from the database, send it, and record it once it was accepted.

The order matters: a digest's row in ``digests`` is written before the message is
sent and marked sent only once the SMTP server accepted it (``scanner.digest.outbox``).
A database that cannot be written stops the digest before anything is sent; a
failed send leaves no record and the next digest reports the same changes again:
a digest may arrive twice after a crash between the two steps, never zero times.
The same holds per recipient: one the server refused is recorded as refused,
and its next digest reports what it missed (``scanner.digest.history``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from scanner.compare.news import compare_news
from scanner.config import Config
from scanner.digest import outbox
from scanner.digest.changes import (
    STATE_VERSION,
    cluster_state,
    grievance_sections,
    issue_state,
    systemic_issues,
    volume_bars,
)
from scanner.digest.history import by_base, sent_digests
from scanner.digest.message import NO_RECIPIENTS, build_message
from scanner.digest.model import Digest
from scanner.digest.rules import DigestRules, load_digest_rules
from scanner.digest.smtp import send
from scanner.digest.sources import current_sources, source_notes, source_state
from scanner.digest.volume import spike
from scanner.errors import ScanError
from scanner.report import query
from scanner.report.formats.common import day, stale_line
from scanner.store import Store
from scanner.text.counts import counted


@dataclass
class Send:
    """One message, to the recipients that share what they were last sent."""

    digest: Digest
    message: EmailMessage
    accepted: list[str]
    refused: dict[str, str]  # address -> the server's answer
    digest_id: int


@dataclass
class Delivery:
    sends: list[Send] = field(default_factory=list)
    skipped: bool = False  # --skip-empty and nothing changed for anyone

    @property
    def message(self) -> EmailMessage | None:
        return self.sends[0].message if self.sends else None

    @property
    def refused(self) -> dict[str, str]:
        return {addr: why for send in self.sends for addr, why in send.refused.items()}


def last_sent(store: Store) -> dict[str, Any] | None:
    """The state recorded by the last digest the server accepted (None: never sent)."""
    history = sent_digests(store)
    return history[0].state if history else None


def compose(
    store: Store, config: Config, *, as_of: datetime | None = None, rules: DigestRules | None = None
) -> Digest:
    """What changed since the last sent digest, for the watched company."""
    return compose_since(store, config, last_sent(store), as_of=as_of, rules=rules)


def compose_since(
    store: Store,
    config: Config,
    previous: dict[str, Any] | None,
    *,
    as_of: datetime | None = None,
    rules: DigestRules | None = None,
) -> Digest:
    """What changed since ``previous``, the state a digest recorded (None: ever)."""
    from scanner.judge.systemic import load_systemic_rules
    from scanner.report.builder import build  # imported when used: it loads every format

    rules = rules or load_digest_rules()
    as_of = (as_of or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    company = config.company.name
    report = build(store, config, company=company, as_of=as_of, include_all=True, companies=False)
    quiet_days = load_systemic_rules().quiet_days
    sources = current_sources(store, report, config)
    comparison = compare_news(store, config, as_of=as_of, previous=previous)
    issues = systemic_issues(report, rules)
    state = {
        "version": STATE_VERSION,
        "as_of": as_of.isoformat(),
        "company": company,
        "clusters": cluster_state(report.clusters),
        "issues": issue_state(issues),
        "sources": source_state(sources),
        "compare": comparison.state if comparison else None,
    }
    return Digest(
        company=company,
        as_of=as_of,
        since=(previous or {}).get("as_of"),
        systemic_total=sum(1 for c in report.clusters if c.verdict == "systemic"),
        sections=grievance_sections(store, report, previous, rules, quiet_days, issues=issues),
        sources=source_notes(sources, previous),
        spike=spike(store, company, as_of, rules),
        state=state,
        bars=volume_bars(report, previous),
        comparison=comparison,
        systemic_issues=report.totals.get("systemic_issues") or 0,
        notes=[n for n in (_lag_note(store, company, as_of), _window_note(report)) if n],
    )


def _lag_note(store: Store, company: str, as_of: datetime) -> str:
    """Grievances stored but not grouped yet are in no section of the digest (an
    import not followed by ``scan cluster``): say how many, and what to run."""
    _, _, ungrouped = query.totals(store.db, company, low="", high=as_of.isoformat())
    if not ungrouped:
        return ""
    return (
        f"{counted(ungrouped, 'grievance is', 'grievances are')} not grouped yet and left out "
        "of this digest: run scan cluster (scan nightly does it)."
    )


def _window_note(report: Any) -> str:
    """When the latest grievance is older than the verdict window, nothing can be
    systemic however many people raised it: say so, and how to judge it as of then."""
    said = stale_line(report, "this digest")
    latest = day(report.stale_since)
    return f"{said} (scan report --as-of {latest} judges them as of then)." if said else ""


def message_for(digest: Digest, config: Config, to: list[str] | None = None) -> EmailMessage:
    settings = config.digest
    return build_message(
        digest,
        sender=settings.from_addr,
        to=list(to or settings.to),
        prefix=settings.subject_prefix,
    )


def deliver(
    store: Store,
    config: Config,
    *,
    to: list[str] | None = None,
    skip_empty: bool = False,
    as_of: datetime | None = None,
) -> Delivery:
    """Compose, send (unless empty and ``skip_empty``), and record what was sent.

    Recipients are grouped by the digest they last received (``history``): one
    message per group, normally one in all. Each is recorded with the
    recipients the server accepted and those it refused, so a refused one is
    sent these changes with the next digest.
    """
    delivery = Delivery()
    recipients = list(to or config.digest.to)
    if not recipients:
        raise ScanError(NO_RECIPIENTS)
    outbox.abandoned(store)
    for base, group in by_base(sent_digests(store), recipients):
        digest = compose_since(store, config, base.state if base else None, as_of=as_of)
        if skip_empty and digest.empty:
            continue
        message = message_for(digest, config, group)
        digest_id = outbox.reserve(store, digest, message, group)
        try:
            refused = send(message, config.digest, group)
        except BaseException:
            outbox.withdraw(store, digest_id)
            raise
        accepted = [r for r in group if r not in refused]
        outbox.mark_sent(store, digest_id, message, accepted, refused)
        delivery.sends.append(Send(digest, message, accepted, refused, digest_id))
    delivery.skipped = not delivery.sends
    return delivery
