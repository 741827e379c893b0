"""Stop paginating once a page brings nothing new; skip posts already stored.

The spider middleware holds back one response's output, then this judges it: a
post is new when its id is not stored for this source, it was not published
before the last successful run minus an overlap
(``SCAN_INCREMENTAL_OVERLAP_DAYS``), and this crawl has not met it on an earlier
page. When nothing on the page is new, requests marked ``meta["pagination"]``
are dropped; requests marked
``meta["external_id"]`` for a stored post are dropped, unless they carry a
``meta["page_mark"]`` (a Reddit thread's comment count) other than the one its
page had when it was last read (``page_marks``, written by the crawl worker):
new comments under an old post are read, an unchanged thread is not fetched.
Ids are compared as the store keeps them (``clean_id``: in NFC, nothing
invisible): a page that writes an id with a combining accent names the post
stored under the composed one, which is not new.

The backlog a capped, killed or budget-stopped crawl left (``meta["scan_backlog"]``:
pages re-issued from the frontier and the next pages they lead to) is judged by
id alone: its posts are old by date but were never stored, and the date test
would stop the walk one page in, every night, leaving the rest of the site
unread forever. A re-issued page (``meta["scan_resumed"]``) keeps its next page
whatever it holds, since its own posts may have been committed just before the
kill.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from scanner.crawl.item import Mention
from scanner.crawl.middlewares.onsite import refuse
from scanner.crawl.sites import SourceSites
from scanner.crawl.state import SourceState
from scanner.store import clean_id
from scanner.text.dates import to_utc

logger = logging.getLogger(__name__)


class Incremental:
    """Judges one page's output at a time (``scanner.crawl.middlewares.spider`` holds it back)."""

    def __init__(self, crawler: Crawler, state: SourceState, sites: SourceSites) -> None:
        self.crawler = crawler
        self.state = state
        self.sites = sites
        #: Posts this crawl has met already: a page that only repeats them is no news
        #: (a listing whose "next" link leads to the same posts under a new URL).
        self.met: set[str] = set()

    def filter(self, response: Response, held: list[Any]) -> list[Any]:
        """What of the page's output goes on: nothing off the source's site (counted),
        no page of a known post, no pointless next page."""
        known = self.state.known
        stats = self.crawler.stats
        backlog = bool(response.meta.get("scan_backlog"))
        judged = fresh = 0
        out: list[Any] = []
        for output in held:
            if isinstance(output, Request):
                if not self.sites.allows(output):
                    refuse(stats, output.url)
                    continue
                external_id = output.meta.get("external_id")
                if external_id is not None:
                    judged += 1
                    key = clean_id(str(external_id))
                    if key not in known:
                        fresh += 1
                    elif self._unchanged(key, output.meta.get("page_mark")):
                        stats.inc_value("incremental/known_skipped")
                        continue
                    else:  # a stored post whose page changed: read again, not new
                        stats.inc_value("incremental/changed_refetched")
            else:
                judged += 1
                fresh += self._is_new(output, by_id_only=backlog)
            out.append(output)
        if backlog:  # the next page of a backlog page is backlog too
            for output in out:
                if isinstance(output, Request) and output.meta.get("pagination"):
                    output.meta["scan_backlog"] = True
        if not judged or fresh or response.meta.get("scan_resumed"):
            return out
        kept = [o for o in out if not (isinstance(o, Request) and o.meta.get("pagination"))]
        if len(kept) < len(out):
            stats.inc_value("incremental/stopped")
            logger.info(
                "%s: nothing new on %s, not following its next page",
                self.state.source,
                response.url,
            )
        return kept

    def _unchanged(self, external_id: str, mark: object) -> bool:
        """A stored post's page is not read again unless the request says it looks
        otherwise now (``meta["page_mark"]``) than when it was last read."""
        return mark is None or self.state.marks.get(external_id) == str(mark)

    def _is_new(self, item: Any, *, by_id_only: bool) -> bool:
        external_id: object
        published: object
        if type(item) is Mention:
            external_id, published = item.external_id, item.published_at
        else:
            adapter = ItemAdapter(item)
            external_id, published = adapter.get("external_id"), adapter.get("published_at")
        key = clean_id(str(external_id))
        if key in self.state.known or key in self.met:
            return False
        self.met.add(key)
        cutoff = None if by_id_only else self.state.cutoff
        return not (cutoff and isinstance(published, datetime) and to_utc(published) < cutoff)
