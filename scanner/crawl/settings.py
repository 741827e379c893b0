"""Scrapy settings for scan (``scrapy.cfg`` points here). Polite by default.

Scrapy's own defaults are not polite (robots.txt ignored, no throttling, a 1 GiB
size cap, ``Scrapy/<version>`` as User-Agent), so every politeness setting is
written out here. ``scan crawl`` starts from this module too and then applies,
per source, the overrides of its ``[[sources]]`` entry (``download_delay``,
``concurrency``, ``autothrottle``, ``max_pages``, ``max_minutes``): see
``scanner.crawl.configure``.
"""

from scanner import __version__

BOT_NAME = "scan"
SPIDER_MODULES = ["scanner.spiders"]
NEWSPIDER_MODULE = "scanner.spiders"
FEED_EXPORT_ENCODING = "utf-8"

# -- politeness --------------------------------------------------------------------
#: ``scan crawl`` replaces the contact URL with ``[crawl] contact`` from the config.
SCAN_CONTACT = "https://github.com/scan-project/scan"
USER_AGENT = f"scan/{__version__} (complaint monitor; +{SCAN_CONTACT})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16  # across all sites; each site gets far fewer (below)
#: Requests in flight to one host, from all sources on it (scanner.crawl.hosts).
CONCURRENT_REQUESTS_PER_DOMAIN = 2
#: Seconds between requests to one host, from all sources on it: the host's gate
#: (scanner.crawl.hosts) paces them. Scrapy's own DOWNLOAD_DELAY would pace each
#: source's crawler on its own, and with a random jitter: it stays 0.
SCAN_HOST_DELAY = 1.0
DOWNLOAD_DELAY = 0
#: Whose gates: this process's (a local crawl), or Redis's for every crawl worker.
SCAN_HOST_GATE = "scanner.crawl.hosts.HostGate"
#: AutoThrottle's policy, applied per host by its gate (Scrapy's extension is off).
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024  # a review page is well under 1 MiB; 4 MiB is a runaway
DOWNLOAD_WARNSIZE = 1024 * 1024
#: Pages per source per run (``[crawl] max_pages`` or a source's ``max_pages``
#: override it), counting the pages the spider read (``scanner.crawl.pages``: not
#: robots.txt, not an error answer). What the cap leaves unfetched stays in the
#: frontier for next run.
CLOSESPIDER_PAGECOUNT = 200
#: Seconds per source per run (``[crawl] max_minutes`` or a source's ``max_minutes``
#: override it): a site that trickles bytes cannot hold a nightly run for hours.
CLOSESPIDER_TIMEOUT = 30 * 60
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: Longest ``Retry-After`` we wait for; a site asking for more is given up on
#: for this run (and the request stays in the frontier).
RETRY_AFTER_MAX = 300.0
#: Wait when a 429/503 carries no ``Retry-After`` (doubled on each retry).
RETRY_BACKOFF_BASE = 2.0
HTTPCACHE_ENABLED = False  # development only: ``[crawl] httpcache = true``
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 24 * 3600
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

# -- the scan machinery ------------------------------------------------------------
SCAN_DB = "scan.db"
SCAN_CONFIG = None  # path of scanner.toml; None: ./scanner.toml if present
SCAN_BATCH_SIZE = 250  # items per committed transaction
SCAN_BATCH_SECONDS = 10.0  # ... or this long since the last commit, whichever first
#: New worker processes (``scanner.crawl.client``) a crawl starts in place of one
#: that died; past them the crawl stops, keeping its unstored pages pending.
SCAN_WORKER_RESTARTS = 3
#: Incremental stop: a post published before the last successful run minus this
#: overlap counts as already seen (sites publish late and edit dates).
SCAN_INCREMENTAL_OVERLAP_DAYS = 2.0
#: Store ``scanner.judge.categories.categorise(text)`` in ``mentions.categories`` while crawling.
SCAN_CATEGORISE = True
#: A distributed crawl (``scan crawl --redis``): a worker pushes what its pages gave
#: at least this often (what it pushes is what a killed worker cannot lose) ...
SCAN_REDIS_FLUSH_SECONDS = 1.0
#: ... and a worker silent this long is taken for gone: its pages go back in the queue.
SCAN_REDIS_WORKER_TTL = 15.0

#: One pipeline handing every item to the crawl worker, which runs the stages
#: (validate, clean, company match, classify) and stores: see ``scanner.crawl.pipeline``.
ITEM_PIPELINES = {
    "scanner.crawl.pipeline.ScanPipeline": 300,
}
DOWNLOADER_MIDDLEWARES = {
    # First: a source stays on its own site (redirects come back through here).
    "scanner.crawl.middlewares.onsite.OnSiteMiddleware": 60,
    # robots.txt as RFC 9309 says (a 5xx or no answer: disallow all), once per host.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scanner.crawl.middlewares.robots.RobotsTxtMiddleware": 100,
    # Scrapy's, counting what it refuses as over the size cap (gzip bombs).
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "scanner.crawl.middlewares.compression.SizeCappedCompressionMiddleware": 590,
    # Last, after the cache: one pace per host, whichever source asks (see hosts.py).
    "scanner.crawl.middlewares.politeness.HostGateMiddleware": 950,
    # After DownloadTimeoutMiddleware (350): no download outlives the time budget.
    "scanner.crawl.middlewares.budget.TimeBudgetMiddleware": 360,
    # Below RetryMiddleware (550): sees only what is left once retries are given up.
    "scanner.crawl.middlewares.outcome.FailureCountMiddleware": 540,
    # Above RetryMiddleware (550) so that it sees 429/503 first (process_response
    # runs from the highest number down).
    "scanner.crawl.middlewares.retry_after.RetryAfterMiddleware": 560,
    "scanner.crawl.middlewares.blocked.BotProtectionMiddleware": 570,
    "scanner.crawl.middlewares.jsonbody.JsonBodyMiddleware": 575,
    "scanner.crawl.middlewares.encoding.EncodingFixMiddleware": 580,
}
SPIDER_MIDDLEWARES = {
    # The incremental filter, then the frontier, in one layer.
    "scanner.crawl.middlewares.spider.ScanSpiderMiddleware": 50,
}
EXTENSIONS = {
    # Owns each source's state; judges its health and closes its run at the end.
    "scanner.crawl.extension.SourceExtension": 100,
    # AutoThrottle paces one crawler's own slot; the host gate applies the same
    # policy to the host, for every source on it (scanner.crawl.hosts).
    "scrapy.extensions.throttle.AutoThrottle": None,
    # Scrapy's, with a page cap that counts the pages read (see pagecap.py).
    "scrapy.extensions.closespider.CloseSpider": None,
    "scanner.crawl.pagecap.PageCap": 0,
}
