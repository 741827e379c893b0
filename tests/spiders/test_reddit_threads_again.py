"""A stored Reddit post's comment thread is read again when its comment count changed.

Three nights of ``scan crawl`` (subprocesses, the fixture site on 127.0.0.1): the
first reads the thread of bp001; on the second the search says bp001 has one
comment more and the thread holds a new reply, which must be stored; on the third
nothing changed and the thread is not fetched.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from tests.crawl.conftest import crawl, write_config
from tests.spiders.sites import FIXTURES, SITES, route_key, serve_pages

SITE = SITES["reddit"]
THREAD = "/r/personalfinance/comments/bp001/brightpay_froze_my_account.json"
NEW_REPLY = {
    "kind": "t1",
    "data": {
        "id": "c99",
        "name": "t1_c99",
        "author": "late_reader",
        "body": "Same here: Brightpay froze mine a week later, still no answer.",
        "created_utc": 1719400000.0,
        "parent_id": "t3_bp001",
        "permalink": "/r/personalfinance/comments/bp001/brightpay_froze_my_account/c99/",
        "replies": "",
        "score": 3,
        "subreddit": "personalfinance",
    },
}


def pages(later: bool) -> dict[str, bytes]:
    """The site's pages; ``later``: bp001 has gained the reply ``NEW_REPLY``."""
    out = {}
    for path, name in SITE.routes.items():
        data = json.loads((FIXTURES / "reddit" / name).read_text("utf-8"))
        if later:
            data = copy.deepcopy(data)
            if name == "search-1.json":
                post = next(c for c in data["data"]["children"] if c["data"]["id"] == "bp001")
                post["data"]["num_comments"] += 1
            if name == "thread-bp001.json":
                data[1]["data"]["children"].append(NEW_REPLY)
        out[route_key(path)] = json.dumps(data).encode()
    return out


#: Runs one ``scan crawl`` with the config in the folder, asserting it succeeded.
CrawlOnce = Callable[[Path], None]


def local_crawl(tmp: Path) -> None:
    done = crawl(tmp, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def night(tmp: Path, later: bool, crawl_once: CrawlOnce) -> list[str]:
    served = pages(later)

    def page(path: str) -> tuple[bytes, str] | None:
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain"
        body = served.get(route_key(path))
        return None if body is None else (body, "application/json; charset=utf-8")

    with serve_pages(page) as server:
        write_config(tmp, [SITE.source(server.base)], company="Brightpay")
        crawl_once(tmp)
    return [route_key(p) for p in server.requested]


def stored(tmp: Path) -> dict[str, Any]:
    db = sqlite_utils.Database(tmp / "scan.db")
    return {r["external_id"]: r for r in db["mentions"].rows_where("source = 'reddit'")}


def three_nights(tmp: Path, crawl_once: CrawlOnce) -> None:
    thread = route_key(THREAD + "?raw_json=1")
    assert thread in night(tmp, later=False, crawl_once=crawl_once)
    assert "t1_c99" not in stored(tmp)

    second = night(tmp, later=True, crawl_once=crawl_once)
    assert thread in second
    reply = stored(tmp)["t1_c99"]
    assert reply["author"] == "late_reader"
    assert reply["title"] == "Re: Brightpay froze my account after a salary deposit"

    assert thread not in night(tmp, later=True, crawl_once=crawl_once)


def test_a_thread_with_new_comments_is_read_again_and_an_unchanged_one_is_not(tmp_path):
    three_nights(tmp_path, local_crawl)
