"""The writer closes a source's run as a local crawl would: one set of stats, one verdict.

Each worker pushed its own Scrapy stats for the source with every batch; the
writer kept its own tally of what became of the posts (``scan/stored``,
``scan/dropped/<reason>``...). Added up, they are the stats a single crawler
would have had: counts are summed, the longest elapsed time is kept, and the
reason the source closed is the fleet's. From them, the same judgement, run
row and health as a local crawl (``scanner.crawl.extension.conclude``); an
interrupted crawl leaves the health alone, as Ctrl-C does locally.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.crawl.distributed.keys import INTERRUPTED, SourceJob, SourceKeys
from scanner.crawl.extension import INTERRUPTED as INTERRUPTED_MESSAGE
from scanner.crawl.extension import conclude, finish_source_run
from scanner.crawl.health import Bounds, Verdict
from scanner.crawl.middlewares.frontier import forget_fetched, pending_count
from scanner.crawl.results import SourceResult
from scanner.store import Store, UpsertResult

#: Stats that are a maximum over workers, not a sum.
LONGEST = frozenset(
    {"elapsed_time_seconds", "memusage/max", "memusage/startup", "distributed/host_leases_max"}
)


def merged_stats(client: Any, keys: SourceKeys) -> dict[str, Any]:
    """Every worker's stats for the source, added up, and the writer's tally."""
    merged: dict[str, Any] = {}
    for _, data in sorted(client.hgetall(keys.stats).items()):
        for key, value in json.loads(data).items():
            if value is None:  # e.g. Scrapy's responses_per_minute, for a run under a second
                continue
            if not _number(value) or not _number(merged.get(key, 0)):
                merged[key] = value
            elif key in LONGEST:
                merged[key] = max(merged.get(key, 0), value)
            else:
                merged[key] = merged.get(key, 0) + value
    for raw_key, raw in client.hgetall(keys.tally).items():
        key, text = raw_key.decode(), raw.decode()
        tallied: Any = int(text) if text.lstrip("-").isdigit() else text
        merged[key] = merged.get(key, 0) + tallied if isinstance(tallied, int) else tallied
    return merged


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def reason_of(client: Any, keys: SourceKeys) -> str:
    reason = client.hget(keys.state, "closed")
    return reason.decode() if reason else INTERRUPTED


def conclude_source(
    client: Any, store: Store, source: SourceJob, keys: SourceKeys, entry: SourceResult
) -> Verdict:
    """Close the source's run and record its health; ``entry`` gets the figures."""
    reason = reason_of(client, keys)
    stats = merged_stats(client, keys)
    stats["finish_reason"] = reason
    totals = UpsertResult(
        stats.get("scan/new", 0), stats.get("scan/updated", 0), stats.get("scan/unchanged", 0)
    )
    if reason == "finished":  # a backlog page the site failed again: given up (Frontier)
        resumed = {m.decode() for m in client.smembers(keys.resumed)}
        refused = {m.decode() for m in client.smembers(keys.refused)}
        forget_fetched(store.db, source.name, resumed & refused)
    else:
        forget_fetched(store.db, source.name, set())
    if reason == INTERRUPTED:
        verdict = Verdict(health="", status="interrupted", message=INTERRUPTED_MESSAGE)
        finish_source_run(store, source.run_id, stats, verdict, totals)
    else:
        bounds = Bounds(max_pages=source.max_pages, max_minutes=source.max_seconds / 60)
        verdict = conclude(
            store,
            source.name,
            source.run_id,
            stats,
            reason=reason,
            bounds=bounds,
            pending=pending_count(store.db, source.name),
            totals=totals,
        )
    entry.read(stats)
    entry.status, entry.health, entry.message = verdict.status, verdict.health, verdict.message
    entry.finished = True
    return verdict
