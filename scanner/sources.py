"""What ``scan sources`` lists: the configured sources, the crawled ones no longer
configured, then the imported ones.

A configured source has a crawl, and so a health (``scanner.crawl.health.overview``).
A source removed from the config (or renamed) keeps its crawled posts in the
database, which the report still counts: it is listed as no longer configured,
with its post count and last crawl, or those posts would be listed nowhere.
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
from scanner.crawl.health import last_crawl_facts, overview
from scanner.store import Store, runs


def listing(config: Config, store: Store) -> list[dict[str, Any]]:
    """Every row ``scan sources`` shows, each with its ``origin`` ("crawl", "import"),
    its ``posts`` of that origin and whether it is ``configured`` (None for an
    import); configured sources first, in config order, then those no longer
    configured, then the imported ones, by name."""
    rows = overview(config, store)
    crawled = {source: posts for source, (posts, _) in store.posts_by_source("crawl").items()}
    for row in rows:
        row["origin"] = "crawl"
        row["configured"] = True
        row["posts"] = crawled.pop(row["source"], 0)
    return rows + unconfigured(store, crawled) + imported(store)


def unconfigured(store: Store, crawled: dict[str, int]) -> list[dict[str, Any]]:
    """One row per source of ``crawled`` posts (name -> count) that the config no
    longer names: its last crawl as it is now (``runs.last_crawls``) and its health
    as last judged, with the keys of a configured one."""
    last_runs = runs.last_crawls(store.db)
    health = runs.health(store.db)
    out = []
    for source in sorted(crawled):
        out.append(
            {
                "source": source,
                "origin": "crawl",
                "configured": False,
                "spider": None,
                "enabled": None,
                **last_crawl_facts(last_runs.get(source), health.get(source)),
                "pending": 0,  # nothing crawls it: its backlog is never fetched
                "posts": crawled[source],
            }
        )
    return out


def imported(store: Store) -> list[dict[str, Any]]:
    """One row per source of imported posts, with the keys of a configured one.

    ``last_run`` is when the last import that stored or saw one of its posts started
    (the run each post was last seen by), its count is of the posts held now.
    """
    return [
        {
            "source": source,
            "origin": "import",
            "configured": None,
            "spider": None,
            "enabled": None,
            "last_run": last_import,
            "status": None,
            "items": None,
            "new": None,
            "health": None,
            "since": None,
            "message": None,
            "pending": 0,
            "posts": posts,
        }
        for source, (posts, last_import) in store.posts_by_source("import").items()
    ]
