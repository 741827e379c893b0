"""The crontab line for this installation, correct under cron's minimal environment.

Cron runs a command with ``PATH=/usr/bin:/bin``, no virtualenv, ``$HOME`` as the
working directory and no terminal, and it treats ``%`` as a line break. So the
line names the installed ``scan`` by absolute path, changes to the directory
the config's relative paths are resolved from, passes the config (and database)
by absolute path, appends output to a log file, and escapes every ``%``. The
SMTP password is not put in the line: an optional env file, readable only by
its owner, is sourced first.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from scanner.errors import ScanError


def scan_executable() -> Path:
    """The ``scan`` console script of the running installation, as an absolute path."""
    beside = Path(sys.executable).parent / "scan"
    if beside.exists():
        return beside.absolute()
    argv0 = Path(sys.argv[0])
    if argv0.name == "scan" and argv0.exists():
        return argv0.absolute()
    found = shutil.which("scan")
    if found is None:
        raise ScanError("cannot find the installed `scan` script; is the package installed?")
    return Path(found).absolute()


def parse_time(value: str) -> tuple[int, int]:
    """'HH:MM' (24-hour clock) to (hour, minute)."""
    try:
        hour_text, minute_text = value.split(":")
        hour, minute = int(hour_text), int(minute_text)
    except ValueError:
        raise ScanError(f"--at must be HH:MM (24-hour clock), got {value!r}") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ScanError(f"--at must be a time of day between 00:00 and 23:59, got {value!r}")
    return hour, minute


def cron_line(
    *,
    workdir: Path,
    log: Path,
    at: str = "03:15",
    config: Path | None = None,
    db: Path | None = None,
    env_file: Path | None = None,
    extra: list[str] | None = None,
) -> str:
    """One crontab line that runs ``scan nightly`` every day at ``at``."""
    hour, minute = parse_time(at)
    words = [str(scan_executable())]
    if config is not None:
        words += ["--config", str(config.absolute())]
    if db is not None:
        words += ["--db", str(db.absolute())]
    words += ["nightly", *(extra or [])]
    command = f"cd {shlex.quote(str(workdir.absolute()))} && "
    if env_file is not None:
        command = f". {shlex.quote(str(env_file.absolute()))} && " + command
    command += " ".join(shlex.quote(w) for w in words)
    command += f" >> {shlex.quote(str(log.absolute()))} 2>&1"
    return f"{minute} {hour} * * * " + command.replace("%", "\\%")
