"""The HTML pages scan writes, as Jinja2 templates: the report, the comparison, the digest.

Escaping is the default, not a call to remember. Every ``{{ value }}`` goes
through ``textsafe.html`` (controls and bidi overrides stripped, then escaped),
which is the environment's ``finalize``; autoescape is on too, as in datasette,
so nothing reaches a page unescaped by accident. What a template draws itself
(a macro, an included part) is markup; nothing web-sourced is ever marked safe
(``tests/test_templates.py`` fails on a ``|safe`` or a ``Markup`` of data).

The templates ship as package data of this package (``pyproject.toml``).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
from markupsafe import Markup

from scanner.report.formats.common import clock, day, moment, sparkline
from scanner.text import safe as textsafe


def _escaped(value: object) -> Markup:
    """What ``{{ value }}`` writes: a template's own markup as it is, anything else escaped."""
    if isinstance(value, Markup):
        return value
    return Markup(textsafe.html(value))  # noqa: S704 - escaped just now, by textsafe.html


@cache
def environment() -> jinja2.Environment:
    """One environment per process: each template is compiled once, when first drawn."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(files(__name__))),
        autoescape=True,
        finalize=_escaped,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails loudly, not as ""
        trim_blocks=True,
        keep_trailing_newline=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    # Our own constant, not text from the web: the policy every page carries.
    env.globals["csp_meta"] = Markup(textsafe.CSP_META)  # noqa: S704 - a constant of ours
    env.filters.update(
        day=day,
        moment=moment,
        clock=clock,
        sparkline=sparkline,
        excerpt=excerpt,
        safe_url=textsafe.safe_url,
    )
    return env


def excerpt(text: str, cells: int) -> str:
    """A post on one line, cut to ``cells`` terminal cells."""
    return textsafe.width_cut(" ".join(textsafe.terminal(text).split()), cells)


def render(name: str, **context: Any) -> str:
    """The template ``name`` drawn with ``context``."""
    return environment().get_template(name).render(**context)
