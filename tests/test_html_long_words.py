"""Web text with no place to break a line (a 200-letter "word", a long source name)
must wrap inside the HTML report and the digest, not widen the page past the window.

Skipped where no Chromium is installed (``apt-get install -y chromium``).
"""

from __future__ import annotations

import email
import email.policy
import json
import re

import pytest

from tests.browser import chromium, measure

pytestmark = pytest.mark.skipif(chromium() is None, reason="no Chromium installed")

WIDTH = "document.documentElement.scrollWidth"
SCRIPT = f"""const p = document.createElement("pre"); p.id = "width";
p.textContent = JSON.stringify([{WIDTH}, innerWidth]); document.body.appendChild(p);"""
WORD = "Refund" + "x" * 194
SOURCE = "zendesk-export-customer-care-escalations-emea-2026-q4-priority-queue-" + "z" * 60


def _page_width(page, width: int) -> tuple[int, int]:
    dom = measure(page, SCRIPT, width=width)
    found = re.search(r'<pre id="width">(.*?)</pre>', dom)
    assert found, dom[-2000:]
    page_width, window = json.loads(found.group(1))
    return page_width, window


@pytest.fixture
def site(scan, tmp_path):
    (tmp_path / "scanner.toml").write_text(
        '[company]\nname = "Acme"\n[digest]\nto = ["you@example.com"]\nfrom = "scan@localhost"\n',
        "utf-8",
    )
    rows = [
        {
            "id": f"w{k}",
            "source": SOURCE,
            "author": f"person {k}",
            "title": WORD,
            "text": f"Acme never sent my refund, see {WORD}",
            "rating": 1,
            "published_at": f"2026-11-2{k}T10:00:00Z",
            "url": f"https://example.com/{k}",
        }
        for k in range(3)
    ]
    (tmp_path / "long.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    for args in (("--create", "import", "long.jsonl"), ("cluster",), ("issues",)):
        done = scan(*args)
        assert done.returncode == 0, done.stderr
    return tmp_path


@pytest.mark.parametrize("args", [("--all",), ("--cluster", "1")], ids=["report", "one-grievance"])
def test_the_report_wraps_a_word_too_long_for_the_window(scan, site, args):
    done = scan("report", "--as-of", "2026-11-30", *args, "--format", "html", "-o", "r.html")
    assert done.returncode == 0, done.stderr
    page_width, window = _page_width(site / "r.html", 1000)
    assert page_width <= window, (page_width, window)


def test_the_digest_wraps_a_word_too_long_for_the_window(scan, site):
    done = scan("digest", "--out", "d.eml")
    assert done.returncode == 0, done.stderr
    message = email.message_from_bytes((site / "d.eml").read_bytes(), policy=email.policy.default)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    (site / "d.html").write_text(html_part.get_content(), "utf-8")
    page_width, window = _page_width(site / "d.html", 700)
    assert page_width <= window, (page_width, window)
