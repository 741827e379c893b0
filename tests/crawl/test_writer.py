"""The crawl's batch writer: in order, posts and frontier marks together or not at all."""

from __future__ import annotations

from pathlib import Path

from scanner.crawlwriter import Batch, BatchWriter
from scanner.store import Store
from tests.crawl.conftest import rows


def post(i: int, **extra: object) -> dict[str, object]:
    return {"id": f"s:{i}", "company": "Acme", "source": "s", "external_id": str(i),
            "origin": "crawl", "text": f"refund {i} never came", **extra}  # fmt: skip


def test_batches_commit_in_order_and_a_failed_one_marks_no_page_fetched(tmp_path: Path) -> None:
    db = tmp_path / "scan.db"
    with Store(db) as store:
        run = store.start_run("crawl", source="s")
    writer = BatchWriter(db, "s", run)
    writer.submit(Batch([post(1), post(2)], {"fp1": ("http://x/1", "{}")}, set()))
    # company is NOT NULL: this batch fails whole, its page mark with it
    writer.submit(Batch([post(3), post(4, company=None)], {}, {"fp1"}))
    writer.submit(Batch([post(2, text="refund 2 came at last"), post(5)], {}, set()))
    writer.wait()
    totals, failed = writer.counts()
    writer.close()
    assert (totals.new, totals.updated, failed) == (3, 1, 1)
    assert "NOT NULL" in writer.last_error
    assert rows(db, "SELECT id FROM mentions ORDER BY id") == [("s:1",), ("s:2",), ("s:5",)]
    assert rows(db, "SELECT text FROM mentions WHERE id = 's:2'") == [("refund 2 came at last",)]
    assert rows(db, "SELECT fingerprint, done FROM frontier") == [("fp1", 0)]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
