"""The code is ruff-clean and mypy-clean (rules, reasons and mypy settings: pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

FOLDERS = ("scanner", "spiders", "tests", "bench")


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    """ruff from this virtualenv (or the PATH) over every folder of code."""
    ruff = Path(sys.executable).parent / "ruff"
    exe = str(ruff) if ruff.exists() else shutil.which("ruff")
    if exe is None:
        pytest.skip("ruff is not installed (it is in the test extra)")
    return subprocess.run(
        [exe, *args, "--no-cache", *FOLDERS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_ruff_check_passes():
    result = _ruff("check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes():
    """Types are checked as CI checks them: ``[tool.mypy]`` names the files and the rules."""
    pytest.importorskip("mypy", reason="mypy is not installed (it is in the test extra)")
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_lays_out_every_line():
    """One formatter configuration for the whole tree, and no line laid out by hand."""
    result = _ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    marker = "fmt: " + "skip"
    skipped = [
        str(path.relative_to(REPO))
        for folder in FOLDERS
        for path in (REPO / folder).rglob("*.py")
        if marker in path.read_text(encoding="utf-8")
    ]
    assert skipped == []
