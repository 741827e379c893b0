"""Splitting a CSV stream into records, line-numbered, one bad record at a time.

The csv module alone stops for good at its first error, and a quote left open
(a stray ``"``) silently reads every row after it into one field. Reading here
goes on after either: every problem is one bad record (a ``BadRow`` with its
line), and the records after it are still read.

- a physical line longer than ``MAX_LINE`` (1 MiB) is skipped without being held;
- a field larger than the csv module's limit (128 KiB) or any other CSV error
  drops that record; reading resumes at the end of the record, found by
  counting quotes (a quoted field may span lines, and ``""`` is one quote
  inside a field);
- a quote left open reads the rows after it into its field: when the lines it
  joined are whole rows of their own (``CsvRecords._joined``), its line is
  the bad record and they are read again as rows, where they had been lost in
  it, silently when the joined record happened to have the header's width;
  one that runs to the end of the file without closing is a bad record too
  (the csv module ends it there without a word);
- bytes that are not UTF-8 (read as ``surrogateescape`` surrogates, which no
  store can encode) make their record bad.

What the columns mean is not known here: ``scanner.importrows`` names them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import IO

from scanner.errors import BadRow, ImportFileError

MAX_LINE = 1 << 20
TOO_LONG = "longer than 1 MiB"
#: Characters of a record's lines kept in case a stray quote joined them (a bound:
#: a quote left open may run to the end of the file).
_KEPT = 2 * MAX_LINE
_UNDECODED = re.compile("[\udc80-\udcff]")


def has_bad_bytes(text: str) -> bool:
    """Whether ``text`` holds bytes that were not UTF-8 (``surrogateescape``)."""
    return _UNDECODED.search(text) is not None


class CsvRecords:
    """The records of a CSV stream after its header: ``(line, values)``, or
    ``(line, BadRow)`` for a record that cannot be read; ``line`` is the physical
    line the record starts on. Blank records are skipped. Reading the header
    (``header``: None for an empty file) raises ``ImportFileError`` when it
    cannot be read. ``key``, set by the reader once it has read the header, is
    the column of the rows' ids, if there is one (see ``_Ids``)."""

    def __init__(self, stream: IO[str], delimiter: str) -> None:
        self._lines = _Lines(stream)
        self._reader = csv.reader(self._lines, delimiter=delimiter)
        self._delimiter = delimiter
        self.key: int | None = None
        self._ids = _Ids()
        try:
            self.header: list[str] | None = next(self._reader)
        except StopIteration:
            self.header = None
        except (csv.Error, _TooLong) as exc:
            raise ImportFileError(
                f"line 1: the CSV header cannot be read: {exc or TOO_LONG}"
            ) from exc

    def __iter__(self) -> Iterator[tuple[int, list[str] | BadRow]]:
        if self.header is None:
            return
        fields = len(self.header)
        lines = self._lines
        while True:
            lines.start_record()
            line = lines.number + 1
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except (csv.Error, _TooLong) as exc:
                if self._joined(lines.kept, fields, closed=False):
                    yield line, _stray_quote(lines, line)
                    continue
                lines.skip_to_record_end()
                reason = f"malformed CSV: {exc}" if isinstance(exc, csv.Error) else TOO_LONG
                yield line, BadRow(reason)
                continue
            if self._joined(lines.kept, fields, closed=not lines.ended):
                yield line, _stray_quote(lines, line)
                continue
            if lines.ended and lines.quotes % 2:
                # The csv module ends a field left open at the end of the file without
                # a word: the rest of the file was about to be stored as its text.
                rest = f"line {line}" if lines.number == line else f"lines {line}-{lines.number}"
                yield (
                    line,
                    BadRow(
                        f'a quote (") opened on this line is never closed: {rest}, to the end of '
                        "the file, would be read as one field (close the quote, then import the "
                        "file again)"
                    ),
                )
                continue
            if not any(v.strip() for v in values):
                continue
            if any(has_bad_bytes(v) for v in values):
                yield line, BadRow("not valid UTF-8 (re-save the file as UTF-8)")
                continue
            if len(values) != fields:
                found = f"expected {fields} fields, found {len(values)}"
                if lines.number > line:  # a quote left open joins the lines after it
                    found += (
                        f' in lines {line}-{lines.number}, read as one record: a quote (") on '
                        f"line {line} is not closed before line {lines.number}"
                    )
                yield line, BadRow(found)
                continue
            if self.key is not None:
                self._ids.add(values[self.key])
            yield line, values

    def _joined(self, kept: list[str] | None, fields: int, *, closed: bool) -> bool:
        """Whether a record read over several lines (``kept``) is rather a quote left
        open on its first line, joining whole rows to it. The lines it joined must
        each hold their quotes in pairs: in a quoted field that really runs over
        lines, the line that ends it holds the closing quote, an odd one. When the
        record was ``closed`` (the csv module ended it, as it does leniently at any
        quote followed by more text: 'third "post",1'), that is proof enough; when
        it was not (it ran to the end of the file, or past the field size limit),
        each joined line must also read as a row of the header's ``fields`` whose
        id (``key``) looks like the ids before it (``_Ids``), so that a long text
        missing its closing quote is one row, not one per line: with two columns,
        any line of it with one comma has the header's width."""
        if kept is None or len(kept) < 2:
            return False
        ids = self._ids
        if not closed and self.key is not None:
            ids = ids.with_id(_field(kept[0], self.key, self._delimiter))
        for line in kept[1:]:
            if line.count('"') % 2:
                return False
            if closed or not line.strip():
                continue
            values = next(csv.reader([line], delimiter=self._delimiter))
            if len(values) != fields or (self.key is not None and not ids.fits(values[self.key])):
                return False
        return True


@dataclass
class _Ids:
    """What the ids of the rows read so far look like, coarsely: whether one held
    a space, whether every one was digits only, whether one was empty. A line that
    a quote left open joined is taken for a row of its own only if its id looks
    so too: ids rarely hold a space and prose nearly always does, so "I called
    them, twice" (two fields, as a row of "id,text" has) is no row in a file of
    ids such as "r-1", nor "Honestly, no" in one of ids such as "1042". Finer
    shapes would refuse real rows (a hex id is digits only by chance), and a
    refused row stays in the open quote's field (a bad record when that runs to the
    end of the file, which names the lines it ran over)."""

    spaced: bool = False
    digits: bool | None = None  # None: no id seen yet
    blank: bool = False

    def add(self, value: str) -> None:
        value = value.strip()
        if not value:
            self.blank = True
            return
        self.spaced = self.spaced or _spaced(value)
        self.digits = value.isdigit() and self.digits is not False

    def with_id(self, value: str | None) -> _Ids:
        """These, and ``value`` (the id of the line a quote was left open on)."""
        ids = replace(self)
        if value is not None:
            ids.add(value)
        return ids

    def fits(self, value: str) -> bool:
        value = value.strip()
        if not value:
            return self.blank
        if _spaced(value) and not self.spaced:
            return False
        return not self.digits or value.isdigit()


def _spaced(value: str) -> bool:
    return any(c.isspace() for c in value)


def _field(line: str, column: int, delimiter: str) -> str | None:
    """Field ``column`` of ``line`` read alone (None when it has fewer)."""
    values = next(csv.reader([line], delimiter=delimiter), [])
    return values[column] if column < len(values) else None


def _cut_short(line: str) -> bool:
    """Whether ``line``, read by ``readline(MAX_LINE + 1)``, is longer than
    ``MAX_LINE`` with its end still unread (``_rest_of_line`` skips it)."""
    return len(line) > MAX_LINE and not _ends_line(line)


def _rest_of_line(stream: IO[str]) -> Iterator[str]:
    """The rest of the current line in pieces of at most ``MAX_LINE``, so that a line
    too long to hold is skipped without being held (CSV counts its quotes)."""
    while piece := stream.readline(MAX_LINE):
        yield piece
        if _ends_line(piece):
            return


def _ends_line(piece: str) -> bool:
    """Whether readline, on text read with ``newline=""``, ended ``piece`` at a
    line end ("\\n" or "\\r")."""
    return piece.endswith(("\n", "\r"))


def _quotes(pieces: Iterator[str]) -> int:
    return sum(piece.count('"') for piece in pieces)


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
        if _cut_short(line):
            self.quotes += _quotes(_rest_of_line(self.stream))
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
            if _cut_short(line):
                self.quotes += _quotes(_rest_of_line(self.stream))
        self.quotes = 0


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
