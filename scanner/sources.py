"""What ``scan sources`` lists: the configured sources, then the imported ones.

A configured source has a crawl, and so a health (``scanner.crawl.health.overview``).
Posts brought in by ``scan import`` name their own sources (an app-store export's
``"source": "appstore-us"``); nothing crawls those, so they have no health, but a
user who imports them wants to see what the database holds of each and when it
last came: its post count and the time of the last import that carried one. A
name both configured and imported is listed twice, once per origin, so that a
crawl's health is never read as that of the imported posts, nor the other way.
"""

from __future__ import annotations

from typing import Any

from scanner.config import Config
from scanner.crawl.health import overview
from scanner.store import Store


def listing(config: Config, store: Store) -> list[dict[str, Any]]:
    """Every row ``scan sources`` shows, each with its ``origin`` ("crawl", "import")
    and its ``posts`` of that origin; configured sources first, in config order."""
    rows = overview(config, store)
    crawled = dict(
        store.db.execute(
            "SELECT source, COUNT(*) FROM mentions WHERE origin = 'crawl' GROUP BY source"
        ).fetchall()
    )
    for row in rows:
        row["origin"] = "crawl"
        row["posts"] = crawled.get(row["source"], 0)
    return rows + imported(store)


def imported(store: Store) -> list[dict[str, Any]]:
    """One row per source of imported posts, with the keys of a configured one.

    ``last_run`` is when the last import that stored or saw one of its posts started
    (the run each post was last seen by), its count is of the posts held now.
    """
    found = store.db.execute(
        "SELECT m.source, COUNT(*), MAX(r.started_at), MAX(m.fetched_at) FROM mentions m "
        "LEFT JOIN runs r ON r.id = m.last_seen_run "
        "WHERE m.origin = 'import' GROUP BY m.source ORDER BY m.source"
    ).fetchall()
    return [
        {
            "source": source,
            "origin": "import",
            "spider": None,
            "enabled": None,
            "last_run": last_import or fetched,
            "status": None,
            "items": None,
            "new": None,
            "health": None,
            "since": None,
            "message": None,
            "pending": 0,
            "posts": posts,
        }
        for source, posts, last_import, fetched in found
    ]
