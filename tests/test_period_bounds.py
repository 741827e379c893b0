"""A period named by days and one named by its first day are the same days.

"--days 7 --as-of D" counted the seven days D-6 to D but was headed "D-7 → D";
``scan compare --since D`` left out the reviews dated D (a date-only review sits
at D's midnight, and its periods are open at the start). Real parts: JSON Lines
imported into a SQLite file, the reports read as the CLI prints them.
"""

from __future__ import annotations

import json

import pytest

DAYS = [f"2026-06-{d:02d}" for d in range(20, 31)]  # a grievance on each of 20-30 June


@pytest.fixture
def site(tmp_path, scan):
    (tmp_path / "scanner.toml").write_text(
        '[company]\nname = "Acme"\n[[competitors]]\nname = "Rival"\n', "utf-8"
    )
    rows = [
        {
            "id": f"{company}-{day}",
            "company": company,
            "author": f"{company} person {day}",
            "text": f"{company} charged my card twice on {day}",
            "rating": 1,
            "published_at": day,
        }
        for company in ("Acme", "Rival")
        for day in DAYS
    ]
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    done = scan("--create", "import", "rows.jsonl")
    assert done.returncode == 0, done.stderr
    return scan


def test_days_and_since_name_and_count_the_same_days(site):
    by_days = site("report", "--as-of", "2026-06-30", "--days", "7", "--format", "json")
    by_since = site("report", "--as-of", "2026-06-30", "--since", "2026-06-24", "--format", "json")
    days, since = json.loads(by_days.stdout), json.loads(by_since.stdout)
    assert days["totals"]["mentions"] == since["totals"]["mentions"] == 7
    assert days["period"]["since"][:10] == since["period"]["since"][:10] == "2026-06-24"
    text = site("report", "--as-of", "2026-06-30", "--days", "7").stdout
    assert "Period 2026-06-24 → 2026-06-30" in text, text


def test_compare_since_a_day_holds_that_days_reviews(site):
    done = site("compare", "--as-of", "2026-06-30", "--since", "2026-06-24", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {c["name"]: c["mentions"] for c in data["companies"]} == {"Acme": 7, "Rival": 7}
    assert data["period"]["since"][:10] == "2026-06-24"
    by_days = site("compare", "--as-of", "2026-06-30", "--days", "7", "--format", "json")
    assert json.loads(by_days.stdout)["period"]["since"][:10] == "2026-06-24"
    assert (
        "Period 2026-06-24 to 2026-06-30"
        in site("compare", "--as-of", "2026-06-30", "--days", "7").stdout
    )


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_period_that_starts_at_a_time_of_day_names_it(tmp_path, scan, fmt):
    """A report as of now counts the seven days to this second: reviews dated the
    first day (at its midnight) are before it. It was headed "Period 2026-11-26 →"
    while it left out 2026-11-26's 251 app-store reviews, so ``scan mentions --since
    2026-11-26`` listed 711 where the report said 460. The header names the hour."""
    import re
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC).date()
    days = [(today - timedelta(days=n)).isoformat() for n in range(10)]
    rows = [
        {
            "id": f"r{d}",
            "author": f"p{d}",
            "text": f"charged twice on {d}",
            "rating": 1,
            "published_at": d,
        }
        for d in days
    ]
    (tmp_path / "scanner.toml").write_text(
        '[company]\nname = "Acme"\n[[competitors]]\nname = "Rival"\n', "utf-8"
    )
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    assert scan("--create", "import", "rows.jsonl").returncode == 0
    compared = " ".join(scan("compare", "--days", "7").stdout.split())
    found = re.search(r"Period (\d{4}-\d\d-\d\d)( \d\d:\d\d)? to .*? Acme\*? (\d+) ", compared)
    assert found, compared[:500]
    start, hour, counted = found.group(1), found.group(2), int(found.group(3))
    assert counted == len([d for d in days if (d > start if hour else d >= start)]), found[0]
    done = scan("report", "--format", fmt)
    assert done.returncode == 0, done.stderr
    page = " ".join(re.sub(r"<[^>]+>", " ", done.stdout).split())
    found = re.search(r"Period (\d{4}-\d\d-\d\d)( \d\d:\d\d)? (?:→|to) .*?(\d+) mentions", page)
    assert found, page[:500]
    start, hour, counted = found.group(1), found.group(2), int(found.group(3))
    # From a time of day: that day's reviews are before it; from a day: they are in.
    held = [d for d in days if (d > start if hour else d >= start)]
    assert counted == len(held), (found.group(0), held)
