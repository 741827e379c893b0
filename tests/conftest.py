"""Shared test helpers: run the installed ``scan`` entry point in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def scan_executable() -> str:
    """The ``scan`` console script installed beside this Python (the real entry point)."""
    candidate = Path(sys.executable).parent / "scan"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("scan")
    if not found:
        pytest.fail("the `scan` console script is not installed; run: pip install '.[test]'")
    return found


def scan_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment ``scan`` runs in under test: no colour, UTF-8, and no
    ``SCAN_DB`` from the developer's shell (unless ``extra`` sets one)."""
    full = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8", **(extra or {})}
    if extra is None or "SCAN_DB" not in extra:
        full.pop("SCAN_DB", None)
    return full


def run_scan(
    *args: str,
    cwd: Path,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``scan ARGS`` as a user would, in ``cwd``; never raises on a non-zero status."""
    return subprocess.run(
        [scan_executable(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=scan_env(env),
        input=input_text,
        check=False,
    )


def imported(path: Path, rows: list[dict], company: str = "Acme") -> Path:
    """A database in ``path`` holding ``rows`` (``scan import``) grouped (``scan
    cluster``), with a config naming ``company``: what a user builds by hand."""
    (path / "scanner.toml").write_text(
        f'db = "scan.db"\n[company]\nname = "{company}"\n', encoding="utf-8"
    )
    lines = "".join(json.dumps(r) + "\n" for r in rows)
    (path / "posts.jsonl").write_text(lines, encoding="utf-8")
    for args in (("--create", "import", "posts.jsonl"), ("cluster",)):
        done = run_scan(*args, cwd=path)
        assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def scan(tmp_path: Path):
    """``scan(*args)`` runs the CLI in a fresh temporary directory."""

    def _run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
        kwargs.setdefault("cwd", tmp_path)
        return run_scan(*args, **kwargs)

    return _run


@pytest.fixture(scope="session")
def report_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database of ``tests/report_support.py`` and its config, built once per
    session (per xdist worker) by the real CLI: for tests that only read it
    (``scan report`` opens it read-only). A test that changes it uses ``report_copy``."""
    from tests.report_support import build_report_db

    path = tmp_path_factory.mktemp("report")
    build_report_db(path)
    return path


@pytest.fixture
def report_copy(report_site: Path, tmp_path: Path) -> Path:
    """A private copy of ``report_site`` in ``tmp_path``; returns its config path.
    The database is copied with SQLite's backup API: a reader may have left a
    write-ahead log beside it that a file copy would miss."""
    for name in ("scanner.toml", "posts.jsonl"):
        shutil.copy2(report_site / name, tmp_path / name)
    source = sqlite3.connect(report_site / "report.db")
    target = sqlite3.connect(tmp_path / "report.db")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return tmp_path / "scanner.toml"


@pytest.fixture(scope="session")
def compare_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database of ``tests/compare_support.py`` (import, then ``scan issues``),
    built once per session, for tests that only read it."""
    from tests.compare_support import build_compare_db

    path = tmp_path_factory.mktemp("compare")
    build_compare_db(path)
    return path


def real_pages() -> Path | None:
    """The saved real pages (../shared/real-pages), or None when this clone has none."""
    env = os.environ.get("SCAN_REAL_PAGES")
    path = Path(env) if env else REPO.parent / "shared" / "real-pages"
    return path if path.is_dir() else None
