"""Scrapy spiders, one module per source. Spiders only parse: see scanner.items.Mention."""
