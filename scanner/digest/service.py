"""Compose a digest from the database, send it, and record it once it was accepted.

The order matters: the state a digest reported is written to ``digests`` only
after the SMTP server accepted the message, in one transaction. A failed send
therefore records nothing and the next digest reports the same changes again:
a digest may arrive twice after a crash between the two steps, never zero times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from scanner.compare.news import compare_news
from scanner.config import Config
from scanner.digest.changes import (
    STATE_VERSION,
    cluster_state,
    grievance_sections,
    volume_bars,
)
from scanner.digest.message import build_message
from scanner.digest.model import Digest
from scanner.digest.rules import DigestRules, load_digest_rules
from scanner.digest.smtp import send
from scanner.digest.sources import current_sources, source_notes, source_state
from scanner.digest.volume import spike
from scanner.errors import ScanError
from scanner.store import Store, utcnow


@dataclass
class Delivery:
    digest: Digest
    message: EmailMessage | None
    sent: bool = False
    skipped: bool = False  # --skip-empty and nothing changed
    digest_id: int | None = None
    refused: dict[str, str] = field(default_factory=dict)


def last_sent(store: Store) -> dict[str, Any] | None:
    """The state recorded by the last digest the server accepted (None: never sent)."""
    row = store.db.execute(
        "SELECT state, created_at FROM digests WHERE sent_at IS NOT NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    try:
        state = json.loads(row[0])
    except ValueError:
        state = {}
    state.setdefault("as_of", row[1])
    return state


def compose(
    store: Store, config: Config, *, as_of: datetime | None = None, rules: DigestRules | None = None
) -> Digest:
    """What changed since the last sent digest, for the watched company."""
    from scanner.verdict import load_systemic_rules

    build = _report_builder()
    rules = rules or load_digest_rules()
    as_of = (as_of or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    company = config.company.name
    report = build(store, config, company=company, as_of=as_of, include_all=True)
    previous = last_sent(store)
    quiet_days = load_systemic_rules().quiet_days
    sources = current_sources(store, report, config)
    comparison = compare_news(store, config, as_of=as_of, previous=previous)
    state = {
        "version": STATE_VERSION,
        "as_of": as_of.isoformat(),
        "company": company,
        "clusters": cluster_state(report.clusters),
        "sources": source_state(sources),
        "compare": comparison.state if comparison else None,
    }
    return Digest(
        company=company,
        as_of=as_of,
        since=(previous or {}).get("as_of"),
        systemic_total=sum(1 for c in report.clusters if c.verdict == "systemic"),
        sections=grievance_sections(store, report, previous, rules, quiet_days),
        sources=source_notes(sources, previous),
        spike=spike(store, company, as_of, rules),
        state=state,
        bars=volume_bars(report, previous),
        comparison=comparison,
    )


def message_for(digest: Digest, config: Config, to: list[str] | None = None) -> EmailMessage:
    settings = config.digest
    return build_message(digest, sender=settings.from_addr, to=list(to or settings.to),
                         prefix=settings.subject_prefix)  # fmt: skip


def deliver(
    store: Store,
    config: Config,
    *,
    to: list[str] | None = None,
    skip_empty: bool = False,
    as_of: datetime | None = None,
) -> Delivery:
    """Compose, send (unless empty and ``skip_empty``), and record what was sent."""
    digest = compose(store, config, as_of=as_of)
    if skip_empty and digest.empty:
        return Delivery(digest=digest, message=None, skipped=True)
    recipients = list(to or config.digest.to)
    message = message_for(digest, config, recipients)
    refused = send(message, config.digest, recipients)
    digest_id = record(store, digest, message, [r for r in recipients if r not in refused])
    return Delivery(digest, message, sent=True, digest_id=digest_id, refused=refused)


def record(store: Store, digest: Digest, message: EmailMessage, recipients: list[str]) -> int:
    now = utcnow()
    with store.db.atomic():
        cursor = store.db.execute(
            "INSERT INTO digests (created_at, sent_at, recipients, subject, message_id, state) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [digest.as_of.isoformat(), now, json.dumps(recipients), str(message["Subject"]),
             str(message["Message-ID"]), json.dumps(digest.state, ensure_ascii=False)],
        )  # fmt: skip
    return int(cursor.lastrowid)  # type: ignore[arg-type]


def _report_builder() -> Any:
    try:
        from scanner.report.builder import build
    except ImportError as exc:
        raise ScanError(
            "the digest needs the report builder (scanner.report.builder), which this "
            f"installation lacks: {exc}"
        ) from exc
    return build
