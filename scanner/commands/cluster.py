"""``scan cluster``: group grievances into near-duplicate clusters."""

from __future__ import annotations

import click

from scanner.commands._app import App, pass_app, say
from scanner.text.safe import terminal


@click.command()
@click.option("--rebuild", is_flag=True, help="Regroup from scratch (cluster ids are kept).")
@click.option("--company", help="Only this company's grievances.")
@pass_app
def cluster(app: App, rebuild: bool, company: str | None) -> None:
    """Group grievances that restate the same complaint into stable clusters.

    New grievances join existing clusters or found new ones; cluster ids never
    change. Thresholds are in rules/grouping.toml.

    \b
    Example:
        scan cluster
        scan cluster --company "Acme Bank" --rebuild
    """
    from scanner.clustering.run import run

    if company:  # as `scan issues` does: a name that is not watched is an error, not a no-op
        company = app.config.company_named(company, stored=app.store().companies).name
    result = run(app.store(), company=company, rebuild=rebuild, progress=True)
    rebuilt = (
        f", rebuilt {', '.join(terminal(c) for c in result.rebuilt)}" if result.rebuilt else ""
    )
    say(
        f"{result.new_grievances} new grievances: {result.clusters_created} clusters created, "
        f"{result.clusters_grown} grown, {result.merges} merged; "
        f"{result.total_clusters} clusters in all ({result.seconds:.1f}s{rebuilt})"
    )
