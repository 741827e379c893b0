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
    leasing = [keys.queue, keys.leases, keys.state, keys.read]
    args = ["token-1", "worker-a", b"1|page-one", 0]
    assert scripts.take(keys=leasing, args=args) == 1
    # The same command again, as after a restart that lost its reply: still taken,
    # and still one lease, not a page lost to a lease no one knows it holds.
    assert scripts.take(keys=leasing, args=args) == 1
    assert client.hkeys(keys.leases) == [b"token-1"]
    assert client.zrange(keys.queue, 0, -1) == [b"2|page-two"]
    # Another worker asking for the same page, with its own token, gets nothing.
    other = ["token-2", "worker-b", b"1|page-one", 0]
    assert scripts.take(keys=leasing, args=other) is None
    assert client.hkeys(keys.leases) == [b"token-1"]


def test_the_page_cap_is_shared_when_pages_are_leased_not_only_when_they_are_read(
    redis_server: RedisServer,
) -> None:
    """Two workers lease pages before either reads one. A cap counted only at reading
    let every leased page through once it was reached (Scrapy's close waits for the
    requests in progress): ``max_pages = 8`` read 11 pages, and up to 16, with two
    workers of four leases each. The pages read and those leased unread stay within the cap."""
    client = redis_server.client()
    scripts = Scripts(client)
    keys = Keys().source("job1", 0)
    client.hset(keys.state, "run", 1)
    client.zadd(keys.queue, {f"{n}|page-{n}".encode(): float(n) for n in range(1, 7)})
    cap = 3

    def take(token: str, worker: str, n: int) -> int | None:
        member = f"{n}|page-{n}".encode()
        leasing = [keys.queue, keys.leases, keys.state, keys.read]
        return scripts.take(keys=leasing, args=[token, worker, member, cap])

    def read(token: str) -> bytes | None:
        return scripts.page(keys=[keys.state, keys.leases, keys.read], args=[cap, token])

    def release(worker: str, *tokens: str) -> None:  # the worker's push: these pages are done
        pushing = [
            *(Keys().items, keys.leases, keys.queue, keys.seen, keys.seq, keys.state),
            *(keys.stats, keys.read),
        ]
        scripts.commit(keys=pushing, args=[b"", worker, b"", len(tokens), *tokens])

    assert [take("a1", "a", 1), take("a2", "a", 2), take("b1", "b", 3)] == [1, 1, 1]
    assert take("b2", "b", 4) == -1  # three pages leased: the cap's three
    assert read("a1") is None
    assert take("b2", "b", 4) == -1  # one read, two still to read
    release("a", "a1")
    assert take("b2", "b", 4) == -1  # released once read: still one of the three
    release("a", "a2")  # released unread (a 404, a retry queued again): room for one
    assert take("b2", "b", 4) == 1
    assert take("b3", "b", 5) == -1
    assert read("b1") is None
    # Worker b hands its pages back unread and read alike: what it read is still
    # counted (two pages), and its leases, read or not, no longer hold the cap.
    assert scripts.requeue(keys=[keys.leases, keys.queue, keys.read], args=["", "b"]) == 2
    assert client.scard(keys.read) == 0
    assert take("c1", "c", 3) == 1
    assert take("c2", "c", 4) == -1
    assert read("c1") == b"closespider_pagecount"
    assert client.hget(keys.state, "pages") == b"3"
    assert client.zcard(keys.queue) == 3  # pages 4, 5 and 6: the next run's
