"""``scan import`` under hostile files: nothing after a bad row is lost, memory stays bounded
(issue #16, items 1, 2, 9); lone surrogates, ids the store would clean, dates out of
range or implausible, a zero rating scale."""

from __future__ import annotations

import gzip
import json
import shlex
import shutil
import sqlite3
import subprocess
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner.crawl.stages.checks import clean
from scanner.crawl.stages.row import Row
from scanner.importing import import_file
from scanner.importrows import _CHUNK
from scanner.store import Store
from scanner.text.dates import parse_published
from tests.conftest import run_scan


def ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM mentions ORDER BY id")]


def test_csv_rows_after_an_oversized_field_are_still_read(scan, tmp_path):
    huge = "x" * 5_000_000
    spread = "\n".join(['a quoted field "" over many lines'] * 12_000)  # ~400 KB, 12,000 lines
    src = tmp_path / "box.csv"
    src.write_text(
        "id,text\n"
        "c1,The refund never came\n"
        f"c2,{huge}\n"
        "c3,Delivery took a month\n"
        f'c4,"{spread}"\n'
        "c5,Support hung up on me\n",
        encoding="utf-8",
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3, result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == 2, errors
    assert errors[0] == f"{src}: line 3: longer than 1 MiB"
    assert errors[1].startswith(f"{src}: line 5: malformed CSV: field larger than field limit")
    assert "3 new" in result.stdout and "2 rejected" in result.stdout
    assert ids(tmp_path / "x.db") == ["c1", "c3", "c5"]


def test_deeply_nested_json_is_one_bad_row(scan, tmp_path):
    lines = [
        json.dumps({"id": "j1", "text": "The refund never came"}),
        '{"id": "j2", "text": "deep", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"id": "j3", "text": "too deep to store", "ticket": _nested(80)}),
        json.dumps({"id": "j4", "text": "Delivery took a month", "ticket": _nested(10)}),
    ]
    src = tmp_path / "deep.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{src}: line 2: JSON nested deeper than 64 levels",
        f"{src}: line 3: JSON nested deeper than 64 levels",
    ]
    assert ids(tmp_path / "x.db") == ["j1", "j4"]


def _nested(depth: int) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


def test_an_overlong_line_is_a_bad_row_and_the_next_lines_are_read(scan, tmp_path):
    src = tmp_path / "long.jsonl"
    src.write_text(
        json.dumps({"id": "l1", "text": "x" * 3_000_000})
        + "\n"
        + json.dumps({"id": "l2", "text": "Delivery took a month"})
        + "\n",
        encoding="utf-8",
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [f"{src}: line 1: longer than 1 MiB"]
    assert ids(tmp_path / "x.db") == ["l2"]


def test_a_line_separator_inside_a_json_string_does_not_split_the_line(scan, tmp_path):
    src = tmp_path / "sep.jsonl"
    record = {"id": "s1", "text": "first part\u2028second part\x85third"}
    src.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 0, result.stderr
    assert ids(tmp_path / "x.db") == ["s1"]


def test_json_lines_ended_by_a_lone_carriage_return_are_each_read(scan, tmp_path):
    """A file whose lines end in CR alone (a classic Mac editor), or that mixes CR,
    LF and CRLF, is read line by line as a CSV is; two records on a line joined by
    a CR were one bad row ("Extra data"), and the second was lost."""
    src = tmp_path / "cr.jsonl"
    lines = [json.dumps({"id": f"c{i}", "text": f"refund {i} never came"}) for i in range(5)]
    src.write_bytes(
        (
            lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n" + lines[3] + "\r" + "{bad\r"
        ).encode()
        + lines[4].encode()
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3, result.stderr
    assert result.stderr.splitlines() == [
        f"{src}: line 5: invalid JSON: Expecting property name enclosed in double quotes "
        "at column 2"
    ]
    assert "6 row(s) read: 5 new" in result.stdout
    assert ids(tmp_path / "x.db") == ["c0", "c1", "c2", "c3", "c4"]


def test_json_lines_ended_by_cr_past_a_mebibyte_are_each_read(scan, tmp_path):
    """Lines ending in CR alone were found only within the first 1 MiB read for a
    line: a larger file was one line, refused whole as longer than 1 MiB. One line
    over the limit among them is one bad row; a CRLF cut between two reads is one
    line end."""
    src = tmp_path / "mac.jsonl"
    rows = [json.dumps({"id": f"m{i}", "text": "refund never came " * 30}) for i in range(3000)]
    rows.insert(1500, json.dumps({"id": "long", "text": "x" * 1_500_000}))
    first = json.dumps({"id": "m0", "text": "refund never came", "padding": ""})
    # its CRLF straddles the end of the first read
    rows[0] = first.replace('""', '"' + "y" * (_CHUNK - len(first) - 1) + '"')
    ends = ["\r\n", "\r", "\n"]
    src.write_bytes("".join(row + ends[i % 3] for i, row in enumerate(rows)).encode())
    assert src.read_bytes()[_CHUNK - 1 : _CHUNK + 1] == b"\r\n"
    assert src.stat().st_size > 3 << 20
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3, result.stderr
    assert result.stderr.splitlines() == [f"{src}: line 1501: longer than 1 MiB"]
    assert "3001 row(s) read: 3000 new" in result.stdout
    assert len(ids(tmp_path / "x.db")) == 3000


def _padded(record_id: str, size: int) -> bytes:
    """A JSON Lines record of exactly ``size`` bytes."""
    bare = json.dumps({"id": record_id, "text": ""}).encode()
    return bare[:-2] + b"x" * (size - len(bare)) + bare[-2:]


def test_a_line_end_cut_between_two_reads_after_a_long_line_is_kept(scan, tmp_path):
    """A CR that was the last byte read is held for the next read (it may be the CR
    of a CRLF). When the line before it was let go as too long, the CR went with
    it: the next record was read as the rest of the long line and lost without a
    word, and every later line numbered one too few. And a line of exactly 1 MiB
    was refused as longer, its CR counted as part of it."""
    next_rows = b'{"id":"r2","text":"refund never came"}\r{"id":"r3","text":"y"}\r'
    over = _padded("r1", 17 * _CHUNK - 1)  # its CR is the last byte of the 17th read
    src = tmp_path / "over.jsonl"
    src.write_bytes(over + b"\r" + next_rows)
    assert src.read_bytes()[17 * _CHUNK - 1 : 17 * _CHUNK] == b"\r"
    done = scan("--db", "over.db", "--create", "import", str(src))
    assert done.returncode == 3, done.stderr
    assert done.stderr.splitlines() == [f"{src}: line 1: longer than 1 MiB"]
    assert "3 row(s) read: 2 new" in done.stdout
    assert ids(tmp_path / "over.db") == ["r2", "r3"]

    first = _padded("e0", _CHUNK - 2)  # the next line starts one byte before a read ends
    exact = _padded("e1", 1 << 20)  # so its CRLF straddles the end of the 17th read
    src = tmp_path / "exact.jsonl"
    src.write_bytes(first + b"\n" + exact + b"\r\n" + next_rows)
    assert src.read_bytes()[17 * _CHUNK - 1 : 17 * _CHUNK + 1] == b"\r\n"
    done = scan("--db", "exact.db", "--create", "import", str(src))
    assert done.returncode == 0, done.stderr
    assert "longer than 1 MiB" not in done.stderr
    assert ids(tmp_path / "exact.db") == ["e0", "e1", "r2", "r3"]


def test_a_nul_byte_and_a_last_line_cut_short_are_bad_rows_said_once(scan, tmp_path):
    """A raw NUL inside a string and an export cut off mid-record: each is one bad
    row naming its line and column, in plain words ("starting at at column 19"
    had doubled the json module's own "at"), and the rows between are kept."""
    src = tmp_path / "cut.jsonl"
    src.write_bytes(
        b'{"id": "z1", "text": "a\x00b"}\n'
        + json.dumps({"id": "z2", "text": "Refund never came"}).encode()
        + b'\n{"id": "z3", "text": "cut'
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3, result.stderr
    assert result.stderr.splitlines() == [
        f"{src}: line 1: invalid JSON: Invalid control character at column 24",
        f"{src}: line 3: invalid JSON: Unterminated string starting at column 22",
    ]
    assert ids(tmp_path / "x.db") == ["z2"]


def test_strict_stores_nothing_when_a_late_row_clashes(tmp_path):
    """All or nothing, also when the bad row comes long after the first batch."""
    rows = [{"id": f"r{i}", "text": f"refund {i} never came"} for i in range(1200)]
    rows.append({"id": "r3", "text": "same id, other source", "source": "tickets"})
    src = tmp_path / "late.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with Store(tmp_path / "x.db") as store:
        result = import_file(store, src, company="Acme", strict=True)
        assert result.strict_aborted and [e.line for e in result.errors] == [1201]
        assert store.db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] == 0
        runs = store.db.execute("SELECT status, dropped FROM runs").fetchall()
        assert runs == [("failed", 1)]  # the attempt stays on record


_SENTENCE = (
    "the refund never came and support closed my ticket twice after the parcel arrived "
    "broken late again so I called the bank about it"
)


def _peak_of_import(tmp_path: Path, rows: int) -> int:
    src = tmp_path / f"in{rows}.jsonl"
    words = _SENTENCE.split()
    with src.open("w", encoding="utf-8") as out:
        for i in range(rows):
            # Words from a fixed vocabulary: caches keyed by word (bounded) stay small.
            text = " ".join(words[(i * 7 + k * 13) % len(words)] for k in range(60))
            out.write(
                json.dumps(
                    {
                        "id": f"m{i}",
                        "text": text,
                        "language": "en",
                        "grievance": True,
                        "author": f"a{i}",
                    }
                )
                + "\n"
            )
    with Store(tmp_path / f"db{rows}.db") as store:
        tracemalloc.start()
        try:
            result = import_file(store, src, company="Acme")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.stored.new == rows
    return peak


def test_import_memory_does_not_grow_with_the_file(tmp_path):
    small = _peak_of_import(tmp_path, 2_000)  # ~0.8 MB
    large = _peak_of_import(tmp_path, 8_000)  # four times as much
    # Read in batches, a file four times as large needs no more memory. Read
    # whole, it needed four times as much (several times the file's size).
    assert large < small * 1.5, (small, large)


def _jsonl(tmp_path: Path, name: str, *records: dict[str, object]) -> Path:
    """Records as JSON Lines, non-ASCII written as \\u escapes (as JavaScript exports do)."""
    src = tmp_path / name
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return src


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_a_rating_too_large_for_a_number_is_one_bad_row(scan, tmp_path):
    """JSON has no bound on an integer: a rating of 10**400 raised OverflowError,
    which stopped the import with a traceback and lost the rows around it."""
    huge = "1" + "0" * 400
    (tmp_path / "huge.jsonl").write_text(
        '{"id": "g1", "text": "good row before"}\n'
        f'{{"id": "h1", "text": "huge rating", "rating": {huge}}}\n'
        f'{{"id": "h2", "text": "huge scale", "rating": 1, "rating_scale": {huge}}}\n'
        '{"id": "g2", "text": "good row after"}\n',
        encoding="utf-8",
    )
    done = scan("--create", "import", "huge.jsonl")
    assert done.returncode == 3, done.stderr
    assert "line 2: 'rating' must be a finite number" in done.stderr
    assert "line 3: 'rating_scale' must be a finite number" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr) < 1000
    stored = _rows(tmp_path / "scan.db", "SELECT external_id FROM mentions ORDER BY 1")
    assert stored == [("g1",), ("g2",)]


def test_an_id_given_twice_in_one_file_keeps_the_first_row_and_says_so(scan, tmp_path):
    """A later row with an earlier row's id silently replaced that post, a different
    one, and the counts did not add up to the rows read ("700 read: 350 new, 200
    updated"). Now the later row is a bad row naming the earlier one, in the same
    batch or in another; a row without an id that repeats is the same post again."""
    rows = [
        {"id": f"T-{i % 350}", "text": f"ticket {i} about a refund", "author": f"u{i}"}
        for i in range(700)
    ]  # repeats within a batch of 500 and across batches
    rows += [{"text": "Terrible", "author": "anon"}, {"text": "Terrible", "author": "anon"}]
    rows += [{"id": "same", "text": "Exactly the same"}] * 2  # a whole repeat: the same post
    src = _jsonl(tmp_path, "dups.jsonl", *rows)
    done = scan("--create", "import", str(src))
    assert done.returncode == 3, done.stderr
    assert "704 row(s) read: 352 new, 0 updated, 2 unchanged, 350 rejected." in done.stdout
    assert "line 351: id 'T-0' is that of line 1 of this file too: kept that row" in done.stderr
    assert "line 700: id 'T-349' is that of an earlier row of this file too" in done.stderr
    stored = dict(_rows(tmp_path / "scan.db", "SELECT external_id, text FROM mentions"))
    assert (
        stored["T-0"] == "ticket 0 about a refund"
        and stored["T-349"] == "ticket 349 about a refund"
    )
    again = scan("import", str(src))  # the same file again: nothing new, nothing lost
    assert "704 row(s) read: 0 new, 0 updated, 354 unchanged, 350 rejected." in again.stdout
    assert _rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(352,)]
    strict = scan("import", str(_jsonl(tmp_path, "s.jsonl", *rows[-2:])), "--strict")
    assert strict.returncode == 0, strict.stderr  # a whole repeat is no bad row


def test_a_field_in_another_case_is_read_and_a_column_that_looks_like_one_is_named(scan, tmp_path):
    """A spreadsheet's "Rating" was kept as an unknown column, so five-star praise
    was stored as grievances without a rating, and no word said so; a "Date" or
    "stars" column (or a typo, "ratin") is no field, and the import now says which
    field it was not taken for."""
    (tmp_path / "cap.csv").write_text(
        "id,Text,Rating,Date,stars,ratin,app_version\n"
        "r1,Love this app works great,5,2024-01-01,5,5,1.2\n"
        "r2,Best bank ever,5,2024-02-01,5,5,1.3\n",
        encoding="utf-8",
    )
    done = scan("--create", "import", "cap.csv")
    assert done.returncode == 0, done.stderr
    stored = _rows(tmp_path / "scan.db", "SELECT id, rating, is_grievance FROM mentions")
    assert sorted(stored) == [("r1", 5.0, 0), ("r2", 5.0, 0)]
    said = " ".join(done.stderr.split())
    for column, field in (("Date", "published_at"), ("stars", "rating"), ("ratin", "rating")):
        assert (
            f"column {column!r} (2 rows) is no field scan reads, so it was not taken as {field!r}"
            in said
        )
    assert "app_version" not in said  # a column of facts of its own: kept, not questioned
    src = _jsonl(tmp_path, "c.jsonl", {"id": "j1", "text": "fine", "Published At": "2024-03-01"})
    assert scan("import", str(src)).returncode == 0
    assert _rows(tmp_path / "scan.db", "SELECT published_at FROM mentions WHERE id = 'j1'") == [
        ("2024-03-01T00:00:00+00:00",)
    ]
    # What names the row is read under its own name only: a file imported before,
    # its "ID" kept as a fact and its ids derived, keeps them and is not stored twice.
    named = _jsonl(tmp_path, "n.jsonl", {"ID": "T-1", "text": "charged twice"})
    first = scan("import", str(named))
    assert "column 'ID' (1 row) is no field scan reads, so it was not taken as 'id'" in " ".join(
        first.stderr.split()
    )
    assert "0 new, 0 updated, 1 unchanged" in scan("import", str(named)).stdout
    assert _rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions WHERE id = 'T-1'") == [(0,)]


@pytest.mark.parametrize("blank", ["", "   ", "\u200b"])
def test_a_source_option_that_names_nothing_is_refused(scan, tmp_path, blank):
    """Rows without a source were stored under a source of no name ("", "   ")."""
    src = _jsonl(tmp_path, "one.jsonl", {"id": "a1", "text": "Refund never came"})
    done = scan("--create", "import", str(src), "--source", blank)
    assert done.returncode == 2, done.stdout
    assert "--source must name a source" in done.stderr
    assert not (tmp_path / "scan.db").exists() or _rows(
        tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions"
    ) == [(0,)]


def test_a_quote_left_open_in_a_csv_names_the_lines_it_swallowed(scan, tmp_path):
    """The bad record was named by its first line only, so the rows after it that
    were read into it seemed to vanish. Here the line joined to it is no row of
    its own (two fields of three), so the record stays one bad row, which names
    the lines it ran over, to the end of the file."""
    (tmp_path / "q.csv").write_text(
        'id,text,rating\nq1,ok row,1\nq2,"broken quote row,2\nq3,another row\n', "utf-8"
    )
    done = scan("--create", "import", "q.csv")
    assert done.returncode == 3
    assert (
        'line 3: a quote (") opened on this line is never closed: lines 3-4, to the end of '
        "the file, would be read as one field"
    ) in " ".join(done.stderr.split())


STRAY = (
    "id,source,company,author,title,text,rating,published_at\n"
    '1,s,Acme,a,t,"unterminated text,1,2026-01-01\n'
    "2,s,Acme,b,t,second post,1,2026-01-02\n"
    '3,s,Acme,c,t,third "post",1,2026-01-03\n'
    '5,s,Acme,e,t,"a real review\nover two lines, with ""quotes"", 1, 2",1,2026-01-04\n'
    "4,s,Acme,d,t,fourth,1,2026-01-03\n"
)


def test_a_stray_quote_in_a_csv_loses_no_row_after_it(scan, tmp_path):
    """A quote left open read the next rows into its field, up to a quote of a
    later row ('third "post"'): three rows became one of the right width, stored
    as if whole, and rows 2 and 3 were gone without a word (exit 0). The rows it
    joined are read as rows again; a real review over two lines, whose lines
    look like rows too, stays one."""
    (tmp_path / "r.csv").write_text(STRAY, "utf-8")
    done = scan("--create", "import", "r.csv")
    assert done.returncode == 3, done.stderr
    assert [e for e in done.stderr.splitlines() if ": line " in e] == [
        'r.csv: line 2: a quote (") is not closed on this line; lines 3-4, which it had '
        "joined to it, are read as rows of their own (fix the quote, then import the file "
        "again)"
    ]
    assert "5 row(s) read: 4 new, 0 updated, 0 unchanged, 1 rejected." in done.stdout
    assert _rows(tmp_path / "scan.db", "SELECT id, text FROM mentions ORDER BY id") == [
        ("2", "second post"),
        ("3", 'third "post"'),
        ("4", "fourth"),
        ("5", 'a real review\nover two lines, with "quotes", 1, 2'),
    ]
    strict = scan("--db", "strict.db", "--create", "import", "--strict", "r.csv")
    assert strict.returncode == 1
    assert "line 2: a quote" in strict.stderr and "nothing imported" in strict.stderr
    assert _rows(tmp_path / "strict.db", "SELECT COUNT(*) FROM mentions") == [(0,)]


@pytest.mark.parametrize(
    ("first", "second", "prose"),
    [("r-1", "r-2", "I called them, twice"), ("1041", "1042", "Honestly, no")],
)
def test_a_line_of_prose_in_a_two_column_csv_is_no_row(scan, tmp_path, first, second, prose):
    """A text missing its closing quote, in a file of two columns: a line of it with
    one comma has the header's width, and was read as a row of its own (an id
    "I called them", a text "twice"). Its id does not look like the ids before
    it (a space, or letters among digits), so it is no row; the quote, never
    closed, makes its line a bad row that says so, where the csv module had
    stored the rest of the file as its text without a word."""
    (tmp_path / "p.csv").write_text(
        f'id,text\n{first},Refund never came\n{second},"The parcel was left outside\n{prose}\n',
        "utf-8",
    )
    done = scan("--create", "import", "p.csv")
    assert done.returncode == 3, done.stderr
    assert (
        'p.csv: line 3: a quote (") opened on this line is never closed: lines 3-4, to the '
        "end of the file, would be read as one field (close the quote, then import the "
        "file again)"
    ) in done.stderr.splitlines()
    assert _rows(tmp_path / "scan.db", "SELECT id, text FROM mentions ORDER BY id") == [
        (first, "Refund never came"),
    ]
    # Closed, the text is one row over two lines.
    (tmp_path / "p.csv").write_text(
        f'id,text\n{first},Refund never came\n{second},"The parcel was left outside\n{prose}"\n',
        "utf-8",
    )
    assert scan("import", "p.csv").returncode == 0
    assert _rows(tmp_path / "scan.db", "SELECT id, text FROM mentions ORDER BY id") == [
        (first, "Refund never came"),
        (second, f"The parcel was left outside\n{prose}"),
    ]


def test_a_stray_quote_in_a_two_column_csv_loses_no_row_after_it(scan, tmp_path):
    """The rows a quote left open joined, whose ids look like those before them,
    are still read as rows of their own."""
    (tmp_path / "s.csv").write_text(
        'id,text\nr-1,Refund never came\nr-2,"Parcel left outside\nr-3,Card blocked\n'
        "r-4,Nobody answered\n",
        "utf-8",
    )
    done = scan("--create", "import", "s.csv")
    assert done.returncode == 3, done.stderr
    assert "line 3: a quote" in done.stderr
    assert _rows(tmp_path / "scan.db", "SELECT id, text FROM mentions ORDER BY id") == [
        ("r-1", "Refund never came"),
        ("r-3", "Card blocked"),
        ("r-4", "Nobody answered"),
    ]


def test_a_quote_never_closed_keeps_the_rest_of_a_large_csv(scan, tmp_path):
    """With no quote after it, the open field ran past the csv module's size
    limit; the rest of the file was skipped as one bad row."""
    rows = [f"r{n},Refund {n} never came and support did not answer,1" for n in range(4000)]
    rows[10] = 'r10,"Refund 10 never came,1'
    (tmp_path / "big.csv").write_text("id,text,rating\n" + "\n".join(rows) + "\n", "utf-8")
    done = scan("--create", "import", "big.csv")
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith('big.csv: line 12: a quote (") is not closed on this line')
    assert "3999 new" in done.stdout and "1 rejected" in done.stdout
    assert _rows(tmp_path / "scan.db", "SELECT COUNT(*) FROM mentions") == [(3999,)]


def test_a_csv_header_naming_a_field_twice_is_refused(scan, tmp_path):
    """The second "text" column, empty, replaced the first: "missing required field
    'text'" on a row that had text. Empty names (a spreadsheet's trailing commas)
    and repeated columns of other facts are no field, and the file is read."""
    (tmp_path / "two.csv").write_text("id,text,Text\nh1,real complaint,\n", encoding="utf-8")
    done = scan("--create", "import", "two.csv")
    assert done.returncode == 1
    assert "line 1: the CSV header names 'Text', 'text' twice" in done.stderr
    (tmp_path / "ok.csv").write_text(
        "text,rating,notes,notes,,\nRefund never came,1,a,b,,\n", encoding="utf-8"
    )
    fine = scan("import", "ok.csv")
    assert fine.returncode == 0, fine.stderr
    assert "1 new" in fine.stdout


def test_a_grievance_column_says_yes_or_no_in_words_we_know(scan, tmp_path):
    """Any word but "0", "false", "no" and "n" had counted as yes: "f" (how
    PostgreSQL exports false), "off" or "0.0" made praise a grievance."""
    (tmp_path / "g.csv").write_text(
        "id,text,grievance\n"
        "g1,Great service thanks,f\ng2,Refund never came,T\ng3,Fine,No\ng4,Broken,yes\n"
        "g5,Great service,off\ng6,Great,0.0\ng7,Nice,\n",
        encoding="utf-8",
    )
    done = scan("--create", "import", "g.csv")
    assert done.returncode == 3, done.stderr
    for line, word in ((6, "'off'"), (7, "'0.0'")):
        assert f"line {line}: 'grievance' must be one of" in done.stderr, done.stderr
        assert word in done.stderr
    stored = _rows(tmp_path / "scan.db", "SELECT external_id, is_grievance FROM mentions")
    # an empty cell says nothing: a record without a rating is a grievance
    assert dict(stored) == {"g1": 0, "g2": 1, "g3": 0, "g4": 1, "g7": 1}
    blank = _jsonl(
        tmp_path,
        "blank.jsonl",
        {"id": "e1", "text": "awful", "rating": 1, "grievance": ""},
        {"id": "e2", "text": "lovely", "rating": 5, "grievance": "  "},
    )
    assert scan("import", str(blank)).returncode == 0  # blank: the rating decides
    assert dict(
        _rows(tmp_path / "scan.db", "SELECT id, is_grievance FROM mentions WHERE id LIKE 'e%'")
    ) == {"e1": 1, "e2": 0}


def test_a_lone_surrogate_is_replaced_and_the_rows_after_it_are_stored(scan, tmp_path):
    """Half an emoji (``\\ud83d`` without its pair) crashed the import in the store's hash."""
    src = _jsonl(
        tmp_path,
        "cut.jsonl",
        {"id": "s0", "source": "box", "text": "fine row"},
        {"id": "s1", "source": "box\ud800", "text": "refund \ud83d never came"},
        {"id": "s2", "text": "late", "author": "Ann \udc00", "ticket\udfff": ["x\ud800"]},
        {"text": "no id, cut \ud83d emoji", "title": "cut \ud83d"},
        {"id": "s4", "text": "after them"},
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 0, result.stderr
    assert "5 new" in result.stdout
    rows = _rows(
        tmp_path / "x.db", "SELECT id, source, author, title, text, extra FROM mentions ORDER BY id"
    )
    by_text = {r[4]: r for r in rows}
    assert by_text["refund \ufffd never came"][:2] == ("s1", "box\ufffd")
    assert by_text["late"][2] == "Ann \ufffd"
    assert json.loads(by_text["late"][5]) == {"ticket\ufffd": ["x\ufffd"]}
    assert by_text["no id, cut \ufffd emoji"][3] == "cut \ufffd"
    assert {"s0", "s4"} <= {r[0] for r in rows}


def test_an_id_with_a_lone_surrogate_is_a_bad_row(scan, tmp_path):
    """Not repaired: "a\\ud800" and "a\\udbff" would both become "a\\ufffd", one post."""
    src = _jsonl(
        tmp_path,
        "ids.jsonl",
        {"id": "i1", "text": "The refund never came"},
        {"id": "i2\ud800", "text": "Delivery took a month"},
        {"id": "i3", "text": "Support hung up on me"},
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{src}: line 2: 'id' 'i2\\ud800' holds a lone surrogate (half an emoji?); "
        "an id is never altered"
    ]
    assert ids(tmp_path / "x.db") == ["i1", "i3"]


def test_a_csv_header_that_is_not_utf8_refuses_the_file(scan, tmp_path):
    """CSV is read with ``surrogateescape``: a Latin-1 column name was a surrogate in
    every row's extra facts, and every row crashed the store."""
    src = tmp_path / "latin1.csv"
    src.write_bytes(b"id,text,cat\xe9gorie\nc1,The refund never came,billing\n")
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"Error: {src}: line 1: the CSV header is not valid UTF-8 (re-save the file as UTF-8)"
    )


@pytest.mark.parametrize("hidden", ["\u200b", "\u202e", "\u2066", "\x07", "\ufeff"])
def test_an_id_the_store_would_clean_cannot_take_another_sources_post(scan, tmp_path, hidden):
    """The clash check saw "victim\\u200b-1", the store then wrote "victim-1": the
    attacker's row replaced the trustpilot post."""
    first = _jsonl(tmp_path, "tp.jsonl", {"id": "victim-1", "source": "trustpilot", "text": "real"})
    assert scan("--db", "x.db", "--create", "import", str(first)).returncode == 0
    forged = {"id": f"victim{hidden}-1", "source": "attacker", "text": "forged"}
    second = _jsonl(tmp_path, "forged.jsonl", forged)
    result = scan("--db", "x.db", "import", str(second))
    assert result.returncode == 3, result.stderr
    assert result.stderr.splitlines() == [
        f"{second}: line 1: id 'victim-1' already belongs to source 'trustpilot'"
    ]
    assert _rows(tmp_path / "x.db", "SELECT id, source, text FROM mentions") == [
        ("victim-1", "trustpilot", "real")
    ]


def test_ids_and_sources_are_compared_as_the_store_keeps_them(tmp_path):
    """In one batch too; and a source that is the owner once cleaned is the owner."""
    src = _jsonl(
        tmp_path,
        "batch.jsonl",
        {"id": "v-1", "source": "trustpilot", "text": "real"},
        {"id": "v\u200b-1", "source": "attacker", "text": "forged"},
        {"id": "v-1", "source": "trust\u200bpilot", "text": "real, edited"},
    )
    with Store(tmp_path / "x.db") as store:
        result = import_file(store, src, company="Acme")
        # line 3's source, once cleaned, is line 1's: not a clash, but the same id
        # twice in one file, which keeps the first row
        assert [str(e) for e in result.errors] == [
            "line 2: id 'v-1' already belongs to source 'trustpilot'",
            "line 3: id 'v-1' is that of line 1 of this file too: kept that row",
        ]
        rows = store.db.execute("SELECT id, source, text FROM mentions").fetchall()
    assert rows == [("v-1", "trustpilot", "real")]


def test_a_date_out_of_range_in_utc_is_a_bad_row(scan, tmp_path):
    """Year 9999 at UTC-1 is year 10000 in UTC: OverflowError lost the rest of the
    file and left the run "running"."""
    src = _jsonl(
        tmp_path,
        "far.jsonl",
        {"id": "f1", "text": "The refund never came"},
        {"id": "f2", "text": "too late", "published_at": "9999-12-31T23:59:59-01:00"},
        {"id": "f3", "text": "too early", "published_at": "0001-01-01T00:00:00+01:00"},
        {"id": "f4", "text": "Support hung up on me", "published_at": "2026-03-01T10:00:00+02:00"},
    )
    result = scan("--db", "x.db", "--create", "import", str(src))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{src}: line 2: 'published_at' '9999-12-31T23:59:59-01:00' is out of range "
        "(before year 1 or after 9999 in UTC)",
        f"{src}: line 3: 'published_at' '0001-01-01T00:00:00+01:00' is out of range "
        "(before year 1 or after 9999 in UTC)",
    ]
    db = tmp_path / "x.db"
    assert _rows(db, "SELECT id, published_at FROM mentions ORDER BY id") == [
        ("f1", None),
        ("f4", "2026-03-01T08:00:00+00:00"),
    ]
    assert _rows(db, "SELECT status, dropped FROM runs") == [("partial", 2)]


def test_implausible_dates_are_refused_with_the_bound_they_break(tmp_path):
    """Year 1, year 3000, a post from next week: they broke report hints and ``--since``."""
    now = datetime.now(UTC)
    soon = (now + timedelta(hours=12)).isoformat()  # a zone ahead of ours, a fast clock
    next_week = (now + timedelta(days=7)).date().isoformat()
    src = _jsonl(
        tmp_path,
        "odd.jsonl",
        {"id": "o1", "text": "a", "published_at": "0001-01-01"},
        {"id": "o2", "text": "b", "published_at": "1989-12-31T23:59:59Z"},
        {"id": "o3", "text": "c", "published_at": "1990-01-01"},
        {"id": "o4", "text": "d", "published_at": "3000-01-01"},
        {"id": "o5", "text": "e", "published_at": next_week},
        {"id": "o6", "text": "f", "published_at": soon},
    )
    with Store(tmp_path / "x.db") as store:
        result = import_file(store, src, company="Acme")
        stored = [r[0] for r in store.db.execute("SELECT id FROM mentions ORDER BY id")]
    reasons = {e.line: e.reason for e in result.errors}
    assert sorted(reasons) == [1, 2, 4, 5]
    assert (
        reasons[1] == "'published_at' '0001-01-01' is before 1990-01-01, older than any review site"
    )
    assert reasons[2].startswith("'published_at' '1989-12-31T23:59:59Z' is before 1990-01-01")
    assert reasons[4].startswith("'published_at' '3000-01-01' is in the future (more than 1 day")
    assert reasons[5].startswith(f"'published_at' '{next_week}' is in the future")
    assert stored == ["o3", "o6"]


@pytest.mark.parametrize("scale", [0, "0", 0.0])
def test_a_zero_rating_scale_is_refused(tmp_path, scale):
    """``rating_scale`` 0 was read as "no scale" and became 5."""
    src = _jsonl(
        tmp_path, "zero.jsonl", {"id": "z1", "text": "bad", "rating": 1, "rating_scale": scale}
    )
    with Store(tmp_path / "x.db") as store:
        result = import_file(store, src, company="Acme")
        assert store.db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] == 0
    assert [str(e) for e in result.errors] == [
        f"line 1: 'rating_scale' must be positive, got {scale!r}"
    ]


@pytest.mark.parametrize(
    "published",
    ["9999-12-31T23:59:59-01:00", "Fri, 31 Dec 9999 23:59:59 -0100", "5000 years ago", 1e20],
)
def test_a_crawled_date_out_of_range_is_kept_undated(published):
    """The crawl shares ``to_utc``: such a date raised OverflowError in a spider or the
    clean stage, and the post (or its whole page) was lost. It is kept, undated."""
    assert parse_published(published) is None
    row = clean(Row("site", "p1", "The refund never came", published_at=published))
    assert row.published_at is None and row.text == "The refund never came"


@pytest.mark.parametrize("published", ["2099-01-01T00:00:00Z", "1970-01-01T00:00:00Z"])
def test_a_crawled_post_with_an_implausible_date_is_kept_undated(published):
    """A page that dates a post next century or at the epoch: the post is kept and
    dated by when it was first seen, as an undated one is."""
    row = clean(Row("site", "p2", "The refund never came", published_at=published))
    assert row.published_at is None and row.text == "The refund never came"


def test_plain_text_in_angle_brackets_is_kept_and_html_is_still_read(tmp_path):
    """Any "<word>" was read as a tag and dropped: an e-mail in angle brackets or a
    button quoted as "<Submit>" vanished from a plain-text export."""
    src = _jsonl(
        tmp_path,
        "angles.jsonl",
        {"id": "a1", "text": "Contact me at <john.doe@example.com> please"},
        {"id": "a2", "text": "The button labelled <Submit> does nothing, <Ctrl+C> too"},
        {"id": "a3", "text": "<p>A real <b>HTML</b> export</p><p>second</p>"},
    )
    with Store(tmp_path / "x.db") as store:
        import_file(store, src, company="Acme")
    assert dict(_rows(tmp_path / "x.db", "SELECT external_id, text FROM mentions")) == {
        "a1": "Contact me at <john.doe@example.com> please",
        "a2": "The button labelled <Submit> does nothing, <Ctrl+C> too",
        "a3": "A real HTML export\n\nsecond",
    }


def test_a_cut_text_and_rows_about_an_unwatched_company_are_said(tmp_path, scan):
    (tmp_path / "scanner.toml").write_text('[company]\nname = "Acme"\n', encoding="utf-8")
    src = _jsonl(
        tmp_path,
        "notes.jsonl",
        {"id": "n1", "text": "long " * 5000},
        {"id": "n4", "text": "a" * 19998 + " " + "b" * 5000},  # cut where a space stood
        {"id": "n2", "text": "Globex lost my parcel", "company": "Globex"},
        {"id": "n3", "text": "Globex lost it again", "company": "Globex"},
    )
    done = scan("--db", "x.db", "--create", "import", str(src))
    assert done.returncode == 0, done.stderr
    assert "2 texts longer than 20,000 characters stored cut to that length (line 1, 2)" in (
        done.stderr
    )
    assert "2 rows about 'Globex', which scanner.toml does not watch" in done.stderr


@pytest.mark.parametrize(
    ("name", "encoding", "said"),
    [
        ("wide.jsonl", "utf-16", "the file is UTF-16 or UTF-32, not UTF-8"),
        ("wide-le.jsonl", "utf-16-le", "the file is UTF-16 or UTF-32, not UTF-8"),
        ("wide.csv", "utf-16", "the file is UTF-16 or UTF-32, not UTF-8"),
        ("array.json", "utf-8", "a JSON array, not JSON Lines (one object per line)"),
        # Hindi and Chinese in UTF-16 without a byte order mark: few NUL bytes
        ("hindi-le.jsonl", "utf-16-le", "the file is UTF-16 or UTF-32, not UTF-8"),
        ("hindi-be.csv", "utf-16-be", "the file is UTF-16 or UTF-32, not UTF-8"),
        ("chinese-le.jsonl", "utf-16-le", "the file is UTF-16 or UTF-32, not UTF-8"),
        ("pretty.json", "utf-8", "JSON written over several lines, not JSON Lines"),
        # its lines end in a CR alone, as JSON Lines may: the check had split on LF only
        ("mac.json", "utf-8", "JSON written over several lines, not JSON Lines"),
    ],
)
def test_a_file_every_row_of_which_is_bad_for_one_reason_is_refused_saying_it(
    tmp_path, scan, name, encoding, said
):
    """A UTF-16 export or a pretty-printed JSON array gave a flood of "invalid JSON"
    lines, one per row, that never named the cause."""
    words = {
        "hindi": "पैसा वापस नहीं मिला, रिफंड की शिकायत का कोई जवाब नहीं आया",
        "chinese": "退款一直没有到账客服也不回复",
    }.get(name.split("-")[0], "Acme charged me twice")
    rows = [{"id": f"w{i}", "text": f"{words} {i}"} for i in range(3)]
    if name.endswith(".csv"):
        body = "id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in rows)
    elif name == "array.json":
        body = json.dumps(rows, indent=2)
    elif name == "pretty.json":
        body = "".join(json.dumps(r, indent=2) + "\n" for r in rows)
    elif name == "mac.json":
        body = "".join(json.dumps(r, indent=2).replace("\n", "\r") + "\r" for r in rows)
    else:
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    (tmp_path / name).write_text(body, encoding=encoding)
    done = scan("--db", "x.db", "--create", "import", name)
    assert done.returncode == 1
    assert said in done.stderr and done.stderr.count("\n") == 1, done.stderr


def test_a_gzipped_file_is_read_and_one_cut_short_keeps_every_row_before_the_cut(tmp_path, scan):
    """A file such as "reviews.jsonl.gz" was refused for its extension, and with
    --format given, read as bytes that are not UTF-8 row after row. A cut-off one stopped the import
    as "Aborted!" and lost the batch it was in."""
    rows = "".join(
        json.dumps({"id": f"z{i}", "text": f"Complaint {i} about refunds never coming"}) + "\n"
        for i in range(1500)
    )
    packed = gzip.compress(rows.encode())
    (tmp_path / "all.jsonl.gz").write_bytes(packed)
    done = scan("--db", "x.db", "--create", "import", "all.jsonl.gz")
    assert done.returncode == 0, done.stderr
    assert "1500 row(s) read: 1500 new" in done.stdout
    (tmp_path / "cut.csv.gz").write_bytes(
        gzip.compress(
            ("id,text\n" + "".join(f"c{i},Refund {i} never came\n" for i in range(3000))).encode()
        )[:-2000]
    )
    cut = scan("--db", "x.db", "import", "cut.csv.gz")
    assert cut.returncode == 3, cut.stderr
    assert "the compressed file is damaged or cut short here" in cut.stderr
    stored = _rows(tmp_path / "x.db", "SELECT COUNT(*) FROM mentions WHERE id LIKE 'c%'")[0][0]
    read = int(cut.stdout.split(" row(s) read")[0])
    assert 1000 < stored == read - 1 < 3000  # every row read before the cut, not whole batches


def test_an_import_locked_out_midway_leaves_its_run_saying_what_it_stored(tmp_path, monkeypatch):
    """Another process took the write lock after the first batch and kept it: the
    run could not be closed, and the next command's "killed" said 0 items, though
    500 rows were stored (and four tries at closing it had each waited the busy
    timeout). The counts are committed with each batch."""
    rows = [{"id": f"k{i}", "text": f"Complaint number {i}"} for i in range(700)]
    src = _jsonl(tmp_path, "big.jsonl", *rows)
    db = tmp_path / "x.db"
    holder = sqlite3.connect(db, isolation_level=None)
    real = Store.upsert_mentions

    def then_lock(self, batch, *, run_id=None):
        done = real(self, batch, run_id=run_id)
        self.db.execute("PRAGMA busy_timeout = 200")  # not a minute, in a test
        holder.execute("BEGIN IMMEDIATE")  # from now on another writer holds it
        return done

    with Store(db) as store:
        monkeypatch.setattr(Store, "upsert_mentions", then_lock)
        monkeypatch.setattr("scanner.importing.LOCKED_RECORD_WAIT_MS", 200)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            import_file(store, src, company="Acme")
    holder.execute("ROLLBACK")
    holder.close()
    ((status, items, new),) = _rows(db, "SELECT status, items, new FROM runs WHERE kind = 'import'")
    assert (items, new) == (500, 500) and status == "running"  # to be marked killed, with 500
    assert _rows(db, "SELECT COUNT(*) FROM mentions") == [(500,)]


def test_an_import_that_fails_midway_is_recorded_as_failed_with_why(tmp_path, monkeypatch):
    """An error the import cannot go past (here the second batch's write fails, as an
    I/O error would) left the run "running", later guessed "killed": it is recorded
    failed, with the error, and the batch stored before it stays."""
    rows = [{"id": f"b{i}", "text": f"Complaint number {i}"} for i in range(700)]
    src = _jsonl(tmp_path, "big.jsonl", *rows)
    with Store(tmp_path / "x.db") as store:
        real = store.upsert_mentions
        calls = []

        def failing(good, **kw):
            calls.append(len(good))
            if len(calls) == 2:
                raise OSError(5, "Input/output error")
            return real(good, **kw)

        monkeypatch.setattr(store, "upsert_mentions", failing)
        with pytest.raises(OSError, match="Input/output error"):
            import_file(store, src, company="Acme")
    ((status, errors),) = _rows(tmp_path / "x.db", "SELECT status, errors FROM runs")
    assert status == "failed" and "Input/output error" in errors
    assert _rows(tmp_path / "x.db", "SELECT COUNT(*) FROM mentions") == [(500,)]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_import_from_a_pipe_reads_every_row(tmp_path, fmt):
    """The encoding check read the file's first 4 KiB and opened it again: from a
    pipe (``zcat reviews.jsonl.gz | scan import /dev/stdin``) those rows were lost."""
    rows = [{"id": f"p{i}", "text": f"Complaint number {i} about the widget"} for i in range(200)]
    if fmt == "jsonl":
        body = "".join(json.dumps(r) + "\n" for r in rows)
    else:
        body = "id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in rows)
    done = run_scan(
        "--db",
        "x.db",
        "--create",
        "import",
        "--format",
        fmt,
        "/dev/stdin",
        cwd=tmp_path,
        input_text=body,
    )
    assert done.returncode == 0, done.stderr
    assert "200 row(s) read: 200 new" in done.stdout


def test_a_derived_id_does_not_change_when_its_source_is_cleaned(tmp_path):
    """A record without an id is named by a hash of what it says; hashing the
    cleaned source would give a file imported by an earlier version new ids on its
    next import, and a second copy of every such post. Two sources that differ only
    by an invisible character stay apart, as they did."""
    plain = {"text": "The refund never came", "source": "box", "author": "ana"}
    marked = {**plain, "source": "b\u200box"}
    with Store(tmp_path / "x.db") as store:
        import_file(store, _jsonl(tmp_path, "a.jsonl", plain), company="Acme")
        first = import_file(store, _jsonl(tmp_path, "b.jsonl", marked), company="Acme")
        again = import_file(store, _jsonl(tmp_path, "b.jsonl", marked), company="Acme")
    assert (first.stored.new, again.stored.unchanged) == (1, 1)
    ids = [r[0] for r in _rows(tmp_path / "x.db", "SELECT id FROM mentions ORDER BY id")]
    assert len(ids) == 2 and all(i.startswith("box:") for i in ids)


def test_text_in_angle_brackets_is_kept_beside_real_html(scan, tmp_path):
    """One real tag ("<br>") made the whole text HTML, and then an e-mail in angle
    brackets or a quoted "<Submit>" beside it was dropped as an unknown tag. Markup
    still goes: script and style with what they hold, a comment, an icon's drawing,
    Word's "<o:p>", a custom element."""
    src = _jsonl(
        tmp_path,
        "mixed.jsonl",
        {
            "id": "x1",
            "text": "Refund never came.<br>Write to <john.doe@example.com> or press <Submit> again",
        },
        {
            "id": "x2",
            "text": "<p>Charged twice <ref 4411>, see <https://shop.example/o/4411></p>"
            "<script>steal('<x>')</script><style>p > b {}</style><!-- <Submit> -->",
        },
        {
            "id": "x3",
            "text": '<p><svg viewBox="0 0 8 8"><path d="M0 0h8v8z"/></svg>Verified'
            "<o:p></o:p> buyer <star-rating value=1></star-rating></p>",
        },
        {
            "id": "x4",  # a quoted value holding "<", and elements of older HTML
            "text": 'Great app <img alt="<3" src="/h.png"> five stars<br>'
            '<span data-p=\'{"h":"<i>x</i>"}\'>Refund <acronym title="a">ASAP</acronym></span>',
        },
    )
    done = scan("--db", "x.db", "--create", "import", str(src))
    assert done.returncode == 0, done.stderr
    assert dict(_rows(tmp_path / "x.db", "SELECT external_id, text FROM mentions")) == {
        "x1": "Refund never came.\nWrite to <john.doe@example.com> or press <Submit> again",
        "x2": "Charged twice <ref 4411>, see <https://shop.example/o/4411>",
        "x3": "Verified buyer",
        "x4": "Great app five stars\nRefund ASAP",
    }


def test_markup_left_open_or_nested_deep_is_read_as_a_browser_reads_it(scan, tmp_path):
    """Hostile markup: a tag or comment never closed, thousands of nested blocks.
    The standard library's parser kept "<svg <svg ..." as text, taking time that
    grew with the square of its length (``bench/clean.py`` measures it); a table's
    cells were glued into one word. Every row is stored, with the text a reader
    sees."""
    deep = 20_000
    src = _jsonl(
        tmp_path,
        "hostile.jsonl",
        {"id": "h1", "text": "<b>Charged twice</b> " + "<svg " * 3_000},
        {"id": "h2", "text": "<div>" * deep + "Refund refused" + "</div>" * deep},
        {"id": "h3", "text": "<table><tr><td>Order 4411<td>never shipped</table>"},
        {"id": "h4", "text": "<p>Fine until the update</p><!-- <p>hidden" + "<!--" * 3_000},
        {"id": "h5", "text": "<i>Half an emoji \ud83d</i> and a NUL\u0000 here"},
        {"id": "h6", "text": "Plain text after all that"},
        {"id": "h7", "text": "Your page <title> says Acme Bank but the refund never came"},
        {"id": "h8", "text": "<p>Form broke</p><textarea>typed <b>here</b></textarea>"},
    )
    done = scan("--db", "x.db", "--create", "import", str(src))
    assert done.returncode == 0, done.stderr
    assert dict(_rows(tmp_path / "x.db", "SELECT external_id, text FROM mentions")) == {
        "h1": "Charged twice",
        "h2": "Refund refused",
        "h3": "Order 4411 never shipped",
        "h4": "Fine until the update",
        "h5": "Half an emoji \ufffd and a NUL here",
        "h6": "Plain text after all that",
        "h7": "Your page says Acme Bank but the refund never came",  # not hidden to the end
        "h8": "Form broke\n\ntyped here",  # raw text read as HTML once more
    }


def test_a_strict_import_with_a_bad_row_is_recorded_failed_with_why(scan, tmp_path):
    """The rollback of a --strict import took its run with it: the attempt left no
    trace in the runs table. It is recorded failed, with the bad rows, and still
    stores nothing; the user sees what the README says (status 1)."""
    src = _jsonl(
        tmp_path,
        "box.jsonl",
        {"id": "s1", "text": "The refund never came"},
        {"id": "s2"},
        {"id": "s3", "text": "Delivery took a month"},
    )
    done = scan("--db", "x.db", "--create", "import", "--strict", str(src))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{src}: line 2: missing required field 'text'",
        "1 bad row(s); nothing imported (--strict).",
    ]
    db = tmp_path / "x.db"
    assert _rows(db, "SELECT COUNT(*) FROM mentions") == [(0,)]
    runs = _rows(db, "SELECT kind, source, status, dropped, errors FROM runs")
    assert [(*run[:4], json.loads(run[4])) for run in runs] == [
        ("import", str(src), "failed", 1, ["line 2: missing required field 'text'"])
    ]


@pytest.mark.parametrize("strict", [False, True])
def test_an_import_stopped_by_ctrl_c_is_recorded_interrupted(tmp_path, strict):
    """Ctrl-C left the run "running" (then guessed "killed" by the next command):
    it is recorded interrupted; what a plain import committed stays, a --strict one
    stores nothing."""
    import signal
    import subprocess
    import time

    from tests.conftest import scan_executable

    rows = (
        json.dumps({"id": f"c{i}", "text": f"Refund {i} never came, support silent"}) + "\n"
        for i in range(200_000)
    )
    (tmp_path / "big.jsonl").write_text("".join(rows), "utf-8")
    command = [scan_executable(), "--db", "x.db", "--create", "import", "big.jsonl"]
    proc = subprocess.Popen(
        command + (["--strict"] if strict else []),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a test run in the background ignores SIGINT, and Python
        # then never turns it into KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    deadline = time.monotonic() + 60
    # Stopped mid-way: once the run is on record and, without --strict, a batch is in.
    while not _started(tmp_path / "x.db", batch_in=not strict):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    ((status, items),) = _rows(tmp_path / "x.db", "SELECT status, items FROM runs")
    (stored,) = _rows(tmp_path / "x.db", "SELECT COUNT(*) FROM mentions")[0]
    assert status == "interrupted", err
    assert items == stored and (stored == 0) == strict, (items, stored)


def _started(db: Path, *, batch_in: bool) -> bool:
    try:
        running = bool(_rows(db, "SELECT 1 FROM runs WHERE status = 'running'"))
        return running and (not batch_in or bool(_rows(db, "SELECT 1 FROM mentions LIMIT 1")))
    except sqlite3.Error:
        return False


@pytest.mark.skipif(not shutil.which("jq"), reason="the advice is a jq command")
@pytest.mark.parametrize("name", ["pretty.jsonl", "array.jsonl", "pretty.json.gz"])
def test_the_jq_command_a_refused_file_is_given_converts_it_and_keeps_it(tmp_path, scan, name):
    """The advice for "x.jsonl" was "jq -c . x.jsonl > x.jsonl": the shell empties
    the file before jq reads it, so following it lost the export. Run as given, it
    writes JSON Lines beside the file, which is kept, and they import."""
    rows = [{"id": f"q{i}", "text": f"Acme charged me twice {i}"} for i in range(3)]
    body = (
        json.dumps(rows, indent=2)
        if name.startswith("array")
        else "".join(json.dumps(r, indent=2) + "\n" for r in rows)
    )
    data = body.encode()
    (tmp_path / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    before = (tmp_path / name).read_bytes()
    done = scan("--db", "x.db", "--create", "import", name)
    assert done.returncode == 1, done.stderr
    command = done.stderr.strip().split("convert it first, e.g. ", 1)[1]
    subprocess.run(command, shell=True, cwd=tmp_path, check=True)  # noqa: S602 - our own advice
    assert (tmp_path / name).read_bytes() == before
    target = shlex.split(command)[-1]
    assert scan("--db", "x.db", "import", target).returncode == 0
    assert ids(tmp_path / "x.db") == ["q0", "q1", "q2"]
