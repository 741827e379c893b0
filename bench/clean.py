"""Benchmark: cleaning hostile markup as it enters the database.

A page or an export can hold markup that never closes ("<svg <svg ...", a comment
opened and never ended) or nests thousands deep. ``clean_text`` reads it as HTML;
its time should grow with the length of the text, not with its square. For each
kind of hostile text and each length, the median of ``--runs`` runs of
``clean_text``, and beside it (one run) how ``html_to_text`` read HTML before it
took lxml: the standard library's parser, then line breaks inserted into the tree
(skipped past ``--before-max`` characters, where it takes minutes):

    python bench/clean.py
    python bench/clean.py --sizes 20000,80000,320000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bs4 import BeautifulSoup  # noqa: E402

from scanner.text.clean import clean_text  # noqa: E402

#: Each kind: a text of about ``n`` characters.
KINDS: dict[str, Callable[[int], str]] = {
    "tag never closed": lambda n: "<b>Charged twice</b> " + "<svg " * (n // 5),
    "comment never closed": lambda n: "<p>Refund</p>" + "<!--" * (n // 4),
    "attribute never closed": lambda n: "<br>" + '<math a="' * (n // 9),
    "blocks nested deep": lambda n: "<div>" * (n // 11) + "x" + "</div>" * (n // 11),
    "ordinary review": lambda n: "<p>The app <b>charged me twice</b> for it.</p>" * (n // 44),
}


def _median(fn: Callable[[str], object], text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _html_to_text_before(markup: str) -> str:
    """``html_to_text`` as it was, for comparison."""
    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "template", "noscript"]):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(["div", "li", "tr"]):
        block.insert_before("\n")
        block.insert_after("\n")
    for paragraph in soup.find_all(["p", "blockquote", "h1", "h2", "h3", "h4"]):
        paragraph.insert_before("\n\n")
        paragraph.insert_after("\n\n")
    return soup.get_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,40000,160000,640000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before-max", type=int, default=45_000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"# {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"median of {args.runs} runs, seconds"
    )
    print(f"{'kind':24s} {'chars':>8s} {'clean_text':>11s} {'before':>14s}")
    for kind, make in KINDS.items():
        for size in sizes:
            text = make(size)
            ours = _median(clean_text, text, args.runs)
            if len(text) <= args.before_max:
                theirs = f"{_median(_html_to_text_before, text, 1):14.3f}"
            else:
                theirs = f"{'-':>14s}"
            print(f"{kind:24s} {len(text):8d} {ours:11.4f} {theirs}")


if __name__ == "__main__":
    main()
