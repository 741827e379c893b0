"""``scan nightly``: crawl, group, roll up issues, send the digest, in one process for cron.

Stages run in order and each is timed and reported in one line. A stage that
fails does not stop the later ones where they can still do something useful:
grouping and the digest run on what the database holds even when every source
failed, and the digest then names the sources that failed. The crawl runs once
per process because a Twisted reactor cannot be restarted (scrapy/scrapy#4826).
The whole run holds the database's run lock (``scanner.lock``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scanner.config import Config
from scanner.lock import held
from scanner.status import ExitStatus
from scanner.store import Store
from scanner.store.authors import for_config

logger = logging.getLogger(__name__)
STAGES = ("crawl", "group", "issues", "digest")


@dataclass
class Stage:
    name: str
    status: str = "ok"  # ok, partial (some sources failed), failed, skipped
    seconds: float = 0.0
    message: str = ""


@dataclass
class NightlyResult:
    stages: list[Stage] = field(default_factory=list)
    privacy_note: str | None = None  # the database was switched to [privacy] authors

    @property
    def exit_status(self) -> ExitStatus:
        statuses = {s.status for s in self.stages}
        if "failed" in statuses:
            return ExitStatus.ERROR
        return ExitStatus.PARTIAL if "partial" in statuses else ExitStatus.OK


def run(
    config: Config,
    db_path: Path,
    *,
    to: list[str] | None = None,
    skip_empty: bool = False,
    on_stage: Callable[[Stage], None] | None = None,
    tracebacks: bool = False,
) -> NightlyResult:
    """Run every stage under the lock; raises ``LockedError`` if another run holds it.

    ``tracebacks`` (``scan --debug``): the crawl logs failed requests with them.
    """
    result = NightlyResult()
    with held(db_path, "nightly"):
        with Store(db_path, mode="write") as store:
            # Under the lock (two runs must not both set up a new database): the
            # privacy mode first, so the crawl never fetches what it cannot store.
            switched = for_config(store, config, writing=True)
            result.privacy_note = switched.note if switched else None
            run_id = store.start_run("nightly")
        steps = {
            "crawl": lambda: _crawl(config, db_path, tracebacks),
            "group": lambda: _group(db_path),
            "issues": lambda: _issues(config, db_path),
            "digest": lambda: _digest(config, db_path, to, skip_empty),
        }
        try:
            for name in STAGES:
                stage = _timed(name, steps[name])
                result.stages.append(stage)
                if on_stage:
                    on_stage(stage)
        except KeyboardInterrupt:  # Ctrl-C: no later stage runs
            with Store(db_path) as store:
                store.finish_run(run_id, status="interrupted", message="interrupted")
            raise
        status = {ExitStatus.OK: "ok", ExitStatus.PARTIAL: "partial"}.get(
            result.exit_status, "failed"
        )
        with Store(db_path, mode="write") as store:
            summary = "; ".join(f"{s.name}: {s.status}" for s in result.stages)
            stats = {s.name: vars(s) for s in result.stages}
            store.finish_run(run_id, status=status, stats=stats, message=summary)
    return result


def _timed(name: str, step: Callable[[], tuple[str, str]]) -> Stage:
    started = time.monotonic()
    try:
        status, message = step()
    except Exception as exc:  # a failed stage must not stop the later ones
        logger.debug("stage %s failed", name, exc_info=True)
        status, message = "failed", f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc)
    return Stage(name, status, round(time.monotonic() - started, 2), message)


def _crawl(config: Config, db_path: Path, tracebacks: bool) -> tuple[str, str]:
    if not any(s.enabled for s in config.sources):
        return "skipped", "no enabled sources in the config"
    from scanner.crawl.run import run_crawl

    crawl = run_crawl(config, db_path, tracebacks=tracebacks)
    if crawl.interrupted:  # what arrived is stored; the user wants the run to end
        raise KeyboardInterrupt
    # A source that fetched but could not store everything (its worker died, the
    # disk filled) is as much news as one that failed: "partial", not "ok".
    troubled = [s for s in crawl.sources if s.status != "ok"]
    summary = f"{len(crawl.sources)} source(s), {sum(s.new for s in crawl.sources)} new post(s)"
    if not troubled:
        return "ok", summary
    names = ", ".join(f"{s.name} ({s.health or s.status}: {s.message})" for s in troubled)
    status = "failed" if len(crawl.failed) == len(crawl.sources) else "partial"
    return status, f"{summary}; not ok: {names}"


def _group(db_path: Path) -> tuple[str, str]:
    from scanner.clustering import run as clustering

    with Store(db_path, mode="write") as store:
        outcome = clustering.run(store)
    return "ok", _describe(outcome)


def _issues(config: Config, db_path: Path) -> tuple[str, str]:
    from scanner.issues import store as issues

    with Store(db_path, mode="write") as store:
        outcome = issues.run(store, config)
    return "ok", _describe(outcome)


def _digest(
    config: Config, db_path: Path, to: list[str] | None, skip_empty: bool
) -> tuple[str, str]:
    recipients = list(to or config.digest.to)
    if not recipients:
        return "skipped", "no recipients (set `to` in the [digest] config table or pass --to)"
    from scanner.digest.service import deliver

    with Store(db_path, mode="write") as store:
        sent = deliver(store, config, to=recipients, skip_empty=skip_empty)
    if sent.skipped:
        return "ok", "nothing changed; nothing sent (--skip-empty)"
    done = "; ".join(
        f"sent to {', '.join(s.accepted)}: {s.message['Subject']}" for s in sent.sends if s.accepted
    )
    if sent.refused:
        refused = "; ".join(f"{a}: {why}" for a, why in sent.refused.items())
        return "partial", f"{done}; refused {refused} (they get it with the next digest)"
    return "ok", done


def _describe(outcome: object) -> str:
    """One line from what a stage returned: its counts, or how many issues it found."""
    companies = getattr(outcome, "companies", None)
    if isinstance(companies, list):
        found = sum(len(getattr(c, "issues", []) or []) for c in companies)
        return f"{found} issue(s) across {len(companies)} company(ies)"
    fields = vars(outcome) if hasattr(outcome, "__dict__") else {}
    shown = [
        f"{k.replace('_', ' ')} {v}"
        for k, v in fields.items()
        if isinstance(v, int) and not isinstance(v, bool) and k != "run_id"
    ]
    return ", ".join(shown) or "done"
