"""The ``digests`` row of a message: written before it is sent, marked sent after.

A digest the server accepted must be recorded, or the next one reports the same
changes again and the recipients read them twice. Recording only after the send
failed exactly when the database could not be written: on a full disk (or a
database locked too long) the message went out, its record did not, and the
error said to run the command again. So the row is written first, with
``sent_at`` empty (history reads only rows with it set, ``scanner.digest.history``):
a database that cannot take it stops the digest before anything is sent. A
checkpoint then moves the row into the database file, so marking it sent writes
over the WAL's start instead of growing it: that step needs no new room on the
disk. Should it fail all the same, the error says the message went out. A row
is left unsent by a process killed between the server's acceptance and the mark,
by a mark that failed (the message went out) and by a refused message whose row
could not be removed (it did not): the row cannot tell these apart, so its
changes are sent again (twice, never zero times), and the next digest says that
the message may have been sent (``abandoned``).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from email.message import EmailMessage

from scanner.digest.model import Digest
from scanner.errors import ScanError
from scanner.store import Store, utcnow

logger = logging.getLogger(__name__)


class UnrecordedError(ScanError):
    """The server accepted a digest that could not then be recorded as sent."""


def reserve(store: Store, digest: Digest, message: EmailMessage, to: list[str]) -> int:
    """Write the digest's row, not yet sent, and return its id."""
    with store.db.atomic():
        cursor = store.db.execute(
            "INSERT INTO digests (created_at, sent_at, recipients, refused, subject, message_id, "
            "state) VALUES (?, NULL, ?, '{}', ?, ?, ?)",
            [
                digest.as_of.isoformat(),
                json.dumps(to),
                str(message["Subject"]),
                str(message["Message-ID"]),
                json.dumps(digest.state, ensure_ascii=False),
            ],
        )
    # PASSIVE waits for no one (RESTART would wait up to the busy timeout for a
    # reader); a reader holding the WAL leaves the checkpoint short, and marking
    # then appends to the WAL. Without it, tests/test_digest_full_disk.py finds
    # disks with room for the row but not for marking it sent.
    store.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    # sqlite3 types lastrowid as optional; after an INSERT it is the new row's id
    return int(cursor.lastrowid)  # type: ignore[arg-type]


def mark_sent(
    store: Store,
    digest_id: int,
    message: EmailMessage,
    accepted: list[str],
    refused: dict[str, str],
) -> None:
    """Record who accepted the reserved digest and who refused it."""
    try:
        with store.db.atomic():
            store.db.execute(
                "UPDATE digests SET sent_at = ?, recipients = ?, refused = ? WHERE id = ?",
                [utcnow(), json.dumps(accepted), json.dumps(refused), digest_id],
            )
    except sqlite3.Error as exc:
        raise UnrecordedError(
            f"the digest was sent to {', '.join(accepted) or 'no one'} "
            f"({message['Subject']}) but could not be recorded as sent ({exc}). "
            "The next digest reports these changes again"
        ) from exc


def withdraw(store: Store, digest_id: int) -> None:
    """Remove the row of a digest that was not sent. Left behind (the database
    failing now too), it is harmless: a row never marked sent is no history."""
    try:
        with store.db.atomic():
            store.db.execute("DELETE FROM digests WHERE id = ? AND sent_at IS NULL", [digest_id])
    except sqlite3.Error as exc:
        logger.warning("digest %d was not sent and stays recorded as unsent: %s", digest_id, exc)


def abandoned(store: Store) -> None:
    """Say which digests an earlier run left unrecorded, then drop their rows.

    Digests are sent under the run lock, so a row not marked sent when the next
    one starts is one whose run stopped (killed, a power cut) while sending it,
    or could not write what became of it: marking it sent failed (the server had
    accepted it) or removing it after a refusal failed. The row is the same in
    each case, so the warning says the message may have been sent; it had said
    it "was being sent when scan stopped", though scan had gone on to say the
    message went out. This digest reports its changes again; the warning tells
    the reader why they may arrive twice, once.
    """
    rows = store.db.execute(
        "SELECT created_at, subject, recipients FROM digests WHERE sent_at IS NULL ORDER BY id"
    ).fetchall()
    if not rows:
        return
    for created_at, subject, to in rows:
        logger.warning(
            "the digest %r to %s (as of %s) may have been sent: the run sending it stopped "
            "or failed before recording whether the server took it; this digest reports "
            "its changes again",
            subject,
            ", ".join(json.loads(to)),
            created_at,
        )
    with store.db.atomic():
        store.db.execute("DELETE FROM digests WHERE sent_at IS NULL")
