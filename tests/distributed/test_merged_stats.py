"""The writer adds up the stats each worker pushed for a source into one crawler's stats."""

from __future__ import annotations

import json

from scanner.crawl.distributed.conclude import merged_stats
from scanner.crawl.distributed.keys import Keys
from tests.distributed.conftest import RedisServer


def test_stats_of_workers_add_up_whatever_each_one_left_unset(redis_server: RedisServer) -> None:
    """Scrapy sets ``responses_per_minute`` to None for a run under a second: a worker
    that ended right after its only page must not stop the writer adding up the others."""
    client = redis_server.client()
    keys = Keys().source("job1", 0)
    client.hset(
        keys.stats,
        mapping={
            "a": json.dumps(
                {
                    "responses_per_minute": None,
                    "response_received_count": 1,
                    "elapsed_time_seconds": 0.4,
                    "finish_reason": "finished",
                }
            ),
            "b": json.dumps(
                {
                    "responses_per_minute": 42.5,
                    "response_received_count": 30,
                    "elapsed_time_seconds": 3.5,
                    "finish_reason": "finished",
                }
            ),
            "c": json.dumps(
                {
                    "responses_per_minute": 7.5,
                    "response_received_count": 2,
                    "elapsed_time_seconds": 1.5,
                }
            ),
        },
    )
    client.hset(keys.tally, mapping={"scan/stored": 12, "scan/last_store_error": "disk full"})
    assert merged_stats(client, keys) == {
        "responses_per_minute": 50.0,
        "response_received_count": 33,
        "elapsed_time_seconds": 3.5,
        "finish_reason": "finished",
        "scan/stored": 12,
        "scan/last_store_error": "disk full",
    }
