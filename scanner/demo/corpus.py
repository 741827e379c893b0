"""The demo corpus: the posts of ``corpus.toml`` given sites, authors, ratings and dates.

Everything is deterministic except "now": dates are placed relative to the moment
the demo runs (all within the last 60 days), so the 90-day window of the verdict
holds whenever it is run. What was planted (which posts form which grievance,
how many people, the cross-poster, the burst, praise, one-offs) comes out of
:func:`facts`, so the end-to-end test compares the report with the corpus
rather than with numbers copied into the test.
"""

from __future__ import annotations

import hashlib
import random
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any

PLANTS = ("systemic", "issue", "burst", "praise", "isolated", "neutral")
GRIEVANCES = ("systemic", "issue", "burst", "isolated")
SITES = (
    "trustpilot",
    "bbb-complaint",
    "bbb-review",
    "reddit",
    "hn",
    "appstore-us",
    "appstore-in",
    "appstore-es",
    "alerts",
)
_UNNAMED = ("bbb-complaint", "alerts")  # sites that show no author


@dataclass(frozen=True)
class Post:
    uid: str  # stable within the corpus: "<group>-<n>"
    group: str
    plant: str
    company: str  # the company's name: ours, or the competitor's
    site: str
    lang: str
    author: str | None
    title: str | None
    text: str
    rating: int | None
    published: datetime
    fresh_account: bool = False

    def digest(self, size: int = 8) -> str:
        """A stable hex string the page formats derive their own ids from."""
        return hashlib.sha256(self.uid.encode("utf-8")).hexdigest()[:size]


@cache
def raw() -> dict[str, Any]:
    return tomllib.loads(files("scanner.demo").joinpath("corpus.toml").read_text("utf-8"))


def company() -> dict[str, Any]:
    return dict(raw()["company"])


def competitor() -> dict[str, Any]:
    return dict(raw()["competitor"])


def _company_of(group: dict[str, Any]) -> str:
    return competitor()["name"] if group.get("company") == "competitor" else company()["name"]


def build(now: datetime | None = None) -> list[Post]:
    """Every post, newest first. ``now`` (default: the current time) anchors the dates."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    rng = random.Random(8)  # issue 8: the same corpus on every run
    names = _Names(raw()["names"], rng)
    posts: list[Post] = []
    for group in raw()["groups"]:
        entries = [_entry(group, e) for e in group.get("posts") or group["texts"]]
        when = _dates(group["plant"], entries, now, rng, span=group.get("within_days", 57))
        for n, (entry, published) in enumerate(zip(entries, when, strict=True)):
            site = entry["site"]
            author = None if site in _UNNAMED else entry.get("author") or names.next(site)
            plant = group["plant"]
            posts.append(
                Post(
                    uid=f"{group['key']}-{n + 1:02d}",
                    group=group["key"],
                    plant=plant,
                    company=_company_of(group),
                    site=site,
                    lang=entry["lang"],
                    author=author,
                    title=entry.get("title"),
                    text=entry["text"],
                    rating=_rating(site, plant, rng),
                    published=published,
                    fresh_account=plant == "burst",
                )
            )
    posts.sort(key=lambda p: p.published, reverse=True)
    return posts


def facts() -> dict[str, Any]:
    """What was planted, independent of dates: the test's expected answers."""
    posts = build(datetime(2026, 1, 1, tzinfo=UTC))
    out: dict[str, Any] = {
        "company": company()["name"],
        "competitor": competitor()["name"],
        "groups": {},
        "cross_posters": [],
    }
    for group in raw()["groups"]:
        members = [p for p in posts if p.group == group["key"]]
        people = {p.author or f"~{p.uid}" for p in members}
        out["groups"][group["key"]] = {
            "plant": group["plant"],
            "company": _company_of(group),
            "compare": group.get("compare"),  # its standing in `scan compare`, if planted
            "label": group.get("label", ""),
            "people": len(people),
            "posts": sorted(p.uid for p in members),
        }
    by_author: dict[str, list[Post]] = {}
    for post in posts:
        if post.author:
            by_author.setdefault(post.author, []).append(post)
    for author, own in sorted(by_author.items()):
        if len({p.site.split("-")[0] for p in own}) > 1:
            out["cross_posters"].append(
                {
                    "author": author,
                    "group": own[0].group,
                    "posts": sorted(p.uid for p in own),
                }
            )
    return out


def _entry(group: dict[str, Any], entry: str | dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"text": entry} if isinstance(entry, str) else dict(entry)
    item.setdefault("site", group.get("site"))
    item.setdefault("lang", group.get("lang", "en"))
    if item["site"] not in SITES:
        raise ValueError(f"corpus.toml: group {group['key']}: unknown site {item['site']!r}")
    return item


def _dates(
    plant: str, entries: list[dict[str, Any]], now: datetime, rng: random.Random, span: int = 57
) -> list[datetime]:
    """When each post was published: within ``span`` days before today.

    The members of one grievance are posted on different days between 08:00 and
    20:00 UTC, so no three of them fall within the coordination window (6 hours):
    only the planted burst looks like a campaign. A cross-poster posts on one day.
    """
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if plant == "burst":  # two days ago, within three hours
        start = today - timedelta(days=2) + timedelta(hours=10)
        return [start + timedelta(minutes=37 * i + rng.randrange(5)) for i in range(len(entries))]
    people = list(dict.fromkeys(e.get("author") or id(e) for e in entries))
    days = dict(zip(people, rng.sample(range(1, span + 1), len(people)), strict=True))
    out, seen = [], dict.fromkeys(people, 0)
    for entry in entries:
        person = entry.get("author") or id(entry)
        hour = 8 + 4 * seen[person] if entry.get("author") else rng.randrange(8, 20)
        seen[person] += 1
        out.append(
            today - timedelta(days=days[person]) + timedelta(hours=hour, minutes=rng.randrange(60))
        )
    return out


def _rating(site: str, plant: str, rng: random.Random) -> int | None:
    if site.startswith(("trustpilot", "appstore", "bbb-review")):
        if plant == "praise":
            return rng.choice((4, 5, 5, 5))
        return rng.choice((1, 1, 1, 2)) if plant in GRIEVANCES else 3
    return None


class _Names:
    """Distinct made-up authors in each site's style; never a placeholder name."""

    def __init__(self, pools: dict[str, list[str]], rng: random.Random) -> None:
        self.pools, self.rng = pools, rng
        self.used: set[str] = set()

    def next(self, site: str) -> str:
        while True:
            first, last = self.rng.choice(self.pools["first"]), self.rng.choice(self.pools["last"])
            a, b = self.rng.sample(self.pools["words"], 2)
            name = {
                "trustpilot": f"{first} {last}",
                "bbb-review": f"{first} {last[0]}.",
                "reddit": f"{a}_{b}{self.rng.randrange(10, 99)}",
                "hn": f"{a}{b}",
            }.get(site, f"{first}{self.rng.randrange(1970, 2006)}")
            if name.casefold() not in self.used:
                self.used.add(name.casefold())
                return name
