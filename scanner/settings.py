"""Scrapy settings for scan (``scrapy.cfg`` points here). Polite by default.

The crawl machinery (pipelines, middlewares, politeness) is configured here.
"""

BOT_NAME = "scan"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
ROBOTSTXT_OBEY = True
FEED_EXPORT_ENCODING = "utf-8"
