"""The writer's loop body: each batch from Redis into SQLite, once, in the order pushed.

A batch is moved from the item list to the processing list (``BLMOVE``, atomic),
run through the stages and committed exactly as a local crawl's worker process
does it (``scanner.crawl.worker.Worker``: its posts and frontier marks in one
transaction), and only then removed from the processing list, in one
``MULTI`` with what the writer keeps of it (the tally of stored and dropped
posts, the pages given up). A writer killed in between leaves the batch in the
processing list; the next one puts it back at the head of the queue and
commits it again, which adds nothing: the posts are upserted by id, the marks
are the same. A batch the database refuses goes back at the head of the queue
and the writer stops (``BatchRefused``); ``scan ingest`` stores it later.

Workers push onto the left, the writer takes from the right: first pushed,
first committed, so a page's frontier entry (in the batch of the page that
found it, pushed before the page could be leased) is always written before
the mark that it was fetched.
"""

from __future__ import annotations

import logging
from typing import Any

from scanner.config import Config
from scanner.crawl.distributed import codec
from scanner.crawl.distributed.keys import Keys, SourceKeys
from scanner.crawl.messages import Batch, OpenSource
from scanner.crawl.state import fold_answer
from scanner.crawl.worker import Worker
from scanner.errors import ScanError
from scanner.store import Store

logger = logging.getLogger(__name__)


class BatchRefused(ScanError):
    """The database refused a batch (locked past the busy timeout, a full disk): the
    writer stops and leaves it, and every later one, in Redis. Dropped, its posts
    were lost and the pages it scheduled forgotten, so the next crawl stopped at
    its first page."""


class Tally(dict[str, Any]):
    """Counters with the two methods of Scrapy's stats that ``fold_answer`` uses."""

    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] = self.get(key, 0) + count

    def set_value(self, key: str, value: Any) -> None:
        self[key] = value


class Drain:
    def __init__(self, client: Any, keys: Keys, store: Store, config: Config) -> None:
        self.client, self.keys, self.store, self.config = client, keys, store, config
        self.worker = Worker()
        self.worker.stores[str(store.path)] = store
        self.opened: dict[tuple[str, int], int] = {}  # (job, source index) -> key in the Worker
        self._about: dict[str, bool] = {}
        self.categorise = True
        self.committed = 0  # batches

    def requeue_processing(self) -> int:
        """Put back what a killed writer was committing, at the head of the queue."""
        moved = 0
        while self.client.lmove(self.keys.processing, self.keys.items, "LEFT", "RIGHT"):
            moved += 1
        if moved:
            logger.warning(
                "%d batch(es) a writer left half-done are committed again (adding nothing twice)",
                moved,
            )
        return moved

    def take(self, timeout: float) -> bool:
        """Commit the oldest batch, waiting up to ``timeout`` seconds for one."""
        data = self.client.blmove(self.keys.items, self.keys.processing, timeout, "RIGHT", "LEFT")
        if data is None:
            return False
        self.commit(data)
        return True

    def drain(self) -> int:
        """Commit every batch already queued; how many."""
        done = 0
        while (
            data := self.client.lmove(self.keys.items, self.keys.processing, "RIGHT", "LEFT")
        ) is not None:
            self.commit(data)
            done += 1
        return done

    def commit(self, data: bytes) -> None:
        try:
            batch = codec.loads(data)
        except ValueError as exc:  # not ours: nothing to commit, nothing to keep
            logger.error("a batch in Redis is not valid JSON, dropped: %s", exc)
            self.client.lrem(self.keys.processing, 1, data)
            return
        key = self._stages(batch)
        answer = self.worker.handle(
            Batch(key, batch["seq"], batch["items"], batch["add"], set(batch["done"]))
        )
        if answer.error:  # not stored: back at the head of the queue, for the next writer
            self.client.lmove(self.keys.processing, self.keys.items, "LEFT", "RIGHT")
            raise BatchRefused(
                f"the database refused a batch of {batch['name']}: {answer.error}. "
                "The crawl's batches stay in Redis: once the database can be written, "
                "`scan ingest --redis URL` stores them"
            )
        tally = Tally()
        fold_answer(tally, answer, batch["name"])
        source = self.keys.source(batch["job"], batch["source"])
        with self.client.pipeline(transaction=True) as pipe:
            if self.client.exists(source.state):  # else its job is over: nothing to keep
                self._keep(pipe, source, tally, batch["refused"])
            pipe.lrem(self.keys.processing, 1, data)
            pipe.execute()
        self.committed += 1

    def _keep(self, pipe: Any, source: SourceKeys, tally: Tally, refused: list[str]) -> None:
        for name, value in tally.items():
            if isinstance(value, int):
                pipe.hincrby(source.tally, name, value)
            else:
                pipe.hset(source.tally, name, value)
        if refused:
            pipe.sadd(source.refused, *refused)

    def _stages(self, batch: dict[str, Any]) -> int:
        """The Worker's key for the batch's source, opening its stages the first time."""
        where = (batch["job"], batch["source"])
        key = self.opened.get(where)
        if key is None:
            key = self.opened[where] = len(self.opened) + 1
            about = self._spider_about(batch["spider"])
            spec = OpenSource(
                key=key,
                db=str(self.store.path),
                source=batch["name"],
                run_id=batch["run"],
                config=self.config,
                categorise=self.categorise,
                spider_about=about,
            )
            self.worker.open(spec)
        return key

    def _spider_about(self, spider: str) -> bool:
        if spider not in self._about:
            from scrapy.settings import Settings
            from scrapy.spiderloader import get_spider_loader

            settings = Settings()
            settings.setmodule("scanner.crawl.settings")
            try:
                spidercls = get_spider_loader(settings).load(spider)
            except KeyError:
                spidercls = None
            self._about[spider] = bool(getattr(spidercls, "about_company", False))
        return self._about[spider]
