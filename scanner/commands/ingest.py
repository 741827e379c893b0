"""``scan ingest``: write what a distributed crawl's workers found into the database."""

from __future__ import annotations

import sys

import click

from scanner.commands._app import App, pass_app, say
from scanner.commands.crawl import progress_every_option
from scanner.commands.crawl_worker import redis_option, redis_url


@click.command()
@redis_option
@progress_every_option
@pass_app
def ingest(app: App, redis_option: str | None, progress_every: float) -> None:
    """Be the writer of a distributed crawl: store its posts, close its runs.

    `scan crawl --redis` does this itself. Run `scan ingest` when that process
    was killed (or its machine went down): it takes over the crawl under way,
    stores everything the workers pushed (a batch the killed writer was
    storing is stored again, adding nothing twice), waits until every source
    is done and closes their runs as `scan crawl` would have. With no crawl
    under way, it stores what is left in Redis and exits.

    \b
    Example:
        scan ingest --redis redis://queue.example:6379/0
    """
    from scanner.commands.crawl import progress_line, summary
    from scanner.crawl.distributed.writer import ingest as run_ingest

    url = redis_url(app, redis_option)
    result, batches = run_ingest(
        app.config, app.db_path, url=url, progress=progress_line, progress_every=progress_every
    )
    if result is None:
        say(f"No crawl under way; {batches} batch(es) left in Redis stored.", err=True)
        return
    summary(result)
    sys.exit(int(result.exit_status))
