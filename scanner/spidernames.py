"""The names of the spiders that ship, read from the ``scanner.spiders`` package.

Scrapy's ``SpiderLoader`` would tell us too, but it imports Scrapy and every
spider (0.4 s on 2 cores), and the config is checked by every command, most of
which never crawl. Reading the modules' source finds the same names (a class
attribute ``name = "..."``) in about a millisecond, and tests/test_packaging.py holds the two
lists equal so neither can drift.
"""

from __future__ import annotations

import os
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

# A class attribute: `name = "reddit"` indented once inside a class body.
_NAME = re.compile(r"""^    name = ["']([\w-]+)["']""", re.MULTILINE)


@cache
def spider_names() -> tuple[str, ...]:
    """Every spider's ``name``, sorted."""
    spec = find_spec("scanner.spiders")  # finds the folder without importing the package
    found: set[str] = set()
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for entry in os.scandir(folder):
            if entry.name.endswith(".py") and not entry.name.startswith("_"):
                found.update(_NAME.findall(Path(entry.path).read_text(encoding="utf-8")))
    return tuple(sorted(found))
