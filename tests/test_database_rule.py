"""Which command may create, convert or only read a database (issue #16, items 3, 4, 14).

One rule: only `scan init` (or `--create`) makes a database; reading commands
never write; another application's SQLite file is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlite_utils import Database

from scanner.cli import COMMANDS
from scanner.commands._app import ACCESS, NO_DATABASE
from scanner.errors import StoreError
from scanner.store import Store
from scanner.store.migrations import migrations
from tests.conftest import run_scan
from tests.mounts import run_on_mount

READING = [
    ["report"],
    ["stats"],
    ["mentions"],
    ["sources"],
    ["digest", "--dry-run", "--to", "ops@example.com"],
]
WRITING = [
    ["import", "posts.jsonl"],
    ["cluster"],
    ["issues"],
    ["crawl"],
    ["nightly"],
    ["digest", "--to", "ops@example.com"],
]


def digest_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def foreign_database(path: Path) -> Path:
    """Another application's SQLite file, with a `mentions` table of its own."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("CREATE TABLE mentions (who TEXT, said TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('buy milk')")
    conn.close()
    return path


def posts(tmp_path: Path, n: int = 3) -> Path:
    path = tmp_path / "posts.jsonl"
    lines = [
        json.dumps({"id": f"p{i}", "text": f"The refund number {i} never came"}) for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("args", READING + WRITING, ids=lambda a: " ".join(a))
def test_a_foreign_sqlite_file_is_refused_untouched(scan, tmp_path, args):
    posts(tmp_path)
    db = foreign_database(tmp_path / "foreign.db")
    before = digest_of(db)
    result = scan("--db", "foreign.db", *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "foreign.db: not a scan database" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert digest_of(db) == before
    assert not (tmp_path / "foreign.db-wal").exists()


def test_create_refuses_a_file_that_has_tables_of_its_own(scan, tmp_path):
    posts(tmp_path)
    db = foreign_database(tmp_path / "foreign.db")
    before = digest_of(db)
    for args in (["--create", "import", "posts.jsonl"], ["init"]):
        result = scan("--db", "foreign.db", *args)
        assert result.returncode == 1 and "not a scan database" in result.stderr, args
    assert digest_of(db) == before
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert tables == {"notes", "mentions"}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.mark.parametrize("args", WRITING + READING, ids=lambda a: " ".join(a))
def test_no_command_but_init_creates_a_database(scan, tmp_path, args):
    posts(tmp_path)
    result = scan("--db", "new/dir/scan.db", *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no such database" in result.stderr and "scan init" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "new").exists()  # not even the directory (or a lock file)
    result = scan("--db", "typo.db", *args)
    assert result.returncode == 1 and "typo.db: no such database" in result.stderr
    assert not list(tmp_path.glob("typo.db*"))


def test_an_empty_sqlite_file_is_initialised_only_when_asked(scan, tmp_path):
    posts(tmp_path)
    (tmp_path / "empty.db").touch()
    for args in (["stats"], ["import", "posts.jsonl"]):
        result = scan("--db", "empty.db", *args)
        assert result.returncode == 1 and "not a scan database yet" in result.stderr, args
    assert (tmp_path / "empty.db").stat().st_size == 0
    assert scan("--db", "empty.db", "--create", "import", "posts.jsonl").returncode == 0
    stats = json.loads(scan("--db", "empty.db", "stats", "--json").stdout)
    assert stats["mentions"] == 3


def test_init_creates_the_database_the_config_names(scan, tmp_path):
    first = scan("init")
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "scanner.toml").exists() and (tmp_path / "scan.db").exists()
    assert json.loads(scan("stats", "--json").stdout)["mentions"] == 0
    # A config that is kept: init still creates a database that is missing.
    created = scan("--db", "other.db", "init")
    assert created.returncode == 0 and "Created database other.db" in created.stdout
    again = scan("--db", "other.db", "init")
    assert again.returncode == 1 and "--force" in again.stderr


def test_init_with_db_writes_that_database_into_the_config(scan, tmp_path):
    """``scan --db acme.db init`` wrote a config naming scan.db, so the next command
    without --db refused: "scan.db: no such database"."""
    assert scan("--db", "acme.db", "init").returncode == 0
    stats = scan("stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert Path(json.loads(stats.stdout)["database"]).name == "acme.db"
    assert not (tmp_path / "scan.db").exists()
    (tmp_path / "team").mkdir()
    made = scan("--config", "team/scanner.toml", "--db", "acme.db", "init")
    assert made.returncode == 0, made.stderr
    assert 'db = "../acme.db"' in (tmp_path / "team" / "scanner.toml").read_text()
    # A kept config naming another database says so.
    kept = scan("--db", "other.db", "init")
    assert kept.returncode == 0 and "names the database acme.db, not other.db" in kept.stdout
    # A kept config with a mistake in it is the user's to mend: init with --db still works.
    (tmp_path / "scanner.toml").write_text('[company]\nnam = "x"\n', encoding="utf-8")
    typo = scan("--db", "third.db", "init")
    assert typo.returncode == 0, typo.stderr
    assert "Kept scanner.toml" in typo.stdout and "names the database" not in typo.stdout


def test_create_flag_lets_a_writing_command_start_a_database(scan, tmp_path):
    posts(tmp_path)
    result = scan("--db", "fresh.db", "--create", "import", "posts.jsonl")
    assert result.returncode == 0, result.stderr
    db = Database(tmp_path / "fresh.db")
    ids = [r["external_id"] for r in db.query("SELECT external_id FROM mentions ORDER BY 1")]
    db.close()
    assert ids == ["p0", "p1", "p2"]
    # ... but never a reading one.
    result = scan("--db", "other.db", "--create", "stats")
    assert result.returncode == 1 and not (tmp_path / "other.db").exists()
    assert "other.db: no such database" in result.stderr and "Traceback" not in result.stderr


def made_by_import(scan, tmp_path: Path, name: str = "scan.db") -> Path:
    posts(tmp_path)
    result = scan("--db", name, "--create", "import", "posts.jsonl")
    assert result.returncode == 0, result.stderr
    return tmp_path / name


def test_reading_commands_write_nothing(scan, tmp_path):
    db = made_by_import(scan, tmp_path)
    with sqlite3.connect(db) as conn:  # a WAL file left by nobody: bytes stay put
        conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    before = digest_of(db)
    for args in READING:
        result = scan("--db", "scan.db", *args)
        assert result.returncode == 0, (args, result.stderr)
    assert digest_of(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_reading_an_older_schema_says_how_to_update_it(scan, tmp_path):
    db = tmp_path / "old.db"
    old = Database(db)  # a database made before the last migration existed
    old.enable_wal()
    migrations.apply(old, stop_before="m005_issue_members_when")
    old.close()
    before = digest_of(db)
    result = scan("--db", "old.db", "stats")
    assert result.returncode == 1 and "made by an older scan" in result.stderr
    assert digest_of(db) == before
    assert scan("--db", "old.db", "cluster").returncode == 0  # a writing command updates it
    assert scan("--db", "old.db", "stats").returncode == 0


def test_a_database_of_a_newer_scan_is_neither_read_nor_written(scan, tmp_path):
    """A newer scan's schema update this version does not know: every command went
    on reading and writing it, and even reported its schema as one beyond ours."""
    assert scan("--db", "new.db", "--create", "init").returncode == 0
    conn = sqlite3.connect(tmp_path / "new.db")
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('scan', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")  # all in the file, none in a WAL
    conn.close()
    before = digest_of(tmp_path / "new.db")
    (tmp_path / "one.jsonl").write_text('{"id": "a", "text": "Refund never came"}\n', "utf-8")
    for args in (("stats",), ("report",), ("import", "one.jsonl"), ("cluster",)):
        result = scan("--db", "new.db", *args)
        assert result.returncode == 1, (args, result.stdout)
        assert "made by a newer scan (schema update m999_from_the_future" in result.stderr
    assert digest_of(tmp_path / "new.db") == before


def test_store_modes_in_the_library(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", mode="write")
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", mode="read")
    assert not (tmp_path / "missing.db").exists()
    with Store(tmp_path / "made.db", mode="create") as store:
        store.upsert_mentions(
            [
                {
                    "id": "a",
                    "company": "Acme",
                    "source": "s",
                    "external_id": "a",
                    "origin": "crawl",
                    "text": "late",
                }
            ]
        )
    with Store(tmp_path / "made.db", mode="read") as store:
        assert store.stats()["mentions"] == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.db.execute("DELETE FROM mentions")


def test_reading_commands_work_on_a_read_only_mount(scan, tmp_path):
    db = made_by_import(scan, tmp_path)
    assert (tmp_path / "scan.db-wal").exists() is False  # closed cleanly
    ran = run_on_mount(
        tmp_path / "ro",
        [
            ["--db", "scan.db", "stats", "--json"],
            ["--db", "scan.db", "report"],
            ["--db", "scan.db", "mentions", "--format", "json"],
        ],
        copy={"scan.db": db},
        read_only=True,
    )
    for result in ran:
        assert result.returncode == 0, (result.args, result.stderr)
    assert json.loads(ran[0].stdout)["mentions"] == 3
    assert len(ran[2].stdout.splitlines()) == 3


def test_every_command_says_what_it_may_do_to_the_database():
    for name in COMMANDS:
        assert (name in ACCESS) != (name in NO_DATABASE), name


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to act as nobody"
)
def test_a_database_in_a_directory_the_reader_cannot_write_says_why_it_cannot_be_read():
    """Another user's database (their nightly run's) in their directory: SQLite cannot
    create the WAL index beside it. "attempt to write a readonly database" said
    nothing a user could act on."""
    site = Path(tempfile.mkdtemp(prefix="scan-owner-", dir="/tmp"))
    try:
        (site / "scanner.toml").write_text('[company]\nname = "Acme"\n', encoding="utf-8")
        (site / "p.jsonl").write_text(
            '{"id": "a", "text": "Acme charged me twice", "rating": 1}\n', encoding="utf-8"
        )
        assert (
            run_scan("--db", "scan.db", "--create", "import", "p.jsonl", cwd=site).returncode == 0
        )
        for leftover in site.glob("scan.db-*"):
            leftover.unlink()
        site.chmod(0o755)
        (site / "scan.db").chmod(0o644)
        (site / "scanner.toml").chmod(0o644)
        done = _as_nobody(site, "report")
        assert done.returncode == 1
        assert f"SQLite must create scan.db-shm beside it (a WAL database) and {site}" in (
            " ".join(done.stderr.split())
        )
    finally:
        shutil.rmtree(site)


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root to act as nobody"
)
def test_a_writable_database_in_a_directory_the_writer_cannot_write_says_why():
    """The file is writable, its directory is not: SQLite cannot create the WAL
    beside it. "attempt to write a readonly database" said nothing to act on."""
    site = Path(tempfile.mkdtemp(prefix="scan-owner-", dir="/tmp"))
    try:
        (site / "scanner.toml").write_text('[company]\nname = "Acme"\n', encoding="utf-8")
        (site / "p.jsonl").write_text('{"id": "a", "text": "Acme charged twice"}\n', "utf-8")
        assert run_scan("--create", "import", "p.jsonl", cwd=site).returncode == 0
        for leftover in site.glob("scan.db-*"):
            leftover.unlink()
        site.chmod(0o755)
        (site / "scan.db").chmod(0o666)
        for name in ("scanner.toml", "p.jsonl"):
            (site / name).chmod(0o644)
        done = _as_nobody(site, "import", "p.jsonl")
        assert done.returncode == 1
        said = " ".join(done.stderr.split())
        assert f"SQLite must create scan.db-wal and scan.db-shm beside it and {site}" in said
    finally:
        shutil.rmtree(site)


def _as_nobody(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``scan ARGS`` in ``site`` as the user nobody; skips where nobody cannot read
    this interpreter (a virtualenv in a private directory)."""
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = [*nobody, sys.executable, "-c", "import scanner"]
    if subprocess.run(probe, cwd=site, capture_output=True, check=False).returncode:
        pytest.skip("this interpreter is not readable by another user here")
    scan = str(Path(sys.executable).with_name("scan"))
    return subprocess.run(
        [*nobody, scan, *args], cwd=site, capture_output=True, text=True, timeout=120, check=False
    )
