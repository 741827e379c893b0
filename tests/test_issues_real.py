"""Issue discovery on 3,757 real app-store reviews, against our analyst's labels.

Skipped when ``../shared/real-reviews`` is absent (the reviews are not ours to
ship). The floors are what the method reaches today, measured with
``python bench/issues_real.py``; they guard against regressions, and the themes
that reach the product's bar (recall >= 0.7 and precision >= 0.8, one issue) are
held to it. The closing note of issue 12 says which themes do not yet, and why.
"""

from __future__ import annotations

import pytest

from tests.real_reviews import SHARED, high_rated_share, labels, run_app, score

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason=f"{SHARED} is absent")

# Themes that reach the bar: one issue, recall >= 0.7, precision >= 0.8.
AT_BAR = {"chai": ["limits", "price", "chat-loss", "ads"], "polybuzz": ["ads", "filter"]}
# Every other top theme: the F1 of its best issue today, less a small margin.
F1_FLOORS = {
    "chai": {"memory": 0.82, "bugs": 0.72},
    "polybuzz": {"price": 0.85, "inappropriate": 0.39, "limits": 0.50, "bugs": 0.55},
}
REAL_IN_TOP_TEN = {"chai": 9, "polybuzz": 7}


@pytest.fixture(scope="module", params=["chai", "polybuzz"])
def scored(request, tmp_path_factory):
    app = request.param
    run = run_app(app, tmp_path_factory.mktemp(app))
    return app, run, score(run, labels(app))


def test_the_biggest_themes_are_one_issue_each(scored):
    app, _, result = scored
    by_theme = {t.theme: t for t in result.themes}
    for theme in AT_BAR[app]:
        t = by_theme[theme]
        assert t.recall >= 0.7 and t.precision >= 0.8, (theme, t.precision, t.recall)
    for theme, floor in F1_FLOORS[app].items():
        t = by_theme[theme]
        f1 = 2 * t.precision * t.recall / max(t.precision + t.recall, 1e-9)
        assert f1 >= floor, (theme, round(t.precision, 2), round(t.recall, 2))


def test_the_ten_biggest_issues_are_mostly_real_themes(scored):
    app, _, result = scored
    assert result.top_real >= REAL_IN_TOP_TEN[app], result.top_labels


def test_no_issue_is_mostly_four_or_five_star_posts(scored):
    _, run, _ = scored
    assert run.issues
    for issue in run.issues:
        assert high_rated_share(run, issue) <= 0.5, issue.name
    # Five-star praise never became a grievance at all.
    assert all(run.ratings[g] is None or run.ratings[g] <= 3 for g in run.grievances)
