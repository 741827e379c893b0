"""The crawl: scan's spiders (``scanner.spiders``) run by Scrapy into the store.

One ``CrawlerProcess`` per ``scan crawl``, one crawler per configured source:

* ``run`` — the run: sources scheduled, the reactor started once; ``results``
  (what each source fetched, found, stored, dropped), ``interrupt`` (Ctrl-C),
  ``logs`` (one line per failing source, nothing a page can forge);
* ``settings`` — the Scrapy settings (``scrapy.cfg`` points here), polite by
  default; ``configure`` — the config's crawl-wide and per-source layers;
* ``item``, ``spider`` — the ``Mention`` every spider yields, and the spider base;
* ``extension``, ``state`` — each source's state, owned by a Scrapy extension;
* ``pipeline`` — the one item pipeline: items to the worker process, in batches;
* ``stages`` — validate, clean, match, classify: what the worker does to each post;
* ``client``, ``worker``, ``messages`` — the worker process, its client, their messages;
* ``health``, ``failures`` — what each source's run says about it, in words;
* ``sites``, ``hosts`` — the sites a source may fetch, and one pace per host;
* ``middlewares`` — politeness, resilience and incremental crawling.
"""
