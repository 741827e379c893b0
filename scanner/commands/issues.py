"""``scan issues``: find each company's grievance themes and who raised them."""

from __future__ import annotations

import json

import click

from scanner.commands._app import App, pass_app, say
from scanner.termwidth import output_width
from scanner.text.safe import terminal, text_cells, width_cut, wrap_cells


@click.command()
@click.option("--company", help="Only this company (default: every watched company).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def issues(app: App, company: str | None, as_json: bool) -> None:
    """Discover issues (grievance themes named by a key phrase) and assign grievances.

    An issue gathers grievances that share a distinctive phrase, however
    differently they are written ("age verification", "verify my age"). Pin
    your own in rules/issues.toml, and list there the phrases you judge no
    problem ([[ignored]]).

    \b
    Example:
        scan issues
        scan issues --company Acme --json
    """
    from scanner.issues.store import run

    result = run(app.store(), app.config, company=company)
    for warning in result.warnings:
        say(f"Warning: {warning}", err=True)
    if as_json:
        data = [
            {
                "company": c.company,
                "grievances": c.grievances,
                "background": c.background,
                "retired": c.retired,
                "ignored": c.ignored,
                "issues": [
                    {
                        "id": i.id,
                        "name": i.name,
                        "people": i.people,
                        "grievances": i.grievances,
                        "phrases": i.phrases,
                        "pinned": i.pinned,
                        "new": i.new,
                    }
                    for i in c.issues
                ],
            }
            for c in result.companies
        ]
        click.echo(
            json.dumps({"run_id": result.run_id, "companies": data}, ensure_ascii=False, indent=2)
        )
        return
    for c in result.companies:
        click.echo(
            f"{terminal(c.company)}: {len(c.issues)} issues from {c.grievances} grievances"
            f" ({c.retired} retired; background: {c.background})"
        )
        left_out = [p for p, n in c.ignored.items() if n]
        if left_out:
            said = "Left out as [[ignored]] in rules/issues.toml: " + ", ".join(left_out) + "."
            click.echo("\n".join(wrap_cells(terminal(said), output_width(), "  ", "    ")))
        if not c.issues:
            continue
        click.echo(f"  {'ID':>5}  {'PEOPLE':>6}  {'POSTS':>5}  ISSUE / PHRASES")
        width = output_width()
        for i in sorted(c.issues, key=lambda i: (-i.people, i.id)):
            mark = " (pinned)" if i.pinned else " (new)" if i.new else ""
            name = width_cut(terminal(i.name), 40)
            line = f"  {i.id:>5}  {i.people:>6}  {i.grievances:>5}  {name}{mark}"
            # The phrases take what is left of the line, cut with an ellipsis: a line
            # longer than the terminal wraps mid-word under the next issue's number.
            room = width - text_cells(line) - 4
            if room >= 8:
                phrases = ", ".join(terminal(p) for p in i.phrases[:6])
                line += f"  [{width_cut(phrases, room)}]"
            click.echo(line)
    # A phrase is idle only where it found nothing for every company it is listed for:
    # a rule for one app need not match its competitors' reviews.
    listed = {p for c in result.companies for p in c.ignored}
    idle = [p for p in listed if not any(c.ignored.get(p) for c in result.companies)]
    if idle:
        said = (
            "[[ignored]] phrases that matched nothing (a typo?): " + ", ".join(sorted(idle)) + "."
        )
        click.echo("\n".join(wrap_cells(terminal(said), output_width(), "", "  ")))
