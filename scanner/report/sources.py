"""Was every source crawled? The header's last crawl and health per source."""

from __future__ import annotations

from sqlite_utils import Database

from scanner.config import Config
from scanner.report.model import SourceView


def source_views(db: Database, config: Config, company: str) -> list[SourceView]:
    """Configured sources about ``company`` (plus any with a recorded health), by name."""
    names = [
        s.name
        for s in config.sources
        if s.enabled and (s.company is None or s.company.casefold() == company.casefold())
    ]
    health = {
        name: (state, message)
        for name, state, message in db.execute("SELECT source, state, message FROM source_health")
    }
    for name in health:
        if name not in names:
            names.append(name)
    last_runs = dict(
        db.execute(
            "SELECT source, MAX(started_at) FROM runs WHERE kind = 'crawl' AND source IS NOT NULL "
            "GROUP BY source"
        ).fetchall()
    )
    views = []
    for name in sorted(names):
        state, message = health.get(name, (None, None))
        views.append(
            SourceView(name=name, last_run_at=last_runs.get(name), health=state, message=message)
        )
    return views
