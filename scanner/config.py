"""The user's config file (``scanner.toml``): read, checked against a schema, typed.

The dataclasses below are the single description of every key: their type
hints and ``setting()`` metadata are what ``scanner.schema`` checks the file
against, and what the README and ``scan init`` document (tests/test_docs.py
holds them together). Every problem is reported at once, each with the file,
its line and the key, never as a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError, UnknownNameError
from scanner.rules import check_data, read_toml
from scanner.schema import http_url, setting
from scanner.schema.checks import redis_url
from scanner.schema.fields import key_path, spec_of
from scanner.spidernames import spider_names
from scanner.text.clean import nfc

DEFAULT_CONFIG = "scanner.toml"
PRIVACY_MODES = ("keep", "hash", "drop")


@dataclass
class Company:
    name: str = setting(nonempty=True, help="the company's name")
    aliases: list[str] = setting([])
    exclude: list[str] = setting([])

    def __post_init__(self) -> None:
        # compared with the names posts are stored under, which are in NFC (store.KEYS)
        self.name = _name_nfc(self.name)
        self.aliases = [_name_nfc(a) for a in self.aliases]

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Source:
    name: str = setting(nonempty=True, help="a name, unique among sources")
    spider: str = setting(choices=spider_names)
    url: str | None = setting(None, check=http_url)
    query: str | None = setting(None)
    # the name of the company or competitor this source is about
    company: str | None = setting(None)
    about_company: bool | None = setting(None)
    enabled: bool = setting(True)
    rule: str | None = setting(None)  # a rule file name in rules/sources/ or a path
    subreddits: list[str] = setting([])
    countries: list[str] = setting([], help="a list of two-letter country codes")
    comments: bool = setting(False)
    # To Scrapy a page cap of 0 means no cap at all, and 0 requests in flight is a
    # crawl that never fetches: refused, like a wrong type.
    max_pages: int | None = setting(None, low=1, help="at least 1 page (there is no 'unlimited')")
    max_minutes: float | None = setting(None, above=0, unit="minutes")  # time budget per run
    download_delay: float | None = setting(None, low=0, unit="seconds")
    concurrency: int | None = setting(None, low=1, help="at least 1 request in flight")
    autothrottle: bool | None = setting(None)
    next_selector: str | None = setting(None)  # a CSS or XPath selector
    args: dict[str, Any] = setting({})  # extra spider arguments

    def __post_init__(self) -> None:
        # the names its posts are stored under, in NFC (store.KEYS)
        self.name = _name_nfc(self.name)
        self.company = _name_nfc(self.company) if self.company is not None else None

    def spider_args(self) -> dict[str, Any]:
        """The keyword arguments the spider is started with (``-a`` in scrapy terms)."""
        out: dict[str, Any] = {"source": self.name}
        for key in ("url", "query", "rule", "next_selector"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.subreddits:
            out["subreddits"] = ",".join(self.subreddits)
        if self.countries:
            out["countries"] = ",".join(self.countries)
        if self.comments:
            out["comments"] = "1"
        out.update(self.args)
        return out


@dataclass
class Digest:
    to: list[str] = setting([], help="a list of e-mail addresses")
    from_addr: str = setting("scan@localhost", key="from")
    smtp_host: str = setting("localhost")
    smtp_port: int = setting(25, low=1, high=65535)
    smtp_security: str = setting("none", choices=("starttls", "tls", "none"))
    smtp_user: str = setting("")  # the password comes from SCAN_SMTP_PASSWORD
    subject_prefix: str = setting("[scan]")

    @property
    def password(self) -> str | None:
        """Only ever from the environment, so it is never on a command line or in a file."""
        return os.environ.get("SCAN_SMTP_PASSWORD") or None


@dataclass
class Crawl:
    # a URL or e-mail where site owners can reach you
    contact: str = setting("https://github.com/scan-project/scan", nonempty=True)
    max_pages: int = setting(200, low=1, help="at least 1 page (there is no 'unlimited')")
    # a source's time budget per run, unless it sets its own
    max_minutes: float = setting(30.0, above=0, unit="minutes")
    httpcache: bool = setting(False)  # development only
    # crawl through `scan crawl-worker`s and this Redis (README: Scaling out)
    redis: str | None = setting(None, check=redis_url)


@dataclass
class Privacy:
    """``[privacy]``: what the database keeps of who wrote a post (``scanner.privacy``).

    ``authors`` unset: a new database keeps names and an existing one keeps the
    mode it is in, so deleting the table never quietly brings names back.
    """

    authors: str | None = setting(None, choices=PRIVACY_MODES)


@dataclass
class Config:
    company: Company = setting()
    path: Path | None = None  # the file it was read from; not a key in it
    db: Path = setting(Path("scan.db"), help="a path to the SQLite file")  # relative to the file
    competitors: list[Company] = setting([])
    sources: list[Source] = setting([])
    digest: Digest = setting(factory=Digest)
    crawl: Crawl = setting(factory=Crawl)
    privacy: Privacy = setting(factory=Privacy)

    @property
    def companies(self) -> list[Company]:
        return [self.company, *self.competitors]

    @property
    def names(self) -> list[str]:
        """Every name and alias of every watched company: words that never make an issue."""
        return [n for c in self.companies for n in c.names]

    def company_named(
        self, name: str | None, *, stored: Callable[[], Iterable[str]] | None = None
    ) -> Company:
        """The watched company ``name`` names, in any case (the main one for None).

        ``stored``: the company names the database holds, read only to refuse a name
        that is not watched: a competitor dropped from the config still has its
        mentions there, and "no company named" alone would read as a typo."""
        if not name:
            return self.company
        name = nfc(name)  # as the config's names are, and the store's
        for company in self.companies:
            if company.name.casefold() == name.casefold():
                return company
        known = ", ".join(c.name for c in self.companies)
        held = [s for s in (stored() if stored else ()) if s.casefold() == name.casefold()]
        if held:
            raise UnknownNameError(
                f"{self._where}: {held[0]!r} is not watched (watched: {known}), though the"
                " database holds its mentions: name it under [[competitors]] (or as the"
                " [company]) to report on it"
            )
        raise UnknownNameError(f"{self._where}: no company named {name!r} (known: {known})")

    def schema_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Names that must be one of a kind or name something, reported where the
        typo is: a source name used twice (at its second use), a company named twice
        in any letter case (its posts would be split between two), and a source
        about a company that is not watched (its every post was dropped in the
        crawl, with health "ok")."""
        first: dict[str, int] = {}
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for i, source in enumerate(self.sources):
            if source.name in first:
                earlier = first[source.name] + 1
                reason = f'"{source.name}" is already the name of [[sources]] {earlier}'
                problems.append((("sources", i, "name"), reason))
            first.setdefault(source.name, i)
        seen = {self.company.name.casefold(): "[company]"}
        for i, competitor in enumerate(self.competitors):
            earlier_name = seen.get(competitor.name.casefold())
            if earlier_name:
                reason = f'"{competitor.name}" is already the name of {earlier_name}'
                problems.append((("competitors", i, "name"), reason))
            seen.setdefault(competitor.name.casefold(), f"[[competitors]] {i + 1}")
        watched = ", ".join(c.name for c in self.companies)
        for i, source in enumerate(self.sources):
            if source.company and source.company.casefold() not in seen:
                reason = f'"{source.company}" is not a watched company (watched: {watched})'
                problems.append((("sources", i, "company"), reason))
        return problems

    def source_named(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise UnknownNameError(f"{self._where}: no source named {name!r} (known: {known})")

    @property
    def _where(self) -> str:
        """Where the known names come from, to say so beside them."""
        return str(self.path) if self.path else "config"


def _name_nfc(value: Any) -> Any:
    """A name in NFC (``scanner.text.clean.nfc``), as the store keeps names, so a
    config written with combining accents names the company its posts are stored
    under; anything that is not text is left for the schema to refuse."""
    return nfc(value) if isinstance(value, str) else value


def default_config(db: Path | None = None) -> Config:
    """What ``scan`` uses when there is no config file: a company called "My company"."""
    return Config(path=None, db=db or Path("scan.db"), company=Company(name="My company"))


def load_config(path: str | Path | None = None, *, required: bool = False) -> Config:
    """Read and check the config; without a file, the defaults (unless ``required``)."""
    explicit = path is not None
    path = Path(path) if path else Path(DEFAULT_CONFIG)
    if not path.exists():
        if explicit or required:
            raise ConfigError(path, "no such file (run `scan init` to write a starter config)")
        return default_config()
    _, data = read_toml(path, ConfigError)
    config = check_data(path, data, Config, ConfigError, path=path)
    if not config.db.is_absolute():
        config.db = config_folder(path) / config.db
    return config


def config_folder(path: Path) -> Path:
    """The folder a config's relative ``db`` is read against, and written against
    (``scanner.starter.db_relative_to``): the folder of the config's path as the
    user named it. A config that is a symbolic link (kept in a dotfiles repository)
    names a database beside the link, not beside the file it points to: each folder
    linking one shared config keeps its own database, as the user sees the files.
    Init had written the name against the target's folder and every later command
    read it against the link's, so they used two different databases."""
    return path.parent


def documented_keys() -> dict[str, list[str]]:
    """Every key of every table, for the docs test: ``{"sources": ["name", ...], ...}``."""
    tables = {
        "": Config,
        "company": Company,
        "sources": Source,
        "digest": Digest,
        "crawl": Crawl,
        "privacy": Privacy,
    }
    return {
        table: [".".join(key_path(f)) for f in fields(cls) if spec_of(f)]
        for table, cls in tables.items()
    }
