"""A node's resource lists are validated as the API server's ``ValidateNodeResources``
does (pkg/apis/core/validation): every value a non-negative quantity, and an object count
(``pods``, ``services``, …) or an extended resource (``example.com/gpu``) a whole number
(``must be an integer``); an error names the field path and the value — 422 on the API,
exit 1 from the CLI. The resource *names* of a Node are not checked there (only
containers, quotas and LimitRanges validate names), so any key is read as written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit.cli import main
from podfit.errors import ManifestError
from podfit.manifests import load_objects
from podfit.manifests.apivalidation import validate_container_resource_name
from podfit.quantity import parse_quantity as q

MakeClient = Callable[..., FlaskClient]


def node_object(capacity: dict[str, str], allocatable: dict[str, str] | None = None) -> Any:
    status: dict[str, Any] = {"capacity": capacity}
    if allocatable is not None:
        status["allocatable"] = allocatable
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "status": status}


def errors_of(objects: list[Any]) -> list[tuple[str, str]]:
    with pytest.raises(ManifestError) as caught:
        load_objects(objects)
    return [(e.path, e.message.split(" (in ")[0]) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("pods", "1.5", "1500m"),
        ("example.com/gpu", "500m", "500m"),
        ("services", "0.0001", "100u"),  # MilliValue rounds up: 1 milli, not whole
        ("persistentvolumeclaims", "2.5", "2500m"),
    ],
)
def test_a_count_or_extended_resource_must_be_a_whole_number(
    name: str, value: str, shown: str
) -> None:
    assert errors_of([node_object({"cpu": "4", name: value})]) == [
        (f"status.capacity.{name}", f"{shown}: must be an integer")
    ]
    assert errors_of([node_object({"cpu": "4"}, {name: value})]) == [
        (f"status.allocatable.{name}", f"{shown}: must be an integer")
    ]


def test_compact_nodes_follow_the_same_rule() -> None:
    entries = [{"name": "a", "allocatable": {"cpu": "2", "example.com/gpu": "0.5"}}]
    entries.append({"name": "b", "capacity": {"pods": "10.5"}, "count": 2})
    assert errors_of([{"nodes": entries}]) == [
        ("nodes[0].allocatable.example.com/gpu", "500m: must be an integer"),
        ("nodes[1].capacity.pods", "10500m: must be an integer"),
    ]


def test_fractions_of_cpu_memory_and_whole_counts_are_accepted() -> None:
    loaded = load_objects(
        [node_object({"cpu": "3.5", "memory": "1.5Gi", "pods": "110", "example.com/gpu": "2"})]
    )
    assert loaded.nodes[0].allocatable["cpu"] == q("3500m")
    assert loaded.nodes[0].allocatable["example.com/gpu"] == q("2")


def test_negative_values_are_refused_as_before() -> None:
    assert errors_of([node_object({"memory": "-1"})]) == [
        ("status.capacity.memory", "-1: must be greater than or equal to 0")
    ]


@pytest.mark.parametrize("name", ["gpu", "Bad_Name", "nvidia.com/gpu", "kubernetes.io/batteries"])
def test_node_resource_names_are_not_validated_as_the_api_server_does_not(name: str) -> None:
    """``ValidateNodeResources`` checks the values only: a Node may list any key (a
    container cannot request an unqualified one, so no pod uses it)."""
    loaded = load_objects([node_object({"cpu": "4", name: "1"})])
    assert loaded.nodes[0].allocatable[name] == q("1")


def test_resourcequotas_is_the_standard_name_of_the_quota_count() -> None:
    """``core.ResourceQuotas`` is ``resourcequotas`` (there is no ``quota`` resource): a
    container naming either is told it is no container resource, and ``quota`` is not
    even a standard name."""
    assert validate_container_resource_name("resourcequotas") == [
        'Invalid value: "resourcequotas": must be a standard resource for containers'
    ]
    assert validate_container_resource_name("quota") == [
        'Invalid value: "quota": must be a standard resource type or fully qualified',
        'Invalid value: "quota": must be a standard resource for containers',
    ]


def test_the_api_answers_422_naming_the_node_field(make_client: MakeClient) -> None:
    body = {
        "pods": [],
        "nodes": [{"name": "a", "allocatable": {"cpu": "2", "pods": "1.5"}}],
    }
    response = make_client().post("/v1/schedule", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    doc = json.loads(response.get_data(as_text=True))
    assert [e["path"] for e in doc["errors"]] == ["nodes[0].allocatable.pods"]
    assert doc["errors"][0]["message"].startswith("1500m: must be an integer")


def test_the_cli_exits_non_zero_naming_the_node_field(tmp_path: Path) -> None:
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps(node_object({"cpu": "4", "example.com/gpu": "0.5"})))
    result = CliRunner().invoke(main, ["schedule", "-f", str(path)])
    assert result.exit_code != 0
    assert "status.capacity.example.com/gpu" in result.output
    assert "500m: must be an integer" in result.output


def test_a_custom_plan_shape_is_a_node_and_follows_the_same_rule(
    make_client: MakeClient, tmp_path: Path
) -> None:
    """A shape describes the new nodes' allocatable: the values the API server would
    refuse on such a Node are refused there too (API 422, CLI exit 1)."""
    body = {
        "pods": [],
        "shapes": [{"name": "gpu", "allocatable": {"cpu": "8", "pods": "110", "x.io/gpu": "0.5"}}],
    }
    response = make_client().post("/v1/plan/nodes", json=body)
    assert response.status_code == 422
    doc = json.loads(response.get_data(as_text=True))
    assert [(e["path"], e["message"]) for e in doc["errors"]] == [
        ("shapes[0].allocatable.x.io/gpu", "500m: must be an integer")
    ]
    path = tmp_path / "pods.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": []}))
    result = CliRunner().invoke(
        main, ["plan", "nodes", "-f", str(path), "-s", "big:cpu=8,memory=32Gi,pods=10.5"]
    )
    assert result.exit_code != 0
    assert "10500m: must be an integer" in result.output
