"""A review known only by its day is shown by its day, not at "00:00".

App stores and most exports date a review without its time of day; it is stored
at midnight. Shown as "2026-06-29 00:00" beside every post, that read as a time
nobody gave. A post with a time of day keeps it.
"""

from __future__ import annotations

import pytest

from tests.conftest import imported, run_scan

ROWS = [
    {"id": "d1", "author": "Ann", "text": "Refund never arrived", "published_at": "2026-06-27"},
    {"id": "d2", "author": "Bob", "text": "Refund never arrived!", "published_at": "2026-06-28"},
    {
        "id": "d3",
        "author": "Cy",
        "text": "Refund never arrived.",
        "published_at": "2026-06-29T14:35:00+00:00",
    },
]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_date_without_a_time_is_shown_as_the_date(tmp_path, fmt):
    site = imported(tmp_path, ROWS)
    shown = run_scan("report", "--as-of", "2026-06-30", "--cluster", "1", "--format", fmt, cwd=site)
    assert shown.returncode == 0, shown.stderr
    page = shown.stdout
    assert "2026-06-27" in page and "2026-06-28" in page  # each post, and first seen
    assert "00:00" not in page
    assert "2026-06-29 14:35" in page  # a time of day that was given is kept
