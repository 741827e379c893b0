"""The crawl spread over several machines through one Redis: ``scan crawl --redis URL``.

Three roles, each a process of its own:

* the **writer** (``scan crawl --redis``, or ``scan ingest --redis`` taking over):
  the one ``scan`` that owns the SQLite file. It opens the runs, publishes the
  job (each source's spider, settings, known ids, incremental cutoff) and seeds
  each source's queue with the frontier's backlog and the spider's start
  requests (``seed``), then drains the item queue into the store through the
  same stages and transactions as a local crawl, and closes each source's run
  with its health once every worker is done with it (``writer``, ``drain``,
  ``conclude``);
* the **workers** (``scan crawl-worker --redis``, on any number of machines):
  Scrapy with a shared, leased request queue (``scheduler``, ``queue``), one pace
  per host for all of them (``gate``), and the item pipeline's batches pushed
  to Redis together with the requests they found and the leases they release
  (``outbox``, ``extension``, ``runner``);
* **Redis** itself, holding everything in between (``keys``, ``scripts``).

A page taken by a worker is leased, not removed: a worker that dies gives its
leases back once its heartbeat lapses (``heartbeat``). A batch is taken by the
writer into a processing list, committed, and only then deleted, so a killed
writer replays it (upserts are idempotent). Nothing here is imported by a local
crawl, and ``redis``/``scrapy-redis`` are needed only here (the ``redis`` extra).
"""
