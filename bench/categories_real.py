"""Which category real app-store complaints fall in first.

    python bench/categories_real.py [--max-rating 2]

Reads ``../shared/real-reviews/*.jsonl`` (skipped when absent) and prints, over the
reviews rated at most ``--max-rating`` of 5, the share whose best category is each
of ``rules/categories.toml``'s: a category system in which "Other" holds half of
what people complain about tells a reader little.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.judge.categories import categorise, labels  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "real-reviews"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rating", type=float, default=2)
    args = parser.parse_args()
    files = sorted(SHARED.glob("*.jsonl"))
    if not files:
        sys.exit(f"skipped: no real reviews in {SHARED}")
    first: Counter[str] = Counter()
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            review = json.loads(line)
            if review.get("rating") is None or review["rating"] > args.max_rating:
                continue
            first[categorise(f"{review.get('title') or ''} — {review['text']}")[0]] += 1
    total = sum(first.values())
    named = labels()
    print(f"{total} reviews rated {args.max_rating:g} or less, by best category:")
    for key, count in first.most_common():
        print(f"  {count / total:6.1%}  {count:5d}  {named.get(key, key)}")


if __name__ == "__main__":
    main()
