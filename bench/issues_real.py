"""Issue discovery on real app-store reviews, against an analyst's labels.

    python bench/issues_real.py [--apps chai,polybuzz] [--issues 25]

For each app in ``../shared/real-reviews/`` (skipped when absent): import into a
fresh database, ``scan issues``, then for the labelled apps (Chai, PolyBuzz) the
precision and recall of the best issue for each of the seven largest themes and
how many of the ten largest issues are real themes (``tests/real_reviews.py``);
for every app the largest issues with their phrases, to read by eye.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.real_reviews import APPS, SHARED, high_rated_share, labels, run_app, score  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", default=",".join(APPS))
    parser.add_argument("--issues", type=int, default=15, help="issues listed per app")
    parser.add_argument("--quiet", action="store_true", help="figures only")
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"{SHARED} is absent: nothing to measure")
    for app in args.apps.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            run = run_app(app, Path(tmp))
            took = time.perf_counter() - started
        print(
            f"== {APPS[app]}: {len(run.grievances)} grievances, {len(run.issues)} issues "
            f"({took:.1f} s)"
        )
        truth = labels(app)
        if truth:
            result = score(run, truth)
            for t in result.themes[:7]:
                name = t.issue.name if t.issue else "-"
                ok = "ok " if t.precision >= 0.8 and t.recall >= 0.7 else "   "
                print(
                    f"  {ok}{t.theme:16s} n={t.size:4d}  P={t.precision:.2f} R={t.recall:.2f}"
                    f"  <- {name}"
                )
            f1 = [
                2 * t.precision * t.recall / (t.precision + t.recall or 1)
                for t in result.themes[:7]
            ]
            at_bar = sum(t.precision >= 0.8 and t.recall >= 0.7 for t in result.themes[:7])
            print(
                f"  real themes among the 10 largest issues: {result.top_real}/{result.top_count}; "
                f"top 7 themes at the bar: {at_bar}/7, mean F1 {sum(f1) / max(len(f1), 1):.3f}"
            )
            if not args.quiet:
                for line in result.top_labels:
                    print(f"     {line}")
        if args.quiet:
            continue
        for issue in run.issues[: args.issues]:
            high = high_rated_share(run, issue)
            print(
                f"  {issue.people:4d}  {issue.name[:40]:40s} {high:.0%} 4-5*  "
                f"[{', '.join(issue.phrases[:8])[:90]}]"
            )


if __name__ == "__main__":
    main()
