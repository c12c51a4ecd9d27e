"""JSON answers of the API (podfit.http.responses.json_response): the value the core built, compact,
UTF-8, keys in the core's order, the same bytes for the same value — also for the values
the fast encoder (orjson) refuses, which go through the stdlib encoder."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from podfit.http.responses import json_response

# (document, exact body expected): compact separators, insertion order, UTF-8 text.
DOCUMENTS: list[tuple[Any, bytes]] = [
    ({"status": "ok"}, b'{"status":"ok"}'),
    ({"z": 1, "a": [True, None, "x"]}, b'{"z":1,"a":[true,null,"x"]}'),  # core's key order kept
    ({"name": "é-pod ✓"}, '{"name":"é-pod ✓"}'.encode()),  # UTF-8, not \\u escapes
    ({"ctl": 'a\nb"\\'}, b'{"ctl":"a\\nb\\"\\\\"}'),  # escapes JSON requires
    ({"n": 2**63 - 1}, b'{"n":9223372036854775807}'),
    ({"n": -(2**63)}, b'{"n":-9223372036854775808}'),
    # orjson refuses integers beyond 64 bits (sums of int64 quantities can get there):
    ({"sum": 3 * (2**63 - 1), "name": "é"}, '{"sum":27670116110564327421,"name":"é"}'.encode()),
    ({"n": -(2**64) - 1}, b'{"n":-18446744073709551617}'),
    # ... and non-string keys: the stdlib encoder writes them as strings.
    ({1: "one", "b": 2}, b'{"1":"one","b":2}'),
]


@pytest.mark.parametrize(("document", "expected"), DOCUMENTS)
def test_answer_is_compact_utf8_json_in_the_core_key_order(document: Any, expected: bytes) -> None:
    response = json_response(document, status=201)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    body = response.get_data()
    assert body == expected
    assert body == json_response(document).get_data(), "same value, same bytes"
    parsed = json.loads(body)
    assert list(parsed) == [str(key) for key in document]


def test_schedule_answer_is_the_same_json_value_the_stdlib_encoder_writes(
    client: FlaskClient,
) -> None:
    """The /v1/schedule document (nested lists/dicts, ints, strings, booleans) comes out
    as the very value the standard library would write, not an approximation of it."""
    body = {
        "nodes": [
            {
                "name": "pool-é",  # non-ASCII text in the answer (compact nodes are no objects)
                "count": 3,
                "allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"},
            }
        ],
        "pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"pod-{i}"},
                "spec": {"containers": [{"name": "a", "resources": {"requests": {"cpu": "3"}}}]},
            }
            for i in range(4)
        ],
        "explain": True,
    }
    response = client.post("/v1/schedule", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    raw = response.get_data()
    document = json.loads(raw)
    assert document["summary"]["pods"] == 4
    assert document["summary"]["scheduled"] == 3  # one pod per node: one stays pending
    assert raw == json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
