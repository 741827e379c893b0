"""The Lua scripts of a distributed crawl, run twice as the Redis client may run them.

A command whose answer is lost when Redis restarts is sent again with the same
arguments (``scanner.crawl.distributed.connection``): each script must give the
same answer the second time, or the worker and Redis disagree about who holds what.
"""

from __future__ import annotations

from scanner.crawl.distributed.keys import Keys
from scanner.crawl.distributed.scripts import Scripts
from tests.distributed.conftest import RedisServer


def test_a_take_sent_again_after_its_answer_was_lost_still_holds_the_page(
    redis_server: RedisServer,
) -> None:
    client = redis_server.client()
    scripts = Scripts(client)
    keys = Keys().source("job1", 0)
    client.zadd(keys.queue, {b"1|page-one": 1.0, b"2|page-two": 2.0})
    args = ["token-1", "worker-a", b"1|page-one"]
    assert scripts.take(keys=[keys.queue, keys.leases], args=args) == 1
    # The same command again, as after a restart that lost its reply: still taken,
    # and still one lease, not a page lost to a lease no one knows it holds.
    assert scripts.take(keys=[keys.queue, keys.leases], args=args) == 1
    assert client.hkeys(keys.leases) == [b"token-1"]
    assert client.zrange(keys.queue, 0, -1) == [b"2|page-two"]
    # Another worker asking for the same page, with its own token, gets nothing.
    other = ["token-2", "worker-b", b"1|page-one"]
    assert scripts.take(keys=[keys.queue, keys.leases], args=other) is None
    assert client.hkeys(keys.leases) == [b"token-1"]
