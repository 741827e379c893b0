"""The HTML report as Chromium lays it out: headings over their numbers, dates on one line,
tables that fit the window, a chart whose legend is on the page (not only in a tooltip).

Skipped where no Chromium is installed (``apt-get install -y chromium``). To look
at the page yourself: ``python bench/report_screenshot.py``.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.browser import chromium, measure, screenshot
from tests.conftest import run_scan
from tests.report_support import AS_OF

pytestmark = pytest.mark.skipif(chromium() is None, reason="no Chromium installed")

# For every table: is each heading on the same side as its cells (right for numbers,
# left for text), do date cells take one line; and is the chart's legend drawn.
SCRIPT = r"""
const box = (node) => { const r = document.createRange(); r.selectNodeContents(node);
  const rects = [...r.getClientRects()].filter(x => x.width > 0);
  return {left: Math.min(...rects.map(x => x.left)), right: Math.max(...rects.map(x => x.right)),
          lines: new Set(rects.map(x => Math.round(x.top))).size}; };
const out = {columns: [], dates: [], legend: [], tables: [], grievance: [], split: []};
// A heading or cell of one short word laid out on several lines: split inside the word.
const split = (node) => { const text = node.textContent.trim();
  if (node.querySelector(".flag") || !text || /[\s-]/.test(text) || text.length > 24) return;
  if (box(node).lines > 1) out.split.push(text); };
for (const table of document.querySelectorAll("table")) {
  out.tables.push({right: table.getBoundingClientRect().right, viewport: innerWidth});
  const heads = [...table.querySelectorAll("thead th")];
  heads.forEach(split);
  table.querySelectorAll("tbody td").forEach(split);
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => {
      const head = heads[i], name = head.textContent;
      if (!cell.textContent.trim() || !cell.getClientRects().length) return;  // empty, hidden
      if (name === "Grievance") out.grievance.push(cell.getBoundingClientRect().width);
      const h = box(head), c = box(cell), right = getComputedStyle(cell).textAlign === "right";
      out.columns.push({name, right, gap: right ? Math.abs(h.right - c.right)
                                                : Math.abs(h.left - c.left)});
      if (/seen|crawl/i.test(name)) out.dates.push({name, text: cell.textContent, lines: c.lines});
    });
  }
}
for (const text of document.querySelectorAll("svg text")) {
  const r = text.getBoundingClientRect();
  out.legend.push({text: text.textContent, width: r.width, height: r.height});
}
const pre = document.createElement("pre"); pre.id = "layout";
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
"""


@pytest.fixture(scope="module")
def page(report_site):
    site = report_site
    done = run_scan("report", "--as-of", AS_OF, "--format", "html", "-o", "report.html", cwd=site)
    assert done.returncode == 0, done.stderr
    return site / "report.html"


def layout(page, width: int) -> dict:
    dom = measure(page, SCRIPT, width=width)
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.parametrize("width", [800, 1000, 1100, 1280])
def test_headings_sit_over_their_own_cells_and_dates_do_not_wrap(page, width):
    found = layout(page, width)
    numbers = {c["name"] for c in found["columns"] if c["right"]}
    assert {"People", "Posts"} <= numbers
    misplaced = [c for c in found["columns"] if c["gap"] > 4]  # a misplaced one is ~50 px off
    assert misplaced == [], misplaced[:5]
    assert found["dates"], "no date column measured"
    wrapped = [d for d in found["dates"] if d["lines"] != 1]
    assert wrapped == [], wrapped[:5]
    # Every table fits the window, and the grievance text keeps a readable width in it.
    assert all(t["right"] <= t["viewport"] for t in found["tables"]), found["tables"]
    assert found["grievance"] and min(found["grievance"]) >= 200, found["grievance"]
    # No heading or one-word cell is squeezed to a few letters a line ("P/e/o/pl/e").
    assert found["split"] == [], found["split"]


def test_the_chart_legend_is_on_the_page(page):
    drawn = {t["text"] for t in layout(page, 1100)["legend"] if t["width"] > 0 and t["height"] > 0}
    assert {"posts", "grievance posts"} <= drawn


def test_a_screenshot_can_be_taken_for_a_person_to_look_at(page, tmp_path):
    png = screenshot(page, tmp_path / "report.png", width=1000, height=1400)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


# What is wider than the window at a phone's width: the page itself, and each element
# that reaches past the window's right edge while its own box does not scroll.
PHONE = 500  # px: the narrowest window headless Chromium lays out
PHONE_SCRIPT = r"""
const out = {page: document.documentElement.scrollWidth, viewport: innerWidth, wide: []};
for (const node of document.querySelectorAll("body *")) {
  const r = node.getBoundingClientRect();
  let boxed = false;
  for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
    if (getComputedStyle(up).overflowX === "auto") boxed = true;
  }
  if (r.right > innerWidth + 1 && !boxed) out.wide.push(node.tagName + " " + Math.round(r.right));
}
const pre = document.createElement("pre"); pre.id = "layout";
pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
"""


def test_on_a_phone_the_page_does_not_scroll_sideways(page):
    """At a phone's width the companies table (five columns of numbers) pushed the
    whole page wider than the screen: every paragraph scrolled sideways with it. A
    table too wide for the screen scrolls in its own box, and the text keeps the
    screen's width. Measured at 500 px, the narrowest window headless Chromium lays
    out (asked for 400, it lays out 500: the viewport check says which it was)."""
    dom = measure(page, PHONE_SCRIPT, width=PHONE)
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    seen = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert seen["wide"] == [], seen["wide"][:10]
    assert seen["viewport"] == PHONE, seen
    assert seen["page"] <= seen["viewport"], seen
