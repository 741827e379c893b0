"""A flood of combining marks ("Zalgo" text) stays inside its line in every output.

Hundreds of marks on one letter are drawn as a column across the lines above and
below it: in the HTML report and digest it ran over the chart and every table
under it. Real writing needs a few marks on a letter (Burmese four, pointed
Hebrew three), and those are kept as written.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from scanner.text.clean import clean_text
from scanner.text.safe import csv_cell, html, markdown, sanitize, terminal
from tests.conftest import imported, run_scan

MAX_MARKS = 8  # on one character, as the README says
FLOOD = "Z" + "\u0301\u0302\u0303\u0304" * 200  # 800 marks above one letter
TIBETAN_FLOOD = "ཀ" + "\u0f90" * 300  # subjoined letters stack down, 300 deep
# A joiner between the marks does not end the flood: each ZWJ had started a new
# count of eight, and 300 viramas stacked as high as ever.
JOINED_FLOOD = "क" + "\u094d\u200d" * 300
REAL = [
    "ကြွေး",  # Burmese: four marks on one letter
    "བསྒྲུབས",  # Tibetan: subjoined letters and a vowel
    "בְּרֵאשִׁ֖ית",  # pointed Hebrew with a cantillation mark
    "الْحَمْدُ لِلَّٰهِ",  # vocalised Arabic
    "मेरा रिफंड नहीं आया क्षत्रिय",  # Hindi
    "பணம் திரும்ப வரவில்லை",  # Tamil
    "డబ్బు రాలేదు",  # Telugu
    "Tiếng Việt, 1\ufe0f\u20e3",  # Vietnamese; a keycap emoji
]


def longest_run_of_marks(text: str) -> int:
    longest = run = 0
    for ch in text:
        if unicodedata.category(ch) == "Cf":  # invisible: it does not end a stack
            continue
        run = run + 1 if unicodedata.category(ch).startswith("M") else 0
        longest = max(longest, run)
    return longest


@pytest.mark.parametrize("made_safe", [terminal, html, markdown, csv_cell, clean_text])
@pytest.mark.parametrize("flood", [FLOOD, TIBETAN_FLOOD, JOINED_FLOOD])
def test_every_output_cuts_a_flood_and_keeps_its_letter(made_safe, flood):
    out = str(made_safe("before " + flood + " after"))
    assert longest_run_of_marks(out) == MAX_MARKS
    letter = unicodedata.normalize("NFD", out)[len("before ")]  # clean_text composes "Ź"
    assert (letter, out[:7], out[-6:]) == (flood[0], "before ", " after")


@pytest.mark.parametrize("free_text", [True, False])
def test_every_writer_stores_a_flood_cut(free_text):
    assert sanitize(FLOOD, free_text=free_text) == FLOOD[: 1 + MAX_MARKS]


@pytest.mark.parametrize("text", REAL)
def test_real_writing_keeps_all_its_marks(text):
    text = unicodedata.normalize("NFC", text)
    for made_safe in (terminal, html, clean_text):
        assert made_safe(text) == text
    assert sanitize(text, free_text=True) == text


def zalgo_site(path: Path) -> Path:
    """Three people's near-duplicate posts, one with a flood: a systemic grievance."""
    base = "The app charged my card twice for one order and support never replied"
    rows = [
        {
            "id": f"z{n}",
            "author": f"person{n}",
            "source": "box",
            "published_at": f"2026-11-0{n + 1}T09:00:00Z",
            "title": f"Charged twice {FLOOD}" if n == 0 else "Charged twice",
            "text": f"{base} {FLOOD}" if n == 0 else base,
        }
        for n in range(3)
    ]
    imported(path, rows)
    (path / "scanner.toml").write_text(
        'db = "scan.db"\n[company]\nname = "Acme"\n[digest]\nto = ["ops@example.com"]\n'
        'from = "scan@example.com"\nsmtp_host = "127.0.0.1"\nsmtp_security = "none"\n',
        encoding="utf-8",
    )
    return path


def test_import_stores_a_flood_cut(tmp_path):
    zalgo_site(tmp_path)
    with sqlite3.connect(tmp_path / "scan.db") as db:
        title, text = db.execute("SELECT title, text FROM mentions WHERE id = 'z0'").fetchone()
    assert longest_run_of_marks(title) == longest_run_of_marks(text) == MAX_MARKS
    assert text.startswith("The app charged my card twice")


OUTPUTS = [
    ("report", "--as-of", "2026-11-10"),
    ("report", "--as-of", "2026-11-10", "--format", "html"),
    ("report", "--as-of", "2026-11-10", "--format", "markdown"),
    ("report", "--as-of", "2026-11-10", "--format", "csv"),
    ("report", "--as-of", "2026-11-10", "--cluster", "1"),
    ("mentions",),
    ("mentions", "--format", "csv"),
    ("digest", "--dry-run"),
]


@pytest.mark.parametrize("args", OUTPUTS, ids=lambda a: " ".join(a))
def test_a_flood_stored_before_is_cut_in_every_output(tmp_path, args):
    site = zalgo_site(tmp_path)
    with sqlite3.connect(site / "scan.db") as db:  # as a database filled before holds it
        db.execute("UPDATE mentions SET text = ? WHERE id = 'z0'", [f"Charged twice {FLOOD}"])
    done = run_scan(*args, cwd=site)
    assert done.returncode == 0, done.stderr
    assert "Charged twice" in done.stdout
    assert longest_run_of_marks(done.stdout) <= MAX_MARKS


def test_json_output_keeps_the_stored_text(tmp_path):
    """JSON is data: it says what is stored (the flood cut when it was stored)."""
    site = zalgo_site(tmp_path)
    done = run_scan("mentions", "--format", "json", cwd=site)
    texts = [json.loads(line)["text"] for line in done.stdout.splitlines()]
    assert max(map(longest_run_of_marks, texts)) == MAX_MARKS
