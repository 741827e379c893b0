"""``scan digest``: e-mail what changed since the last digest."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner.commands._app import App, pass_app, say
from scanner.errors import writing
from scanner.status import ExitStatus


@click.command()
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="ADDR",
    help="Recipient (repeatable; default: `to` in the [digest] config table).",
)
@click.option("--dry-run", is_flag=True, help="Print the message instead of sending it.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the message to FILE (as a .eml file mail clients open) instead of sending it.",
)
@click.option("--skip-empty", is_flag=True, help="Send nothing when nothing changed.")
@pass_app
def digest(
    app: App, to: tuple[str, ...], dry_run: bool, out: Path | None, skip_empty: bool
) -> None:
    """E-mail what changed since the last digest that was sent.

    New and grown systemic grievances, ones back after a quiet spell, new
    isolated ones, sources that failed, and a spike in complaint volume, as one
    message with a plain-text and an HTML part. The SMTP host, port, security
    and user come from the [digest] config table; the password only from the
    SCAN_SMTP_PASSWORD environment variable. What a digest reported is recorded
    only once the server accepted it, so a failed send (exit status 1, with the
    server's answer) leaves everything for the next one; a recipient the server
    refused (exit status 3) gets what it missed with the next digest. --dry-run
    and --out send and record nothing.

    \b
    Example:
        scan digest --dry-run
        scan digest --to ops@example.com --skip-empty
        scan digest --out today.eml
    """
    from scanner.digest.message import readable
    from scanner.digest.service import compose, deliver, message_for
    from scanner.lock import LockedError, held

    store = app.store()
    if dry_run or out:
        found = compose(store, app.config)
        if skip_empty and found.empty:
            say("Nothing changed since the last digest; nothing to show (--skip-empty).")
            return
        message = message_for(found, app.config, list(to) or None)
        if out:
            with writing(out):
                out.write_bytes(bytes(message))
            say(f"Wrote {out} ({message['Subject']}).")
        if dry_run:
            click.echo(readable(message), nl=False)
        return
    try:
        with held(app.db_path, "digest"):
            result = deliver(store, app.config, to=list(to) or None, skip_empty=skip_empty)
    except LockedError as exc:
        say(f"Error: {exc}", err=True)
        sys.exit(ExitStatus.LOCKED)
    if result.skipped:
        say("Nothing changed since the last digest; nothing sent (--skip-empty).")
        return
    for send in result.sends:
        if send.accepted:
            say(f"Sent to {', '.join(send.accepted)}: {send.message['Subject']}")
        for addr, answer in send.refused.items():
            say(
                f"refused {addr}: {answer}; {addr} gets these changes with the next digest",
                err=True,
            )
    if result.refused:
        sys.exit(ExitStatus.PARTIAL)
