"""What happens to each crawled post before it is stored: validate → clean → match → classify.

Plain functions over one typed :class:`Row`, each raising :class:`Dropped` (with
a reason from :data:`REASONS`) for a post that must not be stored. They run in
the crawl worker process (``scanner.crawl.worker``), off the crawl thread, so
they are written for a few microseconds a post: no copies, C-speed string tests
before the full cleaning, each distinct word looked up once.
"""

from __future__ import annotations

from scanner.crawl.stages.about import Classifier, CompanyMatch, classify, match
from scanner.crawl.stages.checks import clean, validate
from scanner.crawl.stages.row import REASONS, Dropped, Row, mention_row

__all__ = [
    "REASONS",
    "Classifier",
    "CompanyMatch",
    "Dropped",
    "Row",
    "classify",
    "clean",
    "match",
    "mention_row",
    "validate",
]
