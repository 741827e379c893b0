"""From ``scanner.toml`` to Scrapy settings: the crawl's own, and each source's.

Three layers, by Scrapy priority: ``scanner.crawl.settings`` and the config's
``[crawl]`` table ("project"), each ``[[sources]]`` entry's own keys ("spider"),
and ``scan crawl -s NAME=VALUE`` ("cmdline"), which wins over both. Scrapy
merges the process's settings into every crawler again when it starts it,
replacing any value of equal or lower priority: a source's keys must rank above
the process's, or they are silently lost (a source's ``max_pages`` was).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scanner import __version__
from scanner.config import Config, Source


def base_settings(config: Config, db_path: Path, overrides: dict[str, Any] | None = None) -> Any:
    """``scanner.crawl.settings`` plus what the config says (contact, caps, cache) at
    "project" priority, and ``overrides`` (``scan crawl -s``) at "cmdline"."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("scanner.crawl.settings", priority="project")
    settings.setdict(
        {
            **crawl_settings(config),
            "SCAN_DB": str(db_path),
            "SCAN_CONFIG": str(config.path) if config.path else None,
            "SCAN_CONFIG_OBJECT": config,
        },
        priority="project",
    )
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def crawl_settings(config: Config) -> dict[str, Any]:
    """What the config's ``[crawl]`` table sets (also what a crawl worker is sent)."""
    contact = config.crawl.contact
    return {
        "USER_AGENT": f"scan/{__version__} (complaint monitor; +{contact})",
        "SCAN_CONTACT": contact,
        "CLOSESPIDER_PAGECOUNT": config.crawl.max_pages,
        "CLOSESPIDER_TIMEOUT": config.crawl.max_minutes * 60,
        "HTTPCACHE_ENABLED": config.crawl.httpcache,
        "LOG_INSTALL_ROOT_HANDLER": False,  # `scan` configured logging already
    }


def source_settings(source: Source) -> dict[str, Any]:
    """A ``[[sources]]`` entry's own keys, as Scrapy settings of "spider" priority."""
    out: dict[str, Any] = {"SCAN_SOURCE": source.name}
    if source.download_delay is not None:
        out["SCAN_HOST_DELAY"] = float(source.download_delay)
    if source.concurrency is not None:
        out["CONCURRENT_REQUESTS_PER_DOMAIN"] = max(1, source.concurrency)
        out["CONCURRENT_REQUESTS"] = max(16, source.concurrency)
        out["AUTOTHROTTLE_TARGET_CONCURRENCY"] = float(max(1, source.concurrency))
    if source.autothrottle is not None:
        out["AUTOTHROTTLE_ENABLED"] = source.autothrottle
    if source.max_pages is not None:
        out["CLOSESPIDER_PAGECOUNT"] = source.max_pages
    if source.max_minutes is not None:
        out["CLOSESPIDER_TIMEOUT"] = source.max_minutes * 60
    return out
