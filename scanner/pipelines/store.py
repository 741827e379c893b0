"""Last stage: a cleaned, classified item as the row ``Store.upsert_mentions`` takes.

Rows are built and committed by the crawl worker process (``scanner.crawlworker``),
up to ``SCAN_BATCH_SIZE`` of them with their pages' frontier marks in one
transaction: one transaction per item would cost 4x the whole crawl
(GROUPING-FACTS.md), and a killed crawl loses only the batches in flight.
"""

from __future__ import annotations

from typing import Any


def to_row(source: str, row: dict[str, Any]) -> dict[str, Any]:
    """The ``mentions`` row of an item that went through validate … classify."""
    external_id = row["external_id"]
    return {
        "id": f"{source}:{external_id}",
        "company": row["company"],
        "source": source,
        "external_id": external_id,
        "origin": "crawl",
        "url": row.get("url"),
        "author": row.get("author"),
        "title": row.get("title"),
        "text": row["text"],
        "rating": row.get("rating"),
        "rating_scale": row.get("rating_scale"),
        "language": row.get("language"),
        "published_at": row.get("published_at"),
        "is_grievance": row.get("is_grievance"),
        "categories": row.get("categories"),
        "extra": row.get("extra") or None,
    }  # fmt: skip
