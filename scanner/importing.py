"""``scan import``: complaints from other channels (a complaint-box export, support
tickets) as JSON Lines or CSV.

Every row is checked on its own: a bad row is reported with its line number and
reason and the good rows are stored (or, with ``strict``, nothing is stored when
any row is bad). Importing the same file twice adds nothing, because a row's id
(given, or derived from its content) names the mention. The file is read and
stored in batches (``scanner.importrows``), so memory does not grow with it.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from scanner.config import Config
from scanner.errors import OptionError
from scanner.importrows import FIELDS, BadRow, Record, detect_format, field_name, records
from scanner.judge.categories import categorise
from scanner.judge.complaints import complaint_rules
from scanner.privacy import AuthorPolicy, ImportIds
from scanner.store import Store, UpsertResult, clean_id
from scanner.store.authors import writing_policy
from scanner.text.clean import MAX_TEXT_CHARS, clean_line, clean_text, cut_text
from scanner.text.counts import counted
from scanner.text.dates import DateOutOfRange, iso, to_utc, why_implausible
from scanner.text.language import guess_language
from scanner.text.safe import cluster_cut

__all__ = ["BadRow", "ImportResult", "RowError", "detect_format", "import_file", "import_notes"]

FORMATS = ("jsonl", "csv")
#: Columns that often hold a field under another name. Never read as that field
#: (a "date" may be when the file was exported, a "name" the product's): the
#: import says what it did not read, so that a file of five-star reviews in a
#: "stars" column is not silently stored as grievances without a rating.
_LIKELY_FIELD = {
    "date": "published_at",
    "created_at": "published_at",
    "created": "published_at",
    "published": "published_at",
    "timestamp": "published_at",
    "time": "published_at",
    "stars": "rating",
    "star": "rating",
    "score": "rating",
    "body": "text",
    "review": "text",
    "content": "text",
    "comment": "text",
    "message": "text",
    "user": "author",
    "username": "author",
    "user_name": "author",
    "name": "author",
    "link": "url",
    "permalink": "url",
    "headline": "title",
    "subject": "title",
    "lang": "language",
    "complaint": "grievance",
}
#: Unread columns remembered per import (for the note): a bound, since every row
#: of a JSON Lines file may bring keys of its own.
_UNREAD_KEPT = 100
BATCH = 500
#: How long a failed import waits to record its run when the database is locked.
LOCKED_RECORD_WAIT_MS = 2000
#: Bad rows kept in the result (and the run record); all are counted and reported.
KEPT_ERRORS = 1000
#: Set in a mention whose text was longer than MAX_TEXT_CHARS (the store reads only
#: its own fields): the import says which lines it cut.
_CUT = "_cut"
_GIVEN_ID = "_given_id"  # the record named its id (a derived one repeats only with its content)
#: Half a surrogate pair: JSON can write one ("\ud800", an emoji cut in two by a
#: JavaScript export), but UTF-8 cannot, so neither hashing nor SQLite can store it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportResult:
    path: Path
    rows: int = 0
    stored: UpsertResult = field(default_factory=UpsertResult)
    errors: list[RowError] = field(default_factory=list)  # the first KEPT_ERRORS
    rejected: int = 0
    strict_aborted: bool = False
    # Lines whose text was longer than MAX_TEXT_CHARS and was cut (stored, but said).
    cut: list[int] = field(default_factory=list)
    # Rows stored per company they name: one the config does not watch is in no report.
    companies: Counter[str] = field(default_factory=Counter)
    # Columns that are no field we read, by how many rows had them (up to _UNREAD_KEPT).
    unread: Counter[str] = field(default_factory=Counter)

    def reject(self, error: RowError, on_error: Callable[[RowError], None] | None) -> None:
        self.rejected += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(error)
        if on_error is not None:
            on_error(error)


def import_notes(result: ImportResult, config: Config) -> list[str]:
    """What was stored but will not show as the user may expect: nothing at all (an
    empty file: a nightly import of an export that failed would otherwise pass
    unnoticed), texts cut to ``MAX_TEXT_CHARS``, and rows about a company the config
    does not watch (no report, cluster or issue reads them until it is added)."""
    notes = []
    if not result.rows and not result.rejected:
        notes.append("no rows in it (an empty file, blank lines, or a CSV header alone)")
    for column, rows in sorted(result.unread.items()):
        meant = _meant_field(column)
        if meant:
            notes.append(
                f"column {column!r} ({counted(rows, 'row')}) is no field scan reads, so it "
                f"was not taken as {meant!r}: rename it to use it (kept with the row's "
                "other facts)"
            )
    if result.cut:
        lines = ", ".join(map(str, result.cut[:10])) + (", …" if len(result.cut) > 10 else "")
        notes.append(
            f"{counted(len(result.cut), 'text')} longer than {MAX_TEXT_CHARS:,} characters "
            f"stored cut to that length (line {lines})"
        )
    watched = {c.name.casefold() for c in config.companies}
    for name, rows in sorted(result.companies.items()):
        if name.casefold() not in watched:
            notes.append(
                f"{counted(rows, 'row')} about {name!r}, which {config.path or 'the config'} "
                f"does not watch: add it as [[competitors]] (or [company]) to report on them"
            )
    return notes


class _StrictAbort(Exception):
    """Rolls a --strict import back: some row was bad."""


def import_file(
    store: Store,
    path: Path,
    *,
    company: str,
    fmt: str | None = None,
    strict: bool = False,
    default_source: str = "import",
    on_error: Callable[[RowError], None] | None = None,
) -> ImportResult:
    """Read, check and store every row of ``path``; see the module docstring.

    ``on_error`` hears of each bad row as it is found, in line order. With
    ``strict`` the whole import is one transaction, rolled back if any row is
    bad (the write lock is held meanwhile); otherwise each batch commits alone.
    The run is recorded before, in a transaction of its own, so that a rollback
    leaves the attempt in the runs table, closed as failed with why.
    """
    source = clean_id(default_source).strip()
    if not source:  # stored as a source of no name, in every row without one
        raise OptionError(f"--source must name a source, got {default_source!r}")
    default_source = source
    rows = records(path, detect_format(path, fmt))
    result = ImportResult(path=path)
    # [privacy] authors: how ids without one are derived
    names = ImportIds(writing_policy(store.db))
    run_id = store.start_run("import", source=str(path))
    try:
        with store.db.atomic() if strict else nullcontext():
            _store_all(store, run_id, rows, result, company, default_source, on_error, names)
            if strict and result.rejected:
                raise _StrictAbort
            _record(store, run_id, result, status="partial" if result.rejected else "ok")
    except _StrictAbort:
        result.strict_aborted = True
        result.stored = UpsertResult()
        # the bad rows, said already, are what the user needs
        _close_failed(
            store,
            run_id,
            result,
            message=f"{counted(result.rejected, 'bad row')}; nothing stored (--strict)",
        )
    except BaseException as exc:
        # Said as it happened (a full disk, an unreadable file, Ctrl-C): "killed" by
        # the next command's guess would hide why. The batches stored before it stay,
        # unless the import was --strict and rolled back.
        if strict:
            result.stored = UpsertResult()
        interrupted = isinstance(exc, KeyboardInterrupt)
        _close_failed(
            store,
            run_id,
            result,
            status="interrupted" if interrupted else "failed",
            errors=[] if interrupted else [f"{type(exc).__name__}: {exc}"],
            locked=isinstance(exc, sqlite3.OperationalError)
            and exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY,
        )
        raise
    return result


def _record(
    store: Store,
    run_id: int,
    result: ImportResult,
    *,
    status: str,
    errors: list[str] | None = None,
    message: str | None = None,
) -> None:
    """Close the import's run with what it committed; ``errors`` default to its bad rows."""
    stored = result.stored
    store.finish_run(
        run_id,
        status=status,
        items=stored.new + stored.updated + stored.unchanged,
        new=stored.new,
        updated=stored.updated,
        dropped=result.rejected,
        errors=[str(e) for e in result.errors[:100]] if errors is None else errors,
        message=message,
    )


def _close_failed(
    store: Store,
    run_id: int,
    result: ImportResult,
    *,
    status: str = "failed",
    errors: list[str] | None = None,
    message: str | None = None,
    locked: bool = False,
) -> None:
    """Record a run that did not finish, with what it committed. On a full disk the
    rolled-back write may still fill the WAL: the record is tried again after a
    checkpoint has given that space back. When another process holds the write
    lock, once and briefly: each attempt had waited the full busy timeout, four
    minutes in all before the user heard why (the run's counts are in the runs
    table already, committed with each batch). Never raises: the error being
    handled is what the user must see."""
    if locked:
        store.db.execute(f"PRAGMA busy_timeout = {LOCKED_RECORD_WAIT_MS}")
    for attempt in range(1 if locked else 2):
        try:
            if store.db.conn.in_transaction:  # a batch cut off mid-write (Ctrl-C) is not kept
                store.db.conn.rollback()
            if attempt:
                store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _record(store, run_id, result, status=status, errors=errors, message=message)
            return
        except Exception:  # noqa: S112 - the next attempt, or the caller's error
            continue


def _store_all(
    store: Store,
    run_id: int,
    rows: Iterator[Record],
    result: ImportResult,
    company: str,
    default_source: str,
    on_error: Callable[[RowError], None] | None,
    names: ImportIds,
) -> None:
    """Check and store ``rows`` batch by batch, counting in ``result``. The run is
    recorded by the caller, out of a --strict import's transaction."""
    while batch := list(islice(rows, BATCH)):
        result.rows += len(batch)
        errors: list[RowError] = []
        checked = list(_checked(batch, errors, company, default_source, names, result.unread))
        good, twice = _reject_id_clashes(store, checked, errors, run_id)
        result.stored.unchanged += twice
        for error in sorted(errors, key=lambda e: e.line):
            result.reject(error, on_error)
        kept = {id(row) for row in good}
        for line, row in checked:
            if id(row) in kept:
                result.companies[row["company"]] += 1
                if row.get(_CUT):
                    result.cut.append(line)
        if good:
            stored = store.upsert_mentions(good, run_id=run_id)
            result.stored += UpsertResult(stored.new, stored.updated, stored.unchanged)


def _checked(
    batch: Iterable[Record],
    errors: list[RowError],
    company: str,
    default_source: str,
    names: ImportIds,
    unread: Counter[str],
) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, record in batch:
        try:
            if isinstance(record, BadRow):
                raise record
            yield (
                line,
                _mention(
                    _mended(_named_fields(record, unread)),
                    company=company,
                    default_source=default_source,
                    policy=names.policy,
                    names=names,
                ),
            )
        except BadRow as exc:
            errors.append(RowError(line, str(exc)))


def _meant_field(column: str) -> str | None:
    """The field a column that is none probably stands for ("stars": rating, "ratin":
    rating), or None for a column of facts of its own ("app_version")."""
    key = field_name(column).replace("-", "_")
    if key in _LIKELY_FIELD:
        return _LIKELY_FIELD[key]
    close = difflib.get_close_matches(key, sorted(FIELDS), n=1, cutoff=0.8)
    return close[0] if close else None


#: Fields a row's id depends on: read only under their own names, so that a file
#: imported before (its "ID" column kept as a fact, the id derived) keeps its ids
#: and is not stored a second time. Named in a note instead ("is it 'id'?").
_NAMING_FIELDS = frozenset({"id", "source", "company"})


def _named_fields(record: dict[str, Any], unread: Counter[str]) -> dict[str, Any]:
    """The record with a field named in another case or with spaces read as that
    field ("Rating", "Published At": spreadsheet headers), unless the record has
    it under its own name too, or it names the row (``_NAMING_FIELDS``); other
    unknown keys are counted in ``unread``."""
    out = {}
    for key, value in record.items():
        canonical = field_name(key) if isinstance(key, str) else key
        if key not in FIELDS and canonical in FIELDS - _NAMING_FIELDS and canonical not in record:
            key = canonical
        elif key not in FIELDS and (key in unread or len(unread) < _UNREAD_KEPT):
            unread[key] += 1
        out[key] = value
    return out


def _mended(record: dict[str, Any]) -> dict[str, Any]:
    """The record with each lone surrogate replaced by U+FFFD, so that a cut emoji
    does not cost the review. Not in an id: an id must stay exactly as given (two
    ids that differ only there would become one, and one post would replace the
    other), so such a row is refused."""
    given = record.get("id")
    if isinstance(given, str) and _LONE_SURROGATE.search(given):
        raise BadRow(
            f"'id' {given!r} holds a lone surrogate (half an emoji?); an id is never altered"
        )
    return _without_surrogates(record)


def _without_surrogates(value: Any) -> Any:
    """``value`` (JSON: keys and strings at any depth) with lone surrogates replaced.
    Containers are copied; a string without one, as almost all are, is kept as it is."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value) if _LONE_SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


def _mention(
    record: dict[str, Any],
    *,
    company: str,
    default_source: str,
    policy: AuthorPolicy,
    names: ImportIds,
) -> dict[str, Any]:
    text = record.get("text")
    if text is None:
        raise BadRow("missing required field 'text'")
    if not isinstance(text, str):
        raise BadRow(f"'text' must be a string, got {type(text).__name__}")
    whole = clean_text(text, max_chars=None)
    text = cut_text(whole)
    if not text:
        raise BadRow("'text' is empty")
    source = _name(record, "source") or default_source
    author = clean_line(_string(record, "author")) or None
    title = clean_line(_string(record, "title")) or None
    url = _string(record, "url")
    published = _date(record.get("published_at"))
    rating, scale = _rating(record.get("rating"), record.get("rating_scale"))
    external_id = _name(record, "id")
    if external_id is None:
        # hashed as written, as before sources were cleaned here: the same file
        # imported again keeps its ids ("unchanged", not a second copy)
        given = _string(record, "source") or default_source
        if policy.keeps:
            digest = hashlib.sha1(  # noqa: S324 - an id, not security
                "\x1f".join([given, author or "", str(published or ""), text]).encode()
            ).hexdigest()[:16]
        else:  # no name (or masked address) that anyone could test against the id
            digest = names.name(given, author, iso(published), text)
        mention_id = f"{source}:{digest}"
        external_id = digest
    else:
        mention_id = external_id
    given_id = mention_id == external_id
    # as the store keeps them, before the id clash checks compare them
    mention_id, external_id = clean_id(mention_id), clean_id(external_id)
    grievance = _grievance(record.get("grievance"), text, title, rating, scale, record)
    extra = {k: v for k, v in record.items() if k not in FIELDS and v is not None}
    return {
        "id": mention_id,
        "company": _name(record, "company") or company,
        "source": source,
        "external_id": external_id,
        "origin": "import",
        "url": url,
        "author": author,
        "title": title,
        "text": text,
        "rating": rating,
        "rating_scale": scale if rating is not None else None,
        "language": _name(record, "language") or guess_language(text),
        "published_at": iso(published),
        "is_grievance": bool(grievance),
        "categories": categorise(text),
        "extra": extra,
        _CUT: len(whole) > len(text),
        _GIVEN_ID: given_id,
    }


# What a ``grievance`` column may say: the words of spreadsheets, databases
# (PostgreSQL exports "t" and "f") and people. Any other word is a bad row: "off",
# "nein" or "0.0" had counted as yes.
_YES = frozenset({"1", "true", "t", "yes", "y"})
_NO = frozenset({"0", "false", "f", "no", "n"})


def _grievance(
    given: Any,
    text: str,
    title: str | None,
    rating: float | None,
    scale: float,
    record: dict[str, Any],
) -> bool:
    """A record's own ``grievance`` field decides; else a record with a rating is
    judged as a crawled post is (``rules/complaint.toml``: a five-star "love it" is
    no grievance, a one-star review is); else it is one, since an export from a
    complaint box or a ticket system holds complaints."""
    if isinstance(given, str) and not given.strip():
        given = None  # blank says nothing: as if absent
    if given is not None:
        if isinstance(given, str):
            word = given.strip().casefold()
            if word in _YES or word in _NO:
                return word in _YES
            raise BadRow(
                f"'grievance' must be one of {', '.join(sorted(_YES | _NO))}"
                f" (or empty), got {given!r}"
            )
        if isinstance(given, bool) or given in (0, 1):
            return bool(given)
        raise BadRow(f"'grievance' must be true or false, got {given!r}")
    if rating is None:
        return True
    return complaint_rules().is_grievance(
        text,
        title=title,
        rating=rating,
        rating_scale=scale,
        language=_string(record, "language"),
    )


def _string(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRow(f"'{key}' must be a string, got {type(value).__name__}")
    value = str(value).strip()
    return value or None


def _name(record: dict[str, Any], key: str) -> str | None:
    """A field that names something (id, source, company, language) as the store
    will keep it (``clean_id``: clean and in NFC), before anything compares it:
    "victim\u200b-1" is "victim-1" when the id clash check looks, and a source
    written with a combining accent is the source stored with a composed one."""
    value = _string(record, key)
    if value is None:
        return None
    return clean_id(value).strip() or None


def _number(value: Any, key: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadRow(f"'{key}' must be a number, got a boolean")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadRow(f"'{key}' must be a number, got {value!r}") from None
    except OverflowError:  # an integer of hundreds of digits (JSON has no bound)
        raise BadRow(f"'{key}' must be a finite number, got {_shortened(value)}") from None
    if not math.isfinite(number):
        raise BadRow(f"'{key}' must be a finite number, got {value!r}")
    return number


def _rating(value: Any, scale_value: Any) -> tuple[float | None, float]:
    rating = _number(value, "rating")
    scale = _number(scale_value, "rating_scale")
    if scale is None:
        scale = 5.0
    if scale <= 0:  # 0 too: a "0" scale is a mistake, not "use the default"
        raise BadRow(f"'rating_scale' must be positive, got {scale_value!r}")
    if rating is not None and not 0 <= rating <= scale:
        raise BadRow(f"'rating' {rating:g} is outside 0-{scale:g}")
    return rating, scale


def _date(value: Any) -> datetime | None:
    """``published_at`` as written (derived ids hash it so: keep it), refused when
    it has no UTC form or cannot be a post's date (before any review site, in the
    future): such dates broke report hints and crashed ``scan report --since``."""
    parsed = _iso_date(value)
    if parsed is None:
        return None
    try:
        moment = to_utc(parsed)
    except DateOutOfRange:
        raise BadRow(
            f"'published_at' {value!r} is out of range (before year 1 or after 9999 in UTC)"
        ) from None
    problem = why_implausible(moment)
    if problem:
        raise BadRow(f"'published_at' {value!r} {problem}")
    return parsed


def _iso_date(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRow(f"'published_at' must be an ISO 8601 date string, got {type(value).__name__}")
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise BadRow(
            f"'published_at' {value!r} is not an ISO 8601 date (e.g. 2026-03-01 or "
            "2026-03-01T14:30:00Z)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _reject_id_clashes(
    store: Store, rows: list[tuple[int, dict[str, Any]]], errors: list[RowError], run_id: int
) -> tuple[list[dict[str, Any]], int]:
    """An id already used by another source would overwrite that post: refuse it
    (stored, or earlier in the same batch). So is an id that an earlier row of the
    same file gave: the later row had silently replaced the earlier one, a
    different post, and no count said so. This import's earlier rows are known
    by the run that last wrote them, so memory does not grow with the file. A row
    that repeats an earlier one whole (the same id and content; a derived id comes
    from the content) is the same post again: counted unchanged, stored once.
    Returns the rows to store and how many were such repeats."""
    ids = [r["id"] for _, r in rows]
    owners = store.existing_sources(ids)
    earlier = store.written_by_run(ids, run_id)  # id -> content hash
    batch: dict[str, tuple[int, dict[str, Any]]] = {}  # id -> its first (line, row) here
    kept = []
    twice = 0
    for line, row in rows:
        owner = owners.setdefault(row["id"], row["source"])
        if owner != row["source"]:
            errors.append(RowError(line, f"id {row['id']!r} already belongs to source {owner!r}"))
            continue
        mention_id = row["id"]
        if mention_id not in batch and mention_id not in earlier:
            batch[mention_id] = (line, row)
            kept.append(row)
            continue
        if mention_id in batch:
            first_line, first_row = batch[mention_id]
            first = store.content_hash_of(first_row)
        else:
            first_line, first = 0, earlier[mention_id]
        if store.content_hash_of(row) == first or not row[_GIVEN_ID]:
            twice += 1  # the same post again: nothing to store, nothing lost
        else:
            where = f"line {first_line}" if first_line else "an earlier row"
            said = f"id {mention_id!r} is that of {where} of this file too: kept that row"
            errors.append(RowError(line, said))
    return kept, twice


def _shortened(value: Any) -> str:
    """``value`` as written, cut to a readable length for an error line."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[: cluster_cut(text, 30)]}… ({len(text)} characters)"
