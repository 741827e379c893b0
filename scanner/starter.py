"""The commented starter config that ``scan init`` writes.

It documents every key (the schema in ``scanner.config`` is the authority; a test
checks that the two agree) and loads as written.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from scanner.config import config_folder

DEFAULT_DB_LINE = 'db = "scan.db"'

STARTER = """\
# scan configuration. Every key is optional except [company] name.
# Reference: the README's "Config reference" section.

# SQLite database, relative to this file.
db = "scan.db"

[company]
name = "Acme"
# Other names people use for it; matched as whole words, any case or script.
aliases = ["Acme Corp", "acme.com"]
# Posts containing these words are not about us.
exclude = ["acme anvils museum"]

# Competitors are watched the same way and shown side by side in the report.
# [[competitors]]
# name = "Globex"
# aliases = ["globex.com"]

[crawl]
# Where site owners can reach you; sent in the User-Agent.
contact = "https://example.com/about-our-crawler"
# Pages per source per run, unless a source sets its own max_pages.
max_pages = 200
# Minutes per source per run (a site that trickles cannot hold the nightly run).
max_minutes = 30
# Cache HTTP responses on disk (development only).
httpcache = false

# One [[sources]] entry per site to watch. spider is one of: trustpilot, bbb,
# complaintsboard, pissedconsumer, sitejabber, reddit, hackernews, appstore,
# feed, jsonld, site.
[[sources]]
name = "acme-trustpilot"
spider = "trustpilot"
url = "https://www.trustpilot.com/review/acme.com"
# Off until the url is your company's page: a crawl never fetches an example's.
enabled = false
# Politeness can be relaxed per source for a site you own or a mirror:
# download_delay = 2.0     # seconds between requests
# concurrency = 1          # requests in flight to this site
# autothrottle = true
# max_pages = 50
# max_minutes = 10

# [[sources]]
# name = "acme-reddit"
# spider = "reddit"
# query = "acme"
# subreddits = ["acme", "assistance"]
# comments = true

# [[sources]]
# name = "acme-alerts"
# spider = "feed"
# url = "https://www.google.com/alerts/feeds/00000000000000000000/0000000000000000000"

[privacy]
# What is stored of the people who post: "keep" their names, "hash" them (a keyed
# pseudonym: people are still counted once across sites; the key comes only from
# the environment variable SCAN_AUTHOR_KEY), or "drop" them (every post then
# counts as its own person). "hash" and "drop" also mask e-mail addresses and
# phone numbers in stored posts.
authors = "keep"

[digest]
to = ["ops@acme.example"]
from = "scan@acme.example"
smtp_host = "localhost"
smtp_port = 25
smtp_security = "none"      # "starttls", "tls" or "none"
smtp_user = ""              # the password comes only from SCAN_SMTP_PASSWORD
subject_prefix = "[scan]"
"""


def write_starter(path: Path, *, db: Path | None = None, force: bool = False) -> Path:
    """Write the starter config; never overwrite an existing file unless asked.

    ``db`` is the database ``scan --db PATH init`` created: the config names it, so
    the next command, run without --db, opens that database and not a new scan.db.
    """
    if path.exists() and not force:
        raise FileExistsError(path)
    text = STARTER
    if db is not None:
        named = db_relative_to(path, db)
        try:
            named.encode("utf-8")
        except UnicodeEncodeError:
            # bytes of another encoding in a file name (os.fsdecode's surrogates):
            # no UTF-8 config can name it, and the write would fail half-way
            raise UnnamableDatabase(
                f"{os.fsencode(named)!r} is not UTF-8 text, so scanner.toml cannot name "
                "it; rename the database or pass a name in UTF-8"
            ) from None
        text = text.replace(DEFAULT_DB_LINE, f"db = {toml_string(named)}", 1)
    _write_whole(path, text)
    return path


def _write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a config cut short by a failed
    write is one init refuses to overwrite and every other command refuses to read.

    It is written beside the file it replaces, then renamed over it. Where ``path``
    is a symbolic link (a config kept in a dotfiles repository), that file is the
    link's target: renamed over the link, the new config had replaced the link
    with a plain file and left its target stale. The replaced file's permissions
    are kept (a config readable by its owner alone stays so)."""
    target = Path(os.path.realpath(path))  # the link's target, even if it is missing
    try:
        mode: int | None = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None  # a new file: the umask decides, as for any file written
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        partial.write_text(text, encoding="utf-8")
        if mode is not None:
            partial.chmod(mode)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


class UnnamableDatabase(ValueError):
    """A database file name that a UTF-8 config cannot hold."""


def db_relative_to(config: Path, db: Path) -> str:
    """``db`` as the config names it: relative to the config's folder when it can be
    (``scanner.config.config_folder``, which reading it uses too), absolute otherwise."""
    folder = config_folder(config).resolve()
    target = db.resolve()
    try:
        return os.path.relpath(target, folder) if target.drive == folder.drive else str(target)
    except ValueError:  # another drive on Windows
        return str(target)


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes (quote, backslash, control characters as
    \\uXXXX) are all valid TOML escapes. JSON leaves DEL (U+007F) bare, which TOML
    refuses in a string, so it is escaped too; every other character may stand as
    itself. A lone surrogate has no TOML form at all (nor a UTF-8 one)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
