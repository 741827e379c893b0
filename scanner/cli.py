"""The ``scan`` command line: global options, and the subcommands loaded lazily.

Each subcommand lives in its own module under ``scanner/commands/`` and stays
thin: options in, one library call, output out. Modules are imported only when
their command runs (or ``--help`` lists them), and heavy libraries (Scrapy,
Twisted, numpy) only inside the command bodies, so ``scan --help`` stays fast.
"""

from __future__ import annotations

import functools
import importlib
import io
import logging
import os
import sqlite3
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from scanner import __version__
from scanner.commands._app import App, app_of, with_database
from scanner.errors import ScanError, environment_failure
from scanner.status import ExitStatus
from scanner.termwidth import for_terminal
from scanner.text.safe import terminal

# command name -> "module:function". Order is the order --help lists them.
COMMANDS = {
    "demo": "scanner.commands.demo:demo",
    "init": "scanner.commands.init:init",
    "import": "scanner.commands.importing:import_command",
    "mentions": "scanner.commands.mentions:mentions",
    "stats": "scanner.commands.stats:stats",
    "crawl": "scanner.commands.crawl:crawl",
    "crawl-worker": "scanner.commands.crawl_worker:crawl_worker",
    "ingest": "scanner.commands.ingest:ingest",
    "cluster": "scanner.commands.cluster:cluster",
    "sources": "scanner.commands.sources:sources",
    "issues": "scanner.commands.issues:issues",
    "report": "scanner.commands.report:report",
    "compare": "scanner.commands.compare:compare",
    "digest": "scanner.commands.digest:digest",
    "nightly": "scanner.commands.nightly:nightly",
    "cron-line": "scanner.commands.cron_line:cron_line",
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use, and whose errors are one line.

    Every command also takes the global options (``scan report --db x.db`` as
    well as ``scan --db x.db report``): people type them where they think of them.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not getattr(command, "_scan_globals", False):
            command.params.extend(_global_options())
            command._scan_globals = True
        return with_database(command, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ScanError as exc:
            app = ctx.find_object(App)
            if app is not None and app.debug:
                raise
            status = int(getattr(exc, "exit_status", ExitStatus.ERROR))
            # names in a message may come from the database or a file: web text
            raise _failure_with(status)(_for_stderr(terminal(str(exc), single_line=False))) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(ExitStatus.INTERRUPTED)
        except (sqlite3.Error, OSError) as exc:
            app = ctx.find_object(App)
            stream = "standard output" if _stdout_failed(exc) else None
            message = environment_failure(exc, app.known_db_path if app else None, stream)
            if message is None or (app is not None and app.debug):
                raise
            raise click.ClickException(_for_stderr(terminal(message, single_line=False))) from exc


def _for_stderr(message: str) -> str:
    """An error message word-wrapped to the terminal when standard error is one (a
    long message broke mid-word at 80 columns, "repor/t on it"); one line per
    paragraph otherwise, for logs and scripts that grep them."""
    return for_terminal(message, err=True, lead="Error: ")  # what click prints before it


@functools.cache
def _failure_with(status: int) -> type[click.ClickException]:
    """Click's one-line error, exiting with ``status`` (its ``exit_code`` is a class
    attribute): a ``ScanError`` may name its own (``RedisGone``: 5)."""
    return type(f"Failure{status}", (click.ClickException,), {"exit_code": status})


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
    ctx: click.Context,
    db_path: Path | None,
    config_path: Path | None,
    create: bool,
    verbose: int,
    debug: bool,
) -> None:
    """Monitor what people say about a company, and tell one-off complaints
    from systemic problems.

    \b
    Start here:
        scan demo                       # the whole product on bundled pages
        scan init                       # a starter scanner.toml and the database
        scan import complaints.jsonl    # load complaints exported elsewhere
        scan crawl && scan cluster && scan report
        scan compare                    # our grievances next to the competitors'
    """
    logging.basicConfig(level=_level(verbose), format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = App(
        config_path=config_path, db_override=db_path, verbose=verbose, debug=debug, create=create
    )
    if ctx.get_parameter_source("db_path") is ParameterSource.ENVIRONMENT:
        ctx.obj.db_named_by = "SCAN_DB"


def _stdout_failed(exc: BaseException) -> bool:
    """Whether ``exc`` came from writing to standard output (a full disk under ``> file``).

    Write errors carry no file name; the frame that wrote holds the stream. If
    so, standard output is pointed at /dev/null, so that the interpreter's last
    flush cannot print a second error after ours.
    """
    if not isinstance(exc, OSError) or exc.filename is not None:
        return False
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError):
        return False
    tb, found = exc.__traceback__, False
    while tb is not None and not found:
        found = any(_is_stream(v, fileno) for v in tb.tb_frame.f_locals.values())
        tb = tb.tb_next
    if found:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)
    return found


def _is_stream(value: object, fileno: int) -> bool:
    if not isinstance(value, io.IOBase):
        return False
    try:
        return value.fileno() == fileno
    except (OSError, ValueError):
        return False


def _global_options() -> list[click.Option]:
    """The group's options again, for after the command; they fill in the same ``App``."""
    path = click.Path(dir_okay=False, path_type=Path)
    return [
        click.Option(
            ["--db", "db_path"],
            type=path,
            expose_value=False,
            callback=_after,
            help="SQLite database file (as before the command).",
        ),
        click.Option(
            ["--config", "config_path"],
            type=path,
            expose_value=False,
            callback=_after,
            help="Config file (as before the command).",
        ),
        click.Option(
            ["-v", "--verbose"],
            count=True,
            expose_value=False,
            callback=_after,
            help="More log output (-vv for debug).",
        ),
        click.Option(
            ["--debug"],
            is_flag=True,
            expose_value=False,
            callback=_after,
            help="Show full tracebacks on errors.",
        ),
        click.Option(
            ["--create"],
            is_flag=True,
            expose_value=False,
            callback=_after,
            help="Let a command that writes create the database (as before the command).",
        ),
    ]


def _after(ctx: click.Context, param: click.Parameter, value: object) -> None:
    """A global option given after the command; the same one before it must agree."""
    if value in (None, 0, False) or ctx.parent is None:
        return
    app = app_of(ctx)
    name = param.name or ""
    before = ctx.parent.params.get(name)
    source = ctx.parent.get_parameter_source(name)
    if name in {"db_path", "config_path"}:
        if source is ParameterSource.COMMANDLINE and before != value:
            flag = param.opts[0]
            raise click.UsageError(
                f"{flag} given twice, {before} before the command and {value} after it"
            )
        setattr(app, "db_override" if name == "db_path" else name, value)
        if name == "db_path":
            app.db_named_by = "--db"  # typed after the command, over any SCAN_DB
    elif name == "verbose":
        app.verbose += value if isinstance(value, int) else 0
        logging.getLogger().setLevel(_level(app.verbose))
    elif name == "debug":
        app.debug = True
    elif name == "create":
        app.create = True


def _level(verbose: int) -> int:
    return max(logging.WARNING - 10 * verbose, logging.DEBUG)


def main() -> None:
    cli(prog_name="scan")


if __name__ == "__main__":
    main()
