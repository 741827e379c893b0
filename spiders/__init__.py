"""Scrapy spiders, one module per source; installed as ``scanner.spiders``.

Spiders only parse: they yield ``scanner.crawl.item.Mention`` items and follow-up
requests. ``pageparts`` and ``parsing`` hold the helpers several spiders share.
"""
