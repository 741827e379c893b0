"""What each recipient has been sent: the digest a new one is compared with.

A digest reports what changed since a previous one. Recorded per message
(``digests.recipients`` accepted it, ``digests.refused`` did not), the history
tells, for each recipient, which digest it last received: a recipient the
server refused last night has not seen last night's changes, so its next digest
is compared with the one before (the refused recipient gets them then, and the
others do not get them twice). Recipients with the same last digest get one
message together; normally that is all of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from scanner.store import Store


@dataclass
class SentDigest:
    id: int
    created_at: str
    state: dict[str, Any]
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def sent_digests(store: Store) -> list[SentDigest]:
    """Every digest the server accepted for at least one recipient, newest first."""
    rows = store.db.execute(
        "SELECT id, created_at, state, recipients, refused FROM digests "
        "WHERE sent_at IS NOT NULL ORDER BY id DESC"
    )
    out = []
    for digest_id, created_at, state, accepted, refused in rows:
        parsed = _json(state, {})
        parsed.setdefault("as_of", created_at)
        out.append(
            SentDigest(digest_id, created_at, parsed, _json(accepted, []), _json(refused, {}))
        )
    return out


def base_for(history: list[SentDigest], recipient: str) -> SentDigest | None:
    """The digest a new one for ``recipient`` reports changes since.

    The last one it accepted. One it was refused but never accepted: the digest
    before its first refusal (what that refused one was compared with). Never
    mentioned (a new recipient): the last digest sent, as for everyone.
    """
    first_refusal = None
    for sent in history:  # newest first
        if recipient in sent.accepted:
            return sent
        if recipient in sent.refused:
            first_refusal = sent
    if first_refusal is None:
        return history[0] if history else None
    older = [s for s in history if s.id < first_refusal.id]
    return older[0] if older else None


def by_base(
    history: list[SentDigest], recipients: list[str]
) -> list[tuple[SentDigest | None, list[str]]]:
    """Recipients grouped by the digest they are compared with, the latest base first.

    Two digests that recorded the same state (sent apart the same night, one to a
    recipient catching up, one to the others) are one base: the recipients had
    gone on getting a message each, every night, once one had been refused."""
    groups: dict[str | None, tuple[SentDigest | None, list[str]]] = {}
    for recipient in recipients:
        base = base_for(history, recipient)
        key = _reported(base) if base else None
        group = groups.setdefault(key, (base, []))
        if base and group[0] and base.id > group[0].id:
            group = groups[key] = (base, group[1])
        group[1].append(recipient)
    return sorted(groups.values(), key=lambda g: -(g[0].id if g[0] else 0))


def _reported(digest: SentDigest) -> str:
    """What a digest reported, whenever it was made."""
    state = {k: v for k, v in digest.state.items() if k != "as_of"}
    return json.dumps(state, sort_keys=True, default=str)


def _json(text: str | None, empty: Any) -> Any:
    try:
        value = json.loads(text) if text else empty
    except ValueError:
        return empty
    return value if isinstance(value, type(empty)) else empty
