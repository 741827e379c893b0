"""Where ``spiders/`` and ``rules/`` live: inside the installed package, or beside it.

Both stay at the top of the repository, where a Scrapy user and ``scrapy list``
look for them, and install inside the package as ``scanner.spiders`` and
``scanner.rulefiles`` (the ``package-dir`` mapping in ``pyproject.toml``), so a
wheel puts no top-level ``spiders`` or ``rules`` package into site-packages.

A wheel and an editable install provide those two names themselves. Code
imported straight from a source checkout has no such mapping: ``python -m
pytest`` beside a non-editable install (what CI does) imports ``scanner`` from
the working tree. :class:`CheckoutFinder` gives that case the same two names,
and nothing else; it is asked last, after every finder of an installation.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

#: Installed name -> folder at the top of the repository.
MAPPED = {"scanner.spiders": "spiders", "scanner.rulefiles": "rules"}


class CheckoutFinder(MetaPathFinder):
    """Finds ``scanner.spiders`` and ``scanner.rulefiles`` in a checkout's top folders."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        folder = MAPPED.get(fullname)
        init = self.root / folder / "__init__.py" if folder else None
        if init is None or not init.is_file():
            return None
        return importlib.util.spec_from_file_location(
            fullname, init, submodule_search_locations=[str(init.parent)]
        )


def mount_checkout_folders() -> None:
    """In a source checkout, make ``spiders/`` and ``rules/`` importable under ``scanner``."""
    package = Path(__file__).resolve().parent
    if (package / "spiders").is_dir():  # installed from a wheel: they are inside
        return
    if any(isinstance(finder, CheckoutFinder) for finder in sys.meta_path):
        return
    root = package.parent
    if (root / "spiders" / "__init__.py").is_file():
        sys.meta_path.append(CheckoutFinder(root))
