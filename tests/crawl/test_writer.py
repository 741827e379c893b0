"""The crawl worker process: in order, posts and frontier marks together or not at all."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from scanner.config import default_config
from scanner.crawl.client import WorkerClient
from scanner.crawl.item import Mention
from scanner.crawl.messages import BatchDone, OpenSource
from scanner.crawl.pipeline import mention_values
from scanner.crawl.stages import Row
from scanner.store import Store
from tests.crawl.conftest import rows


def post(i: int, text: str = "", **extra: Any) -> tuple[Any, ...]:
    """A post as the crawl side hands it over: a Mention's values."""
    return mention_values(
        Mention(
            source="s",
            external_id=str(i),
            text=text or f"refund {i} never came",
            about_company=True,
            **extra,
        )
    )


def test_a_row_starts_with_the_fields_of_a_mention_in_their_order() -> None:
    # The worker rebuilds each post as Row(*mention_values): a field added to one
    # and not the other would shift every value after it.
    names = [f.name for f in dataclasses.fields(Mention)]
    assert [f.name for f in dataclasses.fields(Row)][: len(names)] == names


def open_worker(db: Path, answers: list[BatchDone]) -> tuple[WorkerClient, int]:
    with Store(db) as store:
        run = store.start_run("crawl", source="s")
        # A real failure inside the worker's transaction: this post cannot be stored.
        store.db.execute(
            "CREATE TRIGGER poison BEFORE INSERT ON mentions "
            "WHEN NEW.text LIKE '%poison%' BEGIN SELECT RAISE(ABORT, 'poisoned'); "
            "END"
        )
    spec = OpenSource(
        key=0,
        db=str(db),
        source="s",
        run_id=run,
        config=default_config(db),
        categorise=True,
        spider_about=False,
    )
    worker = WorkerClient.acquire()
    return worker, worker.open(spec, answers.append)


def test_batches_commit_in_order_and_a_failed_one_marks_no_page_fetched(tmp_path: Path) -> None:
    db = tmp_path / "scan.db"
    answers: list[BatchDone] = []
    worker, key = open_worker(db, answers)
    worker.submit(key, [post(1), post(2)], {"fp1": ("http://x/1", "{}")}, set())
    # This batch fails whole in its transaction, its page mark with it.
    worker.submit(key, [post(3), post(4, "poison")], {}, {"fp1"})
    worker.submit(key, [post(2, "refund 2 came at last"), post(5)], {}, set())
    worker.wait(key)
    worker.release()
    assert [(a.seq, a.new, a.updated, a.error) for a in answers] == [
        (1, 2, 0, None),
        (2, 0, 0, "poisoned"),
        (3, 1, 1, None),
    ]
    assert rows(db, "SELECT id FROM mentions ORDER BY id") == [("s:1",), ("s:2",), ("s:5",)]
    assert rows(db, "SELECT text FROM mentions WHERE id = 's:2'") == [("refund 2 came at last",)]
    assert rows(db, "SELECT fingerprint, done FROM frontier") == [("fp1", 0)]
    assert rows(db, "SELECT is_grievance, categories != '[]' FROM mentions WHERE id = 's:1'") == [
        (1, 1)
    ]
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_drops_are_counted_by_reason_and_logged(tmp_path: Path) -> None:
    db = tmp_path / "scan.db"
    answers: list[BatchDone] = []
    worker, key = open_worker(db, answers)
    items = [
        post(1),
        post(2, removed=True),
        post(3, "<p> </p>"),
        {"source": "s", "external_id": "4", "text": "My company lost my parcel"},
        {"source": "s", "external_id": "5", "text": "nothing about anyone"},
        {"source": "s", "text": "no id at all"},
    ]
    worker.submit(key, items, {}, set())
    worker.wait(key)
    worker.release()
    (answer,) = answers
    assert answer.new == 2 and answer.error is None  # s:1, and s:4 (it names the company)
    assert answer.dropped == {"removed": 1, "empty-after-cleaning": 1, "off-topic": 1, "no-id": 1}
    assert answer.stored + sum(answer.dropped.values()) == len(items)
    assert any("empty-after-cleaning: 3" in message for _, message in answer.logs)


def test_the_worker_exits_when_the_crawl_side_goes_away(tmp_path: Path) -> None:
    db = tmp_path / "scan.db"
    worker, key = open_worker(db, [])
    worker.submit(key, [post(1)], {}, set())
    worker.wait(key)
    worker.outbox.close()  # what a killed crawl process leaves: a closed pipe, no goodbye
    assert worker.process.wait(timeout=30) == 0
    WorkerClient.shared = None
    assert rows(db, "SELECT id FROM mentions") == [("s:1",)]


def test_the_worker_runs_this_scanner_whatever_the_current_directory_holds(
    tmp_path: Path, monkeypatch: Any
) -> None:
    decoy = tmp_path / "elsewhere" / "scanner"  # another checkout, an old copy...
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise ImportError('the wrong scanner')\n")
    monkeypatch.chdir(decoy.parent)
    db = tmp_path / "scan.db"
    answers: list[BatchDone] = []
    worker, key = open_worker(db, answers)
    worker.submit(key, [post(1)], {}, set())
    worker.wait(key)
    worker.release()
    assert [(a.new, a.error) for a in answers] == [(1, None)]


def test_a_worker_that_died_after_answering_lost_only_what_it_had_not_stored(
    tmp_path: Path,
) -> None:
    """The worker stored two batches and answered them, then was killed before the
    crawl read the answers: noticing the death first, the crawl called both lost
    ("stored 0, dropped 40" over posts that were in the database, the run "failed")."""
    import signal
    import time

    db = tmp_path / "scan.db"
    answers: list[BatchDone] = []
    worker, key = open_worker(db, answers)
    worker.submit(key, [post(1), post(2)], {}, set())
    worker.submit(key, [post(3)], {}, set())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and rows(db, "SELECT COUNT(*) FROM mentions") != [(3,)]:
        time.sleep(0.02)
    while time.monotonic() < deadline and not worker.inbox.poll(0):  # its answers are sent
        time.sleep(0.02)
    time.sleep(1)  # the second answer follows its commit at once; give it time on a busy machine
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait()
    assert worker.gone()
    worker.release()
    assert [(a.seq, a.new, a.lost) for a in answers] == [(1, 2, 0), (2, 1, 0)]
