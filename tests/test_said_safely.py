"""What a command says in prose (a bad row, a note, "Wrote ...") is made safe for the
terminal, as its errors are: it quotes file names, and a file saved from the web may
be named with an escape sequence (an OSC retitle, an OSC 52 clipboard write) or a
bidi override that makes "gpj.exe" read "exe.jpg"."""

from __future__ import annotations

import json
import re

from tests.conftest import imported, run_scan

DANGEROUS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
NAME = "export\x1b]0;owned\x07\x1b]52;c;cm0gLXJm\x07\u202egpj"


def test_import_messages_quote_a_hostile_file_name_harmlessly(tmp_path):
    bad = tmp_path / f"{NAME}.jsonl"
    bad.write_text(json.dumps({"id": "1", "text": "hi", "published_at": "soon"}) + "\n")
    empty = tmp_path / f"{NAME}-empty.jsonl"
    empty.write_text("\n")
    done = run_scan("--create", "import", bad.name, empty.name, cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    said = done.stdout + done.stderr
    assert "exportgpj.jsonl: line 1: 'published_at' 'soon'" in said  # the row, by its file
    assert "exportgpj-empty.jsonl: no rows in it" in said  # a note
    assert "exportgpj.jsonl: 1 row(s) read" in said  # a summary among several files
    assert not DANGEROUS.search(said.replace("\n", ""))


def test_wrote_names_a_hostile_output_file_harmlessly(tmp_path):
    rows = [{"id": "1", "author": "a", "text": "The parcel never came", "source": "box"}]
    imported(tmp_path, rows)
    with (tmp_path / "scanner.toml").open("a", encoding="utf-8") as config:
        config.write('[[competitors]]\nname = "Globex"\n')  # for scan compare
    for command in ("report", "compare"):
        done = run_scan(command, "--format", "html", "-o", f"{NAME}.html", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stderr.startswith("Wrote exportgpj.html"), done.stderr
        assert not DANGEROUS.search(done.stderr.replace("\n", ""))
