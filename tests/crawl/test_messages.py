"""What `scan crawl` tells its user: one line per failing source in words, a summary
that adds up, and never a terminal escape sequence taken from a web page."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from tests.conftest import run_scan
from tests.crawl.conftest import Site, crawl, rows, write_config


def free_port() -> int:
    """A loopback port nothing listens on (a site that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def failing_sources(site: Site) -> list[dict[str, object]]:
    down = free_port()
    return [
        {"name": "down", "spider": "jsonld", "url": f"http://127.0.0.1:{down}/reviews"},
        {"name": "gone", "spider": "jsonld", "url": site.url("/no/such/page.html")},
        {"name": "noquery", "spider": "reddit", "url": site.url("/")},
        {"name": "fine", "spider": "jsonld", "url": site.url("/reviews/page1.html")},
    ]


def test_each_failing_source_is_one_line_in_words_without_tracebacks(
    site: Site, tmp_path: Path
) -> None:
    sources = failing_sources(site)
    write_config(tmp_path, sources)
    result = crawl(tmp_path)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for name in ("down", "gone", "noquery"):
        mine = [line for line in lines if line.startswith(f"{name}:")]
        assert len(mine) == 1, (name, result.stderr)
    said = {line.split(":", 1)[0]: line for line in lines if ":" in line}
    port = str(sources[0]["url"]).split(":")[2].split("/")[0]
    assert f"connection refused by 127.0.0.1:{port} — is the site up?" in said["down"]
    assert "HTTP 404 (not found)" in said["gone"] and "is the url right?" in said["gone"]
    assert "needs a search `query`" in said["noquery"]
    assert len(lines) <= 2 * len(sources) + 2, result.stderr  # no flood
    health = dict(rows(tmp_path / "scan.db", "SELECT source, message FROM source_health"))
    assert health["down"].startswith(f"connection refused by 127.0.0.1:{port}")


def test_debug_shows_the_tracebacks(site: Site, tmp_path: Path) -> None:
    write_config(tmp_path, failing_sources(site)[:1])
    result = run_scan(
        "--debug",
        "--config",
        str(tmp_path / "scanner.toml"),
        "crawl",
        "--progress-every",
        "0",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def summary(stdout: str) -> dict[str, dict[str, str]]:
    """The crawl summary as {source: {column: cell}}: a header line, a line per source,
    and under it, indented, its message and why posts were dropped ("dropped: ...")."""
    lines = stdout.splitlines()
    start = lines.index("crawl summary") + 1
    header = lines[start].split()
    out: dict[str, dict[str, str]] = {}
    last = None
    for line in lines[start + 1 :]:
        if line.startswith("  ") and last is not None:
            if line.strip().startswith("dropped: "):
                out[last]["why dropped"] = line.strip().removeprefix("dropped: ")
            continue
        cells = line.split()
        if len(cells) != len(header):
            break  # the legend under the table
        last = cells[0]
        out[last] = {**dict(zip(header, cells, strict=True)), "why dropped": ""}
    return out


def test_the_summary_says_found_stored_new_and_dropped_and_adds_up(
    site: Site, tmp_path: Path
) -> None:
    write_config(
        tmp_path,
        [
            {"name": "alerts", "spider": "feed", "url": site.url("/feed/page1.xml")},
            {
                "name": "board",
                "spider": "site",
                "rule": "example-board",
                "url": site.url("/board/page1.html"),
            },
        ],
    )
    for night in (1, 2):
        result = crawl(tmp_path)
        assert result.returncode == 0, result.stderr
        table = summary(result.stdout)
        for source, row in table.items():
            found, stored, new = int(row["found"]), int(row["stored"]), int(row["new"])
            dropped = int(row["dropped"])
            assert found == stored + dropped, (source, row)
            assert new <= stored
        alerts = table["alerts"]
        if night == 1:  # 7 entries: 5 about Acme, 2 about something else
            assert (
                alerts["found"],
                alerts["stored"],
                alerts["new"],
                alerts["dropped"],
                alerts["why dropped"],
            ) == ("7", "5", "5", "2", "2 off-topic")
            assert table["board"]["new"] == table["board"]["stored"] == "6"
        else:  # the first page again, nothing new on it
            assert alerts["new"] == "0" and int(alerts["stored"]) >= 1
        if alerts["dropped"] != "0":
            assert alerts["why dropped"].endswith("off-topic"), alerts
    runs = rows(
        tmp_path / "scan.db",
        "SELECT items, new, dropped, stats FROM runs WHERE source = 'alerts' ORDER BY id",
    )
    assert runs[0][:3] == (5, 5, 2)
    assert json.loads(runs[0][3])["scan/dropped/off-topic"] == 2


HOSTILE_ID = "review-1\x1b]52;c;Y3VybCBldmlsLnNofHNo\x07\x1b]0;owned\x07\x1b[2J\x9b31m-end"


def test_web_text_in_log_lines_is_made_terminal_safe(site: Site, tmp_path: Path) -> None:
    review = {"@type": "Review", "@id": HOSTILE_ID, "reviewBody": "<p> </p>", "author": "x"}
    good = {
        "@type": "Review",
        "@id": "ok-1",
        "reviewBody": "Acme lost my parcel.",
        "author": "y\x1b[2Jy",
    }
    page = (
        '<html><head><script type="application/ld+json">'
        + json.dumps({"@type": "Product", "review": [review, good]})
        + "</script></head><body></body></html>"
    )
    site.behave("/hostile.html", body=page.encode())
    write_config(
        tmp_path, [{"name": "hostile", "spider": "jsonld", "url": site.url("/hostile.html")}]
    )
    result = crawl(tmp_path, "-vv")
    assert result.returncode == 0, result.stderr
    dropped = [line for line in result.stderr.splitlines() if "empty-after-cleaning" in line]
    assert dropped and "review-1" in dropped[0] and "-end" in dropped[0], result.stderr
    for output in (result.stderr, result.stdout):
        assert not any(c in output for c in "\x1b\x07\x9b"), repr(output[-2000:])
