"""Shared fixtures for spider tests: spiders wired to a crawler, the real saved pages."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from scrapy.utils.test import get_crawler

from scanner.crawl.spider import ScanSpider

S = TypeVar("S", bound=ScanSpider)


@pytest.fixture
def make_spider() -> Callable[..., Any]:
    """A spider built the way Scrapy builds it, so layout problems land in its stats."""

    def build(cls: type[S], **kwargs: Any) -> S:
        crawler = get_crawler(cls)
        return cls.from_crawler(crawler, **kwargs)

    return build


@pytest.fixture(scope="session")
def real_pages() -> Path:
    """``../shared/real-pages`` beside the repository (or $SCAN_REAL_PAGES); skip without it."""
    env = os.environ.get("SCAN_REAL_PAGES")
    repo = Path(__file__).resolve().parents[2]
    path = Path(env) if env else repo / ".." / "shared" / "real-pages"
    if not path.is_dir():
        pytest.skip(f"real saved pages not available at {path}")
    return path
