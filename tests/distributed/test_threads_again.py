"""A crawl spread over Redis reads a stored post's page again exactly as a local one
does: when its mark (a Reddit thread's comment count) changed, and not otherwise."""

from __future__ import annotations

from pathlib import Path

from tests.distributed.conftest import RedisServer, finish, start_worker, start_writer
from tests.spiders.test_reddit_threads_again import three_nights


def test_a_thread_with_new_comments_is_read_again_and_an_unchanged_one_is_not(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    def spread_crawl(tmp: Path) -> None:
        worker = start_worker(tmp, redis_server.url)
        status, _, err = finish(start_writer(tmp, redis_server.url))
        assert status == 0, err
        assert finish(worker)[0] == 0

    three_nights(tmp_path, spread_crawl)
