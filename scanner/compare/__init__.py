"""Comparing with competitors (issue 19): rates side by side, whose grievance is whose.

- ``settings``: ``rules/compare.toml`` (period, too few mentions, who "has" it).
- ``figures``: one company's mentions and people per grievance in a period.
- ``themes``: the same grievance at several companies, matched by its phrases.
- ``build``: ``build(store, config)`` -> ``model.Comparison``.
- ``news``: what changed since the last digest (a grievance now ours alone, a
  competitor's new systemic issue).
"""

from __future__ import annotations

from scanner.compare.build import build
from scanner.compare.model import Comparison

__all__ = ["Comparison", "build"]
