"""Scrapy middlewares of scan: politeness, resilience and incremental crawling.

Downloader side: ``retry_after`` (honour ``Retry-After``), ``blocked`` (tell a
bot-protection challenge from an ordinary error), ``jsonbody`` (an API that
answers nothing), ``encoding`` (fix a lying charset). Spider side: ``incremental``
(stop paginating when a page brings nothing new) and ``frontier`` (remember
scheduled pages so that a killed crawl is resumed), both run by the one spider
middleware of ``spider``.
"""
