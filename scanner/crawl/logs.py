"""What a crawl writes to the log: one line per failing source, and nothing a page can forge.

Scrapy logs each failed request at ERROR with a full traceback, and each retry,
robots.txt failure and spider error besides: an ordinary failing source printed
hundreds of lines, and a nightly cron log grew by as many each night. During a
crawl, :class:`CrawlLogFilter` sits on the root logger's handlers and

* demotes what concerns one request, page or post (Scrapy's loggers, the
  spiders', the crawl components') to INFO, without its traceback: ``scan -v``
  shows them; the source's health says what they add up to, in one line;
* keeps tracebacks, and Scrapy's levels, only with ``scan --debug``;
* strips terminal escape sequences, controls and bidi overrides from every
  line (``scanner.text.safe``): a dropped post's id, a URL or a feed's error come
  from the web, and a cron log must not carry an OSC 52 clipboard write or a
  clear-screen to whoever runs ``tail`` on it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from scanner.text.safe import strip_controls

if TYPE_CHECKING:
    from scrapy.crawler import CrawlerProcess

#: Loggers whose lines speak for a whole source or the whole crawl: never demoted.
RUN_LOGGERS = ("scanner.crawl.run", "scanner.crawl.client")
_FORMATTER = logging.Formatter()


class CrawlLogFilter(logging.Filter):
    def __init__(self, *, tracebacks: bool, spiders: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.tracebacks = tracebacks
        self.spiders = spiders  # spider loggers are named after the spider

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.tracebacks and record.levelno > logging.INFO and self._per_request(record):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info = record.exc_text = record.stack_info = None
            if not logging.getLogger().isEnabledFor(logging.INFO):
                return False
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging itself reports it, as without us
            return True
        record.msg, record.args = strip_controls(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = strip_controls(record.exc_text)
        return True

    def _per_request(self, record: logging.LogRecord) -> bool:
        name = record.name
        if name.startswith(RUN_LOGGERS):
            return False
        return name.startswith(("scrapy", "twisted", "scanner.")) or name in self.spiders


@contextmanager
def crawl_logging(*, tracebacks: bool, spiders: frozenset[str]) -> Iterator[None]:
    """:class:`CrawlLogFilter` on every handler of the root logger, for the crawl."""
    log_filter = CrawlLogFilter(tracebacks=tracebacks, spiders=spiders)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(log_filter)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(log_filter)


def crawler_process(settings: Any) -> CrawlerProcess:
    """A ``CrawlerProcess`` made quietly: Scrapy logs its versions at INFO while it
    sets its loggers up, then sets them to DEBUG; here they inherit the root level
    (``scan -v``) instead. Scrapy is imported only when a crawl starts."""
    from scrapy.crawler import CrawlerProcess

    quiet = logging.getLogger().getEffectiveLevel() > logging.INFO
    if quiet:
        logging.disable(logging.INFO)
    process = CrawlerProcess(settings)
    logging.disable(logging.NOTSET)
    logging.getLogger("scrapy").setLevel(logging.NOTSET)
    return process
