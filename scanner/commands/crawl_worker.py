"""``scan crawl-worker``: fetch pages for a distributed crawl, on any machine."""

from __future__ import annotations

import sys

import click

from scanner.commands._app import App, pass_app
from scanner.schema import checks
from scanner.status import ExitStatus
from scanner.text.safe import terminal


def checked_redis(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--redis`` checked as the config's ``[crawl] redis`` is, before any work: a port
    out of range or an IPv6 host left open had ended in a traceback, a URL with no host
    or with a space in it in 30 s of "cannot reach Redis". Empty is left to the command."""
    if value and (problem := checks.redis_url(value)):
        raise click.BadParameter(problem, ctx, param)
    return value


def redis_url(app: App, given: str | None) -> str:
    """``--redis``, else the config's ``[crawl] redis``, else a usage error."""
    url = given or app.config.crawl.redis
    if not url:
        raise click.UsageError(
            "give the Redis to work for: --redis redis://HOST:6379/0 "
            "(or [crawl] redis in the config)"
        )
    return url


#: ``--redis`` of the commands that work for a crawl started elsewhere.
redis_option = click.option(
    "--redis",
    "redis_option",
    metavar="URL",
    callback=checked_redis,
    help="The Redis of the crawl (default: [crawl] redis in the config).",
)


@click.command(name="crawl-worker")
@redis_option
@click.option("--once", is_flag=True, help="Crawl one job, then exit.")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Exit when no job comes within this long (default: wait for ever).",
)
@click.option("--job", "job_id", hidden=True)  # `serve` hands each job to a child process
@pass_app
def crawl_worker(
    app: App, redis_option: str | None, once: bool, wait: float | None, job_id: str | None
) -> None:
    """Fetch pages for the crawls that `scan crawl --redis` starts, job after job.

    Takes pages from the shared queue, obeys each site's pace across all the
    workers (one site is never hit harder because more workers run), and
    pushes what it finds back through Redis; `scan crawl --redis` stores it.
    Needs no database and no config: the job says what to crawl. A worker
    killed mid-crawl loses nothing: its pages go back in the queue once its
    heartbeat lapses. Ctrl-C hands its pages back at once.

    \b
    Example:
        scan crawl-worker --redis redis://queue.example:6379/0
        scan crawl-worker --redis redis://127.0.0.1:6379/0 --once --wait 60
    """
    from scanner.crawl.distributed.runner import serve, serve_one

    url = redis_url(app, redis_option)
    if not once:
        sys.exit(serve(url, wait=wait, verbose=app.verbose, debug=app.debug))
    served = serve_one(url, job_id=job_id, wait=wait, tracebacks=app.debug)
    if served.job:
        pages = ", ".join(f"{terminal(name)} {count}" for name, count in served.sources.items())
        click.echo(f"job {served.job}: pages fetched here: {pages or 'none'}", err=True)
    sys.exit(ExitStatus.INTERRUPTED if served.interrupted else ExitStatus.OK)
