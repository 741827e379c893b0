"""``scan cron-line``: the crontab line that runs ``scan nightly`` for this installation."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands._app import App, pass_app


@click.command(name="cron-line")
@click.option(
    "--at",
    "at",
    default="03:15",
    show_default=True,
    metavar="HH:MM",
    help="Time of day to run (the machine's local time, as cron reads it).",
)
@click.option(
    "--log",
    "log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Log file the run appends to (default: scan-nightly.log beside the config).",
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Shell file sourced first, e.g. exporting SCAN_SMTP_PASSWORD (chmod 600).",
)
@click.option("--skip-empty", is_flag=True, help="Add --skip-empty to the nightly run.")
@pass_app
def cron_line(app: App, at: str, log: Path | None, env_file: Path | None, skip_empty: bool) -> None:
    """Print a crontab line that runs `scan nightly` under cron's minimal environment.

    The line uses the absolute path of this installation's `scan`, changes to
    the config's directory, passes the config by absolute path and appends all
    output to a log file. Paste it into `crontab -e`.

    \b
    Example:
        scan cron-line
        scan --config /srv/scan/scanner.toml cron-line --at 05:30
        scan cron-line --env-file ~/.scan-env
    """
    from scanner.cronline import cron_line as make_line

    config = app.config
    workdir = config.path.parent.absolute() if config.path else Path.cwd()
    click.echo(
        make_line(
            workdir=workdir,
            log=log or workdir / "scan-nightly.log",
            at=at,
            config=config.path,
            db=app.db_override,
            env_file=env_file,
            extra=["--skip-empty"] if skip_empty else None,
        )
    )
