"""Was every source crawled? The header's last crawl and health per source.

The last crawl comes from ``runs.last_crawls``, as in ``scan sources``: one killed
with -9 says ``killed`` beside its time here too, not the health of the run before
it as if it were its own.
"""

from __future__ import annotations

from sqlite_utils import Database

from scanner.config import Config
from scanner.report.model import SourceView
from scanner.store import runs


def source_views(db: Database, config: Config, company: str) -> list[SourceView]:
    """Configured sources about ``company`` (plus any with a recorded health), by name."""
    names = [
        s.name
        for s in config.sources
        if s.enabled and (s.company is None or s.company.casefold() == company.casefold())
    ]
    health = {name: (state, message) for name, (state, _, message) in runs.health(db).items()}
    for name in health:
        if name not in names:
            names.append(name)
    last_runs = runs.last_crawls(db)
    views = []
    for name in sorted(names):
        state, message = health.get(name, (None, None))
        run = last_runs.get(name)
        message = run.note(message) if run else message
        views.append(
            SourceView(
                name=name,
                last_run_at=run.started_at if run else None,
                health=state,
                message=message,
                last_run_status=run.status if run else None,
            )
        )
    return views
