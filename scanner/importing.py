"""``scan import``: complaints from other channels (a complaint-box export, support
tickets) as JSON Lines or CSV.

Every row is checked on its own: a bad row is reported with its line number and
reason and the good rows are stored (or, with ``strict``, nothing is stored when
any row is bad). Importing the same file twice adds nothing, because a row's id
(given, or derived from its content) names the mention.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scanner.complaints import complaint_rules
from scanner.dates import iso
from scanner.errors import ImportFileError
from scanner.language import guess_language
from scanner.privacy import AuthorPolicy, ImportIds
from scanner.store import Store, UpsertResult
from scanner.store.authors import writing_policy
from scanner.text import clean_line, clean_text

FORMATS = ("jsonl", "csv")
KNOWN_FIELDS = {"id", "text", "source", "author", "title", "url", "rating", "rating_scale",
                "published_at", "language", "company", "grievance"}  # fmt: skip
BATCH = 500


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
    errors: list[RowError] = field(default_factory=list)
    strict_aborted: bool = False


class BadRow(ValueError):
    """One row cannot be imported; the message is the reason shown to the user."""


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in {"jsonl", "ndjson", "json"}:
        return "jsonl"
    if suffix in {"csv", "tsv"}:
        return "csv"
    raise ImportFileError(
        f"{path}: cannot tell the format from the extension {path.suffix!r}; "
        "pass --format jsonl or --format csv"
    )


def import_file(
    store: Store,
    path: Path,
    *,
    company: str,
    fmt: str | None = None,
    strict: bool = False,
    default_source: str = "import",
) -> ImportResult:
    """Read, check and store every row of ``path``; see the module docstring."""
    fmt = detect_format(path, fmt)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    # Undecodable bytes become lone surrogates, so the bad row (and only it) is
    # reported with its line number instead of the whole file failing.
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    if fmt == "jsonl":
        rows = _jsonl_rows(text)
    else:
        rows = _csv_rows(text, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
    result = ImportResult(path=path)
    policy = writing_policy(store.db)  # [privacy] authors: how ids without one are derived
    names = ImportIds(policy)
    checked: list[tuple[int, dict[str, Any]]] = []
    try:
        for line, record in rows:
            result.rows += 1
            try:
                if isinstance(record, BadRow):
                    raise record
                mention = _mention(record, company=company, default_source=default_source,
                                   policy=policy, names=names)  # fmt: skip
                checked.append((line, mention))
            except BadRow as exc:
                result.errors.append(RowError(line, str(exc)))
    except ImportFileError as exc:
        raise ImportFileError(f"{path}: {exc}") from exc
    good = _reject_id_clashes(store, checked, result)
    result.errors.sort(key=lambda e: e.line)
    if strict and result.errors:
        result.strict_aborted = True
        return result
    run_id = store.start_run("import", source=str(path))
    for start in range(0, len(good), BATCH):
        result.stored += store.upsert_mentions(good[start : start + BATCH], run_id=run_id)
    store.finish_run(
        run_id,
        status="partial" if result.errors else "ok",
        items=len(good),
        new=result.stored.new,
        updated=result.stored.updated,
        dropped=len(result.errors),
        errors=[str(e) for e in result.errors[:100]],
    )
    return result


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if _has_bad_bytes(line):
            yield number, BadRow("not valid UTF-8 (re-save the file as UTF-8)")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, BadRow(f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(record, dict):
            yield number, BadRow(f"expected a JSON object, got {type(record).__name__}")
            continue
        yield number, record


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, dict[str, Any] | BadRow]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip() for h in header]
    if "text" not in header:
        found = ", ".join(header)
        raise ImportFileError(f"line 1: the CSV header has no 'text' column (found: {found})")
    previous_end = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield previous_end + 1, BadRow(f"malformed CSV: {exc}")
            return
        line = previous_end + 1
        previous_end = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if any(_has_bad_bytes(v) for v in values):
            yield line, BadRow("not valid UTF-8 (re-save the file as UTF-8)")
            continue
        if len(values) != len(header):
            yield line, BadRow(f"expected {len(header)} fields, found {len(values)}")
            continue
        yield line, {k: (v if v != "" else None) for k, v in zip(header, values, strict=True)}


def _has_bad_bytes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _mention(record: dict[str, Any], *, company: str, default_source: str,
             policy: AuthorPolicy, names: ImportIds) -> dict[str, Any]:  # fmt: skip
    text = record.get("text")
    if text is None:
        raise BadRow("missing required field 'text'")
    if not isinstance(text, str):
        raise BadRow(f"'text' must be a string, got {type(text).__name__}")
    text = clean_text(text)
    if not text:
        raise BadRow("'text' is empty")
    source = _string(record, "source") or default_source
    author = clean_line(_string(record, "author")) or None
    title = clean_line(_string(record, "title")) or None
    url = _string(record, "url")
    published = _date(record.get("published_at"))
    rating, scale = _rating(record.get("rating"), record.get("rating_scale"))
    external_id = _string(record, "id")
    if external_id is None:
        if policy.keeps:
            digest = hashlib.sha1(  # noqa: S324 - an id, not security
                "\x1f".join([source, author or "", str(published or ""), text]).encode()
            ).hexdigest()[:16]
        else:  # no name (or masked address) that anyone could test against the id
            digest = names.name(source, author, iso(published), text)
        mention_id = f"{source}:{digest}"
        external_id = digest
    else:
        mention_id = external_id
    grievance = _grievance(record.get("grievance"), text, title, rating, scale, record)
    extra = {k: v for k, v in record.items() if k not in KNOWN_FIELDS and v is not None}
    return {
        "id": mention_id,
        "company": _string(record, "company") or company,
        "source": source,
        "external_id": external_id,
        "origin": "import",
        "url": url,
        "author": author,
        "title": title,
        "text": text,
        "rating": rating,
        "rating_scale": scale if rating is not None else None,
        "language": _string(record, "language") or guess_language(text),
        "published_at": iso(published),
        "is_grievance": bool(grievance),
        "categories": _categories(text),
        "extra": extra,
    }


def _grievance(
    given: Any, text: str, title: str | None, rating: float | None, scale: float,
    record: dict[str, Any],
) -> bool:  # fmt: skip
    """A record's own ``grievance`` field decides; else a record with a rating is
    judged as a crawled post is (``rules/complaint.toml``: a five-star "love it" is
    no grievance, a one-star review is); else it is one, since an export from a
    complaint box or a ticket system holds complaints."""
    if given is not None:
        if isinstance(given, str):
            return given.strip().lower() not in {"0", "false", "no", "n", ""}
        return bool(given)
    if rating is None:
        return True
    return complaint_rules().is_grievance(
        text, title=title, rating=rating, rating_scale=scale,
        language=_string(record, "language"),
    )  # fmt: skip


def _string(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRow(f"'{key}' must be a string, got {type(value).__name__}")
    value = str(value).strip()
    return value or None


def _number(value: Any, key: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadRow(f"'{key}' must be a number, got a boolean")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadRow(f"'{key}' must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise BadRow(f"'{key}' must be a finite number, got {value!r}")
    return number


def _rating(value: Any, scale_value: Any) -> tuple[float | None, float]:
    rating = _number(value, "rating")
    scale = _number(scale_value, "rating_scale") or 5.0
    if scale <= 0:
        raise BadRow(f"'rating_scale' must be positive, got {scale_value!r}")
    if rating is not None and not 0 <= rating <= scale:
        raise BadRow(f"'rating' {rating:g} is outside 0-{scale:g}")
    return rating, scale


def _date(value: Any) -> datetime | None:
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


def _categories(text: str) -> list[str]:
    try:
        from scanner.categories import categorise
    except ImportError:  # categories arrive with the grouping rules; tolerate their absence
        return []
    return categorise(text)


def _reject_id_clashes(
    store: Store, rows: list[tuple[int, dict[str, Any]]], result: ImportResult
) -> list[dict[str, Any]]:
    """An id already used by another source would overwrite that post: refuse it."""
    owners = store.existing_sources(r["id"] for _, r in rows)
    kept = []
    for line, row in rows:
        owner = owners.get(row["id"])
        if owner is not None and owner != row["source"]:
            result.errors.append(
                RowError(line, f"id {row['id']!r} already belongs to source {owner!r}")
            )
        else:
            kept.append(row)
    return kept
