"""Shared test helpers: run the installed ``scan`` entry point in a subprocess."""

from __future__ import annotations

import os
import shutil
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


def run_scan(
    *args: str,
    cwd: Path,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``scan ARGS`` as a user would, in ``cwd``; never raises on a non-zero status."""
    full_env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("SCAN_DB", None) if env is None or "SCAN_DB" not in env else None
    return subprocess.run(
        [scan_executable(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        input=input_text,
        check=False,
    )


@pytest.fixture
def scan(tmp_path: Path):
    """``scan(*args)`` runs the CLI in a fresh temporary directory."""

    def _run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
        kwargs.setdefault("cwd", tmp_path)
        return run_scan(*args, **kwargs)

    return _run


def real_pages() -> Path | None:
    """The saved real pages (../shared/real-pages), or None when this clone has none."""
    env = os.environ.get("SCAN_REAL_PAGES")
    path = Path(env) if env else REPO.parent / "shared" / "real-pages"
    return path if path.is_dir() else None
