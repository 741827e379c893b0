"""Run the configured sources: one ``CrawlerProcess``, every source scheduled, one ``start()``.

A Twisted reactor cannot be restarted (scrapy/scrapy#4826), so a process runs
exactly one crawl; each source gets its own crawler (its own settings, stats and
run row) so that one failing source never stops the others. Per-source
politeness overrides from ``[[sources]]`` are applied to that crawler only.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.config import Config, Source
from scanner.crawl.configure import base_settings, source_settings
from scanner.crawl.interrupt import CtrlC, interrupt_sources
from scanner.crawl.logs import crawl_logging, crawler_process
from scanner.crawl.results import CrawlResult, ProgressFn, SourceResult, finish
from scanner.errors import ScanError
from scanner.store import Store

logger = logging.getLogger(__name__)


def select_sources(config: Config, names: Sequence[str] | None) -> list[Source]:
    if names:
        return [config.source_named(n) for n in names]
    sources = [s for s in config.sources if s.enabled]
    if not sources:
        where = config.path or "the config"
        off = [s.name for s in config.sources]
        if off:
            raise ScanError(
                f"no sources to crawl: every source in {where} is off ({', '.join(off)}); "
                "point its url at your company's page and remove `enabled = false`"
            )
        raise ScanError(f"no sources to crawl: add [[sources]] to {where} (see `scan init`)")
    return sources


def run_crawl(
    config: Config,
    db_path: str | Path,
    source_names: Sequence[str] | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    progress: ProgressFn | None = None,
    progress_every: float = 5.0,
    tracebacks: bool = False,
    redis: str | None = None,
) -> CrawlResult:
    """Crawl the sources (all enabled ones by default) into ``db_path``; blocks until done.

    ``tracebacks`` (``scan --debug``): log failed requests as Scrapy does, with
    their tracebacks, instead of one line per failing source (``scanner.crawl.logs``).
    ``redis``: a Redis URL to crawl through ``scan crawl-worker``s instead of here
    (``scanner.crawl.distributed``); ``None`` takes the config's ``[crawl] redis``,
    ``""`` crawls here whatever the config says.
    """
    sources = select_sources(config, source_names)
    spiders = frozenset(source.spider for source in sources)
    url = config.crawl.redis if redis is None else redis
    with crawl_logging(tracebacks=tracebacks, spiders=spiders):
        if url:
            from scanner.crawl.distributed.writer import run_distributed

            return run_distributed(
                config,
                Path(db_path),
                sources,
                url=url,
                overrides=overrides or {},
                progress=progress,
                progress_every=progress_every,
            )
        return _run(config, Path(db_path), sources, overrides, progress, progress_every)


def _run(
    config: Config,
    db_path: Path,
    sources: list[Source],
    overrides: dict[str, Any] | None,
    progress: ProgressFn | None,
    progress_every: float,
) -> CrawlResult:
    from scrapy.spiderloader import get_spider_loader

    settings = base_settings(config, db_path, overrides)
    loader = get_spider_loader(settings)
    with Store(db_path) as store:
        parent = store.start_run("crawl")
    settings.set("SCAN_PARENT_RUN", parent, priority="cmdline")
    result = CrawlResult(run_id=parent)
    crawlers: list[tuple[SourceResult, Any]] = []
    try:
        process = _schedule(settings, loader, sources, result, crawlers, progress)
        ticker = _ticker(crawlers, progress, progress_every) if crawlers else None
    except KeyboardInterrupt:
        # Ctrl-C before CtrlC takes over: nothing was fetched, and the run rows say
        # so now (the crawl's and those its sources opened already) rather than
        # staying "running" until the next command calls them killed.
        interrupt_sources(crawler for _, crawler in crawlers)
        result.interrupted = True
        for entry in result.sources:
            entry.status = "interrupted" if entry.status == "running" else entry.status
        finish(db_path, result)
        raise
    if crawlers:
        with CtrlC(crawler for _, crawler in crawlers) as ctrl_c:
            process.start(install_signal_handlers=False)  # CtrlC handles SIGINT and SIGTERM
        result.interrupted = ctrl_c.pressed
        if ticker is not None and ticker.running:
            ticker.stop()
    for entry, crawler in crawlers:
        _collect(entry, crawler)
        if progress:
            progress(entry)
    finish(db_path, result)
    return result


def _schedule(
    settings: Any,
    loader: Any,
    sources: list[Source],
    result: CrawlResult,
    crawlers: list[tuple[SourceResult, Any]],
    progress: ProgressFn | None,
) -> Any:
    """One crawler per source in one ``CrawlerProcess``, not started yet, each added
    to ``crawlers`` as soon as it exists (a Ctrl-C meanwhile must reach the ones
    made); a source that cannot start is reported failed and the others go on."""
    process = crawler_process(settings)
    for source in sources:
        entry = SourceResult(source.name, source.spider)
        result.sources.append(entry)
        try:
            spidercls = loader.load(source.spider)
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:  # a broken rule file is reported now, not mid-crawl
                check(**source.spider_args())
        except (ScanError, KeyError, ValueError) as exc:
            _fail(entry, f"cannot start: {exc}", progress)
            continue
        crawler = process.create_crawler(spidercls)
        crawler.settings.setdict(source_settings(source), priority="spider")
        crawlers.append((entry, crawler))
        deferred = process.crawl(crawler, **source.spider_args())
        # the default argument binds this loop's entry; twisted's overloads cannot see it
        deferred.addErrback(lambda f, e=entry: _fail(e, f"crashed: {f.getErrorMessage()}", None))  # type: ignore[call-overload]
    return process


def _fail(entry: SourceResult, message: str, progress: ProgressFn | None) -> None:
    logger.info("%s: %s", entry.name, message)  # the summary and the progress line say it
    entry.status, entry.health, entry.message, entry.finished = "failed", "failed", message, True
    if progress:
        progress(entry)


def _read(entry: SourceResult, crawler: Any) -> None:
    # crawler.stats raises RuntimeError until the crawl starts: this one never did.
    with contextlib.suppress(RuntimeError):
        entry.read(crawler.stats.get_stats())


def _collect(entry: SourceResult, crawler: Any) -> None:
    from scanner.crawl.extension import closed_verdict

    _read(entry, crawler)
    entry.finished = True
    verdict = closed_verdict(crawler)
    if verdict is not None:
        entry.status, entry.health, entry.message = verdict.status, verdict.health, verdict.message
    elif entry.status == "running":
        entry.status, entry.health = "failed", "failed"
        entry.message = entry.message or "the crawl did not finish"


def _ticker(
    crawlers: list[tuple[SourceResult, Any]], progress: ProgressFn | None, every: float
) -> Any:
    if progress is None or every <= 0:
        return None
    from twisted.internet import task

    def tick() -> None:
        for entry, crawler in crawlers:
            if not entry.finished and crawler.crawling:
                _read(entry, crawler)
                progress(entry)

    loop = task.LoopingCall(tick)
    loop.start(every, now=False)
    return loop
