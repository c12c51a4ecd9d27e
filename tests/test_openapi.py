"""openapi.yaml is a valid OpenAPI 3.1 document and the running app keeps to it.

Three independent checks: openapi-spec-validator lints the document; openapi-core
validates real responses (success and error) against it; schemathesis generates valid and
invalid requests from it and calls the app in-process (no 5xx, no undocumented status,
content type or body; invalid input refused).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from podfit.http.app import create_app
from podfit.http.config import ServiceConfig

ROOT = Path(__file__).parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def make_app() -> Flask:
    """The app schemathesis calls: built at import, where the ``app`` fixture is not
    available. A small time limit is not set here: its cases must be answered, not timed
    out."""
    return create_app(ServiceConfig())


# ---- the document itself -----------------------------------------------------------------


def test_openapi_document_is_valid_openapi_3_1() -> None:
    assert SPEC["openapi"].startswith("3.1")
    validate(SPEC)


def test_every_route_of_the_app_is_documented_and_every_documented_path_exists(
    app: Flask,
) -> None:
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.endpoint.startswith("web.")
    }
    assert routes == set(SPEC["paths"]), routes ^ set(SPEC["paths"])


#: Statuses every body-reading endpoint can answer before it looks at the content: 400
#: malformed, 408 the body arrived too slowly (PODFIT_BODY_TIMEOUT), 411 no length, 413
#: over a bound, 415 neither JSON nor YAML.
BODY_STATUSES = ("400", "408", "411", "413", "415")


@pytest.mark.parametrize("path", sorted(p for p, ops in SPEC["paths"].items() if "post" in ops))
def test_every_post_path_documents_the_statuses_of_reading_its_body(path: str) -> None:
    """Every POST reads its body through the same reader, so each can answer each of them."""
    documented = SPEC["paths"][path]["post"]["responses"]
    assert [s for s in BODY_STATUSES if s not in documented] == []


def _json_examples() -> list[tuple[str, str, Any]]:
    out = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, example in content.get("examples", {}).items():
                out.append((f"{method.upper()} {path} {name}", path, example["value"]))
    return out


@pytest.mark.parametrize(
    ("label", "path", "body"), _json_examples(), ids=[e[0] for e in _json_examples()]
)
def test_every_request_example_is_answered_200_with_a_valid_response(
    client: FlaskClient, label: str, path: str, body: Any
) -> None:
    openapi = OpenAPI.from_dict(SPEC)
    response = client.post(path, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    validate_exchange(openapi, "POST", path, json.dumps(body).encode(), response)


def test_request_example_mirrors_its_fixture() -> None:
    """The /v1/requests example is fixtures/pod-requests-limits.yaml as JSON."""
    fixture = yaml.safe_load((ROOT / "fixtures" / "pod-requests-limits.yaml").read_text())
    examples = SPEC["paths"]["/v1/requests"]["post"]["requestBody"]["content"]
    example = examples["application/json"]["examples"]["combined"]["value"]["pods"][0]
    assert _resources(example) == _resources(fixture)


def test_schedule_example_is_built_from_fixtures() -> None:
    """The fixtures example is fixtures/nodes-small.yaml's compact nodes + pod-plain.yaml."""
    content = SPEC["paths"]["/v1/schedule"]["post"]["requestBody"]["content"]
    example = content["application/json"]["examples"]["fixtures"]
    assert example["x-fixtures"] == ["fixtures/nodes-small.yaml", "fixtures/pod-plain.yaml"]
    nodes_doc = next(yaml.safe_load_all((ROOT / "fixtures" / "nodes-small.yaml").read_text()))
    assert example["value"]["nodes"] == nodes_doc["nodes"]
    pod = yaml.safe_load((ROOT / "fixtures" / "pod-plain.yaml").read_text())
    assert example["value"]["pods"] == [pod]


def _resources(pod: dict[str, Any]) -> list[Any]:
    return [
        {k: {r: str(v) for r, v in c["resources"][k].items()} for k in ("requests", "limits")}
        for c in pod["spec"]["containers"]
    ]


# ---- openapi-core: real responses against the document -----------------------------------


def validate_exchange(openapi: OpenAPI, method: str, path: str, body: bytes, response: Any) -> None:
    """Validate one request/response pair with openapi-core (problem+json registered)."""
    builder = EnvironBuilder(
        path=path,
        method=method,
        data=body or None,
        content_type="application/json" if body else None,
        base_url="http://127.0.0.1:8080",
    )
    request = WerkzeugOpenAPIRequest(Request(builder.get_environ()))
    openapi.validate_response(request, WerkzeugOpenAPIResponse(response))


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    from openapi_core import Config
    from openapi_core.deserializing.media_types import media_type_deserializers

    deserializers = dict(media_type_deserializers)
    deserializers["application/problem+json"] = deserializers["application/json"]
    deserializers["application/yaml"] = lambda value: value
    return OpenAPI.from_dict(SPEC, config=Config(extra_media_type_deserializers=deserializers))


EXCHANGES = [
    ("GET", "/healthz", b"", 200),
    ("GET", "/readyz", b"", 200),
    ("GET", "/version", b"", 200),
    ("POST", "/v1/quantities", b'{"quantities": ["100m", "1.5.5"], "to": "Mi"}', 200),
    ("POST", "/v1/quantities", b'{"quantities": ["1Ei", "1e2147483647"], "to": "Mi"}', 200),
    ("POST", "/v1/quantities", b'{"quantities": [', 400),
    ("POST", "/v1/quantities", b'{"quantities": []}', 422),
    ("POST", "/v1/quantities", b'{"quantities": ["1"], "to": "Mx"}', 422),
    ("POST", "/v1/requests", b'{"pods": [{"kind": "Pod"}]}', 422),
    (
        "POST",
        "/v1/schedule",
        b'{"nodes": [{"name": "n", "allocatable": {"cpu": "1"}}], "pods": [{"apiVersion": "v1",'
        b' "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c",'
        b' "resources": {"requests": {"cpu": "2"}}}]}}], "explain": true}',
        200,
    ),
    ("POST", "/v1/schedule", b'{"pods": [], "strategy": "Bogus"}', 422),
    (  # a pod bound in a live cluster whose node stopped reporting keeps phase Unknown
        "POST",
        "/v1/schedule",
        b'{"nodes": [{"name": "n", "allocatable": {"cpu": "1"}}], "pods": [{"apiVersion": "v1",'
        b' "kind": "Pod", "metadata": {"name": "p"}, "spec": {"nodeName": "n", "containers":'
        b' [{"name": "c"}]}, "status": {"phase": "Unknown"}}]}',
        200,
    ),
    (
        "POST",
        "/v1/schedule",
        b'{"nodes": [{"name": "n", "allocatable": {"cpu": "' + b"1" * 65 + b'"}}]}',
        413,
    ),
    (
        "POST",
        "/v1/schedule",
        b'{"pods": [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},'
        b' "spec": {"replicas": 1000000000}}]}',
        413,
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), EXCHANGES)
def test_responses_match_the_document(
    client: FlaskClient, openapi: OpenAPI, method: str, path: str, body: bytes, status: int
) -> None:
    if body:
        response = client.open(path, method=method, data=body, content_type="application/json")
    else:
        response = client.open(path, method=method)
    assert response.status_code == status, response.get_data(as_text=True)
    validate_exchange(openapi, method, path, body, response)


def test_a_pending_pod_carries_the_failed_scheduling_message_in_a_valid_document(
    client: FlaskClient, openapi: OpenAPI
) -> None:
    body = json.dumps(
        SPEC["paths"]["/v1/schedule"]["post"]["requestBody"]["content"]["application/json"][
            "examples"
        ]["pending"]["value"]
    ).encode()
    response = client.post("/v1/schedule", data=body, content_type="application/json")
    validate_exchange(openapi, "POST", "/v1/schedule", body, response)
    pending = [p for p in response.json["pods"] if p["phase"] == "Pending"]
    assert len(pending) == 1
    message = pending[0]["conditions"][0]["message"]
    assert message.startswith("0/2 nodes are available: ")
    assert "Insufficient cpu" in message and "untolerated taint" in message


def test_a_drain_losing_a_bare_pod_and_breaking_a_budget_is_a_valid_document(
    client: FlaskClient, openapi: OpenAPI
) -> None:
    """plan drain's kubectl drain findings (a bare pod lost, a PodDisruptionBudget
    violated) are documented fields of the DrainReport."""

    def pod(name: str, owner: bool) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "labels": {"app": "web"}}
        if owner:
            meta["ownerReferences"] = [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "controller": True}
            ]
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta,
            "spec": {"nodeName": "a", "containers": [{"name": "c"}]},
            "status": {"phase": "Running"},
        }

    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web"},
        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}},
    }
    nodes = [
        {"name": n, "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}} for n in ("a", "b")
    ]
    body = json.dumps(
        {"nodes": nodes, "pods": [pod("owned", True), pod("bare", False), pdb], "drain": ["a"]}
    ).encode()
    response = client.post("/v1/plan/drain", data=body, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    validate_exchange(openapi, "POST", "/v1/plan/drain", body, response)
    [scenario] = response.json["scenarios"]
    assert [lost["pod"] for lost in scenario["lost"]] == ["default/bare"]
    assert [b["pdb"] for b in scenario["disruptionBudgets"]] == ["default/web"]
    assert scenario["movedTo"] == {"default/owned": "b"}


# ---- schemathesis: generated requests, in-process --------------------------------------

# Refusing invalid input over a configured bound with 413 (a quantity longer than
# PODFIT_MAX_QUANTITY_LENGTH, too many entries) is a rejection too; the rest are
# schemathesis' defaults.
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428"]
schema = schemathesis.openapi.from_path(
    SPEC_PATH,
    config=SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": [*REJECTIONS, "429", "5xx"]}}}
    ),
)
schema.app = make_app()


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_generated_requests_never_break_the_contract(case: Any) -> None:
    """No 5xx; status, content type, headers and body as documented; bad input refused.

    Schema-valid workload bodies may still be invalid Kubernetes input (quantity grammar,
    API-server validation, strictly increasing shape points: rules JSON Schema cannot
    state), so "valid data is accepted" is checked only for the other operations.
    """
    excluded = []
    if case.operation.path in SEMANTIC_BODIES:
        excluded.append(positive_data_acceptance)
    case.call_and_validate(excluded_checks=excluded)


SEMANTIC_BODIES = (
    "/v1/requests",
    "/v1/schedule",
    "/v1/plan/fit",
    "/v1/plan/nodes",
    "/v1/plan/drain",
    "/v1/check",
)


_NODE = b'"nodes": [{"name": "n", "allocatable": {"cpu": "1"}}]'


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/schedule", b"{" + _NODE + b', "preemption": false, "validate": "warn"}'),
        (
            "/v1/plan/drain",
            b"{" + _NODE + b', "drain": ["n"], "preemption": false, "validate": "warn"}',
        ),
        ("/v1/check", b"{" + _NODE + b', "preemption": false, "validate": "warn"}'),
    ],
)
def test_the_options_a_route_accepts_are_in_its_request_schema(
    client: FlaskClient, openapi: OpenAPI, path: str, body: bytes
) -> None:
    """Request schemas say ``additionalProperties: false``: an option the app answers 200
    must be documented, or clients generated from the document cannot send it."""
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    builder = EnvironBuilder(
        path=path,
        method="POST",
        data=body,
        content_type="application/json",
        base_url="http://127.0.0.1:8080",
    )
    openapi.validate_request(WerkzeugOpenAPIRequest(Request(builder.get_environ())))
