"""Turning report objects into digest entries: masked, cut, with safe links.

This is where web text enters the digest, so it is the one place that masks
e-mail addresses and phone numbers and drops every link that is not http(s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scanner.digest.mask import mask
from scanner.digest.model import Grievance, Post
from scanner.text.safe import safe_url, strip_controls, width_cut

if TYPE_CHECKING:
    from scanner.digest.rules import DigestRules


def quote(text: str | None, limit: int) -> str:
    """One masked line of at most ``limit`` characters."""
    line = " ".join(strip_controls(mask(text or ""), keep_newlines=False).split())
    return width_cut(line, limit)


def ascii_host(url: str) -> str:
    """The host as a mail reader would resolve it: 'xn--pypal-4ve.com', not 'pаypal.com'."""
    host = urlsplit(url).hostname or ""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host.encode("ascii", "backslashreplace").decode("ascii")


def posts_of(members: list[Any], limit: int, *, newest_first: bool = True) -> list[Post]:
    """Links to the members that have an http(s) address: the most recent, or with
    ``newest_first=False`` in the order given (an issue's examples, the first of
    which is the one quoted above its links)."""
    if newest_first:
        members = sorted(
            members, key=lambda m: getattr(m, "published_at", None) or "", reverse=True
        )
    posts = []
    for member in members:
        url = safe_url(getattr(member, "url", None))
        if url is None:
            continue
        date = (getattr(member, "published_at", None) or "")[:10] or None
        source = strip_controls(str(getattr(member, "source", "")), keep_newlines=False)
        posts.append(Post(url=url, source=source, date=date, host=ascii_host(url)))
        if len(posts) >= limit:
            break
    return posts


def grievance_view(cluster: Any, old: dict[str, Any] | None, rules: DigestRules) -> Grievance:
    old = old or {}
    return Grievance(
        id=cluster.id,
        verdict=cluster.verdict,
        people=cluster.people,
        mentions=cluster.mentions,
        sources=[strip_controls(s, keep_newlines=False) for s in cluster.sources],
        quote=quote(cluster.shown, rules.quote_chars),
        added_people=max(0, cluster.people - old.get("people", 0)),
        added_mentions=max(0, cluster.mentions - old.get("mentions", 0)),
        last_seen=(cluster.last_seen or "")[:10] or None,
        weekly=list(cluster.weekly or []),
        posts=posts_of(list(cluster.members or []), rules.links_per_grievance),
        flags=[strip_controls(str(f), keep_newlines=False) for f in cluster.flags or []],
        issues=[int(i) for i in getattr(cluster, "issues", None) or []],
    )


def issue_view(issue: Any, rules: DigestRules) -> Grievance:
    """An issue from ``Report.issues``, read by attribute or key, whichever it offers."""

    def get(name: str, default: Any = None) -> Any:
        if isinstance(issue, dict):
            return issue.get(name, default)
        return getattr(issue, name, default)

    examples = list(get("examples") or get("members") or [])
    if get("examples"):
        # The quoted example's link is the first under the quote: so the quote is of
        # the first example that has one (an imported post often has no address).
        linked = [e for e in examples if safe_url(getattr(e, "url", None)) is not None]
        examples = linked + [e for e in examples if e not in linked]
    # An example's quote starts where it names the issue (``scanner.report.quotes``).
    first = examples[0] if examples else None
    first_text = getattr(first, "quote", None) or getattr(first, "text", None)
    return Grievance(
        id=int(get("id", 0) or 0),
        verdict=str(get("verdict", "systemic")),
        people=int(get("people", 0) or 0),
        mentions=int(get("mentions", 0) or 0),
        sources=[strip_controls(str(s), keep_newlines=False) for s in get("sources") or []],
        quote=quote(first_text or get("representative") or "", rules.quote_chars),
        last_seen=(get("last_seen") or "")[:10] or None,
        weekly=list(get("weekly") or []),
        # the quoted example's link first; the newest members' without examples
        posts=posts_of(examples, rules.links_per_grievance, newest_first=not get("examples")),
        name=quote(str(get("name") or ""), 120),
        phrases=[quote(str(p), 60) for p in list(get("phrases") or [])[:5]],
        flags=[strip_controls(str(f), keep_newlines=False) for f in get("flags") or []],
        clusters=[int(c) for c in get("clusters") or []],
    )
