"""``scan crawl``: run the configured sources, one line of progress per source."""

from __future__ import annotations

import sys
import textwrap
from typing import TYPE_CHECKING

import click

from scanner.commands._app import App, exclusive, pass_app, say
from scanner.commands.crawl_worker import checked_redis
from scanner.text.safe import terminal

if TYPE_CHECKING:
    from scanner.crawl.results import CrawlResult, SourceResult

#: Under the summary table: what its numbers mean, and that they add up.
LEGEND = (
    "pages: pages read (robots.txt and error answers are not); found: posts on them; "
    "found = stored + dropped; new: stored for the first time"
)


def _setting(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}")
        out[name.strip()] = setting
    return out


#: Shared with ``scan ingest``, which prints the same progress lines.
progress_every_option = click.option(
    "--progress-every",
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between progress lines (0: none).",
)


@click.command()
@click.option(
    "--source",
    "-S",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Crawl only this source (repeatable). Default: every enabled source.",
)
@click.option(
    "--set",
    "-s",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_setting,
    help="Override a Scrapy setting for this run (repeatable), e.g. -s HTTPCACHE_ENABLED=1.",
)
@progress_every_option
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    callback=checked_redis,
    help="Crawl through Redis and `scan crawl-worker`s; this process writes "
    "(default: [crawl] redis in the config).",
)
@click.option("--local", is_flag=True, help="Crawl here, whatever [crawl] redis says.")
@pass_app
def crawl(
    app: App,
    sources: tuple[str, ...],
    settings: dict[str, str],
    progress_every: float,
    redis_url: str | None,
    local: bool,
) -> None:
    """Crawl the sources in the config (`[[sources]]`) into the database.

    One process crawls every source at once, politely (robots.txt, throttling,
    an honest User-Agent). A source that fails never stops the others; the
    summary says which failed and the exit status is 3 (1 when all failed).
    A second run fetches only what is new; a killed run is resumed. Ctrl-C
    stores what has arrived and stops within seconds (status 130); the next
    run fetches the rest. Ctrl-C twice stops at once.

    With --redis (or [crawl] redis), any number of `scan crawl-worker`s fetch
    the pages and this process writes what they find, then waits for the
    queue to drain (README: Scaling out).

    \b
    Example:
        scan crawl
        scan crawl --source acme-reviews --source acme-alerts
        scan crawl --redis redis://queue.example:6379/0
    """
    from scanner.crawl.run import run_crawl
    from scanner.lock import held

    exclusive(("redis_url", "local"))

    config = app.config
    # One crawl of a database at a time, as `scan nightly` runs one: two would
    # fetch every page twice and pace each site at twice the configured rate.
    with held(app.db_path, "crawl"):
        result = run_crawl(
            config,
            app.db_path,
            sources or None,
            overrides=settings,
            progress=progress_line,
            progress_every=progress_every,
            tracebacks=app.debug,
            redis="" if local else redis_url,
        )
    summary(result)
    sys.exit(int(result.exit_status))


def progress_line(entry: SourceResult) -> None:
    """One source's progress, on stderr."""
    state = f"done: {entry.status}" if entry.finished else "running"
    line = (
        f"{terminal(entry.name)}: {entry.pages} pages, {entry.found} found, "
        f"{entry.stored} stored ({entry.new} new), {entry.dropped} dropped "
        f"({state})"
    )
    if entry.finished and entry.message:
        line += f" - {terminal(entry.message)}"
    click.echo(line, err=True)


def summary(result: CrawlResult) -> None:
    from scanner.report.source_lines import table
    from scanner.termwidth import output_width

    width = output_width()
    headers = ("source", "health", "pages", "found", "stored", "new", "dropped")
    rows = [
        (s.name, s.health or s.status, s.pages, s.found, s.stored, s.new, s.dropped)
        for s in result.sources
    ]
    notes = [
        [n for n in (s.message, f"dropped: {s.why_dropped()}" if s.why_dropped() else "") if n]
        for s in result.sources
    ]
    click.echo("crawl summary")
    click.echo(table(headers, rows, notes, numeric=set(headers[2:]), width=width), nl=False)
    click.echo(textwrap.fill(LEGEND, width))
    if result.failed:
        say("failed: " + ", ".join(terminal(s.name) for s in result.failed), err=True)
