"""What a crawl reports per source, in counts that add up, and the crawl's own run row.

For each source: ``pages`` read (``scanner.crawl.pages``), posts ``found`` on
them, and what became of each one found: ``stored`` (of which ``new`` for the
first time) or ``dropped``, with why (``drops``: off-topic, removed, no text...,
and ``lost`` when a batch could not be stored). ``found == stored + dropped``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.crawl.pages import pages_read
from scanner.status import ExitStatus
from scanner.store import Store

ProgressFn = Callable[["SourceResult"], None]
#: The crawl's own run row, by its exit status.
RUN_STATUS = {
    ExitStatus.OK: "ok",
    ExitStatus.PARTIAL: "partial",
    ExitStatus.INTERRUPTED: "interrupted",
}


@dataclass
class SourceResult:
    name: str
    spider: str
    status: str = "running"  # ok, partial, failed, blocked, interrupted
    health: str = ""
    pages: int = 0
    found: int = 0
    stored: int = 0
    new: int = 0
    drops: dict[str, int] = field(default_factory=dict)  # reason -> posts
    requests: int = 0
    message: str = ""
    finished: bool = False

    @property
    def dropped(self) -> int:
        return sum(self.drops.values())

    def why_dropped(self) -> str:
        """``"5 off-topic, 2 removed"``, most first."""
        ranked = sorted(self.drops.items(), key=lambda pair: (-pair[1], pair[0]))
        return ", ".join(f"{count} {reason}" for reason, count in ranked if count)

    def read(self, stats: dict[str, Any]) -> None:
        """The counts so far, from the source's crawl stats."""
        self.pages = pages_read(stats)
        self.found = stats.get("item_scraped_count", 0)
        self.stored = stats.get("scan/stored", 0)
        self.new = stats.get("scan/new", 0)
        self.drops = {
            key.removeprefix("scan/dropped/"): count
            for key, count in stats.items()
            if key.startswith("scan/dropped/")
        }
        for key, reason in (("scan/failed", "failed (a bug)"), ("scan/lost", "not stored")):
            if stats.get(key):
                self.drops[reason] = stats[key]
        self.requests = stats.get("downloader/request_count", 0)


@dataclass
class CrawlResult:
    run_id: int
    sources: list[SourceResult] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C: what had arrived is stored, the rest is pending

    @property
    def failed(self) -> list[SourceResult]:
        return [s for s in self.sources if s.status in {"failed", "blocked"}]

    @property
    def exit_status(self) -> ExitStatus:
        if self.interrupted:
            return ExitStatus.INTERRUPTED
        if not self.failed and all(s.status == "ok" for s in self.sources):
            return ExitStatus.OK
        if len(self.failed) == len(self.sources):
            return ExitStatus.ERROR
        return ExitStatus.PARTIAL


def finish(db_path: str | Path, result: CrawlResult) -> None:
    """Close the crawl's run row; a source that never started still gets its run and health."""
    from scanner.crawl.health import Verdict, record

    with Store(db_path) as store:
        for entry in result.sources:
            if entry.health == "failed" and entry.status == "failed" and not entry.requests:
                known = store.db.execute(
                    "SELECT 1 FROM runs WHERE parent_id = ? AND source = ?",
                    [result.run_id, entry.name],
                ).fetchone()
                if known is None:
                    run = store.start_run("crawl", source=entry.name, parent_id=result.run_id)
                    store.finish_run(
                        run,
                        status="failed",
                        health="failed",
                        message=entry.message,
                        errors=[entry.message],
                    )
                    record(store, entry.name, run, Verdict("failed", "failed", entry.message))
        status = RUN_STATUS.get(result.exit_status, "failed")
        store.finish_run(
            result.run_id,
            status=status,
            items=sum(s.stored for s in result.sources),
            new=sum(s.new for s in result.sources),
            dropped=sum(s.dropped for s in result.sources),
            requests=sum(s.requests for s in result.sources),
            message=", ".join(f"{s.name}: {s.status}" for s in result.sources),
        )
