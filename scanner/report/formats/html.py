"""``--format html``: a report or a comparison as one standalone page, safe to open.

The pages are Jinja2 templates (``scanner/templates``: ``report.html``,
``compare.html``), which escape every value by default. This module hands them
the report and the few things a template should not compute: the lines every
format says (``common``) and the geometry of the charts, whose markup is in
``volume.svg`` and ``compare.svg``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from scanner import templates
from scanner.compare.model import Comparison
from scanner.report.formats import Screen
from scanner.report.formats import common as cc
from scanner.report.model import Report
from scanner.text import safe as textsafe

# Columns whose cells must stay on one line; the text column that gets the room; and
# the columns a narrow window leaves out, so the grievance stays readable there.
NOWRAP = {"ID", "First seen", "Last seen", "Last crawl", "Trend"}
TEXT = {"Grievance"}
# Columns of names from the web or a config (a source named by an import, a health
# note quoting a URL): broken anywhere rather than widen the page, but never below
# a few words wide. Other cells break only between words: "anywhere" on them lets a
# table squeeze a heading or a number down to a letter a line.
WRAP = {"Company", "Source", "Note", "Sources"}
OPTIONAL = {"First seen", "Trend"}
SOURCE_HEADS = ("Source", "Last crawl", "Health", "Note")


def render_report(report: Report, screen: Screen) -> str:
    return templates.render(
        "report.html",
        report=report,
        title=f"Grievance report: {report.company}",
        header_counts=cc.header_counts(report),
        people_window=cc.people_window(report),
        people_window_short=cc.people_window(report, short=True),
        empty_period=cc.period_hint(report),
        hidden=cc.hidden_line(report),
        chart=volume_chart(report),
        classes=column_classes(),
        category_text=partial(cc.category_text, report),
        grievance_ids=partial(cc.grievance_ids, options=report.options),
        issue_ids=cc.issue_ids,
        issue_grievances=partial(cc.issue_grievances, options=report.options),
        SUMMARY_IDS=cc.SUMMARY_IDS,
        more_line=cc.more_line,
        none_line=cc.none_line,
        COMPANY_HEADS=cc.COMPANY_HEADS,
        SOURCE_HEADS=SOURCE_HEADS,
        last_crawl=cc.last_crawl,
        SYSTEMIC_COLUMNS=cc.SYSTEMIC_COLUMNS,
        ISOLATED_COLUMNS=cc.ISOLATED_COLUMNS,
    )


def column_classes() -> dict[str, str]:
    """A column's CSS classes by its heading: numbers right-aligned (their headings too,
    so each number sits under its own heading), dates and ids never wrapped."""
    heads = {*cc.SYSTEMIC_COLUMNS, *cc.ISOLATED_COLUMNS, *cc.COMPANY_HEADS, *SOURCE_HEADS}
    kinds = (
        ("num", cc.NUMBER_COLUMNS),
        ("nowrap", NOWRAP),
        ("text", TEXT),
        ("wrap", WRAP),
        ("optional", OPTIONAL),
    )
    return {head: " ".join(name for name, columns in kinds if head in columns) for head in heads}


def render_comparison(cmp: Comparison, screen: Screen) -> str:
    return templates.render(
        "compare.html",
        title=cc.comparison_title(cmp),
        period=cc.comparison_period(cmp),
        chart=comparison_chart(cmp),
        companies=[cc.company_cells(cmp, company) for company in cmp.companies],
        standings=[
            (title, list(cc.rate_lines(cmp, rows)), more)
            for _, title, rows, more in cc.standings(cmp)
        ],
        scattered=cc.scattered_line(cmp),
        categories=list(cc.rate_lines(cmp, cmp.categories)),
        notes=cc.comparison_notes(cmp),
        NOTHING_TO_COMPARE=cc.NOTHING_TO_COMPARE,
        STANDING_SHORT=cc.STANDING_SHORT,
        COMPANY_COLUMNS=cc.COMPANY_COLUMNS,
        RATE_COLUMNS=cc.RATE_COLUMNS,
        CATEGORY_COLUMNS=("Category", "Standing", *cc.RATE_COLUMNS[1:]),
    )


@dataclass
class Shape:
    """A bar, a label or a legend key of a chart: where it goes and what it says."""

    x: float
    y: float = 0
    width: float = 0
    height: float = 0
    colour: str = ""
    label: str = ""
    count: int = 0
    what: str = ""


@dataclass
class VolumeChart:
    width: int
    height: int
    pad: int  # room for the y axis's numbers
    base: int  # y of the x axis
    top: int  # the busiest week's posts, at the top of the y axis
    top_y: float
    note_x: int  # where the legend's note starts, after its keys
    keys: list[Shape] = field(default_factory=list)
    bars: list[Shape] = field(default_factory=list)
    labels: list[Shape] = field(default_factory=list)


# (key in Report.volume, colour, inset of the bar in its week, name in the legend)
SERIES = (
    ("mentions", "#ccc", 0.1, "posts"),
    ("grievances", "#b00020", 0.25, "grievance posts"),
)


def volume_chart(report: Report, *, width: int = 720, height: int = 200) -> VolumeChart | None:
    """Posts and grievance posts per week as bars; a label every few weeks (at most ~8)."""
    weeks = report.volume
    if not weeks:
        return None
    top = max(max(w["mentions"] for w in weeks), 1)
    pad, legend, base = 34, 26, height - 24
    scale = (base - legend) / top
    step = (width - pad) / len(weeks)
    chart = VolumeChart(width, height, pad, base, top, _at(base - scale * top + 4), pad)
    for _, colour, _, label in SERIES:
        chart.keys.append(Shape(chart.note_x, colour=colour, label=label))
        chart.note_x += 30 + 7 * len(label)
    for i, week in enumerate(weeks):
        x = pad + i * step
        start = cc.day(week["week_start"])
        for key, colour, inset, label in SERIES:
            bar = scale * week[key]
            chart.bars.append(
                Shape(
                    _at(x + step * inset),
                    _at(base - bar),
                    _at(step * (1 - 2 * inset)),
                    _at(bar),
                    colour,
                    start,
                    week[key],
                    label,
                )
            )
        if i % max(1, len(weeks) // 8) == 0:
            chart.labels.append(Shape(_at(x), label=start[5:]))
    return chart


@dataclass
class Group:
    """One grievance of the comparison chart: its label and a bar per company."""

    y: int
    label: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Bar:
    y: int
    width: float
    text_x: float
    value: str
    colour: str
    company: str
    faint: bool  # the company has too few mentions for its rate to mean much


@dataclass
class ComparisonChart:
    width: int
    height: int
    left: int  # where the bars start, after the labels
    bar: int  # the height of a bar's slot (the bar itself is 2 less)
    keys: list[Shape]
    groups: list[Group]


COLOURS = ("#b00020", "#1a5fb4", "#2e7d32", "#e66100", "#613583", "#865e3c", "#5e5c64")
CHART_ROWS = 8


def comparison_chart(cmp: Comparison, *, width: int = 720) -> ComparisonChart:
    """People per 100 mentions: all grievances, then issues of every standing."""
    rates = [("All grievances", [c.all.people_per_100 or 0.0 for c in cmp.companies])]
    sections = [rows for _, _, rows, _ in cc.standings(cmp)]
    # A few of each standing first (ours alone, industry-wide, theirs alone), then the rest.
    each = max(1, CHART_ROWS // max(1, len(sections)))
    listed = [r for rows in sections for r in rows[:each]]
    listed += [r for rows in sections for r in rows[each:]][: max(0, CHART_ROWS - len(listed))]
    rates += [(r.name, [r.rates[n].people_per_100 or 0.0 for n in cmp.names]) for r in listed]
    top = max((v for _, values in rates for v in values), default=0.0) or 1.0
    bar, gap, left = 12, 10, 170
    few = {c.name for c in cmp.few}
    per_group = bar * len(cmp.names) + gap
    keys = [
        Shape(0, colour=_colour(i), label=cc.company_name(cmp, n)) for i, n in enumerate(cmp.names)
    ]
    groups = []
    for g, (label, values) in enumerate(rates):
        y0 = 20 + g * per_group
        group = Group(y0 + bar, textsafe.width_cut(label, 28))
        for i, value in enumerate(values):
            w = (width - left - 50) * value / top
            company = cmp.names[i]
            group.bars.append(
                Bar(
                    y0 + i * bar,
                    _at(w),
                    _at(left + w + 4),
                    f"{value:.1f}",
                    _colour(i),
                    company,
                    company in few,
                )
            )
        groups.append(group)
    return ComparisonChart(width, 24 + per_group * len(rates), left, bar, keys, groups)


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _at(value: float) -> float:
    """A coordinate to a tenth of a pixel, as it is written into the SVG."""
    return round(value, 1)
