"""Judging grievances: what counts as one, who counts as a person, and the verdict.

- ``complaints``: whether a post is a grievance (its rating, its words, its source).
- ``categories``: the categories of ``rules/categories.toml`` a grievance falls in.
- ``people``: the one rule for who counts as a distinct person.
- ``systemic``: the thresholds of ``rules/systemic.toml``.
- ``coordination``: a burst of near-verbatim posts (a possible review-bombing campaign).
- ``verdict``: isolated or systemic, by distinct people within the window, and the flags.
"""
