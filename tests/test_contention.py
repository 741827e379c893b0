"""Write contention: a crawl batch waits for another writer instead of failing (issue #16, item 8).

The batch is written by the real crawl worker process while another connection
holds a write transaction, as a grouping run or an import would.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from scanner.crawl.messages import BatchDone
from scanner.store import Store
from tests.crawl.conftest import rows
from tests.crawl.test_writer import open_worker, post


def test_a_crawl_batch_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    db = tmp_path / "scan.db"
    with Store(db) as store:
        store.upsert_mentions(
            [
                {
                    "id": "s:1",
                    "company": "Acme",
                    "source": "s",
                    "external_id": "1",
                    "origin": "crawl",
                    "text": "refund 1 never came",
                }
            ]
        )
    answers: list[BatchDone] = []
    worker, key = open_worker(db, answers)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO runs (kind, started_at) VALUES ('cluster', 'now')")
    try:
        worker.submit(
            key, [post(1, "refund 1 came at last"), post(2)], {"fp1": ("http://x/1", "{}")}, set()
        )
        # Long enough for the worker to read which posts it knows and reach its
        # first write, which waits for `other`'s write lock ...
        time.sleep(1.0)
        other.execute("COMMIT")  # ... and `other` commits meanwhile.
        worker.wait(key)
    finally:
        worker.release()
        other.close()
    assert [(a.new, a.updated, a.error) for a in answers] == [(1, 1, None)]
    assert rows(db, "SELECT id FROM mentions ORDER BY id") == [("s:1",), ("s:2",)]
    assert rows(db, "SELECT fingerprint FROM frontier") == [("fp1",)]
