"""Every answer is one podfit means to give: a problem document or a deliberate page.

Issue 17: unpaired surrogate escapes gave 500s in every API family, answers had no size
bound, ``OPTIONS`` answered an empty ``text/html`` 200 and the page could be framed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from podfit.http.app import PAGE_POLICY
from podfit.http.problem import problem_response
from podfit.http.responses import json_response

PROBLEM = "application/problem+json"
NODE = {"name": "n", "allocatable": {"cpu": "1", "pods": "10"}}
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p"},
    "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1m"}}}]},
}
LONE = "\\ud800"  # the JSON escape, as text: the body carries six characters


def _body(document: Any) -> bytes:
    """JSON text with every ``@@`` replaced by an unpaired surrogate escape."""
    return json.dumps(document).replace("@@", LONE).encode()


SURROGATE_BODIES = [
    ("/v1/quantities", {"quantities": ["@@"]}, "quantities[0]"),
    ("/v1/quantities", {"quantities": ["1"], "to": "M@@"}, "to"),
    ("/v1/schedule", {"pods": [POD], "nodes": [NODE], "strategy": "@@"}, "strategy"),
    ("/v1/schedule", {"pods": [POD | {"metadata": {"name": "p@@"}}]}, "pods[0].metadata.name"),
    ("/v1/requests", {"pods": [POD | {"kind": "P@@d"}]}, "pods[0].kind"),
    ("/v1/plan/drain", {"pods": [POD], "nodes": [NODE], "nodeNames": ["@@"]}, "nodeNames[0]"),
    ("/v1/plan/nodes", {"pods": [POD], "shapes": ["@@"]}, "shapes[0]"),
    ("/v1/plan/fit", {"pods": [], "nodes": [NODE], "templates": [{"@@": 1}]}, "templates[0]."),
]


@pytest.mark.parametrize(("path", "document", "where"), SURROGATE_BODIES)
def test_an_unpaired_surrogate_escape_is_a_400_naming_its_path(
    client: FlaskClient, path: str, document: Any, where: str
) -> None:
    """A lone surrogate is no Unicode character: nothing could quote it back as UTF-8."""
    response = client.post(path, data=_body(document), content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == PROBLEM
    problem = json.loads(response.data)
    assert problem["type"] == "urn:podfit:problem:malformed-body"
    assert problem["errors"][0]["path"].startswith(where)
    assert "surrogate" in problem["detail"]


def test_a_surrogate_pair_is_one_character_and_accepted(client: FlaskClient) -> None:
    body = json.dumps({"quantities": ["1"], "x": "@@"}).replace("@@", "\\ud83d\\ude00")
    response = client.post("/v1/quantities", data=body, content_type="application/json")
    assert response.status_code == 422  # parsed fine; refused only for the unknown field
    assert json.loads(response.data)["errors"][0]["path"] == "x"


def test_a_surrogate_pasted_into_the_web_page_is_shown_as_an_error(client: FlaskClient) -> None:
    text = _body({"pods": [POD | {"metadata": {"name": "@@"}}]}).decode()
    response = client.post("/", data={"workloads": text, "nodes": json.dumps(NODE)})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "surrogate" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "encode",
    [
        lambda value: problem_response(422, "Invalid", value),
        lambda value: json_response({"name": value}),
    ],
    ids=["problem", "answer"],
)
def test_a_string_utf8_cannot_encode_is_escaped_in_any_answer(app: Flask, encode: Any) -> None:
    """The last line of defence: whatever a view or handler quotes, the answer encodes."""
    with app.test_request_context():
        response = encode("a\ud800b")
    assert b"a\\ud800b" in response.get_data()
    json.loads(response.get_data())  # still one JSON document


def test_an_answer_over_the_answer_limit_is_a_422_naming_it(
    make_client: Callable[..., FlaskClient],
) -> None:
    client = make_client(max_answer_bytes=2000)
    response = client.post("/v1/quantities", json={"quantities": ["1Gi"] * 50, "to": "Mi"})
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    problem = json.loads(response.data)
    assert problem["type"] == "urn:podfit:problem:answer-too-large"
    assert "PODFIT_MAX_ANSWER_BYTES" in problem["detail"]
    small = client.post("/v1/quantities", json={"quantities": ["1Gi"], "to": "Mi"})
    assert small.status_code == 200


@pytest.mark.parametrize("path", ["/v1/schedule", "/v1/quantities", "/healthz", "/"])
def test_options_is_204_with_allow(client: FlaskClient, path: str) -> None:
    response = client.options(path)
    assert response.status_code == 204
    assert "OPTIONS" in response.headers["Allow"]
    assert response.data == b""
    assert "Content-Type" not in response.headers


def test_the_page_sends_its_content_security_policy_and_referrer_policy(
    client: FlaskClient,
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert policy == PAGE_POLICY
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert ' style="' not in response.get_data(as_text=True)  # inline styles are blocked
