"""Which process a run belongs to, and whether that process is still alive.

A run is recorded as ``running`` when it starts and closed when it ends. A
process killed with -9 (or by the OOM killer, or a power cut) never closes its
runs, and they would show as running forever (``scan sources``); so does one
that could not write its close (a full disk), which ends normally. So each run
records its owner, "host:pid:start", and the next run that starts marks the
runs whose owner is gone as ``killed`` (a reading command, which writes nothing,
shows them as killed: :func:`status_now`). The process start time (Linux
``/proc``) tells a dead process from an unrelated one that later got the same
pid; where it is unknown the pid alone decides. Runs of another host are left
alone: nothing here can tell whether their process is alive.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

KILLED = "killed"
#: Statuses of a last run that judged nothing (its health is an earlier run's):
#: said beside its time, or a killed crawl would be read as the one that set the health.
UNJUDGED = ("running", KILLED, "interrupted")


def process_start(pid: int) -> str:
    """When ``pid`` started, in clock ticks since boot ("" when unknown or gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes().decode("ascii", "replace")
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: split after it.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else ""  # field 22, starttime


def owner() -> str:
    """This process, as recorded in ``runs.owner``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{process_start(pid)}"


def is_gone(recorded: str) -> bool:
    """Whether the process that ``recorded`` names has ended (on this host)."""
    parts = recorded.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid_text, started = parts
    if host != socket.gethostname():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, under another user
    current = process_start(pid)
    return bool(started and current and current != started)


def killed_message(recorded: str) -> str:
    """Why a run of the process ``recorded`` names is ``killed``, in words.

    A process that ran to its end but could not write its run's close (a full
    disk) leaves the same row as one killed with -9; nothing written can tell
    them apart, so the message names both rather than a kill alone (after a
    crawl on a full disk, "killed" sent users looking for who had killed it)."""
    pid = recorded.rsplit(":", 2)[1]
    return (
        f"the process (pid {pid}) ended without finishing this run: it was killed, or "
        "could not write to the database (a full disk)"
    )


def status_now(status: str | None, recorded: str | None) -> str | None:
    """A run's status as it is now: ``running`` with its process gone is ``killed``.

    For a reading command (``scan sources``, ``scan report``): it writes nothing, so
    the run stays ``running`` in the database until the next command that starts a
    run marks it (:func:`mark_killed`); what it shows must not wait for that.
    Readers of a source's last crawl get it through :func:`last_crawls`.
    """
    if status == "running" and recorded and is_gone(recorded):
        return KILLED
    return status


@dataclass(frozen=True)
class LastRun:
    """A source's latest crawl run, as it is now (what every reader of it shows)."""

    started_at: str
    status: str | None  # ok, partial, failed, blocked, interrupted, running, killed
    items: int | None
    new: int | None
    message: str | None  # the run's own; for a killed run, why it is killed

    def note(self, health: str | None) -> str | None:
        """The message beside this run's source: its health's, or for a killed run
        (whose health is an earlier run's) why it is killed."""
        return self.message if self.status == KILLED else health


def last_crawls(db: Any) -> dict[str, LastRun]:
    """Each source's latest crawl run, by source name, its status as it is now.

    The one place a command reads a source's last run from: a run left ``running``
    by a process that is gone is ``killed`` in ``scan sources`` and in every
    format of ``scan report`` alike, before any command has closed it.
    """
    found = db.execute(
        "SELECT source, started_at, status, items, new, owner, message FROM runs "
        "WHERE id IN (SELECT MAX(id) FROM runs WHERE kind = 'crawl' AND source IS NOT NULL "
        "GROUP BY source)"
    ).fetchall()
    out = {}
    for source, started_at, status, items, new, recorded, message in found:
        now = status_now(status, recorded)
        if now == KILLED and not message and recorded:
            message = killed_message(recorded)
        out[source] = LastRun(started_at, now, items, new, message)
    return out


#: A source's health as last judged: (state, since when, why).
Health = tuple[str, str, str | None]


def health(db: Any) -> dict[str, Health]:
    """Each crawled source's recorded health (``source_health``), by source name: the
    one place the listings of sources, the report and the digest read it from."""
    return {
        source: (state, since, message)
        for source, state, since, message in db.execute(
            "SELECT source, state, since, message FROM source_health"
        )
    }


def mark_killed(db: Any) -> int:
    """Close the runs left ``running`` by processes that ended; how many there were.

    Call inside the transaction that starts a new run.
    """
    rows = db.execute(
        "SELECT id, owner FROM runs WHERE status = 'running' AND owner IS NOT NULL"
    ).fetchall()
    gone = [(run_id, recorded) for run_id, recorded in rows if is_gone(recorded)]
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    for run_id, recorded in gone:
        db.execute(
            "UPDATE runs SET status = ?, finished_at = ?, message = ? WHERE id = ?",
            [KILLED, now, killed_message(recorded), run_id],
        )
    return len(gone)
