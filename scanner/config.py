"""The user's config file (``scanner.toml``): read, checked against a schema, typed.

The schema below is the single description of every key: the loader checks
against it, ``scan init`` and the README document it. An unknown key or a value
of the wrong type is reported with the file, the key (and its line when we can
find it) and what was expected, never as a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError

DEFAULT_CONFIG = "scanner.toml"
SPIDERS = ("trustpilot", "bbb", "complaintsboard", "pissedconsumer", "sitejabber", "reddit",
           "hackernews", "appstore", "feed", "jsonld", "site")  # fmt: skip

# key: (python type(s), human description)
_COMPANY_KEYS = {
    "name": (str, "a string"),
    "aliases": (list, "a list of strings"),
    "exclude": (list, "a list of strings"),
}
_SOURCE_KEYS = {
    "name": (str, "a string, unique among sources"),
    "spider": (str, "one of: " + ", ".join(SPIDERS)),
    "url": (str, "a URL string"),
    "query": (str, "a search query string"),
    "company": (str, "the name of the company or competitor this source is about"),
    "about_company": (bool, "true or false"),
    "enabled": (bool, "true or false"),
    "rule": (str, "a rule file name in rules/sources/ or a path"),
    "subreddits": (list, "a list of subreddit names"),
    "countries": (list, "a list of two-letter country codes"),
    "comments": (bool, "true or false"),
    "max_pages": (int, "a whole number of pages"),
    "max_minutes": ((int, float), "a number of minutes"),
    "download_delay": ((int, float), "a number of seconds"),
    "concurrency": (int, "a whole number of requests in flight"),
    "autothrottle": (bool, "true or false"),
    "next_selector": (str, "a CSS or XPath selector"),
    "args": (dict, "a table of extra spider arguments"),
}
_DIGEST_KEYS = {
    "to": (list, "a list of e-mail addresses"),
    "from": (str, "an e-mail address"),
    "smtp_host": (str, "a host name"),
    "smtp_port": (int, "a port number"),
    "smtp_security": (str, 'one of "starttls", "tls", "none"'),
    "smtp_user": (str, "a user name (the password comes from SCAN_SMTP_PASSWORD)"),
    "subject_prefix": (str, "a string"),
}
_CRAWL_KEYS = {
    "contact": (str, "a URL or e-mail where site owners can reach you"),
    "max_pages": (int, "a whole number of pages per source per run"),
    "max_minutes": ((int, float), "a number of minutes per source per run"),
    "httpcache": (bool, "true or false (development only)"),
    "redis": (str, "a redis:// URL: crawl through `scan crawl-worker`s (README: Scaling out)"),
}
PRIVACY_MODES = ("keep", "hash", "drop")
_PRIVACY_KEYS = {
    "authors": (str, 'one of "keep", "hash", "drop" (what is stored of who wrote a post)'),
}
# Numbers a crawl cannot run with. To Scrapy a page cap of 0 means no cap at all, and
# 0 requests in flight is a crawl that never fetches: refused, like a wrong type.
# key: (lowest value, whether that value itself is allowed, what to say)
_LOWEST = {
    "max_pages": (1, True, "at least 1 page (there is no 'unlimited')"),
    "max_minutes": (0, False, "more than 0 minutes"),
    "download_delay": (0, True, "0 seconds or more"),
    "concurrency": (1, True, "at least 1 request in flight"),
}
_TOP_KEYS = {
    "db": (str, "a path to the SQLite file, relative to the config file"),
    "company": (dict, "a table"),
    "competitors": (list, "an array of tables ([[competitors]])"),
    "sources": (list, "an array of tables ([[sources]])"),
    "digest": (dict, "a table"),
    "crawl": (dict, "a table"),
    "privacy": (dict, "a table"),
}


@dataclass
class Company:
    name: str
    aliases: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Source:
    name: str
    spider: str
    url: str | None = None
    query: str | None = None
    company: str | None = None
    about_company: bool | None = None
    enabled: bool = True
    rule: str | None = None
    subreddits: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    comments: bool = False
    max_pages: int | None = None
    max_minutes: float | None = None  # the source's time budget per run
    download_delay: float | None = None
    concurrency: int | None = None
    autothrottle: bool | None = None
    next_selector: str | None = None
    args: dict[str, Any] = field(default_factory=dict)

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
    to: list[str] = field(default_factory=list)
    from_addr: str = "scan@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_user: str = ""
    subject_prefix: str = "[scan]"

    @property
    def password(self) -> str | None:
        """Only ever from the environment, so it is never on a command line or in a file."""
        return os.environ.get("SCAN_SMTP_PASSWORD") or None


@dataclass
class Crawl:
    contact: str = "https://github.com/scan-project/scan"
    max_pages: int = 200
    max_minutes: float = 30.0  # a source's time budget per run, unless it sets its own
    httpcache: bool = False
    redis: str | None = None  # crawl through Redis and `scan crawl-worker`s


@dataclass
class Privacy:
    """``[privacy]``: what the database keeps of who wrote a post (``scanner.privacy``).

    ``authors`` unset: a new database keeps names and an existing one keeps the
    mode it is in, so deleting the table never quietly brings names back.
    """

    authors: str | None = None


@dataclass
class Config:
    path: Path | None
    db: Path
    company: Company
    competitors: list[Company] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    digest: Digest = field(default_factory=Digest)
    crawl: Crawl = field(default_factory=Crawl)
    privacy: Privacy = field(default_factory=Privacy)

    @property
    def companies(self) -> list[Company]:
        return [self.company, *self.competitors]

    def company_named(self, name: str | None) -> Company:
        if not name:
            return self.company
        for company in self.companies:
            if company.name.casefold() == name.casefold():
                return company
        known = ", ".join(c.name for c in self.companies)
        raise ConfigError(self.path or "config", f"no company named {name!r} (known: {known})")

    def source_named(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none configured"
        raise ConfigError(self.path or "config", f"no source named {name!r} (known: {known})")


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
    try:
        raw_text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from exc
    try:
        data = tomllib.loads(raw_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML: {exc}") from exc
    return _build(path, raw_text, data)


def _build(path: Path, raw: str, data: dict[str, Any]) -> Config:
    check = _Checker(path, raw)
    check.table(data, _TOP_KEYS, "")
    company_data = data.get("company") or {}
    check.table(company_data, _COMPANY_KEYS, "company")
    if "name" not in company_data:
        raise ConfigError(
            path, "missing: every config names the company it watches", "company.name"
        )
    company = _company(check, company_data, "company")
    competitors = []
    for i, entry in enumerate(data.get("competitors", [])):
        key = f"competitors[{i}]"
        check.is_table(entry, key)
        check.table(entry, _COMPANY_KEYS, key)
        if "name" not in entry:
            raise ConfigError(path, "missing: a competitor needs a name", f"{key}.name")
        competitors.append(_company(check, entry, key))
    sources, seen = [], set()
    for i, entry in enumerate(data.get("sources", [])):
        key = f"sources[{i}]"
        check.is_table(entry, key)
        check.table(entry, _SOURCE_KEYS, key)
        for required in ("name", "spider"):
            if required not in entry:
                raise ConfigError(path, "missing: every source needs one", f"{key}.{required}")
        if entry["spider"] not in SPIDERS:
            check.fail(f"{key}.spider", "spider", f"expected one of: {', '.join(SPIDERS)}; "
                       f"got {entry['spider']!r}")  # fmt: skip
        if entry["name"] in seen:
            check.fail(f"{key}.name", "name", f"duplicate source name {entry['name']!r}")
        seen.add(entry["name"])
        sources.append(Source(**entry))
    digest_data = dict(data.get("digest") or {})
    check.table(digest_data, _DIGEST_KEYS, "digest")
    if digest_data.get("smtp_security", "none") not in {"starttls", "tls", "none"}:
        check.fail("digest.smtp_security", "smtp_security", 'expected "starttls", "tls" or "none"')
    if "from" in digest_data:
        digest_data["from_addr"] = digest_data.pop("from")
    crawl_data = data.get("crawl") or {}
    check.table(crawl_data, _CRAWL_KEYS, "crawl")
    privacy_data = data.get("privacy") or {}
    check.table(privacy_data, _PRIVACY_KEYS, "privacy")
    if privacy_data.get("authors", "keep") not in PRIVACY_MODES:
        check.fail("privacy.authors", "authors", 'expected "keep", "hash" or "drop"; '
                   f"got {privacy_data['authors']!r}")  # fmt: skip
    db = Path(data.get("db", "scan.db")).expanduser()
    if not db.is_absolute():
        db = path.parent / db
    return Config(
        path=path,
        db=db,
        company=company,
        competitors=competitors,
        sources=sources,
        digest=Digest(**digest_data),
        crawl=Crawl(**crawl_data),
        privacy=Privacy(**privacy_data),
    )


def _company(check: _Checker, data: dict[str, Any], key: str) -> Company:
    for list_key in ("aliases", "exclude"):
        check.strings(data.get(list_key, []), f"{key}.{list_key}")
    return Company(**data)


class _Checker:
    def __init__(self, path: Path, raw: str) -> None:
        self.path, self.raw = path, raw

    def fail(self, dotted: str, bare: str, reason: str) -> None:
        line = self._line_of(bare)
        where = f"{dotted} (line {line})" if line else dotted
        raise ConfigError(self.path, reason, where)

    def is_table(self, value: Any, dotted: str) -> None:
        if not isinstance(value, dict):
            raise ConfigError(self.path, f"expected a table, got {_kind(value)}", dotted)

    def table(self, data: dict[str, Any], schema: dict[str, tuple[Any, str]], prefix: str) -> None:
        for key, value in data.items():
            dotted = f"{prefix}.{key}" if prefix else key
            if key not in schema:
                known = ", ".join(sorted(schema))
                self.fail(dotted, key, f"unknown key (known keys here: {known})")
            expected, description = schema[key]
            ok = isinstance(value, expected) and not (
                isinstance(value, bool) and expected in (int, (int, float))
            )
            if not ok:
                self.fail(dotted, key, f"expected {description}, got {_kind(value)} {value!r}")
            if key in _LOWEST:
                lowest, allowed, wanted = _LOWEST[key]
                if value < lowest or (value == lowest and not allowed):
                    self.fail(dotted, key, f"expected {wanted}, got {value!r}")
            if expected is list and key not in {"competitors", "sources"}:
                self.strings(value, dotted)

    def strings(self, value: list[Any], dotted: str) -> None:
        for item in value:
            if not isinstance(item, str):
                self.fail(dotted, dotted.rsplit(".", 1)[-1],
                          f"expected a list of strings, found {_kind(item)} {item!r}")  # fmt: skip

    def _line_of(self, key: str) -> int | None:
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=", re.MULTILINE)
        match = pattern.search(self.raw)
        return self.raw.count("\n", 0, match.start()) + 1 if match else None


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)  # fmt: skip
