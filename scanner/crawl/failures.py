"""What went wrong with a source's pages, counted by kind and said in words.

Every final failure of a request (after retries) is counted in the crawler's
stats as ``failure/<kind>``, with the last URL it happened to
(``failure/<kind>/url``) and, for some kinds, a detail (``failure/<kind>/detail``):
see :func:`record`. The source's health (``scanner.crawl.health``) turns them
into one line a user can act on, "connection refused by 127.0.0.1:8765 — is the
site up?", instead of "8 x DownloadConnectionRefusedError".
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from scanner.text.counts import counted

#: Exception class name -> kind. Scrapy wraps the download handlers' errors in
#: its own exceptions (scrapy.exceptions); Twisted's names are there for older ones.
EXCEPTION_KINDS = {
    "DownloadConnectionRefusedError": "refused",
    "ConnectionRefusedError": "refused",
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DownloadCancelledError": "too_large",
    "CancelledError": "too_large",
    "NotSupported": "scheme",
    "UnsupportedURLSchemeError": "scheme",
    "ResponseDataLossError": "dataloss",
    "_DataLoss": "dataloss",
    "ResponseNeverReceived": "closed",
    "ConnectionDone": "closed",
    "ConnectionLost": "closed",
}
#: What to do about an HTTP status, by its first digit or itself.
_HINTS = {
    404: "is the url right?",
    410: "is the url right?",
    401: "the site refuses us",
    403: "the site refuses us",
    429: "the site asks us to slow down",
    5: "the site has trouble; tried again next run",
}


def lasting(kind: str) -> bool:
    """Whether a later run would meet the failure again: a 404, a page over the size
    cap, an off-site link. A page that meets one in two runs is given up (the
    frontier's backlog forgets it). Any other failure passes (a 5xx, a timeout, a
    dropped connection, a Retry-After longer than we wait): the page stays pending
    however many runs it takes, or a weekend's outage lost the rest of a site."""
    if kind.startswith("http_"):
        code = int(kind[5:])
        return 400 <= code < 500 and code not in {408, 425, 429}
    return kind in {"too_large", "scheme", "offsite"}


def exception_kind(exc: BaseException) -> str:
    """The kind of a download failure (``connection`` when it is none we know), by
    the error or the one it wraps (Scrapy's DownloadFailedError wraps Twisted's
    ResponseNeverReceived when a site hangs up)."""
    for error in (exc, exc.__cause__):
        if error is not None and type(error).__name__ in EXCEPTION_KINDS:
            return EXCEPTION_KINDS[type(error).__name__]
    return "connection"


def exception_detail(exc: BaseException) -> str:
    """What went wrong, in the words of the error underneath: Twisted wraps a
    closed connection in a list of Failures, whose repr had reached the user
    ("[<twisted.python.failure.Failure twisted.internet.error.ConnectionDone:
    ...>]")."""
    reasons = getattr(exc, "reasons", None) or getattr(exc.__cause__, "reasons", None)
    if reasons:
        inner = getattr(reasons[0], "value", reasons[0])
        return str(inner) or type(inner).__name__
    return str(exc) or type(exc).__name__


def record(stats: Any, kind: str, url: str, detail: str | None = None) -> None:
    """Count one final failure of a request in the crawler's stats."""
    stats.inc_value(f"failure/{kind}")
    stats.set_value(f"failure/{kind}/url", url)
    if detail:
        stats.set_value(f"failure/{kind}/detail", detail[:300])


def pages(count: int) -> str:
    return counted(count, "page")


def host_of(url: str) -> str:
    """``host:port`` as the user wrote it in the source's url."""
    return urlsplit(url).netloc or url


def in_words(stats: dict[str, Any]) -> list[str]:
    """Each kind of failure in the stats, most frequent first, as one line each."""
    kinds = [
        (count, key.removeprefix("failure/"))
        for key, count in stats.items()
        if key.startswith("failure/") and key.count("/") == 1
    ]
    out = []
    for count, kind in sorted(kinds, key=lambda pair: (-pair[0], pair[1])):
        url = str(stats.get(f"failure/{kind}/url") or "")
        out.append(describe(kind, count, url, stats.get(f"failure/{kind}/detail")))
    return out


def describe(kind: str, count: int, url: str, detail: str | None = None) -> str:
    host, n = host_of(url), pages(count)
    if kind.startswith("http_"):
        return _http(int(kind[5:]), host, n, url)
    if kind == "refused":
        return f"connection refused by {host} — is the site up?"
    if kind == "dns":
        return f"cannot find the host {urlsplit(url).hostname or host} — is the url right?"
    if kind == "timeout":
        return f"{host} did not answer in time ({n}, e.g. {url})"
    if kind == "too_large":
        return f"{n} over the size cap ({detail or 'DOWNLOAD_MAXSIZE'}) skipped, e.g. {url}"
    if kind == "scheme":
        scheme = urlsplit(url).scheme or url.partition(":")[0]
        return f"unsupported URL scheme '{scheme}' in {url} — use http:// or https://"
    if kind == "dataloss":
        return f"{host} broke off {n} mid-transfer (e.g. {url})"
    if kind == "closed":
        return f"{host} closed the connection without answering ({n}, e.g. {url})"
    if kind == "robots":
        return _robots(detail or "", count, url)
    if kind == "retry_after":
        return (
            f"{host} asked us to come back in {detail} (Retry-After), more than we wait: "
            f"{n} left for the next run"
        )
    if kind == "undecodable":
        return f"{n} could not be read ({detail}), e.g. {url}: tried again next run"
    if kind == "redirect_unusable":
        to = f"to {detail!r}" if detail else "with no Location"
        return f"{n} redirected {to}, which is not followed, e.g. {url}: tried again next run"
    if kind == "redirect_loop":
        return f"{n} redirected back to itself, e.g. {url}: tried again next run"
    if kind == "offsite":
        return f"refused {n} off-site (e.g. {url}): a source stays on its own site"
    if kind == "spider":
        return (
            f"the spider failed on {n} ({detail}), e.g. {url} — a bug: `scan --debug "
            "crawl` shows where"
        )
    return f"the connection to {host} failed ({n}): {detail or kind}"


def _http(code: int, host: str, n: str, url: str) -> str:
    try:
        phrase = HTTPStatus(code).phrase.lower()
    except ValueError:
        phrase = "unknown status"
    hint = _HINTS.get(code) or _HINTS.get(code // 100)
    said = f"{host} answered HTTP {code} ({phrase}) for {n} (e.g. {url})"
    return said + (f" — {hint}" if hint else "")


def _robots(reason: str, count: int, url: str) -> str:
    """Pages refused because the host's robots.txt could not be read (RFC 9309 2.3.1.4)."""
    if reason in {"refused", "dns"}:  # the host itself is out of reach: say that
        return describe(reason, count, url)
    host = host_of(url)
    if reason.startswith("http_"):
        why = f"answered HTTP {reason[5:]}"
    elif reason == "timeout":
        why = "did not answer in time"
    else:
        why = f"could not be read ({reason})"
    return (
        f"robots.txt of {host} {why}, so none of its pages were fetched this run "
        f"({pages(count)} refused; RFC 9309: a robots.txt that cannot be read means "
        "disallow all); asked again next run"
    )
