"""The HTML templates escape by default (issue #17, item 6).

Every ``{{ value }}`` goes through ``textsafe.html`` (the environment's
``finalize``): hostile text comes out escaped and without control characters
whatever the template, and no template can opt out, since none uses a filter
or a block that marks data safe.
"""

from __future__ import annotations

from jinja2 import nodes
from markupsafe import Markup

from scanner import templates

# What the templates may apply to data: ours (text in, text out) and Jinja's that
# return plain values. Not `safe`, `e`/`escape`/`forceescape` (their Markup skips
# the control-character pass), `tojson`, `urlize`, `xmlattr` or `indent`.
ALLOWED_FILTERS = {
    "day",
    "moment",
    "clock",
    "sparkline",
    "excerpt",
    "safe_url",
    "join",
    "format",
    "list",
    "map",
    "selectattr",
}
HOSTILE = 'Billing \x1b]0;owned\x07scam \u202eevil\u202c <script>alert("1")</script> & \x9b2J'


def _all_templates() -> list[str]:
    # The package's templates, not its Python (an editable install compiles
    # scanner/templates/__init__.py beside them).
    names = templates.environment().list_templates(extensions=["html", "svg", "css"])
    assert {"page.html", "report.html", "compare.html", "digest.html"} <= set(names)
    return names


def test_no_template_marks_data_safe() -> None:
    env = templates.environment()
    for name in _all_templates():
        source = env.loader.get_source(env, name)[0]
        tree = env.parse(source)
        used = {f.name for f in tree.find_all(nodes.Filter)}
        assert used <= ALLOWED_FILTERS, (name, used - ALLOWED_FILTERS)
        # {% autoescape false %} or {% filter safe %} would switch the default off.
        assert not list(tree.find_all(nodes.ScopedEvalContextModifier)), name
        assert not list(tree.find_all(nodes.MarkSafe)), name


def test_every_value_is_escaped_and_stripped_of_controls() -> None:
    env = templates.environment()
    page = env.from_string(
        '<p title="{{ text }}">{{ text }} {{ texts|join(", ") }} {{ number }} {{ nothing }}</p>'
    ).render(text=HOSTILE, texts=[HOSTILE, "<b>"], number=3, nothing=None)
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp;" in page
    for control in ("\x1b", "\x07", "\u202e", "\u202c", "\x9b"):
        assert control not in page
    assert page.endswith(" 3 </p>")  # None is drawn as nothing, not "None"
    # The escaped text is the same as every other writer of HTML makes.
    assert f'title="{templates.textsafe.html(HOSTILE)}"' in page


def test_only_markup_made_by_a_template_passes_unescaped() -> None:
    env = templates.environment()
    page = env.from_string(
        "{% macro bold(x) %}<b>{{ x }}</b>{% endmacro %}{{ bold(text) }}{{ text }}"
    ).render(text="<i>")
    assert page == "<b>&lt;i&gt;</b>&lt;i&gt;"
    # A string that merely looks like markup is escaped: nothing is trusted by its type
    # except Markup, and no code of ours hands web text to a template as Markup.
    assert env.from_string("{{ x }}").render(x="<i>") == "&lt;i&gt;"
    assert env.from_string("{{ x }}").render(x=Markup("<i>")) == "<i>"


def test_a_misspelt_name_fails_instead_of_drawing_nothing() -> None:
    import pytest
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        templates.environment().from_string("{{ reprot.company }}").render(report=None)
