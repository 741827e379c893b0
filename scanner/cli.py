"""The ``scan`` command line: global options, and the subcommands loaded lazily.

Each subcommand lives in its own module under ``scanner/commands/`` and stays
thin: options in, one library call, output out. Modules are imported only when
their command runs (or ``--help`` lists them), and heavy libraries (Scrapy,
Twisted, numpy) only inside the command bodies, so ``scan --help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

import click

from scanner import __version__
from scanner.commands._app import App, with_database
from scanner.errors import ScanError
from scanner.status import ExitStatus

# command name -> "module:function". Order is the order --help lists them.
COMMANDS = {
    "demo": "scanner.commands.demo:demo",
    "init": "scanner.commands.init:init",
    "import": "scanner.commands.importing:import_command",
    "mentions": "scanner.commands.mentions:mentions",
    "stats": "scanner.commands.stats:stats",
    "crawl": "scanner.commands.crawl:crawl",
    "cluster": "scanner.commands.cluster:cluster",
    "sources": "scanner.commands.sources:sources",
    "issues": "scanner.commands.issues:issues",
    "report": "scanner.commands.report:report",
    "digest": "scanner.commands.digest:digest",
    "nightly": "scanner.commands.nightly:nightly",
    "cron-line": "scanner.commands.cron_line:cron_line",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use, and whose errors are one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return with_database(getattr(importlib.import_module(module_name), attr), cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ScanError as exc:
            app = ctx.find_object(App)
            if app is not None and app.debug:
                raise
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(ExitStatus.INTERRUPTED)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SCAN_DB",
    help="SQLite database file (default: `db` from the config, else ./scan.db).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="SCAN_CONFIG",
    help="Config file (default: ./scanner.toml if it exists).",
)
@click.option(
    "--create",
    is_flag=True,
    help="Let a command that writes (import, crawl, nightly...) create the database "
    "if it does not exist yet (as `scan init` does).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(__version__, prog_name="scan")
@click.pass_context
def cli(
    ctx: click.Context, db_path: Path | None, config_path: Path | None, create: bool,
    verbose: int, debug: bool,
) -> None:  # fmt: skip
    """Monitor what people say about a company, and tell one-off complaints
    from systemic problems.

    \b
    Start here:
        scan demo                       # the whole product on bundled pages
        scan init                       # a starter scanner.toml and the database
        scan import complaints.jsonl    # load complaints exported elsewhere
        scan crawl && scan cluster && scan report
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = App(config_path=config_path, db_override=db_path, verbose=verbose, debug=debug,
                  create=create)  # fmt: skip


def main() -> None:
    cli(prog_name="scan")


if __name__ == "__main__":
    main()
