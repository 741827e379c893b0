"""Look at the HTML report as a browser shows it: screenshots at two window widths.

Not a timing benchmark: a documented way to check the page by eye (issue #15:
numbers under their headings, dates on one line, a visible chart legend). It
runs ``scan demo`` into a temporary directory (bundled pages on 127.0.0.1, no
network), writes the HTML report and takes headless Chromium screenshots:

    apt-get install -y chromium          # Debian; once
    python bench/report_screenshot.py    # prints where the PNG files are
    python bench/report_screenshot.py --db my.db --out /tmp/shots --widths 800 1280

A page taller than the window is cut at ``--height`` pixels; the grievance
tables come after the issues, so pass a larger height (or ``--limit 3``, which
is handed to ``scan report``) to see them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import chromium, screenshot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="report on this database (default: a new demo)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="scan-shots-")))
    parser.add_argument("--widths", type=int, nargs="+", default=[800, 1280])
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--limit", default="3", help="scan report --limit (default 3)")
    args = parser.parse_args()
    if chromium() is None:
        sys.exit("no Chromium found: apt-get install -y chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.db
    if db is None:
        subprocess.run(
            ["scan", "demo", "--dir", str(args.out / "demo")], check=True, stdout=subprocess.DEVNULL
        )
        db = args.out / "demo" / "scan.db"
    page = args.out / "report.html"
    subprocess.run(
        [
            "scan",
            "--db",
            str(db),
            "report",
            "--format",
            "html",
            "--limit",
            args.limit,
            "-o",
            str(page),
        ],
        check=True,
    )
    for width in args.widths:
        png = screenshot(page, args.out / f"report-{width}.png", width=width, height=args.height)
        print(png)


if __name__ == "__main__":
    main()
