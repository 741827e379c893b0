"""Time and memory of issue discovery (``scanner.issues.discover``) at scale.

A deterministic synthetic corpus: grievances of ~35 words drawn from a
Zipf-distributed vocabulary of made-up words (10% of texts in Devanagari),
with sentiment and stop words mixed in, where 60% also state one of 300
themes in one of its 4 wordings (one of them in Devanagari), plus a
background of non-grievance mentions (a quarter as many, the same words
without the complaining ones). Discovery is
tokenising, counting, keyness, merging and assigning every grievance;
corpus generation is not timed. Each size runs in its own process so that
peak memory (max RSS) is its own.

    python bench/issues.py                 # 100k and 1M grievances
    python bench/issues.py --sizes 100000  # one size

Goal (issue 9): under 60 s at 1M grievances on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

THEMES = 300
FILLER = [
    "the",
    "my",
    "i",
    "it",
    "was",
    "and",
    "to",
    "of",
    "is",
    "not",
    "terrible",
    "worst",
    "really",
    "this",
    "app",
    "again",
    "so",
    "they",
    "but",
    "for",
]
# Other mentions are no complaints: the same words without the complaining ones.
CALM = [w for w in FILLER if w not in {"not", "terrible", "worst", "but"}] + ["good", "fine"]


def _word(rng: random.Random, devanagari: bool) -> str:
    if devanagari:
        signs = ["ा", "ि", "ी", "ु", "े", "ो", ""]
        return "".join(
            rng.choice("कखगचजटडतदनपबमयरलवसह") + rng.choice(signs) for _ in range(rng.randint(2, 3))
        )
    return "".join(
        rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4))
    )


def corpus(n: int, seed: int = 9) -> tuple[list[tuple[str, str, str]], list[str]]:
    """``n`` grievances (id, person, text) and ``n // 4`` background texts."""
    rng = random.Random(seed)
    vocab = [_word(rng, False) for i in range(50_000)]
    hindi = [_word(rng, True) for i in range(10_000)]
    cum, total = [], 0.0
    for rank in range(len(vocab)):
        total += 1 / (rank + 1)
        cum.append(total)
    hindi_cum = cum[: len(hindi)]
    themes = [
        [
            f"{_word(rng, False)} {_word(rng, False)}",
            f"{_word(rng, False)}",
            f"{_word(rng, False)} {_word(rng, False)} {_word(rng, False)}",
            f"{_word(rng, True)} {_word(rng, True)}",
        ]
        for _ in range(THEMES)
    ]
    theme_cum, total = [], 0.0
    for t in range(THEMES):
        total += 1 / (t + 1) ** 0.7
        theme_cum.append(total)

    def text(grievance: bool) -> str:
        if rng.random() < 0.1:  # a text in Devanagari
            words = rng.choices(hindi, cum_weights=hindi_cum, k=34)
        else:
            filler = FILLER if grievance else CALM
            words = rng.choices(vocab, cum_weights=cum, k=24) + rng.choices(filler, k=10)
        if grievance and rng.random() < 0.6:
            theme = rng.choices(themes, cum_weights=theme_cum)[0]
            words.insert(rng.randrange(len(words)), rng.choice(theme))
        rng.shuffle(words)
        return " ".join(words) + "."

    grievances = [(f"g{i}", f"p{rng.randrange(n)}", text(True)) for i in range(n)]
    background = [text(False) for _ in range(n // 4)]
    return grievances, background


def _cpu() -> float:
    """CPU seconds of this process and its finished workers (the machine may be shared,
    so wall time alone can mislead)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(n: int) -> dict:
    from scanner.issues import Grievance, Lexicon, discover, load_issue_rules

    made = time.perf_counter()
    rows, background = corpus(n)
    grievances = [Grievance(*row) for row in rows]
    made = time.perf_counter() - made
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), _cpu()
    found = discover(
        grievances, background, lexicon=Lexicon(names=["Acme"]), params=load_issue_rules().params
    )
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assigned = sum(len(i.members) for i in found.issues)
    return {
        "grievances": n,
        "seconds": round(seconds, 1),
        "cpu_s": round(cpu, 1),
        "generate_s": round(made, 1),
        "peak_rss_mb": round(rss / 1024),
        "rss_before_mb": round(rss_before / 1024),
        "issues": len(found.issues),
        "candidates": found.candidates,
        "assignments": assigned,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            sys.exit(out.returncode)
        r = json.loads(out.stdout)
        print(
            f"{r['grievances']:>9,} grievances: {r['seconds']:>6.1f} s "
            f"({r['cpu_s']:.1f} s CPU), peak RSS "
            f"{r['peak_rss_mb']:,} MB (corpus alone {r['rss_before_mb']:,} MB), "
            f"{r['issues']} issues from {r['candidates']} candidates, "
            f"{r['assignments']:,} assignments"
        )


if __name__ == "__main__":
    main()
