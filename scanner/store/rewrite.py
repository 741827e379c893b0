"""Rewriting every stored post under a new privacy policy, in the caller's transaction.

Each post's author, title, text and site facts become what the policy stores
(``AuthorPolicy.scrub``, worked out from the raw values, so pseudonyms equal
those new posts get); its content hash is worked out again. A post that ``scan
import`` named itself (a record without an ``id``: ``<source>:<16 hex>``, the
hex a hash that includes the author) is renamed to the id the policy derives
(``ImportIds``, as import names it), and every table that points at it follows,
so re-importing the file adds nothing and no hash of a name is left.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from scanner.privacy import AuthorPolicy, ImportIds

CHUNK = 2000
_DERIVED = re.compile(r"[0-9a-f]{16}")
# Every column that names a post by its id.
POINTERS = (
    ("cluster_members", "mention_id"),
    ("issue_members", "mention_id"),
    ("grouping_index", "mention_id"),
    ("clusters", "representative_id"),
)


def rewrite_posts(conn: sqlite3.Connection, policy: AuthorPolicy) -> tuple[int, int]:
    """Rewrite every post; returns (posts changed, imported posts renamed)."""
    from scanner.store import content_hash

    changed, last = 0, 0
    names = ImportIds(policy)
    renames: list[tuple[str, str]] = []
    while True:
        rows = conn.execute(
            "SELECT rowid, id, source, external_id, origin, published_at, author, title, text, "
            "extra, rating, url FROM mentions WHERE rowid > ? ORDER BY rowid LIMIT ?",
            [last, CHUNK],
        ).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        full, light = [], []
        for rowid, mid, source, external, origin, published, *rest in rows:
            author, title, text, extra, rating, url = rest
            old = {
                "source": source,
                "author": author,
                "title": title,
                "text": text,
                "rating": rating,
                "url": url,
                "extra": _facts(extra),
            }
            new = policy.scrub(old)
            facts = _json(new["extra"]) if isinstance(new["extra"], dict) else extra
            named = mid == f"{source}:{external}" and _DERIVED.fullmatch(external)
            if origin == "import" and named:
                digest = names.name(source, author, published, text or "")
                if digest != external:
                    renames.append((mid, f"{source}:{digest}"))
            if (new["author"], new["title"], new["text"], facts) == (author, title, text, extra):
                continue
            changed += 1
            digest = content_hash(new)
            if (new["title"], new["text"]) != (title, text):
                full.append((new["author"], new["title"], new["text"], facts, digest, rowid))
            else:  # leaves the full-text index (its trigger is on title and text) alone
                light.append((new["author"], facts, digest, rowid))
        conn.executemany(
            "UPDATE mentions SET author = ?, title = ?, text = ?, extra = ?, content_hash = ? "
            "WHERE rowid = ?",
            full,
        )
        conn.executemany(
            "UPDATE mentions SET author = ?, extra = ?, content_hash = ? WHERE rowid = ?", light
        )
    _rename(conn, renames)
    return changed, len(renames)


def _rename(conn: sqlite3.Connection, renames: list[tuple[str, str]]) -> None:
    """New ids for posts, and for everything that points at them, through one temp table."""
    if not renames:
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS scan_renames (old TEXT PRIMARY KEY, new TEXT)")
    conn.execute("DELETE FROM scan_renames")
    conn.executemany("INSERT INTO scan_renames (old, new) VALUES (?, ?)", renames)
    conn.execute(
        "UPDATE mentions SET id = r.new, external_id = substr(r.new, length(mentions.source) + 2) "
        "FROM scan_renames r WHERE mentions.id = r.old"
    )
    for table, column in POINTERS:
        conn.execute(
            f"UPDATE {table} SET {column} = r.new FROM scan_renames r "  # noqa: S608 - our names
            f"WHERE {table}.{column} = r.old"
        )
    conn.execute("DELETE FROM scan_renames")


def _facts(extra: str | None) -> Any:
    try:
        value = json.loads(extra or "{}")
    except ValueError:
        return extra
    return value if isinstance(value, dict) else extra


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
