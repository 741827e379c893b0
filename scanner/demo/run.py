"""``scan demo`` end to end: serve the pages, crawl them, group, report, write the digest.

Every stage is the real one (spiders, pipelines, SQLite store, grouping,
issues, report, digest); only the web is ours, on loopback, and gone before the
report is printed. The crawl runs in this process, so a process runs one demo.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.config import load_config
from scanner.demo import corpus, workdir
from scanner.demo.pages import DemoWeb
from scanner.demo.server import serve
from scanner.store import Store
from scanner.termwidth import output_width
from scanner.text.safe import terminal, wrap_cells

Echo = Callable[..., Any]


@dataclass
class DemoResult:
    directory: Path
    db: Path
    config: Path
    digest: Path
    seconds: float = 0.0
    crawl: dict[str, str] = field(default_factory=dict)  # source -> status
    systemic_ids: list[int] = field(default_factory=list)


def run_demo(
    directory: Path, *, echo: Echo, color: bool = False, width: int | None = None
) -> DemoResult:
    """Run the whole demo in ``directory``; ``echo`` is how text reaches the user."""
    started = time.monotonic()
    width = width or output_width()
    directory = directory.resolve()
    workdir.prepare(directory)
    web = DemoWeb(corpus.build(), corpus.company(), corpus.competitor())
    with serve(web) as base:
        config_path = workdir.write_config(
            directory, corpus.company(), web.sources(base), corpus.competitor()
        )
        config = load_config(config_path)
        served = (
            f"Pages of six sources about the fictional {config.company.name}, and the "
            f"review page of its competitor {config.competitors[0].name}."
        )
        echo(f"Demo web server on {base}", err=True)  # the address whole, to copy
        echo("\n".join(wrap_cells(served, width, indent="  ")), err=True)
        crawl = _crawl(config, echo)
    result = DemoResult(directory, config.db, config_path, directory / workdir.DIGEST, crawl=crawl)
    with Store(config.db) as store:
        _group(store, config, echo)
        result.systemic_ids = _report(store, config, echo, color=color, width=width)
        _compare(store, config, echo, color=color, width=width)
        _digest(store, config, result.digest)
    result.seconds = time.monotonic() - started
    echo(_where_next(result, width), err=False)
    return result


def _crawl(config: Any, echo: Echo) -> dict[str, str]:
    from scanner.crawl.run import run_crawl

    # The longest source name sets the column, so the counts line up.
    name_width = max((len(source.name) for source in config.sources), default=14)

    def progress(entry: Any) -> None:
        if entry.finished:
            echo(
                f"  crawled {terminal(entry.name):<{name_width}} {entry.pages:>3} "
                f"{'page ' if entry.pages == 1 else 'pages'} {entry.stored:>4} posts  "
                f"{entry.status}",
                err=True,
            )

    echo("Crawling with the real spiders and pipeline ...", err=True)
    result = run_crawl(config, config.db, progress=progress, progress_every=0)
    if result.interrupted:
        raise KeyboardInterrupt
    return {entry.name: entry.status for entry in result.sources}


def _group(store: Store, config: Any, echo: Echo) -> None:
    from scanner.clustering.run import run as cluster
    from scanner.issues.store import run as find_issues

    echo("Grouping near-duplicate grievances and finding issues ...", err=True)
    cluster(store)  # every company: ours and the competitor
    find_issues(store, config)


def _report(store: Store, config: Any, echo: Echo, *, color: bool, width: int) -> list[int]:
    from scanner.report import build
    from scanner.report.formats import render

    report = build(store, config)
    echo("")
    echo(render(report, "text", width=width, color=color, tty=color), nl=False, color=color)
    return [c.id for c in report.clusters if c.verdict == "systemic"]


def _compare(store: Store, config: Any, echo: Echo, *, color: bool, width: int) -> None:
    """``scan compare``: our grievances next to the competitor's."""
    from scanner.compare import build
    from scanner.report.formats import render_comparison

    comparison = build(store, config)
    comparison.limit = 3  # a taste; `scan compare` lists ten per standing
    echo("")
    text = render_comparison(comparison, "text", width=width, color=color, tty=color)
    echo(text, nl=False, color=color)


def _digest(store: Store, config: Any, path: Path) -> None:
    from scanner.digest.service import compose, message_for

    message = message_for(compose(store, config), config)
    path.write_bytes(bytes(message))


def _where_next(result: DemoResult, width: int) -> str:
    """Where the files are and what to run next. A path is last on its line, after
    a short label, so only a path longer than the terminal can run past its edge."""
    try:
        shown = result.directory.relative_to(Path.cwd())
    except ValueError:
        shown = result.directory
    cluster = result.systemic_ids[0] if result.systemic_ids else 1
    failed = [name for name, status in result.crawl.items() if status != "ok"]
    finished = (
        f"Demo finished in {result.seconds:.1f} s."
        + (f" Sources not fully read: {', '.join(failed)}." if failed else "")
        + " It kept the database, the digest it would e-mail (open it in a mail app)"
        " and the config it ran with:"
    )
    lines = [
        "",
        *wrap_cells(finished, width),
        f"  database  {shown / workdir.DB}",
        f"  digest    {shown / workdir.DIGEST}",
        f"  config    {shown / workdir.CONFIG}",
        "",
        "Next, try (from that directory, so the demo's config is used):",
        f"  cd {shlex.quote(str(shown))}",
        f"  {f'scan report --cluster {cluster}':<44}# every post of one grievance",
        "  scan report --format html -o report.html    # the report as a web page",
        "  scan report --format json --all             # everything, for scripts",
        "  scan issues                                 # themes shared across grievances",
        "  scan compare --format html -o compare.html  # ours next to the competitor's",
        "",
        "To watch a real company: in a new directory run `scan init`, set [company] name",
        "and its [[sources]] in scanner.toml (the example source is off until you turn",
        "it on), then `scan crawl && scan report`.",
    ]
    return "\n".join(lines)
