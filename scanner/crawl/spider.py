"""What every scan spider shares: its arguments, and how it reports a changed layout.

Spiders only parse. A spider is started with the arguments of its configured
source (``source``, ``url``, ``query``... see ``scanner.config.Source.spider_args``),
or by hand with ``scrapy crawl NAME -a url=...``.

Conventions the crawl machinery relies on:

* requests for the next page of a listing carry ``meta={"pagination": True}``:
  the incremental middleware drops them when a page brought nothing new;
* requests for one post's own page carry ``meta={"external_id": ...}`` so that a
  post already stored is not fetched again, unless ``meta["page_mark"]`` (text:
  what the listing says of the page, such as its comment count) differs from
  the mark it had when it was last read;
* when a page lacks what the spider expects (a JSON key renamed, a selector that
  matches nothing) the spider calls :meth:`ScanSpider.layout_problem`, which logs
  a warning naming the spider and what was missing and counts it in the stats
  (``layout/problems``), from which the source's health is judged;
* when a page arrived cut short (a feed that stops mid-entry), the spider reads
  what it can and calls :meth:`ScanSpider.page_cut_short` (``pages/truncated``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import scrapy

#: Set in a page's meta when its spider found the layout changed: a page that gave
#: no post then stays pending (``scanner.crawl.middlewares.spider``), to be read
#: once the site or the rule is fixed.
LAYOUT_PROBLEM = "scan_layout_problem"
T = TypeVar("T")
R = TypeVar("R")
#: What reading a value of an unforeseen shape raises (a bug of ours raises these
#: too, but is then named in the warning and the source's health).
_SHAPE_ERRORS = (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError)


class ScanSpider(scrapy.Spider):
    #: Whether a post from this spider is about the company by construction
    #: (a company's own review page) rather than a general source (a forum search).
    about_company: bool = True
    #: The URL used when the source gives none (documentation only; tests and
    #: demos always pass one).
    default_url: str | None = None
    #: Hosts besides the start URL's that the spider's requests may go to (an API
    #: on another host); anything else is refused (``scanner.crawl.sites``).
    api_hosts: tuple[str, ...] = ()

    def __init__(
        self, *args: Any, source: str | None = None, url: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.source = source or self.name
        self.url = url or self.default_url

    @classmethod
    def check_arguments(cls, **kwargs: Any) -> None:
        """Called by ``scan crawl`` before crawling, so a source that could read
        nothing fails at start with a reason instead of as a quiet empty run.

        The default asks for a start ``url`` unless the spider has a ``default_url``;
        spiders that need more (a query, an app id, a rule file) override it.
        """
        if not kwargs.get("url") and not cls.default_url:
            raise ValueError(f"the {cls.name} spider needs a start `url`")

    def page_cut_short(self, response: scrapy.http.Response, what: str) -> None:
        """Say that the page ended before its content did; what it held is kept."""
        self.logger.warning("%s: page cut short? %s (%s)", self.name, what, response.url)
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.stats.inc_value("pages/truncated")
            crawler.stats.set_value("pages/last_truncated", f"{what} ({response.url})")

    def each(
        self,
        response: scrapy.http.Response,
        items: Iterable[T],
        build: Callable[[scrapy.http.Response, T], R],
    ) -> Iterator[R]:
        """``build(response, item)`` for each item of a page, one at a time: an item
        of a shape no one foresaw (an object where a list was, a year of thirteen
        digits) is a layout problem, and the items after it are still read. An
        exception had ended the page there, on every crawl."""
        for item in items:
            try:
                yield build(response, item)
            except _SHAPE_ERRORS as exc:
                said = f"{type(exc).__name__}: {exc}"
                self.layout_problem(response, f"an item it cannot read ({said})")

    def layout_problem(self, response: scrapy.http.Response | None, what: str) -> None:
        """Say that the page did not look as expected; the crawl goes on."""
        where = response.url if response is not None else "?"
        self.logger.warning("%s: layout changed? %s (%s)", self.name, what, where)
        crawler = getattr(self, "crawler", None)  # absent on a spider built without one
        if crawler is not None:
            crawler.stats.inc_value("layout/problems")
            crawler.stats.set_value("layout/last_problem", f"{what} ({where})")
        if response is not None and response.request is not None:
            response.meta[LAYOUT_PROBLEM] = True  # the page's end is judged by it
