"""The HTTP API (podfit.http): endpoints, media types and the problem+json shape."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from podfit.errors import ConfigError
from podfit.http.app import BLUEPRINTS, create_app
from podfit.http.config import ServiceConfig

PROBLEM = "application/problem+json"
MakeClient = Callable[..., FlaskClient]


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """Every error is an RFC 9457 document with type, title, status and detail."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = json.loads(response.get_data(as_text=True))
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert not re.search(r"</?(p|code|html|body|h1|title)\b", body["detail"], re.I), "no HTML"
    for error in body.get("errors", []):
        assert set(error) == {"path", "message"}
    return body


# ---- operations --------------------------------------------------------------------------


def test_healthz_answers_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_ready_after_the_self_check(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"status": "ready"}


def test_readyz_is_503_with_the_reason_when_the_self_check_fails(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import podfit.http.ops

    def broken() -> None:
        raise RuntimeError("scheduler unavailable")

    monkeypatch.setattr(podfit.http.ops, "self_check", broken)
    podfit.http.ops._self_check.cache_clear()
    try:
        body = assert_problem(client.get("/readyz"), 503)
        assert "scheduler unavailable" in body["detail"]
        assert client.get("/healthz").status_code == 200  # liveness does not depend on it
    finally:
        podfit.http.ops._self_check.cache_clear()


def test_version_names_podfit_api_and_kubernetes_versions(client: FlaskClient) -> None:
    from podfit import __version__

    body = client.get("/version").json
    assert body["podfit"] == __version__
    assert body["apiVersion"] == "podfit/v1"
    assert body["defaultKubernetesVersion"] in body["kubernetesVersions"]
    assert "1.34" in body["kubernetesVersions"]


def test_openapi_document_is_served_as_yaml_byte_for_byte(client: FlaskClient) -> None:
    from pathlib import Path

    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    shipped = (Path(__file__).parent.parent / "openapi.yaml").read_text(encoding="utf-8")
    assert response.get_data(as_text=True) == shipped


# ---- errors in one shape -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/v2/nothing", "/openapi.yaml"])
def test_every_answer_forbids_content_sniffing(client: FlaskClient, path: str) -> None:
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_path_is_a_404_problem(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v2/nothing"), 404)
    assert body["type"] == "about:blank"
    assert body["title"] == "Not Found"


def test_wrong_method_is_a_405_problem_that_keeps_the_allow_header(client: FlaskClient) -> None:
    response = client.delete("/v1/quantities")
    assert_problem(response, 405)
    assert "POST" in response.headers["Allow"]
    response = client.post("/healthz", data=b"{}", content_type="application/json")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_unexpected_exception_is_a_500_problem_without_internals() -> None:
    app = create_app(ServiceConfig())

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internal state")

    response = app.test_client().get("/boom")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert "Traceback" not in body["detail"]


# ---- POST /v1/quantities -----------------------------------------------------------------


def quantities(client: FlaskClient, payload: Any) -> Any:
    return client.post("/v1/quantities", json=payload)


@pytest.mark.parametrize(
    ("text", "canonical", "fmt", "value", "milli"),
    [
        ("100m", "100m", "DecimalSI", 1, 100),
        ("0.5", "500m", "DecimalSI", 1, 500),
        ("1.5Gi", "1536Mi", "BinarySI", 1610612736, 1610612736000),
        ("1e3", "1e3", "DecimalExponent", 1000, 1000000),
        ("500M", "500M", "DecimalSI", 500000000, 500000000000),
    ],
)
def test_quantities_answer_canonical_format_and_go_values(
    client: FlaskClient, text: str, canonical: str, fmt: str, value: int, milli: int
) -> None:
    response = quantities(client, {"quantities": [text]})
    assert response.status_code == 200
    assert response.json == {
        "results": [
            {
                "input": text,
                "canonical": canonical,
                "format": fmt,
                "value": value,
                "milliValue": milli,
            }
        ]
    }


@pytest.mark.parametrize(
    ("text", "to", "converted", "exact"),
    [
        ("1.5Gi", "Mi", "1536Mi", True),
        ("500M", "Mi", "477Mi", False),  # rounded up, flagged
        ("100m", "m", "100m", True),
        ("2", "", "2", True),
    ],
)
def test_quantities_convert_to_a_unit_exactly_or_rounded_up(
    client: FlaskClient, text: str, to: str, converted: str, exact: bool
) -> None:
    result = quantities(client, {"quantities": [text], "to": to}).json["results"][0]
    assert result["converted"] == {"to": to, "text": converted, "exact": exact}


def test_a_bad_item_gets_its_own_error_and_the_others_are_still_answered(
    client: FlaskClient,
) -> None:
    results = quantities(client, {"quantities": ["250m", "1.5.5", "128Mi"]}).json["results"]
    assert [r.get("canonical") for r in results] == ["250m", None, "128Mi"]
    error = results[1]["error"]
    assert error["path"] == "quantities[1]"
    assert error["message"].startswith('"1.5.5" is not a valid quantity: ')


def test_an_over_long_quantity_is_refused_unparsed_naming_the_limit(
    client: FlaskClient, make_client: MakeClient
) -> None:
    response = make_client(max_quantity_length=8).post(
        "/v1/quantities", json={"quantities": ["123456789", "1Gi"]}
    )
    results = response.json["results"]
    assert "PODFIT_MAX_QUANTITY_LENGTH" in results[0]["error"]["message"]
    assert results[1]["canonical"] == "1Gi"


def test_more_quantities_than_the_limit_is_a_413_problem(make_client: MakeClient) -> None:
    response = make_client(max_quantities=3).post("/v1/quantities", json={"quantities": ["1"] * 4})
    body = assert_problem(response, 413)
    assert body["errors"][0]["path"] == "quantities"
    assert "PODFIT_MAX_QUANTITIES" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({}, "quantities"),
        ({"quantities": []}, "quantities"),
        ({"quantities": [1]}, "quantities[0]"),
        ({"quantities": ["1"], "extra": True}, "extra"),
        ({"quantities": ["1"], "to": "Mx"}, "to"),
        ({"quantities": ["1"], "to": 5}, "to"),
    ],
)
def test_invalid_quantities_bodies_are_422_naming_the_field(
    client: FlaskClient, payload: Any, path: str
) -> None:
    body = assert_problem(quantities(client, payload), 422)
    assert path in [e["path"] for e in body["errors"]]


def test_a_json_body_that_is_not_an_object_is_422(client: FlaskClient) -> None:
    assert_problem(quantities(client, ["100m"]), 422)


# ---- media types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "headers"),
    [
        ("text/plain", {}),
        ("application/x-www-form-urlencoded", {}),
        ("application/yaml", {}),  # /v1/quantities takes JSON only
        ("application/json; charset=latin-1", {}),
        ("application/json", {"Content-Encoding": "gzip"}),
    ],
)
def test_wrong_media_type_charset_or_encoding_is_415(
    client: FlaskClient, content_type: str, headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/quantities",
        data=b'{"quantities": ["1"]}',
        content_type=content_type,
        headers=headers,
    )
    assert_problem(response, 415)


def test_json_with_explicit_utf8_charset_is_accepted(client: FlaskClient) -> None:
    response = client.post(
        "/v1/quantities",
        data=b'{"quantities": ["1"]}',
        content_type="application/json; charset=UTF-8",
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b'{"quantities": [', "line 1 column"),
        (b'{"quantities": ["1"]', "line 1 column"),
        (b"", "line 1 column 1"),
        (b'{"quantities": [NaN]}', "NaN"),
        (b'{"quantities": ["1"], "n": Infinity}', "Infinity"),
    ],
)
def test_malformed_json_is_400_saying_where(
    client: FlaskClient, data: bytes, fragment: str
) -> None:
    response = client.post(
        "/v1/quantities",
        data=data,
        content_type="application/json",
        environ_overrides={"CONTENT_LENGTH": str(len(data))},  # kept even when empty
    )
    body = assert_problem(response, 400)
    assert fragment in body["detail"]


# ---- create_app and config ---------------------------------------------------------------


def test_create_app_reads_podfit_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODFIT_MAX_BODY_BYTES", "1234")
    monkeypatch.setenv("PODFIT_REQUEST_TIME_LIMIT", "2.5")
    app = create_app()
    config = app.extensions["podfit"]
    assert config.max_body_bytes == 1234
    assert config.request_time_limit == 2.5
    assert app.config["MAX_CONTENT_LENGTH"] == 1234


def test_create_app_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PODFIT_MAX_PODS", "50")
    assert create_app({"max_pods": 7}).extensions["podfit"].max_pods == 7


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("PODFIT_MAX_PODS", "ten"),
        ("PODFIT_MAX_PODS", "0"),
        ("PODFIT_MAX_PODS", "-5"),
        ("PODFIT_MAX_PODS", "1.5"),
        ("PODFIT_REQUEST_TIME_LIMIT", "nan"),
        ("PODFIT_REQUEST_TIME_LIMIT", "inf"),
        ("PODFIT_REQUEST_TIME_LIMIT", "-1"),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_the_variable(name: str, raw: str) -> None:
    with pytest.raises(ConfigError) as info:
        ServiceConfig.from_env({name: raw})
    assert info.value.path == name


def test_defaults_match_the_documented_values() -> None:
    config = ServiceConfig.from_env({})
    assert config.max_body_bytes == 10 * 1024 * 1024
    assert config == ServiceConfig()


def test_every_feature_blueprint_is_registered(app: Flask) -> None:
    names = {target.split(":")[0] for target in BLUEPRINTS}
    registered = {bp.import_name for bp in app.blueprints.values()}
    assert names <= registered


# ---- POST /v1/requests and /v1/schedule: body forms -----------------------------------------

WEB = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web"},
    "spec": {
        "replicas": 2,
        "template": {
            "spec": {
                "containers": [
                    {"name": "web", "resources": {"requests": {"cpu": "1500m", "memory": "1Gi"}}}
                ]
            }
        },
    },
}
NODE = {
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {"name": "node-a"},
    "status": {"allocatable": {"cpu": "2", "memory": "8Gi", "pods": "110"}},
}
WEB_YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        resources: {requests: {cpu: 1500m, memory: 1Gi}}
"""


def summary(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["kind"] == "ScheduleResult"
    return response.json["summary"]


def test_schedule_takes_the_envelope_with_compact_nodes(client: FlaskClient) -> None:
    body = {
        "nodes": [
            {
                "name": "node",
                "count": 2,
                "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
            }
        ],
        "pods": [WEB],
    }
    assert summary(client.post("/v1/schedule", json=body)) == {
        "pods": 2,
        "scheduled": 2,
        "pending": 0,
        "preempted": 0,
        "nodes": 2,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"apiVersion": "v1", "kind": "List", "items": [NODE, WEB]},
        [NODE, WEB],
    ],
    ids=["List", "array"],
)
def test_schedule_takes_kubernetes_json_with_node_objects(client: FlaskClient, body: Any) -> None:
    assert summary(client.post("/v1/schedule", json=body)) == {
        "pods": 2,
        "scheduled": 1,
        "pending": 1,
        "preempted": 0,
        "nodes": 1,
    }


def test_schedule_takes_a_yaml_stream_with_nodes_and_query_options(client: FlaskClient) -> None:
    stream = (
        "nodes:\n- {name: node, count: 2, allocatable: {cpu: '2', memory: 4Gi, pods: 9}}\n---\n"
        + WEB_YAML
    )
    response = client.post(
        "/v1/schedule?strategy=MostAllocated&kubernetesVersion=1.33",
        data=stream,
        content_type="application/yaml",
    )
    assert summary(response)["scheduled"] == 2
    assert response.json["strategy"] == "MostAllocated"
    assert response.json["kubernetesVersion"] == "1.33"


def test_schedule_answers_the_same_document_as_the_library(client: FlaskClient) -> None:
    from podfit.manifests import load_objects
    from podfit.scheduler import schedule

    workload = load_objects([NODE, WEB])
    expected = schedule(workload.pods, workload.nodes, explain=True).to_dict()
    response = client.post("/v1/schedule?explain=true", json=[NODE, WEB])
    assert response.json == json.loads(json.dumps(expected))


@pytest.mark.parametrize("kind", ["Deploymnet", "pod", "ConfigMap"])
def test_schedule_warns_of_every_object_that_created_no_pods(
    client: FlaskClient, kind: str
) -> None:
    """An object that places nothing (a custom resource, a ConfigMap) is named in the
    result, not just "0 of 0 pods". (A misspelt built-in kind is an error: see
    tests/test_validation.py.)"""
    if kind == "ConfigMap":
        typo = {"apiVersion": "v1", "kind": kind, "metadata": WEB["metadata"], "data": {}}
    else:
        typo = {**WEB, "apiVersion": "example.com/v1", "kind": kind}
    response = client.post("/v1/schedule", json=[NODE, typo])
    assert response.status_code == 200
    assert response.json["summary"]["pods"] == 0
    name = WEB["metadata"]["name"]
    assert [w for w in response.json["warnings"] if f"{kind} default/{name}" in w] == [
        f"{kind} default/{name} (body[1]) skipped: creates no pods"
    ]


def test_json_numbers_keep_their_literal_text_as_quantities(client: FlaskClient) -> None:
    """A JSON number 1e3 is the quantity 1e3, as the API server reads it (not 1k)."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"memory": 1e3}}}]},
    }
    response = client.post(
        "/v1/requests",
        data=json.dumps({"pods": [pod]}).replace("1000.0", "1e3"),
        content_type="application/json",
    )
    assert response.json["pods"][0]["requests"]["memory"] == "1e3"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"pods": [', "application/json"),
        ("", "application/json"),
        ('{"pods": [], "pods": []}', "application/json"),
        ("kind: Pod\n  metadata: [", "application/yaml"),
        ("kind: Pod\nkind: Pod\n", "application/yaml"),
    ],
    ids=["json-unclosed", "json-empty", "json-duplicate-key", "yaml-syntax", "yaml-duplicate"],
)
def test_a_workload_body_that_is_not_well_formed_is_400(
    client: FlaskClient, data: str, content_type: str
) -> None:
    response = client.post(
        "/v1/schedule",
        data=data,
        content_type=content_type,
        environ_overrides={"CONTENT_LENGTH": str(len(data.encode()))},
    )
    body = assert_problem(response, 400)
    assert body["type"] == "urn:podfit:problem:malformed-body"


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"pods": [WEB], "nodes": [{"name": "n", "allocatable": {"cpu": "x"}}]}, "nodes[0]"),
        ({"pods": [WEB, {"kind": "Pod"}]}, "pods[1]"),
        ({"apiVersion": "v1", "kind": "List", "items": [WEB, {"kind": "Pod"}]}, "items[1]"),
        ([WEB, 5], "[1]"),
        ({"pods": [None]}, "pods[0]"),
        ({"pods": {}}, "pods"),
        ({"pods": [], "strategy": "Fastest"}, "strategy"),
        ({"pods": [], "kubernetesVersion": "1.20"}, "kubernetesVersion"),
        (
            {
                "pods": [],
                "shape": [{"utilization": 50, "score": 1}, {"utilization": 40, "score": 2}],
            },
            "shape[1].utilization",
        ),
        ({"pods": [], "explain": 1}, "explain"),
        ({"pods": [], "priority": 1}, "priority"),
    ],
)
def test_invalid_workload_bodies_are_422_naming_the_item(
    client: FlaskClient, payload: Any, path: str
) -> None:
    body = assert_problem(client.post("/v1/schedule", json=payload), 422)
    paths = [e["path"] for e in body["errors"]]
    assert any(p == path or p.startswith(path + ".") for p in paths), paths


def test_a_yaml_stream_names_the_document_of_an_error(client: FlaskClient) -> None:
    stream = WEB_YAML + "---\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{}]}\n"
    body = assert_problem(
        client.post("/v1/requests", data=stream, content_type="application/yaml"), 422
    )
    assert body["errors"][0]["path"].startswith("documents[1].spec.containers[0]")


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/v1/schedule?explian=true", {"pods": []}),
        ("/v1/requests?explain=true", {"pods": []}),
        ("/v1/quantities?to=Mi", {"quantities": ["1"]}),
        # the plan options are body fields; a query parameter used to be silently ignored
        ("/v1/plan/drain?loseAnyOne=true", {"nodes": [], "loseAnyOne": True}),
        ("/v1/plan/nodes?algorithm=ffd", {"shapes": [{"preset": "aws/m5.large"}]}),
        ("/v1/plan/fit?maxReplicas=1", {"templates": []}),
    ],
)
def test_unknown_query_parameters_are_refused_not_ignored(
    client: FlaskClient, path: str, payload: Any
) -> None:
    body = assert_problem(client.post(path, json=payload), 400)
    assert path.split("?")[1].split("=")[0] in body["detail"]


def test_a_query_parameter_given_twice_is_refused(client: FlaskClient) -> None:
    """?explain=true&explain=false has no single meaning: 400 naming it."""
    path = "/v1/schedule?explain=true&explain=false"
    body = assert_problem(client.post(path, json={"pods": []}), 400)
    assert "given more than once: explain" in body["detail"]


def test_a_malformed_query_option_is_422_naming_it(client: FlaskClient) -> None:
    body = assert_problem(client.post("/v1/schedule?explain=maybe", json={"pods": []}), 422)
    assert body["errors"][0]["path"] == "explain"


def test_requests_answers_the_same_document_as_the_cli_schema(client: FlaskClient) -> None:
    from podfit.documents.requests import requests_result
    from podfit.manifests import load_objects

    response = client.post("/v1/requests", json={"pods": [WEB]})
    assert response.status_code == 200
    assert response.json == json.loads(json.dumps(requests_result(load_objects([WEB]))))
    assert response.json["total"]["requests"] == {"cpu": "3", "memory": "2Gi"}


def test_requests_refuses_nodes_in_its_envelope(client: FlaskClient) -> None:
    body = assert_problem(client.post("/v1/requests", json={"pods": [], "nodes": []}), 422)
    assert body["errors"][0]["path"] == "nodes"


@pytest.mark.parametrize("to", [None, "Mi"])
def test_quantities_rows_are_the_cli_rows(client: FlaskClient, to: str | None) -> None:
    """POST /v1/quantities and `podfit quantity -o json` answer the same JSON row for the
    same input, out-of-int64 values (null), bad quantities and impossible conversions
    included."""
    from click.testing import CliRunner

    from podfit.cli import main

    inputs = ["100m", "1.5Gi", "1Ei", "1e2147483647", "-1.5", "1K"]
    payload: dict[str, Any] = {"quantities": inputs}
    args = ["quantity", "-o", "json", "--", *inputs]
    if to is not None:
        payload["to"] = to
        args[1:1] = ["--to", to]
    api_rows = quantities(client, payload).json["results"]
    cli_rows = json.loads(CliRunner().invoke(main, args).stdout)["results"]
    assert api_rows == cli_rows
    assert api_rows[2]["milliValue"] is None  # 1Ei millicores are past int64: not clamped
    assert api_rows[5]["error"]["path"] == "quantities[5]"


def test_imports_go_from_the_edges_to_the_schemas_to_the_core() -> None:
    """The core imports no schema, edge or framework; the schemas and the loaders that use
    them (``podfit.options``) import no edge; the HTTP edges (API, web page) import nothing
    from the CLI (shared code is in schemas, options or the core's documents)."""
    import ast
    from pathlib import Path

    package = Path(__file__).parent.parent / "service" / "podfit"

    def layer(module: str) -> str:
        parts = module.split(".")
        if parts[1:2] in (["cli"], ["http"], ["web"], ["__main__"]):
            return "edge"
        return "schemas" if parts[1:2] in (["schemas"], ["options"]) else "core"

    wrong = []
    for source in sorted(package.rglob("*.py")):
        parts = source.relative_to(package).with_suffix("").parts
        module = ".".join(("podfit", *parts)).removesuffix(".__init__")
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module]
            else:
                continue
            for target in targets:
                here = layer(module)
                if not target.startswith("podfit"):
                    framework = target.split(".")[0] in {
                        "flask",
                        "marshmallow",
                        "click",
                        "werkzeug",
                    }
                    bad = here == "core" and framework
                elif here == "core":
                    bad = layer(target) != "core"
                elif here == "schemas":
                    bad = layer(target) == "edge"
                else:  # an HTTP edge must not reach into the CLI (the entry point may)
                    bad = target.startswith("podfit.cli") and not module.startswith(
                        ("podfit.cli", "podfit.__main__")
                    )
                if bad:
                    wrong.append(f"{module} -> {target}")
    assert wrong == []


def _pending_message(response: Any) -> str:
    pending = next(p for p in response.json["pods"] if p["phase"] == "Pending")
    return str(pending["conditions"][0]["message"])


@pytest.mark.parametrize(
    ("options", "prefixed"),
    [
        ({}, True),
        ({"dra": None}, True),
        ({"dra": True}, True),
        ({"dra": False}, False),
        ({"kubernetesVersion": "1.33"}, False),
        ({"kubernetesVersion": "1.33", "dra": True}, True),
    ],
)
def test_schedule_option_dra_adds_the_dynamic_resources_postfilter_part(
    client: FlaskClient, options: dict[str, Any], prefixed: bool
) -> None:
    """``dra`` (default: on from 1.34) puts ``no new claims to deallocate, `` before the
    preemption part, as DynamicResources' PostFilter does in a default 1.34 cluster."""
    body = {"pods": [NODE, WEB], **options}
    response = client.post("/v1/schedule", json=body)
    assert response.status_code == 200, response.json
    message = _pending_message(response)
    assert (". no new claims to deallocate, preemption: " in message) is prefixed
    assert message.count("preemption: 0/1 nodes are available") == 1


@pytest.mark.parametrize("option", ["dra", "explain"])
@pytest.mark.parametrize("value", [1, "yes", "true", [], {}])
def test_schedule_boolean_options_must_be_json_booleans(
    client: FlaskClient, option: str, value: Any
) -> None:
    """``dra`` (true, false or null) and ``explain`` take JSON booleans; 1, "yes" or
    "true" are not read as booleans (marshmallow's Boolean would)."""
    response = client.post("/v1/schedule", json={"pods": [NODE, WEB], option: value})
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["path"] == option


@pytest.mark.parametrize(("query", "prefixed"), [("true", True), ("false", False)])
def test_schedule_query_dra_overrides_the_body(
    client: FlaskClient, query: str, prefixed: bool
) -> None:
    """``?dra=true|false`` works like the body field (a YAML body has no other place)."""
    body = {"pods": [NODE, WEB], "dra": not prefixed}
    response = client.post(f"/v1/schedule?dra={query}", json=body)
    assert response.status_code == 200, response.json
    assert (". no new claims to deallocate, preemption: " in _pending_message(response)) is prefixed


@pytest.mark.parametrize("option", ["dra", "explain"])
@pytest.mark.parametrize("value", ["1", "yes", "True", ""])
def test_schedule_query_booleans_must_be_true_or_false(
    client: FlaskClient, option: str, value: str
) -> None:
    """``?dra=`` and ``?explain=`` take exactly ``true`` or ``false``: anything else is a
    422 naming the parameter."""
    response = client.post(f"/v1/schedule?{option}={value}", json={"pods": [NODE, WEB]})
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["path"] == option


def test_schedule_warnings_hold_the_readers_assumptions_first(client: FlaskClient) -> None:
    """What the manifest reader assumed (a PriorityClass missing from the input counts as
    priority 0) is in the answer, before the objects that created no pods — the CLI prints
    the same lines on stderr."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "a"},
        "spec": {"priorityClassName": "gold", "containers": [{"name": "c"}]},
    }
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}
    response = client.post("/v1/schedule", json={"nodes": [NODE], "pods": [pod, secret]})
    assert response.status_code == 200, response.json
    assert response.json["warnings"] == [
        'default/Pod/a: spec.priorityClassName: PriorityClass "gold" not in the input;'
        " priority 0 assumed",
        "Secret default/s (pods[1]) skipped: creates no pods",
    ]
