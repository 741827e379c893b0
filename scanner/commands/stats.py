"""``scan stats``: what the database holds."""

from __future__ import annotations

import json

import click

from scanner.commands._app import App, pass_app
from scanner.text.safe import sanitize_tree, terminal, text_cells, width_cut


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def stats(app: App, as_json: bool) -> None:
    """Counts of mentions, grievances and clusters, per source and company.

    \b
    Example:
        scan stats
        scan --db acme.db stats --json
    """
    data = app.store().stats()
    if as_json:
        click.echo(json.dumps(sanitize_tree(data), indent=2, ensure_ascii=False))
        return
    click.echo(f"database        {terminal(data['database'])} (schema {data['schema_version']})")
    click.echo(f"mentions        {data['mentions']}")
    click.echo(f"grievances      {data['grievances']}")
    click.echo(f"clusters        {data['clusters']}")
    click.echo(f"runs            {data['runs']}")
    click.echo(f"authors stored  {data['authors']} ([privacy] authors)")
    for company in data["by_company"]:
        click.echo(f"company         {terminal(company['company'])}: {company['mentions']}")
    if data["by_source"]:
        click.echo("\nsource                          mentions  grievances  first       last")
        for s in data["by_source"]:
            name = width_cut(terminal(s["source"]), 30)  # by cells, between clusters
            name += " " * (30 - text_cells(name))
            first, last = (s["first"] or "-")[:10], (s["last"] or "-")[:10]
            click.echo(
                f"{name}  {s['mentions']:>8}  {s['grievances'] or 0:>10}  {first:<10}  {last}"
            )
