"""What a report's options name, checked before the report is built (and those of
``scan mentions``, which lists what the report counts).

A source, a category or a company that does not exist is refused with the names
that do: a typo in ``--source`` must not give a report that reads as "no complaints
there". An id of a competitor's grievance or issue (``scan issues`` lists every
watched company's) is refused with whose it is and the command that shows it.
"""

from __future__ import annotations

import shlex
from datetime import UTC, datetime

from sqlite_utils import Database

from scanner.config import Config
from scanner.errors import UnknownNameError
from scanner.judge.categories import labels
from scanner.report import query
from scanner.store import Store
from scanner.text.clean import nfc


def not_yet(what: str, until: datetime, first: str) -> str:
    """Why ``--cluster`` or ``--issue`` shows nothing as of ``until``: no post of it
    had been written yet (an empty page with "0 people" read as a broken report)."""
    after = f": its first is from {first[:10]}" if first else ""
    return f"{what} had no post yet as of {until:%Y-%m-%d}{after} (use a later --as-of)"


def category_key(value: str | None) -> str | None:
    """The category a user named, by key or label, in any case."""
    if value is None:
        return None
    known = labels()
    for key, label in known.items():
        if value.casefold() in (key.casefold(), label.casefold()):
            return key
    raise UnknownNameError(f"no category {value!r} (known: {', '.join(known)})")


def check_source(db: Database, config: Config, source: str | None) -> str | None:
    """``source`` as stored (in NFC, as the store keeps names), if some mention comes
    from it or the config crawls it (it may have none yet: an empty report is then
    the truth); refused otherwise. The filter compares the name it returns."""
    if source is None:
        return None
    source = nfc(source)
    configured = {s.name for s in config.sources}
    if source in configured or query.has_source(db, source):
        return source
    known = ", ".join(sorted(configured.union(query.sources(db)))) or "none yet"
    raise UnknownNameError(f"no source named {source!r} (known: {known})")


def stored_company(store: Store, config: Config, name: str | None) -> list[str] | None:
    """Every spelling a listing of stored mentions (``scan mentions --company``) must
    match: a company is named in any case, and rows stored as "ACME" are Acme's as
    much as "Acme" ones; a company only the database still holds (a competitor
    dropped from the config) is listed too. Else refused with the known names, since
    "No mentions match" would read as "nobody wrote about them"."""
    if name is None:
        return None
    name = nfc(name)  # as names are stored
    stored = store.companies()
    watched = [c.name for c in config.companies]
    spellings = [s for s in dict.fromkeys(watched + stored) if s.casefold() == name.casefold()]
    if spellings:
        return spellings
    names = ", ".join(dict.fromkeys(watched + stored))
    raise UnknownNameError(f"no company named {name!r} (known: {names or 'none yet'})")


def owned_elsewhere(
    what: str, item_id: int, owner: str | None, company: str, config: Config, until: datetime
) -> str | None:
    """For a grievance (``what``: "grievance") or an issue ("issue") that is not
    ``company``'s: whose it is and how to see it as of ``until``, when that company
    is watched (a company dropped from the config cannot be reported on); else None."""
    watched = {c.name.casefold(): c.name for c in config.companies}
    if owner is None or owner.casefold() == company.casefold():
        return None
    name = watched.get(owner.casefold())
    if name is None:
        return None
    option = "--cluster" if what == "grievance" else "--issue"
    command = f"scan report{suggested_options(name, config, until)} {option} {item_id}"
    return f"{what} {item_id} is {name}'s, not {company}'s: {command}"


def suggested_options(company: str, config: Config, until: datetime) -> str:
    """The options a command the report suggests repeats, so that it shows what the
    report shows: ``--company`` for a competitor ("(all: scan report --issue 14)"
    under Chai's report said "issue 14 is Chai's, not PolyBuzz's"), ``--as-of`` for
    a day other than today (without it, "--issue 1" of a report on last year's reviews
    said "isolated, People 0")."""
    options = ""
    if company.casefold() != config.company.name.casefold():
        options += f" --company {shlex.quote(company)}"
    if until.astimezone(UTC).date() != datetime.now(UTC).date():
        options += f" --as-of {until.astimezone(UTC):%Y-%m-%d}"
    return options
