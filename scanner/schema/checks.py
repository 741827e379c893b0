"""Checks a type cannot express, for ``setting(check=...)``: each returns a reason or None."""

from __future__ import annotations

from urllib.parse import urlsplit

from scanner.schema.words import shown


def http_url(value: str) -> str | None:
    """``https://host/path``: a scheme of http or https, a host, no spaces."""
    parts = urlsplit(value)
    if any(char.isspace() for char in value) or parts.scheme not in {"http", "https"}:
        return f"must be a web address starting http:// or https://, got {shown(value)}"
    if not parts.hostname:
        return f"must be a web address with a host name, got {shown(value)}"
    return None
