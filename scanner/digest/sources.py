"""Which sources to mention, and how loudly.

A source that fails is announced once, when its state changes; while it stays
down each digest gives it one summary line; when it recovers that is said once.
The health comes from ``source_health`` (written by the crawl), falling back to
what the report knows for sources the table has no row for.
"""

from __future__ import annotations

from typing import Any

from scanner.config import Config
from scanner.digest.mask import mask
from scanner.digest.model import SourceNote
from scanner.store import Store, runs
from scanner.text.safe import strip_controls, width_cut

BAD_STATES = frozenset({"failed", "blocked", "changed", "silent", "empty", "truncated"})


def current_sources(store: Store, report: Any, config: Config) -> dict[str, dict[str, Any]]:
    """name -> {state, since, message} for every source crawled and still configured.

    A source disabled or removed from the config is no longer crawled, so its last
    failure is not news. With no sources configured at all (an import-only
    setup), every recorded health is shown.
    """
    found: dict[str, dict[str, Any]] = {}
    for view in getattr(report, "sources", None) or []:
        if view.health:
            found[view.name] = {"state": view.health, "since": None, "message": view.message}
    for name, (state, since, message) in runs.health(store.db).items():
        found[name] = {"state": state, "since": since, "message": message}
    if config.sources:
        crawled = {s.name for s in config.sources if s.enabled}
        found = {name: s for name, s in found.items() if name in crawled}
    return found


def source_notes(
    current: dict[str, dict[str, Any]], previous: dict[str, Any] | None
) -> list[SourceNote]:
    """New problems first, then ongoing ones, then recoveries; by name within each."""
    before = (previous or {}).get("sources", {})
    notes = []
    for name, now in current.items():
        old = before.get(name) or {}
        bad, was_bad = now["state"] in BAD_STATES, old.get("state") in BAD_STATES
        if bad:
            same = old.get("state") == now["state"] and old.get("since") == now["since"]
            change = "ongoing" if same else "new"
        elif was_bad:
            change = "recovered"
        else:
            continue
        message = width_cut(" ".join(strip_controls(mask(now.get("message") or "")).split()), 200)
        notes.append(
            SourceNote(
                name=strip_controls(name, keep_newlines=False),
                state=now["state"],
                since=now.get("since"),
                message=message or None,
                change=change,
            )
        )
    order = {"new": 0, "ongoing": 1, "recovered": 2}
    return sorted(notes, key=lambda n: (order[n.change], n.name))


def source_state(current: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: {"state": s["state"], "since": s["since"]} for name, s in current.items()}
