"""The crawl: scan's spiders (``scanner.spiders``) run by Scrapy into the store.

One ``CrawlerProcess`` per ``scan crawl``, one crawler per configured source:

* ``run`` — the run: sources scheduled, the reactor started once, results;
* ``settings`` — the Scrapy settings (``scrapy.cfg`` points here), polite by default;
* ``item``, ``spider`` — the ``Mention`` every spider yields, and the spider base;
* ``extension``, ``state`` — each source's state, owned by a Scrapy extension;
* ``pipeline`` — the one item pipeline: items to the worker process, in batches;
* ``stages`` — validate, clean, match, classify: what the worker does to each post;
* ``client``, ``worker``, ``messages`` — the worker process, its client, their messages;
* ``health`` — what each source's run says about it (``source_health``);
* ``middlewares`` — politeness, resilience and incremental crawling.
"""
