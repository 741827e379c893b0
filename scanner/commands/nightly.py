"""``scan nightly``: the whole night's work in one command, for cron."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from scanner.commands._app import App, pass_app, say
from scanner.config import Config
from scanner.status import ExitStatus


@click.command()
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="ADDR",
    help="Digest recipient (repeatable; default: `to` in the [digest] config table).",
)
@click.option("--skip-empty", is_flag=True, help="Send no digest when nothing changed.")
@pass_app
def nightly(app: App, to: tuple[str, ...], skip_empty: bool) -> None:
    """Crawl, group, roll up issues and send the digest, in one run meant for cron.

    Prints one line per stage with its outcome and duration. A stage that fails
    does not stop the later ones: grouping and the digest still run on what the
    database holds, and the digest names the sources that failed. Only one run
    per database at a time: a second run exits at once with status 4; a lock
    left by a run that was killed is taken over. `scan cron-line` prints a
    crontab line for this installation.

    The exit status is 0 when every stage succeeded; 3 when every stage ran
    but some sources failed or were blocked (what arrived is kept and the
    digest says which sources failed); 1 when a stage failed, the later stages
    having still run where they could; and 4 when another run holds the lock
    on this database, in which case nothing was done.

    \b
    Example:
        scan nightly
        scan --config /srv/scan/scanner.toml nightly --skip-empty
    """
    from scanner.lock import LockedError
    from scanner.nightly import Stage, run

    def show(stage: Stage) -> None:
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{when} nightly {stage.name}: {stage.status} in {stage.seconds:.1f} s"
        say(f"{line} - {stage.message}" if stage.message else line)

    config, db_path = app.config, app.db_path
    _refuse_nothing_configured(config, to)
    try:
        result = run(
            config,
            db_path,
            to=list(to) or None,
            skip_empty=skip_empty,
            on_stage=show,
            tracebacks=app.debug,
        )
    except LockedError as exc:
        say(f"Error: {exc}", err=True)
        sys.exit(ExitStatus.LOCKED)
    if result.privacy_note:
        say(result.privacy_note, err=True)
    status = result.exit_status
    click.echo(f"nightly: {status.name.lower()} (exit status {int(status)})")
    sys.exit(int(status))


def _refuse_nothing_configured(config: Config, to: tuple[str, ...]) -> None:
    """Without a config, or with no source and no recipient, there is nothing to run.

    Checked before anything is opened: a mistyped directory in a crontab must
    fail loudly, not print "ok" night after night beside a new empty database.
    """
    if config.path is None:
        raise click.ClickException(
            "no config file (./scanner.toml, --config PATH or SCAN_CONFIG): scan nightly "
            "crawls the [[sources]] and mails the [digest] of one; `scan init` writes one"
        )
    if not any(s.enabled for s in config.sources) and not (to or config.digest.to):
        raise click.ClickException(
            f"{config.path}: nothing for scan nightly to do: no enabled [[sources]] and no "
            "digest recipients (`to` in [digest], or --to)"
        )
