"""``scan import`` under hostile files: nothing after a bad row is lost, memory stays bounded
(issue #16, items 1, 2, 9)."""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path

from scanner.importing import import_file
from scanner.store import Store


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
        assert store.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0


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
