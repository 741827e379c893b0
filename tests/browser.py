"""Headless Chromium for looking at HTML the way a reader's browser lays it out.

Used by the HTML report's layout test and by ``bench/report_screenshot.py``. On
Debian: ``apt-get install -y chromium``. Only local files are opened, with the
network features that would phone home switched off.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--mute-audio",
]
CSP_META = re.compile(r"<meta[^>]+http-equiv=[\"']?Content-Security-Policy[^>]*>", re.IGNORECASE)


def chromium() -> str | None:
    """The browser's path, or None where none is installed."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(page: Path, *extra: str, width: int, height: int, timeout: float = 90) -> str:
    browser = chromium()
    if browser is None:
        raise RuntimeError("no Chromium: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                *extra,
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "HOME": profile},
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def screenshot(page: Path, png: Path, *, width: int = 1100, height: int = 2400) -> Path:
    """A PNG of the page as a ``width`` pixel wide window shows it."""
    _run(page, f"--screenshot={png.resolve()}", width=width, height=height)
    return png


def measure(page: Path, script: str, *, width: int = 1100, height: int = 2400) -> str:
    """The DOM after ``script`` ran on a copy of the page laid out ``width`` pixels wide.

    The report forbids scripts (and may say so in a Content-Security-Policy); the
    copy drops that policy so the measuring script can run. The page as shipped
    is unchanged.
    """
    html = CSP_META.sub("", page.read_text(encoding="utf-8"))
    copy = page.with_name(page.stem + ".measure.html")
    copy.write_text(html.replace("</body>", f"<script>{script}</script></body>"), "utf-8")
    try:
        return _run(copy, "--dump-dom", "--virtual-time-budget=2000", width=width, height=height)
    finally:
        copy.unlink()
