"""Crawl throughput: a bare spider against the full scan pipeline into SQLite.

A local site of PAGES pages (20 posts each) is served by a separate process on
127.0.0.1. The same parsing spider is run (a) bare: items discarded, none of
scan's pipelines, middlewares or extension; (b) full: validate, clean, company
match, classify (with categories, as ``scan crawl`` does by default; not with
``--no-categorise``), store (batched into a fresh SQLite file by the crawl
worker process), with scan's spider and downloader middlewares and the source
extension. Everything else (spider, site, Scrapy settings) is the same in both.
Each mode runs in its own process (a Twisted reactor cannot restart), RUNS times,
interleaved; medians are printed. CPU is given per item three times: the whole
crawl process (every thread), the crawl (reactor) thread alone, the one that
saturates a core, and the crawl worker process (``scanner.crawl.worker``: stages
and commits), read from the children's rusage once it has exited.

Goal: (b) at least 0.9 of (a) in pages per second.

    /work/venv/bin/python bench/crawl.py --pages 5000 --runs 3

``--redis``: the distributed crawl instead, with 1, 2 and 4 workers against a
local one (``bench/crawl_redis.py`` says how).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PER_PAGE = 20
PRODUCTS = ("kettle", "blender", "phone case", "lamp", "router", "jacket", "printer")
PROBLEMS = (
    "never arrived",
    "arrived broken",
    "stopped working after a week",
    "was charged twice",
    "is still waiting for a refund",
    "was fine",
)


def page(n: int) -> bytes:
    posts = []
    for i in range(PER_PAGE):
        k = n * PER_PAGE + i
        words = (
            f"I ordered a {PRODUCTS[k % 7]} and it {PROBLEMS[k % 6]}. I wrote to support "
            f"{k % 9 + 2} times and the answer took {k % 5 + 1} days, which is not what "
            f"I expected from a shop I have used for years"
        )
        posts.append(
            f'<article class="post" data-id="{k}"><h2>Post {k}</h2>'
            f'<span class="author">user{k % 997}</span><span class="stars">{1 + k % 5}</span>'
            f'<time datetime="2026-03-{1 + k % 28:02d}">'
            f'</time><div class="body">Acme {words}. Ticket {k}.</div></article>'
        )
    return f"<html><body>{''.join(posts)}</body></html>".encode()


def serve(port_queue: Any) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            if not self.path.startswith("/p/"):
                body, status = b"", 404
            else:
                body, status = page(int(self.path[3:].split(".")[0])), 200
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def run_mode(mode: str, port: int, pages: int, categorise: bool) -> dict[str, float]:
    """One crawl in this process; prints its figures as JSON."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from scanner.config import default_config
    from scanner.crawl.configure import base_settings
    from scanner.crawl.item import Mention
    from scanner.crawl.spider import ScanSpider

    class BenchSpider(ScanSpider):
        name = "bench"

        async def start(self) -> AsyncIterator[scrapy.Request]:
            for n in range(1, pages + 1):
                yield scrapy.Request(f"http://127.0.0.1:{port}/p/{n}.html", callback=self.parse)

        def parse(self, response: Any) -> Iterator[Mention]:
            for post in response.css("article.post"):
                yield Mention(
                    source=self.source,
                    external_id=post.attrib["data-id"],
                    text=post.css("div.body::text").get(),
                    author=post.css(".author::text").get(),
                    title=post.css("h2::text").get(),
                    rating=float(post.css(".stars::text").get()),
                    rating_scale=5,
                    published_at=post.css("time::attr(datetime)").get(),
                    about_company=True,
                )

    db = Path(tempfile.mkdtemp()) / "bench.db"
    settings = base_settings(default_config(db), db)
    settings.setdict(
        {
            "ROBOTSTXT_OBEY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "SCAN_HOST_DELAY": 0,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "CLOSESPIDER_PAGECOUNT": 0,
            "LOG_LEVEL": "WARNING",
            "SCAN_SOURCE": "bench",
            "LOG_INSTALL_ROOT_HANDLER": True,
            "SCAN_CATEGORISE": categorise,
        },
        priority="cmdline",
    )
    if mode == "bare":
        settings.setdict(
            {
                "ITEM_PIPELINES": {},
                "SPIDER_MIDDLEWARES": {},
                "EXTENSIONS": {},
                "DOWNLOADER_MIDDLEWARES": {},
            },
            priority="cmdline",
        )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BenchSpider)
    process.crawl(crawler)
    started = time.perf_counter()
    cpu, main, children = time.process_time(), time.thread_time(), _children_cpu()
    process.start()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    main = time.thread_time() - main
    worker = _children_cpu() - children  # the crawl worker process, once it has exited
    stats = crawler.stats.get_stats()
    got = stats.get("response_received_count", 0)
    items = stats.get("item_scraped_count", 0)
    stored = 0
    if mode == "full":
        import sqlite3

        stored = sqlite3.connect(db).execute("SELECT COUNT(*) FROM mentions").fetchone()[0]
    return {
        "pages": got,
        "items": items,
        "stored": stored,
        "seconds": elapsed,
        "pages_per_s": got / elapsed,
        "items_per_s": items / elapsed,
        "cpu_us_per_item": cpu / max(items, 1) * 1e6,
        "main_us_per_item": main / max(items, 1) * 1e6,
        "worker_us_per_item": worker / max(items, 1) * 1e6,
    }


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, help="pages per crawl (default: 5000; --redis 2100)")
    parser.add_argument("--redis", action="store_true", help="1, 2, 4 crawl workers vs local")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-categorise",
        dest="categorise",
        action="store_false",
        help="leave mentions.categories empty (SCAN_CATEGORISE=False)",
    )
    parser.add_argument("--mode", choices=["bare", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.redis:
        sys.path.insert(0, str(Path(__file__).parent))
        import crawl_redis

        per_listing = crawl_redis.PER_PAGE + 1
        crawl_redis.main(listings=max(1, (args.pages or 2100) // per_listing), runs=args.runs)
        return
    args.pages = args.pages or 5000
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.port, args.pages, args.categorise)))
        return
    queue: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(queue,), daemon=True)
    server.start()
    port = queue.get(timeout=10)
    results: dict[str, list[dict[str, float]]] = {"bare": [], "full": []}
    try:
        for run in range(args.runs):
            for mode in ("bare", "full"):  # interleaved, so drift hits both alike
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--mode",
                        mode,
                        "--port",
                        str(port),
                        "--pages",
                        str(args.pages),
                        *([] if args.categorise else ["--no-categorise"]),
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                figures = json.loads(out.stdout.strip().splitlines()[-1])
                results[mode].append(figures)
                print(
                    f"run {run + 1} {mode:4}: {figures['pages_per_s']:7.1f} pages/s "
                    f"{figures['items_per_s']:8.0f} items/s  {figures['cpu_us_per_item']:.0f} "
                    f"µs CPU/item ({figures['main_us_per_item']:.0f} on the crawl thread; "
                    f"{figures['worker_us_per_item']:.0f} in the worker)  "
                    f"({figures['pages']} pages, {figures['items']} items, "
                    f"{figures['stored']} stored)",
                    flush=True,
                )
    finally:
        server.terminate()
    keys = (
        "pages_per_s",
        "items_per_s",
        "cpu_us_per_item",
        "main_us_per_item",
        "worker_us_per_item",
    )
    med = {m: {k: statistics.median(r[k] for r in rs) for k in keys} for m, rs in results.items()}
    for mode in ("bare", "full"):
        print(
            f"median {mode}: {med[mode]['pages_per_s']:.1f} pages/s, "
            f"{med[mode]['items_per_s']:.0f} items/s, {med[mode]['cpu_us_per_item']:.0f} µs "
            f"CPU/item ({med[mode]['main_us_per_item']:.0f} on the crawl thread), "
            f"{med[mode]['worker_us_per_item']:.0f} µs/item in the worker process"
        )
    ratio = med["full"]["pages_per_s"] / med["bare"]["pages_per_s"]
    print(f"full / bare = {ratio:.2f} (goal >= 0.90)")


if __name__ == "__main__":
    main()
