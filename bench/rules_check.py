"""Time reading and checking scanner.toml and every rule file, as a command does.

    python bench/rules_check.py [--runs 7]

Each run is a fresh process (the loaders cache), timing the starter config and
the loaders of the rule files; prints the median of the runs in milliseconds.
Loopback only: nothing here touches the network.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import time
from pathlib import Path
from scanner.starter import STARTER
path = Path({folder!r}) / "scanner.toml"
path.write_text(STARTER, encoding="utf-8")
from scanner.config import load_config
from scanner.judge.systemic import load_systemic_rules
from scanner.digest.rules import load_digest_rules
from scanner.compare.settings import load_compare_rules
from scanner.clustering.settings import load_params
from scanner.issues.settings import load_issue_rules
from scanner.judge.complaints import complaint_rules
from scanner.judge import categories
started = time.perf_counter()
load_config(path)
config = time.perf_counter()
load_systemic_rules(); load_digest_rules(); load_compare_rules(); load_params()
load_issue_rules(); complaint_rules(); categories.labels()
done = time.perf_counter()
print((config - started) * 1000, (done - config) * 1000)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    config, rules = [], []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            out = subprocess.run(
                [sys.executable, "-c", CHILD.format(folder=folder)],
                capture_output=True,
                text=True,
                check=True,
            )
            first, second = map(float, out.stdout.split())
            config.append(first)
            rules.append(second)
    print(f"config (starter): median {statistics.median(config):.2f} ms over {runs} runs")
    print(f"rule files (7 loaders): median {statistics.median(rules):.2f} ms over {runs} runs")
    cores = Path("/proc/cpuinfo").read_text().count("processor")
    print(f"python {sys.version.split()[0]}, {cores} cores")


if __name__ == "__main__":
    main()
