"""Reading an import file one record at a time, in bounded memory.

The file is never read whole: JSON Lines are read line by line and CSV record by
record (``scanner.csvrecords``, which also says how a broken CSV is read on), so
memory stays the same whatever the file's size (50 MB of JSON Lines once took
381 MB). Every problem is one bad record, reported with its line number, and the
records after it are still read:

- a line longer than ``MAX_LINE`` (1 MiB) is skipped without being held;
- JSON nested deeper than ``scanner.jsonsafe.MAX_DEPTH`` is invalid;
- bytes that are not UTF-8 make their record bad (in the CSV header, the whole
  file).

A CSV record becomes a row named by the header, whose column names are checked
here: a field named twice, or no ``text``, refuses the file.
"""

from __future__ import annotations

import gzip
import io
import re
import shlex
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from scanner import jsonsafe
from scanner.csvrecords import (
    MAX_LINE,
    TOO_LONG,
    CsvRecords,
    has_bad_bytes,
)
from scanner.errors import BadRow, ImportFileError

__all__ = ["FIELDS", "BadRow", "Record", "detect_format", "field_name", "records"]

_BOM = b"\xef\xbb\xbf"
_EOL = re.compile(rb"\r\n|\r|\n")  # line ends (``_lines``)
_CHUNK = 1 << 16  # bytes read at a time

Record = tuple[int, "dict[str, Any] | BadRow"]  # (line number, the record or why it is bad)


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = _unzipped(path).suffix.lower().lstrip(".")
    if suffix in {"jsonl", "ndjson", "json"}:
        return "jsonl"
    if suffix in {"csv", "tsv"}:
        return "csv"
    raise ImportFileError(
        f"{path}: cannot tell the format from the extension {path.suffix!r}; "
        "pass --format jsonl or --format csv"
    )


def records(path: Path, fmt: str) -> Iterator[Record]:
    """Every record of the file, in order. Raises ``ImportFileError`` when the
    file cannot be read at all (before the first record is returned)."""
    try:
        raw = path.open("rb")
        head = raw.peek(_HEAD)[:_HEAD]  # looked at, not taken: a pipe is read once
        if head.startswith(_GZIP):  # "reviews.jsonl.gz": read as it unpacks, never whole
            raw = io.BufferedReader(gzip.GzipFile(fileobj=raw))
            head = raw.peek(_HEAD)[:_HEAD]
    except (OSError, EOFError, zlib.error) as exc:
        raise ImportFileError(f"{path}: cannot read: {_why(exc)}") from exc
    try:
        _sniff(path, fmt, head)
    except ImportFileError:
        raw.close()
        raise
    if fmt == "jsonl":
        return _closing(path, raw, _jsonl(raw))
    stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
    delimiter = "\t" if _unzipped(path).suffix.lower() == ".tsv" else ","
    try:
        rows = _csv(stream, delimiter)
        first = next(rows, None)  # reads and checks the header now
    except ImportFileError as exc:
        stream.close()
        raise ImportFileError(f"{path}: {exc}") from exc
    return _closing(path, stream, _chain(first, rows))


_UTF16_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_GZIP = b"\x1f\x8b"
#: The fields a record may have (the rest are kept as its facts, ``extra``): a CSV header
#: naming one of them twice is refused, since the second value would replace the first.
FIELDS = frozenset(
    {
        "id",
        "text",
        "source",
        "author",
        "title",
        "url",
        "rating",
        "rating_scale",
        "published_at",
        "language",
        "company",
        "grievance",
    }
)
_HEAD = 4096  # bytes of the file looked at before it is read


def field_name(column: str) -> str:
    """The field a column names, however a spreadsheet wrote it: "Published At" is
    ``published_at``."""
    return column.strip().casefold().replace(" ", "_")


def _unzipped(path: Path) -> Path:
    """The name a compressed file has once unpacked: "reviews.csv" of "reviews.csv.gz"."""
    return path.with_suffix("") if path.suffix.lower() == ".gz" else path


def _sniff(path: Path, fmt: str, head: bytes) -> None:
    """Refuse, in one line, a file whose every row would be bad for one reason: a
    UTF-16 or UTF-32 file (spreadsheet and PowerShell exports), or a JSON array
    given as JSON Lines. Read row by row, it gave a flood of "invalid JSON" lines
    that never named the cause. ``head`` is the file's first bytes."""
    if head.startswith(_UTF16_32) or _utf16_without_bom(head):
        raise ImportFileError(
            f"{path}: the file is UTF-16 or UTF-32, not UTF-8 (re-save it as UTF-8)"
        )
    start = head.removeprefix(_BOM).lstrip()
    if fmt == "jsonl" and start.startswith(b"["):
        raise ImportFileError(
            f"{path}: a JSON array, not JSON Lines (one object per line): convert it first, "
            f"e.g. {_jq_command(path, '.[]')}"
        )
    if fmt == "jsonl" and _EOL.split(start, 1)[0].strip() == b"{":  # line ends as read
        raise ImportFileError(
            f"{path}: JSON written over several lines, not JSON Lines (one object per "
            f"line): convert it first, e.g. {_jq_command(path, '.')}"
        )


def _jq_command(path: Path, program: str) -> str:
    """The shell command that writes ``path`` as JSON Lines to a file beside it of
    another name: "jq . x.jsonl > x.jsonl" had the shell empty the file before jq
    read it. jq reads no gzip, so a compressed file is unpacked into it."""
    target = shlex.quote(f"{_unzipped(path).stem}.lines.jsonl")
    name, program = shlex.quote(path.name), shlex.quote(program)
    if path.suffix.lower() == ".gz":
        return f"gunzip -c {name} | jq -c {program} > {target}"
    return f"jq -c {program} {name} > {target}"


def _utf16_without_bom(head: bytes) -> bool:
    """Whether ``head`` reads as UTF-16 text although it has no byte order mark:
    NUL bytes, which no UTF-8 text of ours holds, beside each character of ASCII
    (the JSON or CSV around the words, and the spaces between them). Text in a
    script beyond ASCII (Hindi, Tamil) has far fewer of them than a quarter of
    its bytes, which was all that was checked."""
    if len(head) < 4 or head.count(b"\x00") * 16 < len(head):
        return False
    even = head[: len(head) // 2 * 2]
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = even.decode(encoding)
        except UnicodeDecodeError:
            continue
        # a line end read as one (a whole line is in the head), or the whole file
        if "\x00" not in text and ("\n" in text or len(head) < _HEAD):
            return True
    return head.count(b"\x00") * 4 >= len(head)


def _closing(path: Path, stream: IO[Any], rows: Iterator[Record]) -> Iterator[Record]:
    """``rows``, closing ``stream`` after them. Where a compressed file is damaged
    or cut short, one bad row says so and reading ends: every row before it is
    stored (the EOFError had stopped the import as "Aborted!", losing its batch)."""
    line = 0
    with stream:
        try:
            for record in rows:
                line = record[0]
                yield record
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            yield (
                line + 1,
                BadRow(
                    f"the compressed file is damaged or cut short here ({_why(exc)}); "
                    "nothing after it can be read"
                ),
            )


def _why(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)


def _chain(first: Record | None, rest: Iterator[Record]) -> Iterator[Record]:
    if first is not None:
        yield first
        yield from rest


def _jsonl(stream: IO[bytes]) -> Iterator[Record]:
    for number, raw in enumerate(_lines(stream), start=1):
        if raw is None:
            yield number, BadRow(TOO_LONG)
            continue
        record = _jsonl_record(raw.removeprefix(_BOM) if number == 1 else raw)
        if record is not None:
            yield number, record


def _lines(stream: IO[bytes]) -> Iterator[bytes | None]:
    """Each line of ``stream`` without its end, None for one longer than ``MAX_LINE``
    (read past, never held whole).

    A line ends at LF, CRLF or a CR alone (a classic Mac editor), as in a CSV:
    ``readline`` knows LF only, and a file whose lines end in CR was one line,
    refused whole as longer than 1 MiB or, when shorter, as "Extra data" after
    its first record. In JSON a raw CR is whitespace between tokens, never part
    of a string, so no record is cut by it.
    """
    kept, too_long = b"", False
    while True:
        chunk = stream.read(_CHUNK)
        # What is kept holds no line end but perhaps a CR at its end: read from there,
        # not from its start again (a line of 1 MiB was read 16 times over).
        scanned = max(len(kept) - 1, 0)
        kept += chunk
        start = 0
        for end in _EOL.finditer(kept, scanned):
            if chunk and end.end() == len(kept) and end.group() == b"\r":
                break  # perhaps the CR of a CRLF cut between two reads
            line = kept[start : end.start()]
            yield None if too_long or len(line) > MAX_LINE else line
            start, too_long = end.end(), False
        kept = kept[start:]
        # A CR held back above ends the line held: it is not counted in the line's
        # length, and it is kept when the line is let go, or the next line would be
        # read as the rest of this one (and lost with it, its successors numbered
        # one too few).
        pending = b"\r" if chunk and kept.endswith(b"\r") else b""
        if len(kept) - len(pending) > MAX_LINE:  # too long already: stop holding it
            kept, too_long = pending, True
        if not chunk:
            if kept or too_long:
                yield None if too_long else kept
            return


def _jsonl_record(raw: bytes) -> dict[str, Any] | BadRow | None:
    """The record on one line (None: a blank line)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadRow("not valid UTF-8 (re-save the file as UTF-8)")
    if not line.strip():
        return None
    try:
        record = jsonsafe.loads(line)
    except jsonsafe.TooDeep as exc:
        return BadRow(str(exc))
    except ValueError as exc:
        why = str(getattr(exc, "msg", exc))
        if hasattr(exc, "colno"):  # some of json's messages end in "at" themselves
            why = f"{why.removesuffix(' at')} at column {exc.colno}"
        return BadRow(f"invalid JSON: {why}")
    if not isinstance(record, dict):
        return BadRow(f"expected a JSON object, got {type(record).__name__}")
    return record


def _csv(stream: IO[str], delimiter: str) -> Iterator[Record]:
    """The CSV records (``scanner.csvrecords``) as rows named by the header."""
    reader = CsvRecords(stream, delimiter)
    if reader.header is None:
        return
    header = [h.strip() for h in reader.header]
    if any(has_bad_bytes(h) for h in header):
        # Every record's fields are named by it: a column name that is not UTF-8
        # would reach the store in every row (as a key of its extra facts).
        raise ImportFileError(
            "line 1: the CSV header is not valid UTF-8 (re-save the file as UTF-8)"
        )
    names = [field_name(h) for h in header]
    twice = sorted(
        {h for h, n in zip(header, names, strict=True) if n in FIELDS and names.count(n) > 1}
    )
    if twice:  # a row's second value would silently replace its first
        raise ImportFileError(f"line 1: the CSV header names {', '.join(map(repr, twice))} twice")
    if "text" not in names:
        found = ", ".join(header)
        raise ImportFileError(f"line 1: the CSV header has no 'text' column (found: {found})")
    # the id, read under its own name only (scanner.importing): tells rows from prose
    reader.key = header.index("id") if "id" in header else None
    for line, values in reader:
        if isinstance(values, BadRow):
            yield line, values
            continue
        yield line, {k: (v if v != "" else None) for k, v in zip(header, values, strict=True)}
