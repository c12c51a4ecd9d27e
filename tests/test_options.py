"""One scheduler configuration from every edge (podfit.schemas.config).

The same options, spelled the same, give the same ``SchedulerConfig`` through the CLI
(``podfit schedule``, ``podfit plan fit``), the ``/v1/schedule`` body and query, and the
``/v1/plan/*`` bodies; the same bad option gives the same message at the same path
everywhere, naming the input's field (not kube-scheduler's ``scoringStrategy...`` path).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit.cli import main
from podfit.scheduler.config import SchedulerConfig, make_config

NODE = {"name": "node-a", "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "10"}}
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p"},
    "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}]},
}
SHAPE = [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 10}]

# (options as JSON, the same as CLI arguments, the config every edge must build)
GOOD: list[tuple[dict[str, Any], list[str], SchedulerConfig]] = [
    ({}, [], make_config()),
    (
        {"strategy": "MostAllocated", "kubernetesVersion": "1.33"},
        ["--strategy", "MostAllocated", "--kubernetes-version", "1.33"],
        make_config("MostAllocated", version="1.33"),
    ),
    (
        {"strategy": "RequestedToCapacityRatio", "scoringShape": SHAPE},
        ["--strategy", "RequestedToCapacityRatio", "--scoring-shape", "0:0,100:10"],
        make_config("RequestedToCapacityRatio", shape=[(0, 0), (100, 10)]),
    ),
    (
        {"resources": [{"name": "cpu", "weight": 2}, {"name": "memory", "weight": 1}]},
        ["--weight", "cpu=2", "--weight", "memory=1"],
        make_config(resources=[("cpu", 2), ("memory", 1)]),
    ),
    (
        {"ignoredResources": ["example.com/gpu"], "ignoredResourceGroups": ["example.org"]},
        ["--ignored-resource", "example.com/gpu", "--ignored-resource-group", "example.org"],
        make_config(ignored_resources=["example.com/gpu"], ignored_resource_groups=["example.org"]),
    ),
    (
        {"kubernetesVersion": "1.35", "dra": False},
        ["--kubernetes-version", "1.35", "--no-dra"],
        make_config(version="1.35", dra=False),
    ),
]

# (options as JSON, the same as CLI arguments or None where click refuses the value itself,
#  the path and message every edge must answer)
BAD: list[tuple[dict[str, Any], list[str] | None, str, str]] = [
    (
        {"strategy": "Fastest"},
        None,  # --strategy is a click.Choice: a usage error before any schema runs
        "strategy",
        'unknown strategy "Fastest" (one of LeastAllocated, MostAllocated,'
        " RequestedToCapacityRatio)",
    ),
    (
        {"kubernetesVersion": "1.20"},
        None,
        "kubernetesVersion",
        'unsupported version "1.20" (one of 1.33, 1.34, 1.35)',
    ),
    (
        {"resources": [{"name": "cpu", "weight": 101}]},
        ["--weight", "cpu=101"],
        "resources[0].weight",
        "resource weight of cpu should be in the range 1-100, got 101",
    ),
    (
        {"resources": [{"name": "", "weight": 1}]},
        ["--weight", "=1"],
        "resources[0].name",
        "resource name is required",
    ),
    (
        {"scoringShape": [{"utilization": 50, "score": 1}, {"utilization": 40, "score": 2}]},
        ["--scoring-shape", "50:1,40:2"],
        "scoringShape[1].utilization",
        "40 must be greater than the previous utilization 50",
    ),
    (
        {"scoringShape": [{"utilization": 0, "score": 11}]},
        ["--scoring-shape", "0:11"],
        "scoringShape[0].score",
        "11 must be in the range 0-10",
    ),
    ({"ignoredResources": "example.com/gpu"}, None, "ignoredResources", "Not a valid list."),
    ({"dra": "yes"}, None, "dra", "must be a boolean"),
]

#: The options a query parameter can carry on /v1/schedule (scalars).
QUERY = ("strategy", "kubernetesVersion", "dra")


def _query(options: dict[str, Any]) -> str | None:
    """The options as a /v1/schedule query string, None if one has no query form."""
    if any(k not in QUERY for k in options):
        return None
    text = {k: json.dumps(v) if isinstance(v, bool) else v for k, v in options.items()}
    return "?" + urlencode(text) if text else ""


@pytest.fixture()
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[SchedulerConfig]]:
    """Every SchedulerConfig an edge hands to the scheduler or a planner, in order."""
    import podfit.cli.plan_cmd
    import podfit.cli.schedule_cmd
    import podfit.http.envelope
    import podfit.http.plan

    seen: list[SchedulerConfig] = []

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            seen.append(kwargs["config"])
            return real(*args, **kwargs)

        return call

    for module, name in [
        (podfit.http.envelope, "schedule"),
        (podfit.http.plan, "how_many_fit"),
        (podfit.cli.schedule_cmd, "run_schedule"),
        (podfit.cli.plan_cmd, "how_many_fit"),
    ]:
        monkeypatch.setattr(module, name, spy(getattr(module, name)))
    yield seen


@pytest.fixture()
def manifests(tmp_path: Path) -> Path:
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump_all([{"nodes": [NODE]}, POD]), encoding="utf-8")
    return path


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(("options", "args", "config"), GOOD)
def test_the_same_options_build_the_same_config_on_every_edge(
    client: FlaskClient,
    captured: list[SchedulerConfig],
    manifests: Path,
    options: dict[str, Any],
    args: list[str],
    config: SchedulerConfig,
) -> None:
    body = {"nodes": [NODE], "pods": [POD]}
    assert client.post("/v1/schedule", json={**body, **options}).status_code == 200
    query = _query(options)
    if query is not None:
        assert client.post("/v1/schedule" + query, json=body).status_code == 200
    plan = {"nodes": [NODE], "templates": [POD], "maxReplicas": 3, **options}
    assert client.post("/v1/plan/fit", json=plan).status_code == 200
    assert _cli("schedule", "-f", str(manifests), "-o", "json", *args)[0] == 0
    fit = ["plan", "fit", "-f", str(manifests), "-t", str(manifests), "--max-replicas", "3"]
    assert _cli(*fit, "-o", "json", *args)[0] == 0
    edges = 4 if query is not None else 3
    assert captured == [config] * (edges + 1)


@pytest.mark.parametrize(("options", "args", "path", "message"), BAD)
def test_the_same_bad_option_gets_the_same_message_on_every_edge(
    client: FlaskClient,
    manifests: Path,
    options: dict[str, Any],
    args: list[str] | None,
    path: str,
    message: str,
) -> None:
    expected = [{"path": path, "message": message}]
    answers = [
        client.post("/v1/schedule", json={"pods": [POD], **options}),
        client.post("/v1/plan/fit", json={"templates": [POD], **options}),
        client.post("/v1/plan/nodes", json={"shapes": [{"preset": "aws/m5.large"}], **options}),
        client.post("/v1/plan/drain", json={"nodes": [NODE], "loseAnyOne": True, **options}),
    ]
    query = _query(options)
    if query is not None and "dra" not in options:  # ?dra= takes text: its own message below
        answers.append(client.post("/v1/schedule" + query, json={"pods": [POD]}))
    for response in answers:
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.json["errors"] == expected
    if args is not None:
        for command in (["schedule"], ["plan", "fit", "-t", str(manifests)]):
            code, out = _cli(*command, "-f", str(manifests), *args)
            assert code == 1
            assert f"error: {path}: {message}\n" in out


def test_a_query_boolean_is_exactly_true_or_false(client: FlaskClient) -> None:
    """Query parameters are text: a boolean option takes exactly ``true`` or ``false``."""
    response = client.post("/v1/schedule?dra=yes", json={"pods": [POD]})
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"path": "dra", "message": "must be true or false, not 'yes'"}
    ]


def test_shape_is_a_deprecated_alias_of_scoring_shape_on_schedule(
    client: FlaskClient, manifests: Path
) -> None:
    """/v1/schedule and ``podfit schedule`` still take ``shape``/``--shape``, with errors
    named as the input spelled them; both spellings at once is an error."""
    bad = [{"utilization": 50, "score": 1}, {"utilization": 40, "score": 2}]
    response = client.post("/v1/schedule", json={"pods": [POD], "shape": bad})
    assert response.json["errors"][0]["path"] == "shape[1].utilization"
    both = {"pods": [POD], "shape": SHAPE, "scoringShape": SHAPE}
    response = client.post("/v1/schedule", json=both)
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"path": "shape", "message": "give scoringShape or its deprecated alias shape, not both"}
    ]
    code, out = _cli("schedule", "-f", str(manifests), "--shape", "50:1,40:2")
    assert code == 1 and "error: shape[1].utilization: 40 must be greater" in out


def test_the_alias_builds_the_config_of_the_name_it_stands_for(
    client: FlaskClient, captured: list[SchedulerConfig], manifests: Path
) -> None:
    body = {"nodes": [NODE], "pods": [POD], "strategy": "RequestedToCapacityRatio"}
    assert client.post("/v1/schedule", json={**body, "shape": SHAPE}).status_code == 200
    assert client.post("/v1/schedule", json={**body, "scoringShape": SHAPE}).status_code == 200
    args = ["--strategy", "RequestedToCapacityRatio", "-o", "json"]
    assert _cli("schedule", "-f", str(manifests), *args, "--shape", "0:0,100:10")[0] == 0
    assert captured[0] == captured[1] == captured[2]
    assert captured[0].shape == ((0, 0), (100, 10))


def test_the_plan_endpoints_take_ignored_resources(client: FlaskClient) -> None:
    """A pod asking for an extended resource no node offers fits once it is ignored, on
    /v1/plan/fit as on /v1/schedule."""
    pod = json.loads(json.dumps(POD))
    resources = pod["spec"]["containers"][0]["resources"]
    resources["requests"]["example.com/gpu"] = "1"
    resources["limits"] = {"example.com/gpu": "1"}  # extended resources: limit = request
    plan = {"nodes": [NODE], "templates": [pod], "maxReplicas": 2}
    blocked = client.post("/v1/plan/fit", json=plan).json["templates"][0]["replicas"]
    ignored = {**plan, "ignoredResources": ["example.com/gpu"]}
    fitted = client.post("/v1/plan/fit", json=ignored).json["templates"][0]["replicas"]
    assert (blocked, fitted) == (0, 2)


def test_every_request_schema_takes_every_scheduler_option() -> None:
    """The request schemas extend the one config schema; none may drop an option (the
    schedule schema lists its fields to keep the order its errors have always had)."""
    from podfit.schemas.config import SchedulerConfigSchema
    from podfit.schemas.plan import DrainOptionsSchema, FitOptionsSchema, NodesOptionsSchema
    from podfit.schemas.schedule import ScheduleOptionsSchema

    config_fields = SchedulerConfigSchema.CONFIG_FIELDS
    assert config_fields == tuple(SchedulerConfigSchema().fields)
    for schema in (ScheduleOptionsSchema, FitOptionsSchema, NodesOptionsSchema, DrainOptionsSchema):
        assert set(config_fields) <= set(schema().fields), schema.__name__
    assert set(ScheduleOptionsSchema().fields) == {*config_fields, "explain", "shape"}
