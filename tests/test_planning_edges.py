"""Rules for the planning edges: ``podfit plan fit|nodes|drain`` and ``POST /v1/plan/*``
give the same documents, and bad input is a clear message naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit.cli import main
from podfit.errors import ConfigError
from podfit.options.plan import parse_shape
from podfit.planning.catalog import parse_price, shape_spec

NODES = [
    {"name": "a1", "allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"},
     "labels": {"topology.kubernetes.io/zone": "a"}},
    {"name": "b1", "allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"},
     "labels": {"topology.kubernetes.io/zone": "b"}},
]  # fmt: skip


def deployment(name: str, replicas: int, cpu: str, mem: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "image": "registry.example/x:1",
                            "resources": {"requests": {"cpu": cpu, "memory": mem}},
                        }
                    ]
                },
            },
        },
    }


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text(
        yaml.safe_dump({"nodes": NODES})
        + "---\n"
        + yaml.safe_dump(deployment("web", 6, "1", "1Gi"))
    )
    template = tmp_path / "template.yaml"
    template.write_text(yaml.safe_dump(deployment("api", 1, "500m", "512Mi")))
    return {"cluster": cluster, "template": template}


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_fit_json_equals_the_api_document(files: dict[str, Path], client: FlaskClient) -> None:
    """Same input, same FitReport from the CLI and from POST /v1/plan/fit."""
    result = run(
        "plan", "fit", "-f", str(files["cluster"]), "-t", str(files["template"]), "-o", "json"
    )
    assert result.exit_code == 0, result.output
    cli_doc = json.loads(result.output)
    assert cli_doc["kind"] == "FitReport"
    assert cli_doc["templates"][0]["replicas"] == 4  # 2 cpu left on 2 nodes, 500m each
    body = {
        "nodes": NODES,
        "pods": [deployment("web", 6, "1", "1Gi")],
        "templates": [deployment("api", 1, "500m", "512Mi")],
    }
    response = client.post("/v1/plan/fit", json=body)
    assert response.status_code == 200
    assert response.json == cli_doc


def test_cli_fit_table_names_the_stop_reason(files: dict[str, Path]) -> None:
    """The table shows replicas per template and node, then the FailedScheduling message."""
    result = run("plan", "fit", "-f", str(files["cluster"]), "-t", str(files["template"]))
    assert result.exit_code == 0
    assert "Deployment/api   4" in result.output
    assert "Deployment/api: 0/2 nodes are available: 2 Insufficient cpu." in result.output


def test_cli_nodes_with_presets_custom_shapes_and_prices(files: dict[str, Path]) -> None:
    """plan nodes: a custom shape and a preset, with prices; the best shape is named."""
    result = run(
        "plan", "nodes", "-f", str(files["cluster"]), "--no-existing",
        "-s", "small:cpu=2,memory=8Gi,pods=110@0.05", "-s", "aws/m5.xlarge@0.192",
        "-o", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    by_shape = {s["shape"]: s for s in doc["shapes"]}
    assert by_shape["small"]["nodes"] == 3 and by_shape["small"]["cost"] == "0.15"
    assert by_shape["aws/m5.xlarge"]["nodes"] == 2
    assert doc["summary"]["best"] == {"shape": "small", "nodes": 3}


def test_cli_drain_table_lists_pending_pods(files: dict[str, Path]) -> None:
    """Draining one of two full nodes leaves its pods Pending with their message."""
    result = run("plan", "drain", "-f", str(files["cluster"]), "--node", "a1")
    assert result.exit_code == 0, result.output
    assert "drain a1" in result.output
    assert "Insufficient cpu" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["plan", "nodes", "-s", "nope/x"],
            'error: --shape[0].preset: unknown node preset "nope/x"',
        ),
        (
            ["plan", "nodes", "-s", "c:cpu=4,memory"],
            'error: --shape[0][1]: "memory" is not RESOURCE=QUANTITY',
        ),
        (
            ["plan", "nodes", "-s", "c:cpu=x"],
            'error: --shape[0].allocatable.cpu: "x" is not a valid quantity',
        ),
        (
            ["plan", "nodes", "-s", "aws/m5.large@cheap"],
            "error: --shape[0].price: a price must be decimal text",
        ),
        (["plan", "drain", "--node", "zz"], "error: drain: unknown node(s) zz"),
        (
            ["plan", "nodes", "-s", "c:cpu=4,memory=8Gi"],
            "error: --shape[0].allocatable.pods: a custom shape needs allocatable pods",
        ),
        (  # the second cpu used to replace the first silently
            ["plan", "nodes", "-s", "c:cpu=1,pods=10,cpu=2"],
            'error: --shape[0][2]: "cpu" is given twice',
        ),
        (  # a Node's allocatable cannot be negative (API-server validation)
            ["plan", "nodes", "-s", "c:cpu=-1,pods=10"],
            "error: --shape[0].allocatable.cpu: -1: must be greater than or equal to 0",
        ),
        (
            ["plan", "drain", "--node", "a1", "-s", "c:memory=-1Gi,pods=1"],
            "error: --shape.allocatable.memory: -1Gi: must be greater than or equal to 0",
        ),
    ],
)
def test_cli_bad_input_names_the_field(
    files: dict[str, Path], args: list[str], message: str
) -> None:
    """Bad shapes, prices or node names: exit 1 and one line naming the option."""
    result = CliRunner().invoke(main, [*args[:2], "-f", str(files["cluster"]), *args[2:]])
    assert result.exit_code == 1
    assert message in result.output


def test_cli_time_limit_nan_is_a_usage_error(files: dict[str, Path]) -> None:
    """NaN passes every range check, so --time-limit refuses it by name (exit 2)."""
    args = ["plan", "nodes", "-f", str(files["cluster"]), "-s", "aws/m5.large"]
    result = CliRunner().invoke(main, [*args, "--time-limit", "nan"])
    assert result.exit_code == 2
    assert "nan is not a number of seconds" in result.output


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/plan/fit", {"nodes": NODES, "pods": []}, "templates"),
        ("/v1/plan/fit", {"templates": [], "mode": "random"}, "mode"),
        (
            "/v1/plan/nodes",
            {"shapes": [{"preset": "aws/m5.large", "allocatable": {"cpu": "1"}}]},
            "shapes[0]",
        ),
        (
            "/v1/plan/nodes",
            {"shapes": [{"name": "x", "allocatable": {"cpu": "1"}, "price": 1}]},
            "shapes[0].price",
        ),
        (
            "/v1/plan/nodes",
            {"shapes": [{"preset": "aws/m5.large"}], "headroomPercent": 0},
            "headroomPercent",
        ),
        ("/v1/plan/drain", {"nodes": NODES, "loseZone": "c"}, "loseZone"),
        ("/v1/plan/drain", {"nodes": NODES, "loseAnyOne": "yes"}, "loseAnyOne"),
        (
            "/v1/plan/nodes",
            {"shapes": [{"name": "x", "allocatable": {"cpu": "-1", "pods": "1"}}]},
            "shapes[0].allocatable.cpu",
        ),
    ],
)
def test_api_refuses_bad_options_with_422_naming_the_field(
    path: str,
    body: dict[str, Any],
    field: str,
    client: FlaskClient,
) -> None:
    """Every invalid option is a problem+json 422 whose first error path is the field."""
    response = client.post(path, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["errors"][0]["path"] == field


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/v1/plan/nodes",
            {"shapes": [{"name": "x", "allocatable": {"cpu": "1" * 65, "pods": "1"}}]},
            "shapes[0].allocatable.cpu",
        ),
        (
            "/v1/plan/drain",
            {"nodes": NODES, "shape": {"name": "x", "allocatable": {"memory": "9" * 65}}},
            "shape.allocatable.memory",
        ),
        (
            "/v1/schedule",
            {"nodes": [{"name": "n", "allocatable": {"cpu": "1" * 65}}], "pods": []},
            "nodes[0].allocatable.cpu",
        ),
    ],
)
def test_an_over_long_quantity_is_413_on_every_endpoint(
    path: str,
    body: dict[str, Any],
    field: str,
    client: FlaskClient,
) -> None:
    """A quantity longer than PODFIT_MAX_QUANTITY_LENGTH is over a bound like any other
    PODFIT_* limit (413 naming the field and the setting), in shapes as in manifests."""
    response = client.post(path, json=body)
    assert response.status_code == 413, response.get_data(as_text=True)
    assert response.json["errors"][0]["path"] == field
    assert "PODFIT_MAX_QUANTITY_LENGTH" in response.json["errors"][0]["message"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aws/m5.large", {"preset": "aws/m5.large"}),
        ("aws/m5.large@0.096", {"preset": "aws/m5.large", "price": "0.096"}),
        ("big:cpu=8,memory=32Gi", {"name": "big", "allocatable": {"cpu": "8", "memory": "32Gi"}}),
    ],
)
def test_shape_spec_grammar(text: str, expected: dict[str, Any]) -> None:
    """PRESET[@PRICE] or NAME:RESOURCE=QUANTITY,...[@PRICE]."""
    assert shape_spec(text, "--shape") == expected


@pytest.mark.parametrize("good", ["0", "1", "0.096", "12.50"])
def test_prices_are_exact_decimals(good: str) -> None:
    """A price is exact decimal text; its value is an exact fraction."""
    from fractions import Fraction

    assert parse_price(good, "price") == Fraction(good)


@pytest.mark.parametrize("bad", ["1e3", "-1", "0.5.5", 0.5, 1, True])
def test_bad_prices_are_refused(bad: object) -> None:
    """Exponents, signs, floats, ints and booleans are not prices."""
    with pytest.raises(ConfigError) as err:
        parse_price(bad, "price")
    assert err.value.path == "price"


def test_a_preset_shape_carries_its_allocatable_and_labels() -> None:
    """parse_shape builds the preset's Node (allocatable from the preset calculation)."""
    shape = parse_shape({"preset": "aws/m5.large", "price": "0.096"}, "shapes[0]")
    assert shape.name == "aws/m5.large"
    assert str(shape.node.allocatable["cpu"]) == "1930m"


def test_long_plans_check_the_request_time_limit_while_they_run(
    monkeypatch: pytest.MonkeyPatch,
    client: FlaskClient,
) -> None:
    """The replica loop calls check_time, so an over-time request ends with 503, not a hang."""
    import podfit.http.plan as api_plan
    from podfit.http.problem import Problem

    phases: list[str] = []

    def fake_check_time(phase: str) -> None:
        phases.append(phase)
        if phase == "adding replicas":
            raise Problem(503, "time-limit", "Request took too long", f"before {phase}")

    monkeypatch.setattr(api_plan, "check_time", fake_check_time)
    body = {
        "nodes": [{"name": "big", "allocatable": {"cpu": "64", "memory": "256Gi", "pods": "500"}}],
        "templates": [deployment("tiny", 1, "10m", "10Mi")],
    }
    response = client.post("/v1/plan/fit", json=body)
    assert response.status_code == 503
    assert "adding replicas" in phases


@pytest.mark.parametrize(
    ("options", "prefixed"),
    [({}, True), ({"dra": False}, False), ({"kubernetesVersion": "1.33"}, False)],
)
def test_plan_fit_stop_reason_follows_the_dra_option(
    options: dict[str, Any], prefixed: bool, client: FlaskClient
) -> None:
    """The plan API takes the scheduler's ``dra`` option: the FailedScheduling message of
    the replica that no longer fits has DynamicResources' part exactly when it is on."""
    body = {"nodes": NODES, "templates": [deployment("w", 1, "3", "1Gi")], **options}
    response = client.post("/v1/plan/fit", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    reasons = json.dumps(response.json)
    assert "Insufficient cpu" in reasons
    assert ("no new claims to deallocate, preemption: " in reasons) is prefixed


def test_plan_dra_option_must_be_a_boolean(client: FlaskClient) -> None:
    body = {"nodes": NODES, "templates": [deployment("w", 1, "3", "1Gi")], "dra": "yes"}
    response = client.post("/v1/plan/fit", json=body)
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "dra"
