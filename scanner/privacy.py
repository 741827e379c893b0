"""Keeping people's names out of the database: ``[privacy] authors`` in scanner.toml.

- ``keep`` stores each post's author as the site shows it.
- ``hash`` stores a pseudonym instead: ``anon-`` and 16 hex digits of an
  HMAC-SHA256, keyed with a secret that only ever comes from the environment
  (``SCAN_AUTHOR_KEY``), of the post's *person key* (``scanner.judge.people``: the
  folded handle, so one person is one pseudonym on every site; for a
  placeholder author such as "Anonymous", the post's source and text). People
  are therefore counted exactly as before, but no name is stored or shown, and
  without the key a pseudonym cannot be tested against a guessed name.
- ``drop`` stores no author at all: every post then counts as its own person
  (identical text on one source still counts once).

Under ``hash`` and ``drop`` the e-mail addresses and phone numbers quoted in a
post's title, text and site facts are masked as the digest masks them, and site
facts that describe the writer (``location``) are left out.

The transformation is applied in one place, ``Store.upsert_mentions``, so that
every writer (crawl, import, a script) goes through it; the database records
its mode (``scanner.store.authors``), and switching an existing database
rewrites it in place.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from typing import Any, Literal, overload

from scanner.digest.mask import mask
from scanner.errors import ScanError
from scanner.judge.people import person_key

KEEP, HASH, DROP = "keep", "hash", "drop"
MODES = (KEEP, HASH, DROP)
KEY_ENV = "SCAN_AUTHOR_KEY"
MIN_KEY_CHARS = 32
_PSEUDONYM = re.compile(r"anon-[0-9a-f]{16}")
# Only a text with an "@" or a digit can hold an address or a number: the masks'
# own patterns cost ten times this look (bench/privacy.py).
_CONTACT_HINT = re.compile(r"[@\d]")
# Site facts (``extra``) that describe the person rather than the post.
PERSONAL_FACTS = frozenset({"location"})
_KEY_CHECK_LABEL = b"scan: which key hashed these authors"


class PrivacyError(ScanError):
    """The privacy setting cannot be honoured (no key, a different key)."""


@overload
def key_from_env(*, required: Literal[True]) -> bytes: ...
@overload
def key_from_env(*, required: bool) -> bytes | None: ...
def key_from_env(*, required: bool) -> bytes | None:
    """The secret from ``SCAN_AUTHOR_KEY``; a clear error when it is needed and missing."""
    value = os.environ.get(KEY_ENV, "")
    if not value:
        if required:
            raise PrivacyError(
                f'[privacy] authors = "hash" needs a secret key in the environment variable '
                f"{KEY_ENV} (never in a file); make one with: "
                "python3 -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return None
    if len(value) < MIN_KEY_CHARS:
        raise PrivacyError(
            f"{KEY_ENV} is {len(value)} characters long; use at least {MIN_KEY_CHARS} "
            "(a short key lets anyone with the database test guessed names against it)"
        )
    return value.encode("utf-8")


def key_check(key: bytes) -> str:
    """A fingerprint of the key, stored with the mode so a different key is noticed.

    Hashing with another key would give every returning person a new pseudonym
    and count them twice; the fingerprint reveals nothing about the key itself.
    """
    return hmac.new(key, _KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:16]


def is_pseudonym(author: str | None) -> bool:
    return bool(author and _PSEUDONYM.fullmatch(author))


@dataclass(frozen=True)
class AuthorPolicy:
    """How a mention row is stored under one mode (``key`` only for ``hash``)."""

    mode: str = KEEP
    key: bytes | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise PrivacyError(f"unknown privacy mode {self.mode!r} (known: {', '.join(MODES)})")
        if self.mode == HASH and not self.key:
            raise PrivacyError(f'[privacy] authors = "hash" needs {KEY_ENV}')

    @property
    def hash_key(self) -> bytes:
        """The secret under ``hash`` (``__post_init__`` makes sure there is one)."""
        if self.key is None:
            raise PrivacyError(f'[privacy] authors = "hash" needs {KEY_ENV}')
        return self.key

    @property
    def keeps(self) -> bool:
        return self.mode == KEEP

    def author(self, author: str | None, source: str | None, text: str | None) -> str | None:
        """What is stored as the author of a post (from its raw author, source and text)."""
        if self.mode == KEEP:
            return author
        if self.mode == DROP:
            return None
        if is_pseudonym(author):
            return author  # already stored under this policy: written back unchanged
        person = person_key(author, source, text).encode("utf-8")
        digest = hmac.new(self.hash_key, person, hashlib.sha256).hexdigest()
        return "anon-" + digest[:16]

    def import_digest(
        self, source: str, author: str | None, published: str | None, text: str
    ) -> str:
        """The id ``scan import`` gives a record without one under ``hash`` or ``drop``.

        Under ``keep`` import hashes source, author, date and text (its ids must
        not change); stored next to the text, such a hash lets anyone test guessed
        names. So ``hash`` keys it, and ``drop`` hashes only what is stored (the
        masked text): identical stored posts of one moment on one source are one
        post unless they come in one file (``ImportIds``). ``published`` is the stored
        ISO 8601 date, so a switch can re-derive it.
        """
        if self.mode == HASH:
            parts = "\x1f".join(["import-id", source, author or "", published or "", text])
            digest = hmac.new(self.hash_key, parts.encode("utf-8"), hashlib.sha256)
            return digest.hexdigest()[:16]
        if self.mode == DROP:
            parts = "\x1f".join(["import-id", source, published or "", _masked(text)])
            return hashlib.sha256(parts.encode("utf-8")).hexdigest()[:16]
        raise ValueError("under keep, scan import derives its own ids")

    def scrub(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row as this policy stores it: author replaced, contact details masked.

        ``extra`` may be a dict or its JSON text (as stored); it comes back as a dict
        or unchanged text when it is not JSON.
        """
        if self.mode == KEEP:
            return row
        out = dict(row)
        out["author"] = self.author(row.get("author"), row.get("source"), row.get("text"))
        for field in ("title", "text"):
            if out.get(field):
                out[field] = _masked(out[field])
        if isinstance(out.get("extra"), dict):
            out["extra"] = scrub_facts(out["extra"])
        return out


class ImportIds:
    """Names for imported records without an id of their own, under ``hash`` or ``drop``.

    ``<digest>`` (``AuthorPolicy.import_digest``), and for each further distinct
    record with the same digest, in the order they come, ``<digest>-2``, ``-3``...
    Under ``drop`` two records whose texts differ only in masked contact details
    share a digest: they stay two posts. Import and a switch name posts this one
    way, in file order and in stored order, so re-importing a file adds nothing.
    """

    def __init__(self, policy: AuthorPolicy) -> None:
        self.policy = policy
        self.seen: dict[tuple[str, str], list[tuple[str | None, str]]] = {}

    def name(self, source: str, author: str | None, published: str | None, text: str) -> str:
        digest = self.policy.import_digest(source, author, published, text)
        owners = self.seen.setdefault((source, digest), [])
        if (author, text) not in owners:
            owners.append((author, text))
        n = owners.index((author, text))
        return digest if n == 0 else f"{digest}-{n + 1}"


def scrub_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Site facts without the personal ones, contact details masked in the rest."""
    return {k: _masked(v) for k, v in facts.items() if k not in PERSONAL_FACTS}


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value) if _CONTACT_HINT.search(value) else value
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value
