"""JSON parsed with a bound on nesting (issue #16, item 2)."""

from __future__ import annotations

import json

import pytest

from scanner import jsonsafe


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_up_to_the_bound_parses_and_beyond_it_is_a_value_error():
    assert jsonsafe.loads(nested(64)) == json.loads(nested(64))
    with pytest.raises(ValueError, match="nested deeper than 64 levels"):
        jsonsafe.loads(nested(65))
    with pytest.raises(jsonsafe.TooDeep):  # json.loads raises RecursionError here
        jsonsafe.loads(nested(200_000))
    with pytest.raises(jsonsafe.TooDeep):
        jsonsafe.loads('{"a": ' * 100 + "1" + "}" * 100)
    assert jsonsafe.loads('{"a": [1, {"b": [2]}], "c": "[[[["}') == {
        "a": [1, {"b": [2]}],
        "c": "[[[[",
    }
    with pytest.raises(json.JSONDecodeError):  # plain invalid JSON is unchanged
        jsonsafe.loads("{oops")
