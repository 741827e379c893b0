"""Our two readings of the real reviews (``tests/fixtures/issues/real``) stay usable:
the second reading (``bench/label_agreement.py``) covers only reviews the first has,
each once, in the same list of themes. These files are ours; the reviews are not,
so nothing here needs ``../shared``."""

from __future__ import annotations

import json

from bench.label_agreement import agreement
from tests.real_reviews import LABELS


def _rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_second_reading_covers_reviews_of_the_first_in_the_same_themes():
    seconds = sorted(LABELS.glob("*.second.jsonl"))
    assert [p.name for p in seconds] == ["chai.second.jsonl", "polybuzz.second.jsonl"]
    for path in seconds:
        first_rows = _rows(LABELS / path.name.replace(".second", ""))
        first = {r["id"] for r in first_rows}
        # the first reading's themes, and "none" for a review that raises no grievance
        themes = {t for r in first_rows for t in r["themes"]} | {"none"}
        rows = _rows(path)
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)) == 150 and set(ids) <= first, path
        assert all(r["themes"] and set(r["themes"]) <= themes for r in rows), path
        assert all(r.get("note") for r in rows if "other" in r["themes"]), path


def test_agreement_counts_a_theme_both_readings_share():
    first = {"a": {"ads"}, "b": {"ads", "price"}, "c": {"price"}, "d": {"vague"}}
    second = {"a": {"ads"}, "b": {"price"}, "c": {"price", "ads"}, "d": {"vague"}}
    ads = agreement(first, second, "ads")
    assert (ads["first"], ads["second"], ads["precision"], ads["recall"]) == (2, 2, 0.5, 0.5)
    assert ads["kappa"] == 0.0  # agreeing on 2 of 4 is what chance gives at these rates
    assert agreement(first, second, "price")["kappa"] == 1.0
