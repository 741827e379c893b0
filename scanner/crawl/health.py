"""Each source's health, judged from its crawl stats and kept in ``runs``/``source_health``.

States (``source_health.state`` and ``runs.health``):

* ``ok`` — pages fetched and posts found;
* ``failed`` — nothing fetched (DNS, refused, 5xx storm, a robots.txt that cannot
  be read, pages over the size cap) or the spider broke;
* ``blocked`` — 403/429/503 answered with a bot-protection challenge page, or
  robots.txt forbids every page the source asked for;
* ``truncated`` — a page arrived cut short (a feed that stops mid-entry): what it
  held is stored, the rest is missing;
* ``empty`` — a JSON endpoint answered with an empty or error body (not a quiet day);
* ``changed`` — possibly changed markup: the spider reported layout problems, or
  the source yields nothing where it used to yield posts;
* ``silent`` — fetched fine, never yielded anything yet;
* ``backlog`` — fine, but stopped at its page cap or time budget with pages left
  in the frontier, which the next runs fetch first.

``source_health`` keeps the state, since when, and why, so that the digest can
announce a change ("acme-reviews: ok → blocked since ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.crawl import failures
from scanner.crawl.pages import pages_read
from scanner.store import Store, runs, utcnow

# Every state above, for whoever shows them (the report colours each one).
STATES = ("ok", "failed", "blocked", "truncated", "empty", "changed", "silent", "backlog")


@dataclass
class Verdict:
    health: str
    status: str  # of the run: ok, partial, failed, blocked (interrupted: see extension)
    message: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class Bounds:
    """What a run of one source may use: its page cap and its time budget."""

    max_pages: int = 0
    max_minutes: float = 0.0


def judge(
    stats: dict[str, Any],
    *,
    yielded_before: bool,
    reason: str = "finished",
    bounds: Bounds | None = None,
    pending: int = 0,
) -> Verdict:
    """The health of one run of one source, from its Scrapy stats and what it left
    pending in the frontier."""
    bounds = bounds or Bounds()
    verdict = _judged(stats, yielded_before=yielded_before, reason=reason, bounds=bounds)
    stopped = _stopped_by(reason, bounds)
    if stopped and pending and verdict.health == "ok":
        left = f"{stopped}; {failures.pages(pending)} pending for the next run"
        rest = [e for e in verdict.errors if e != stopped]
        verdict.health, verdict.message = "backlog", "; ".join([left, *rest[:2]])
    return verdict


def _stopped_by(reason: str, bounds: Bounds) -> str | None:
    """Why a run stopped before the site's end, in words, when it did."""
    if reason == "closespider_pagecount":
        return f"stopped at the page cap ({failures.pages(bounds.max_pages)})"
    if reason == "closespider_timeout":
        return f"stopped at its time budget ({bounds.max_minutes:g} min)"
    return None


def _judged(stats: dict[str, Any], *, yielded_before: bool, reason: str, bounds: Bounds) -> Verdict:
    stored = stats.get("scan/stored", 0)
    seen = stats.get("item_scraped_count", 0) + stats.get("incremental/known_skipped", 0)
    read = pages_read(stats)  # pages the spider read: robots.txt, errors, bombs are not
    errors = _errors(stats, reason, bounds)
    blocked = stats.get("blocked/challenge", 0)
    if blocked and not stored:
        return Verdict(
            "blocked",
            "blocked",
            f"blocked by bot protection ({blocked} challenge "
            f"page(s), e.g. {stats.get('blocked/last_url')})",
            errors,
        )
    if not read:
        if stats.get("robotstxt/forbidden") and not errors:
            return Verdict("blocked", "blocked", _forbidden(stats), errors)
        return Verdict("failed", "failed", errors[0] if errors else "no page fetched", errors)
    if stats.get("json/empty", 0) + stats.get("json/error", 0) and not stored:
        return Verdict(
            "empty", "failed", "JSON endpoint answered with an empty or error body", errors
        )
    crashed = stats.get("failure/spider", 0)
    if crashed and not stored:
        said = failures.describe(
            "spider",
            crashed,
            str(stats.get("failure/spider/url")),
            stats.get("failure/spider/detail"),
        )
        return Verdict("failed", "failed", said, errors)
    if stats.get("scan/store_errors"):  # fetched, not all stored: its pages stay pending
        said = _first(errors, "not stored")
        return Verdict("failed", "partial" if stored else "failed", said, errors)
    if stats.get("pages/truncated") and seen:
        return Verdict("truncated", "partial", _first(errors, "cut short"), errors)
    if stats.get("layout/problems"):
        said = _first(errors, "layout problem", prefix="possibly changed markup: ")
        return Verdict("changed", "partial", said, errors)
    if not seen:
        if errors:
            return Verdict("failed", "failed", errors[0], errors)
        if yielded_before:
            return Verdict(
                "changed",
                "partial",
                "possibly changed markup: no posts where there used to be some",
                errors,
            )
        return Verdict("silent", "ok", "no posts found yet", errors)
    return Verdict("ok", "partial" if errors else "ok", "; ".join(errors[:3]), errors)


def _first(errors: list[str], marker: str, prefix: str = "") -> str:
    """The error that names the verdict first, then up to two others: a verdict of
    changed markup had hidden a 404 on another page of the same run."""
    main = next(e for e in errors if marker in e)
    return "; ".join([prefix + main, *[e for e in errors if e != main][:2]])


def _errors(stats: dict[str, Any], reason: str, bounds: Bounds) -> list[str]:
    """Everything that went wrong, one line each. Final failures only (a 429 that
    succeeded on retry is politeness, not an error), and robots.txt bans are
    politeness working, not errors."""
    errors = failures.in_words(stats)
    if reason == "closespider_timeout":  # a slow site: an error, unlike the page cap
        errors.insert(0, _stopped_by(reason, bounds) or reason)
    elif reason not in {"finished", "closespider_pagecount", "shutdown"}:
        errors.append(f"closed: {reason}")
    truncated = stats.get("pages/truncated", 0)
    if truncated:
        errors.append(f"{failures.pages(truncated)} cut short: {stats.get('pages/last_truncated')}")
    layout = stats.get("layout/problems", 0)
    if layout:
        errors.append(f"{layout} layout problem(s), last: {stats.get('layout/last_problem')}")
    lost = stats.get("scan/store_errors", 0)
    if lost:
        errors.append(f"{lost} batch(es) of posts not stored: {stats.get('scan/last_store_error')}")
    json_bad = stats.get("json/empty", 0) + stats.get("json/error", 0)
    if json_bad:
        errors.append(f"{json_bad} empty or error JSON answer(s): {stats.get('json/last_problem')}")
    return errors


def _forbidden(stats: dict[str, Any]) -> str:
    url = str(stats.get("robotstxt/forbidden_url") or "")
    count = stats.get("robotstxt/forbidden", 0)
    return (
        f"robots.txt of {failures.host_of(url)} forbids the {failures.pages(count)} this "
        f"source asked for (e.g. {url})"
    )


def record(store: Store, source: str, run_id: int, verdict: Verdict) -> None:
    """Update ``source_health``; ``since`` moves only when the state changes."""
    row = store.db.execute("SELECT state FROM source_health WHERE source = ?", [source]).fetchone()
    now = utcnow()
    with store.db.atomic():
        if row and row[0] == verdict.health:
            store.db.execute(
                "UPDATE source_health SET last_run_id = ?, message = ? WHERE source = ?",
                [run_id, verdict.message, source],
            )
        else:
            store.db.execute(
                "INSERT OR REPLACE INTO source_health (source, state, since, last_run_id, message) "
                "VALUES (?, ?, ?, ?, ?)",
                [source, verdict.health, now, run_id, verdict.message],
            )


def stats_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """The stats worth keeping: statuses, drop reasons, retries, timings."""
    keep = (
        "downloader/",
        "scan/",
        "retry",
        "item_",
        "incremental/",
        "frontier/",
        "blocked/",
        "failure/",
        "distributed/",
        "layout/",
        "json/",
        "robotstxt/",
        "httperror/",
        "spider_exceptions/",
        "response_received_count",
        "elapsed_time_seconds",
        "encoding/",
        "log_count/ERROR",
        "log_count/WARNING",
        "finish_reason",
    )
    return {k: v for k, v in sorted(stats.items()) if k.startswith(keep)}


def overview(config: Any, store: Store) -> list[dict[str, Any]]:
    """One row per configured source: its last crawl run and its health.

    Reads only: a run left ``running`` by a process that is gone is shown as
    ``killed`` (``runs.last_crawls``), and closed by the next command that writes.
    """
    out = []
    last_runs = runs.last_crawls(store.db)
    recorded = runs.health(store.db)
    for source in config.sources:
        run = last_runs.get(source.name)
        health = recorded.get(source.name)
        pending = store.db.execute(
            "SELECT COUNT(*) FROM frontier WHERE source = ? AND done = 0", [source.name]
        ).fetchone()[0]
        out.append(
            {
                "source": source.name,
                "spider": source.spider,
                "enabled": source.enabled,
                **last_crawl_facts(run, health),
                "pending": pending,
            }
        )
    return out


def last_crawl_facts(
    run: runs.LastRun | None, health: tuple[str | None, str | None, str | None] | None
) -> dict[str, Any]:
    """A source's last crawl run and its health (state, since, message), as every
    listing of sources gives them: beside a killed run, why it is killed (its
    health is an earlier run's, ``LastRun.note``)."""
    state, since, message = health or (None, None, None)
    return {
        "last_run": run.started_at if run else None,
        "status": run.status if run else None,
        "items": run.items if run else None,
        "new": run.new if run else None,
        "health": state,
        "since": since,
        "message": run.note(message) if run else message,
    }
