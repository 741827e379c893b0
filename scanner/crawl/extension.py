"""The Scrapy extension that owns one source's state and closes its run.

Scrapy builds extensions before the engine, so the item pipeline and the
middlewares, built after, reach the source's state through the crawler's public
API: ``SourceExtension.of(crawler)`` (``crawler.get_extension``). At spider
close it commits what is left, judges the source's health from the crawl's
stats (``scanner.crawl.health``) and writes the run row and ``source_health``.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler

from scanner.crawl.health import Bounds, Verdict, judge, record, stats_summary
from scanner.crawl.middlewares.frontier import Frontier
from scanner.crawl.sites import SourceSites
from scanner.crawl.state import SourceState
from scanner.store import Store, UpsertResult

logger = logging.getLogger(__name__)


class SourceExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = SourceState(crawler)
        self.frontier = Frontier(crawler, self.state)
        spider = crawler.spider
        self.sites = SourceSites(getattr(spider, "url", None), getattr(spider, "api_hosts", ()))
        self.verdict: Verdict | None = None  # set at close
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceExtension:
        return cls(crawler)

    @classmethod
    def of(cls, crawler: Crawler) -> Self:
        """The crawler's instance (``SourceExtension`` must be in ``EXTENSIONS``)."""
        extension = crawler.get_extension(cls)
        if extension is None:
            raise RuntimeError("scanner.crawl.extension.SourceExtension is not in EXTENSIONS")
        return extension

    def spider_closed(self, reason: str) -> None:
        if self.verdict is not None:  # interrupted (Ctrl-C): the run is closed already
            return
        state = self.state
        settings = self.crawler.settings
        bounds = Bounds(
            max_pages=settings.getint("CLOSESPIDER_PAGECOUNT"),
            max_minutes=settings.getfloat("CLOSESPIDER_TIMEOUT") / 60,
        )
        try:
            self.frontier.forget_fetched(ran_to_the_end=reason == "finished")
            self.verdict = conclude(
                state.store,
                state.source,
                state.run_id,
                dict(self.crawler.stats.get_stats()),
                reason=reason,
                bounds=bounds,
                pending=self.frontier.pending(),
                totals=state.totals,
            )
        except (sqlite3.Error, OSError) as exc:
            stats = dict(self.crawler.stats.get_stats())
            try:  # reading still works where writing failed (a full disk)
                before = yielded_before(state.store, state.source, state.run_id)
            except sqlite3.Error:
                before = False  # say no more than the stats show
            self.verdict = unrecorded(stats, reason, bounds, exc, yielded_before=before)
            logger.error("%s: %s", state.source, self.verdict.message)
        finally:
            state.close()

    def interrupt(self) -> None:
        """Ctrl-C: commit what has arrived and close the run as interrupted, now.

        Not a verdict on the source: its health is left as it was, so the next
        digest does not announce a failure that was the user's own Ctrl-C. The
        pages not yet through stay pending in the frontier for the next crawl.
        """
        if self.verdict is not None:
            return
        self.verdict = Verdict(health="", status="interrupted", message=INTERRUPTED)
        try:
            self.frontier.forget_fetched(ran_to_the_end=False)
            state = self.state
            finish_source_run(
                state.store,
                state.run_id,
                dict(self.crawler.stats.get_stats()),
                self.verdict,
                state.totals,
            )
        finally:
            self.state.close()


#: Why a run was interrupted, in words (its health is left as it was).
INTERRUPTED = (
    "interrupted: what had arrived is stored; the next crawl resumes where this one stopped"
)


def conclude(
    store: Store,
    source: str,
    run_id: int,
    stats: dict[str, Any],
    *,
    reason: str,
    bounds: Bounds,
    pending: int,
    totals: UpsertResult,
) -> Verdict:
    """Judge a source's run from its stats, close its run row and record its health."""
    verdict = judge(
        stats,
        yielded_before=yielded_before(store, source, run_id),
        reason=reason,
        bounds=bounds,
        pending=pending,
    )
    finish_source_run(store, run_id, stats, verdict, totals)
    record(store, source, run_id, verdict)
    return verdict


def yielded_before(store: Store, source: str, run_id: int) -> bool:
    """Whether an earlier crawl of ``source`` stored posts (a run that finds none
    now may mean the site's markup changed)."""
    return (
        store.db.execute(
            "SELECT 1 FROM runs WHERE kind = 'crawl' AND source = ? AND id != ? AND items > 0 "
            "LIMIT 1",
            [source, run_id],
        ).fetchone()
        is not None
    )


def unrecorded(
    stats: dict[str, Any],
    reason: str,
    bounds: Bounds,
    exc: BaseException,
    *,
    yielded_before: bool,
) -> Verdict:
    """The verdict of a run whose close could not be written (a full disk, a lock
    held too long): failed, saying why from its stats and that it is not recorded.
    It had been "the crawl did not finish", which named neither. A new source's
    empty run is no "changed markup": ``yielded_before`` says whether it had posts."""
    judged = judge(stats, yielded_before=yielded_before, reason=reason, bounds=bounds)
    why = f"its outcome could not be stored ({exc})"
    message = f"{judged.message}; {why}" if judged.message else why
    return Verdict(health="failed", status="failed", message=message, errors=[message])


def finish_source_run(
    store: Store, run_id: int, stats: dict[str, Any], verdict: Verdict, totals: UpsertResult
) -> None:
    store.finish_run(
        run_id,
        status=verdict.status,
        health=verdict.health or None,
        items=stats.get("scan/stored", 0),
        new=totals.new,
        updated=totals.updated,
        dropped=sum(stats.get(key, 0) for key in ("scan/dropped", "scan/failed", "scan/lost")),
        requests=stats.get("downloader/request_count", 0),
        stats=stats_summary(stats),
        errors=verdict.errors,
        message=verdict.message or None,
    )


def closed_verdict(crawler: Any) -> Verdict | None:
    """The verdict of a crawler's source once its spider closed, else ``None``."""
    try:
        extension = crawler.get_extension(SourceExtension)
    except RuntimeError:  # the crawl never got as far as building its extensions
        return None
    return extension.verdict if extension is not None else None
