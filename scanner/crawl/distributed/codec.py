"""JSON for what crosses Redis: requests, batches of posts, stats.

Not pickle (scrapy-redis's default): whoever can write to the Redis would then
run code in every worker and in the writer. JSON cannot say bytes (a request's
headers and body), datetimes (a post's date), tuples (a ``Mention``'s values,
which the stages take as a tuple) or dicts whose keys are not text (headers
again), so those travel tagged, as one-key objects (``{"$b": ...}``...), and
come back as they left: a post stored from a worker is the very row a local
crawl stores. Anything else (a set, an object) is refused with ``TypeError``.

This module is also a scrapy-redis "serializer" (it has ``dumps`` and ``loads``).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

_SCALARS = (str, int, float, bool, type(None))


def to_plain(value: Any) -> Any:
    """``value`` as plain JSON types, the others tagged."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": [to_plain(v) for v in value]}
    if isinstance(value, dict):
        if all(type(k) is str and not k.startswith("$") for k in value):
            return {k: to_plain(v) for k, v in value.items()}
        return {"$kv": [[to_plain(k), to_plain(v)] for k, v in value.items()]}
    if isinstance(value, bytes):
        return {"$b": value.decode("latin-1")}  # latin-1 maps every byte to one character
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    raise TypeError(f"cannot send a {type(value).__name__} through Redis: {value!r:.80}")


def _tagged(obj: dict[str, Any]) -> Any:
    if len(obj) != 1:
        return obj
    ((tag, value),) = obj.items()
    if tag == "$t":
        return tuple(value)
    if tag == "$kv":
        return {k: v for k, v in value}
    if tag == "$b":
        return value.encode("latin-1")
    if tag == "$dt":
        return datetime.fromisoformat(value)
    if tag == "$d":
        return date.fromisoformat(value)
    return obj


def dumps(value: Any) -> bytes:
    return json.dumps(to_plain(value), ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    return json.loads(data, object_hook=_tagged)


def stats_json(stats: dict[str, Any]) -> bytes:
    """Scrapy stats as JSON: numbers stay numbers, anything else becomes text."""
    plain = {k: v if isinstance(v, _SCALARS) else str(v) for k, v in stats.items()}
    return json.dumps(plain, ensure_ascii=False).encode()
