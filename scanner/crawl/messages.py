"""What the crawl process and its worker process say to each other (pickled over pipes).

Crawl → worker: :class:`OpenSource` once per source, then :class:`Batch` after
batch, then :class:`Goodbye`. Worker → crawl: one :class:`BatchDone` per batch,
in the order the batches were handed over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.config import Config

#: A post as the crawl side hands it over: a ``Mention``'s values in field order
#: (cheap to take and to pickle), or the dict of another item type.
ItemValues = tuple[Any, ...] | dict[str, Any]


@dataclass(slots=True)
class OpenSource:
    """A source the worker will receive batches for, and what its stages need."""

    key: int
    db: str
    source: str
    run_id: int | None
    config: Config
    categorise: bool  # SCAN_CATEGORISE
    spider_about: bool  # the spider reads a company's own page (ScanSpider.about_company)


@dataclass(slots=True)
class Batch:
    """Posts and frontier changes committed together, in one transaction."""

    key: int
    seq: int
    items: list[ItemValues]
    frontier_add: dict[str, tuple[str, str]]  # fingerprint -> (url, request as JSON)
    frontier_done: set[str] = field(default_factory=set)  # fingerprints of pages done


@dataclass(slots=True)
class Goodbye:
    """Nothing more will come: the worker commits what it holds and exits."""


@dataclass(slots=True)
class BatchDone:
    """The worker's answer to one batch."""

    key: int
    seq: int
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> posts
    failed: int = 0  # posts lost to an unexpected error in a stage (a bug)
    lost: int = 0  # posts of a batch that could not be stored at all (see ``error``)
    logs: list[tuple[int, str]] = field(default_factory=list)  # (level, message) to log
    error: str | None = None  # the batch was not stored at all: why
    # The pages a batch that was not stored had scheduled: the crawl records them
    # again with a later batch, so the next crawl fetches them (its done marks are
    # dropped: the pages whose posts were lost stay to be fetched).
    unrecorded: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged
