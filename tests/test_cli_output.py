"""``-o json`` is written by orjson but must stay byte for byte what the standard encoder
wrote (``json.dumps(indent=2, ensure_ascii=False)`` plus a newline): scripts diff it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from podfit.cli.output import dump

DOCUMENTS: list[Any] = [
    {"kind": "NodesPlan", "shapes": [], "summary": {}, "best": None, "ok": True},
    {"text": 'é ü \u2028 \x7f \x01 \t \n " \\ /', "nested": [[], {}, [1, [2, {}]]]},
    {"small": [1e-5, 5.5e-5, 1e-7, 0.0001, 0.5, 2.0, -0.0]},
    {"large": [1e15, 1e16, 1.5e300, 123456789012345678.0, 9999999999999998.0]},
    {"bytes": 2**70, "negative": -(2**64)},  # beyond 64 bits: orjson refuses
    {1: "int key", None: "null key"},  # non-string keys: orjson refuses
    {"name": "web-1e5-0", "zeros": "0.00001"},  # strings that look like odd floats
    {"surrogate": "\ud800"},  # not UTF-8: orjson refuses
    [],
    "plain",
]


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_json_output_is_the_standard_encoders(doc: Any) -> None:
    assert dump(doc, "json") == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
