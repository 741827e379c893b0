"""Reading an import file one record at a time, in bounded memory.

The file is never read whole: JSON Lines are read line by line and CSV record by
record, so memory stays the same whatever the file's size (50 MB of JSON Lines
once took 381 MB). Every problem is one bad record, reported with its line
number, and the records after it are still read:

- a line longer than ``MAX_LINE`` (1 MiB) is skipped without being held;
- JSON nested deeper than ``scanner.jsonsafe.MAX_DEPTH`` is invalid;
- bytes that are not UTF-8 make their record bad (in the CSV header, the whole
  file): CSV reads them as ``surrogateescape`` surrogates, which no store can encode;
- a CSV field larger than the csv module's limit (128 KiB) or any other CSV
  error drops that record; reading resumes at the end of the record, found by
  counting quotes (a quoted field may span lines, and ``""`` is one quote
  inside a field), where the csv module alone would have stopped for good;
- a quote left open (a stray ``"``) reads the rows after it into its field: when
  the lines it joined are whole rows of their own (``_joined_by_stray_quote``),
  its line is the bad record and they are read again as rows, where they had
  been lost in it, silently when the joined record happened to have the
  header's width.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from scanner import jsonsafe
from scanner.errors import ImportFileError

MAX_LINE = 1 << 20
_UNDECODED = re.compile("[\udc80-\udcff]")
_TOO_LONG = "longer than 1 MiB"
_BOM = b"\xef\xbb\xbf"

Record = tuple[int, "dict[str, Any] | BadRow"]  # (line number, the record or why it is bad)


class BadRow(ValueError):
    """One row cannot be imported; the message is the reason shown to the user."""


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
            f"e.g. jq -c '.[]' {path.name} > {path.stem}.jsonl"
        )
    if fmt == "jsonl" and start.split(b"\n", 1)[0].strip() == b"{":
        raise ImportFileError(
            f"{path}: JSON written over several lines, not JSON Lines (one object per "
            f"line): convert it first, e.g. jq -c . {path.name} > {path.stem}.jsonl"
        )


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
    number = 0
    while raw := stream.readline(MAX_LINE + 1):
        number += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            _skip_rest_of_line(stream)
            yield number, BadRow(_TOO_LONG)
            continue
        if number == 1:
            raw = raw.removeprefix(_BOM)
        try:
            line = raw.decode("utf-8").rstrip("\n").rstrip("\r")
        except UnicodeDecodeError:
            yield number, BadRow("not valid UTF-8 (re-save the file as UTF-8)")
            continue
        if not line.strip():
            continue
        try:
            record = jsonsafe.loads(line)
        except jsonsafe.TooDeep as exc:
            yield number, BadRow(str(exc))
            continue
        except ValueError as exc:
            where = f" at column {exc.colno}" if hasattr(exc, "colno") else ""
            yield number, BadRow(f"invalid JSON: {getattr(exc, 'msg', exc)}{where}")
            continue
        if not isinstance(record, dict):
            yield number, BadRow(f"expected a JSON object, got {type(record).__name__}")
            continue
        yield number, record


def _skip_rest_of_line(stream: IO[Any]) -> int:
    """Read to the end of the current line without keeping it; its quote count."""
    quotes = 0
    while chunk := stream.readline(MAX_LINE):
        if isinstance(chunk, bytes):
            if chunk.endswith(b"\n"):
                break
            continue
        quotes += chunk.count('"')
        if chunk.endswith(("\n", "\r")):
            break
    return quotes


class _TooLong(Exception):
    """Raised through the csv reader when a physical line exceeds ``MAX_LINE``."""


class _Lines:
    """The physical lines the csv reader reads, counted, with the quotes seen
    since the current record began (odd: inside a quoted field). The current
    record's lines are kept (up to ``_KEPT`` characters), so that lines a stray
    quote joined into it can be given back (``give_back``) and read again."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.number = 0
        self.quotes = 0
        self.kept: list[str] | None = []  # None: the record was too long to keep
        self._given_back: list[str] = []  # read again before the stream, last first
        self.ended = False  # the end of the file was reached
        self._kept_chars = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._readline()
        if not line:
            self.ended = True
            raise StopIteration
        self.number += 1
        self.quotes += line.count('"')
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            self.quotes += _skip_rest_of_line(self.stream)
            self.kept = None
            raise _TooLong
        if self.kept is not None:
            self.kept.append(line)
            self._kept_chars += len(line)
            if self._kept_chars > _KEPT:
                self.kept = None
        return line

    def _readline(self) -> str:
        if self._given_back:
            return self._given_back.pop()
        return self.stream.readline(MAX_LINE + 1)

    def start_record(self) -> None:
        self.quotes = 0
        self.kept = []
        self._kept_chars = 0

    def give_back(self, lines: list[str]) -> None:
        """Read ``lines`` (the last ones read) again, as lines of their own."""
        self._given_back.extend(reversed(lines))
        self.number -= len(lines)

    def skip_to_record_end(self) -> None:
        """After a bad record: skip the lines still inside its quoted field."""
        while self.quotes % 2:
            line = self._readline()
            if not line:
                break
            self.number += 1
            self.quotes += line.count('"')
            if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
                self.quotes += _skip_rest_of_line(self.stream)
        self.quotes = 0


#: Characters of a record's lines kept in case a stray quote joined them (a bound:
#: a quote left open may run to the end of the file).
_KEPT = 2 * MAX_LINE


def _joined_by_stray_quote(
    kept: list[str] | None, fields: int, delimiter: str, *, closed: bool
) -> bool:
    """Whether a record read over several lines (``kept``) is rather a quote left
    open on its first line, joining whole rows to it. The lines it joined must
    each hold their quotes in pairs: in a quoted field that really runs over
    lines, the line that ends it holds the closing quote, an odd one. When the
    record was ``closed`` (the csv module ended it, as it does leniently at any
    quote followed by more text: 'third "post",1'), that is proof enough; when
    it was not (it ran to the end of the file, or past the field size limit),
    each joined line must also read as a row of the header's ``fields``, so that
    a long text missing its closing quote is one bad row, not one per line."""
    if kept is None or len(kept) < 2:
        return False
    for line in kept[1:]:
        if line.count('"') % 2:
            return False
        if (
            not closed
            and line.strip()
            and len(next(csv.reader([line], delimiter=delimiter))) != fields
        ):
            return False
    return True


def _stray_quote(lines: _Lines, line: int) -> BadRow:
    """Give back the lines a stray quote on ``line`` joined to it; why it is bad."""
    joined = (lines.kept or [])[1:]
    lines.give_back(joined)
    if len(joined) == 1:
        span = f"line {line + 1}, which it had joined to it, is read as a row of its own"
    else:
        span = (
            f"lines {line + 1}-{line + len(joined)}, which it had joined to it, are read "
            "as rows of their own"
        )
    return BadRow(
        f'a quote (") is not closed on this line; {span} (fix the quote, then import '
        "the file again)"
    )


def _csv(stream: IO[str], delimiter: str) -> Iterator[Record]:
    lines = _Lines(stream)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except (csv.Error, _TooLong) as exc:
        raise ImportFileError(f"line 1: the CSV header cannot be read: {exc or _TOO_LONG}") from exc
    header = [h.strip() for h in header]
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
    while True:
        lines.start_record()
        line = lines.number + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except (csv.Error, _TooLong) as exc:
            if _joined_by_stray_quote(lines.kept, len(header), delimiter, closed=False):
                yield line, _stray_quote(lines, line)
                continue
            lines.skip_to_record_end()
            reason = f"malformed CSV: {exc}" if isinstance(exc, csv.Error) else _TOO_LONG
            yield line, BadRow(reason)
            continue
        if _joined_by_stray_quote(lines.kept, len(header), delimiter, closed=not lines.ended):
            yield line, _stray_quote(lines, line)
            continue
        if not any(v.strip() for v in values):
            continue
        if any(has_bad_bytes(v) for v in values):
            yield line, BadRow("not valid UTF-8 (re-save the file as UTF-8)")
            continue
        if len(values) != len(header):
            found = f"expected {len(header)} fields, found {len(values)}"
            if lines.number > line:  # a quote left open joins the lines after it
                found += (
                    f' in lines {line}-{lines.number}, read as one record: a quote (") on '
                    f"line {line} is not closed before line {lines.number}"
                )
            yield line, BadRow(found)
            continue
        yield line, {k: (v if v != "" else None) for k, v in zip(header, values, strict=True)}


def has_bad_bytes(text: str) -> bool:
    """Whether ``text`` holds bytes that were not UTF-8 (``surrogateescape``)."""
    return _UNDECODED.search(text) is not None
