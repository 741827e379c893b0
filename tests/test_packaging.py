"""What the wheel holds: every subpackage of scanner/, with spiders/ and rules/ inside it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from scanner.layout import MAPPED, CheckoutFinder
from scanner.spidernames import spider_names

from .conftest import REPO

SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]


def test_every_subpackage_of_scanner_is_in_the_wheel() -> None:
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "scanner").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found | set(MAPPED) == set(SETUPTOOLS["packages"])


def test_spiders_and_rules_install_inside_the_package_not_at_the_top() -> None:
    assert SETUPTOOLS["package-dir"] == MAPPED
    assert not {"spiders", "rules"} & set(SETUPTOOLS["packages"])
    assert SETUPTOOLS["package-data"]["scanner.rulefiles"] == ["*.toml", "sources/*.toml"]


def test_every_template_ships_in_the_wheel() -> None:
    """The HTML templates are package data: each file beside scanner/templates/__init__.py
    must match a pattern setuptools puts in the wheel (it globs them the same way)."""
    folder = REPO / "scanner" / "templates"
    patterns = SETUPTOOLS["package-data"]["scanner.templates"]
    shipped = {path for pattern in patterns for path in folder.glob(pattern)}
    files = {path for path in folder.iterdir() if path.is_file() and path.suffix != ".py"}
    assert "page.html" in {p.name for p in files}
    assert files <= shipped, sorted(p.name for p in files - shipped)


def test_a_checkout_maps_the_two_folders_itself() -> None:
    finder = CheckoutFinder(REPO)
    spiders = finder.find_spec("scanner.spiders")
    assert spiders is not None and Path(spiders.origin) == REPO / "spiders" / "__init__.py"
    assert finder.find_spec("scanner.rulefiles").submodule_search_locations == [str(REPO / "rules")]
    assert finder.find_spec("scanner.tests") is None


def test_scrapy_list_works_in_the_repository_root() -> None:
    scrapy = Path(sys.executable).parent / "scrapy"
    result = subprocess.run(
        [str(scrapy), "list"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == sorted(spider_names())
