"""A filtered report says it is filtered: in its header, and where a list is empty
because of the filter. "No systemic grievance." under ``--min-people 100`` read as
if there were none, with four in the database.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_scan
from tests.report_support import AS_OF


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_filter_is_said_in_the_header_and_in_the_lists_it_empties(report_site, fmt):
    whole = json.loads(
        run_scan("report", "--as-of", AS_OF, "--format", "json", cwd=report_site).stdout
    )
    assert whole["totals"]["systemic"] > 0 and whole["filters"] == []
    done = run_scan(
        "report", "--as-of", AS_OF, "--min-people", "100", "--format", fmt, cwd=report_site
    )
    assert done.returncode == 0, done.stderr
    page = " ".join(done.stdout.split())
    assert "Listed: at least 100 people" in page, page
    assert "No systemic grievance (at least 100 people)." in page, page
    plain = run_scan("report", "--as-of", AS_OF, "--format", fmt, cwd=report_site).stdout
    assert "Listed:" not in plain


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_verdict_filter_is_said_once(report_site, fmt):
    """ "--verdict systemic" headed the report "Listed: only systemic only"."""
    done = run_scan(
        "report",
        "--as-of",
        AS_OF,
        "--verdict",
        "systemic",
        "--min-people",
        "2",
        "--format",
        fmt,
        cwd=report_site,
    )
    assert done.returncode == 0, done.stderr
    page = " ".join(done.stdout.split())
    assert "Listed: systemic only, at least 2 people" in page, page
    assert "only systemic" not in page


def test_the_json_names_its_filters(report_site):
    done = run_scan(
        "report", "--as-of", AS_OF, "--verdict", "isolated", "--format", "json", cwd=report_site
    )
    assert json.loads(done.stdout)["filters"] == ["isolated only"]


def test_a_csv_that_leaves_rows_out_says_so_beside_it(report_site):
    done = run_scan("report", "--as-of", AS_OF, "--format", "csv", cwd=report_site)
    assert done.returncode == 0, done.stderr
    hidden = json.loads(
        run_scan("report", "--as-of", AS_OF, "--format", "json", cwd=report_site).stdout
    )["isolated_hidden"]
    assert hidden > 0
    assert f"note: not in this CSV: {hidden} single-post grievance" in done.stderr, done.stderr
    assert "note:" not in done.stdout  # the file itself stays rows only
    whole = run_scan("report", "--as-of", AS_OF, "--format", "csv", "--all", cwd=report_site)
    assert "not in this CSV" not in whole.stderr
