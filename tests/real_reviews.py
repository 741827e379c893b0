"""Issue discovery held against an analyst's labels of real app-store reviews.

The reviews are in ``../shared/real-reviews/`` (not ours: read from there, never
copied in); the labels in ``tests/fixtures/issues/real/<app>.jsonl`` are ours:
for every review rated 1-3 of Chai and PolyBuzz, the grievance themes an analyst
read in it (ids and theme names only; ``note`` says what a one-off complaint is).
``vague`` marks a negative review that names no problem, ``other`` a specific
grievance outside the themes.

A theme is found when one issue holds most of its reviews (recall) and is mostly
made of them (precision); an issue is a real theme when most of its members carry
one theme. ``python bench/issues_real.py`` prints these figures for every app.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scanner.config import Company, Config
from scanner.importing import import_file
from scanner.issues import store as issue_store
from scanner.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "real-reviews"
LABELS = Path(__file__).parent / "fixtures" / "issues" / "real"
APPS = {
    "chai": "Chai",
    "polybuzz": "PolyBuzz",
    "talkie-lab": "Talkie Lab",
    "emochi-world": "EMOCHI World",
    "zeta": "zeta",
    "tipsy": "Tipsy",
}
NOT_THEMES = {"vague", "other"}
REAL_SHARE, REAL_LIFT = 0.6, 1.5


def labels(app: str) -> dict[str, list[str]] | None:
    path = LABELS / f"{app}.jsonl"
    if not path.exists():
        return None
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {r["id"]: r["themes"] for r in rows}


@dataclass
class FoundIssue:
    id: int
    name: str
    people: int
    members: set[str]
    phrases: list[str]


@dataclass
class AppRun:
    app: str
    grievances: set[str]
    ratings: dict[str, float]
    issues: list[FoundIssue]  # most people first


@dataclass
class ThemeScore:
    theme: str
    size: int
    issue: FoundIssue | None
    precision: float
    recall: float


@dataclass
class AppScore:
    app: str
    themes: list[ThemeScore] = field(default_factory=list)
    top_real: int = 0
    top_count: int = 0
    top_labels: list[str] = field(default_factory=list)


def run_app(app: str, workdir: Path) -> AppRun:
    """Import one app's reviews into a fresh database and discover its issues."""
    name = APPS[app]
    config = Config(
        path=None,
        db=workdir / "scan.db",
        company=Company(name),
        competitors=[Company(other) for key, other in APPS.items() if key != app],
    )
    store = Store(config.db)
    import_file(store, SHARED / f"{app}.jsonl", company=name)
    issue_store.run(store, config, company=name)
    rows = store.db.execute("SELECT id, rating, is_grievance FROM mentions").fetchall()
    grievances = {r[0] for r in rows if r[2]}
    ratings = {r[0]: r[1] for r in rows}
    found = []
    for iid, iname, phrases in store.db.execute(
        "SELECT id, name, phrases FROM issues WHERE retired_at IS NULL"
    ).fetchall():
        members = {
            m
            for (m,) in store.db.execute(
                "SELECT mention_id FROM issue_members WHERE issue_id = ?", [iid]
            )
        }
        authors = store.db.execute(
            "SELECT COUNT(DISTINCT COALESCE(author, id)) FROM mentions WHERE id IN "
            "(SELECT mention_id FROM issue_members WHERE issue_id = ?)",
            [iid],
        ).fetchone()[0]
        found.append(FoundIssue(iid, iname, authors, members, json.loads(phrases or "[]")))
    found.sort(key=lambda i: (-i.people, i.id))
    store.close()
    return AppRun(app, grievances, ratings, found)


def score(run: AppRun, truth: dict[str, list[str]], *, top_themes: int = 10) -> AppScore:
    """Each of the ``top_themes`` largest themes (ties by name) against its best issue (by F1), and
    how many of the ten largest issues are real themes."""
    graded = {g: truth[g] for g in run.grievances if g in truth}
    sizes = Counter(t for themes in graded.values() for t in themes if t not in NOT_THEMES)
    out = AppScore(run.app)
    for theme, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[:top_themes]:
        holders = {g for g, themes in graded.items() if theme in themes}
        best = (0.0, None, 0.0, 0.0)
        for issue in run.issues:
            inside = issue.members & graded.keys()
            if not inside:
                continue
            hits = len(inside & holders)
            p, r = hits / len(inside), hits / len(holders)
            f1 = 2 * p * r / (p + r) if hits else 0.0
            if f1 > best[0]:
                best = (f1, issue, p, r)
        out.themes.append(ThemeScore(theme, size, best[1], best[2], best[3]))
    claimed: set[str] = set()
    for issue in run.issues[:10]:
        inside = [graded[m] for m in issue.members if m in graded]
        votes = Counter(t for themes in inside for t in themes)
        theme, count = votes.most_common(1)[0] if votes else ("-", 0)
        share = count / max(len(inside), 1)
        base = sum(1 for themes in graded.values() if theme in themes) / max(len(graded), 1)
        # One theme, clearly: most members carry it, well above its share of all
        # grievances, and no larger issue stands for it already (a split).
        real = (
            theme not in NOT_THEMES
            and theme != "-"
            and share >= REAL_SHARE
            and share >= REAL_LIFT * base
            and theme not in claimed
        )
        claimed.add(theme)
        out.top_count += 1
        out.top_real += real
        verdict = theme if real else f"NOT REAL ({theme} {share:.0%}, base {base:.0%})"
        out.top_labels.append(f"{issue.name} -> {verdict}")
    return out


def high_rated_share(run: AppRun, issue: FoundIssue) -> float:
    """The share of an issue's members rated 4 or 5 stars."""
    rated = [run.ratings[m] for m in issue.members if run.ratings.get(m) is not None]
    return sum(1 for r in rated if r >= 4) / len(rated) if rated else 0.0
