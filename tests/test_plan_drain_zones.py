"""``plan drain --zones``: the nodes planned for a scenario's Pending pods get zones.

As with ``plan nodes --zones``: new node k of the shape is ``<shape>-k`` in zone
``zones[(k-1) mod len]`` and the plan is podfit's scheduler run of the Pending pods on
those nodes beside the remaining nodes as the scenario left them, so zone spreading
decides the node count (and nothing is warned). Without zones the scenario's plan is the
packer's, spreading warned, as before. Zones are validated the same way (the entry named).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit.cli import main
from podfit.manifests import load_objects
from podfit.planning.nodes_needed import NodeShape
from podfit.planning.whatif import DrainReport, what_if

ZONE = "topology.kubernetes.io/zone"
BIG = {"name": "big", "allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}


def deployment(name: str, replicas: int) -> dict[str, Any]:
    """A Deployment of 500m pods labelled ``app: <name>``, spread over zones: maxSkew 1,
    DoNotSchedule."""
    spread = {
        "maxSkew": 1,
        "topologyKey": ZONE,
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": name}},
    }
    spec = {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": "500m"}}}],
        "topologySpreadConstraints": [spread],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }


def node_doc(name: str, cpu: str = "8", zone: str | None = None) -> dict[str, Any]:
    labels = {"kubernetes.io/hostname": name, **({ZONE: zone} if zone else {})}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "status": {"allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}},
    }


CLUSTER = [
    deployment("db", 6),
    node_doc("n1", cpu="1", zone="a"),
    node_doc("n2", cpu="1", zone="b"),
    node_doc("n3", cpu="1", zone="c"),
]
"""Six 500m replicas, maxSkew 1 over zones: two on each 1-cpu node, one node per zone."""


def drain(zones: tuple[str, ...] = ()) -> DrainReport:
    """Drain n2 and n3: their 4 replicas find no room on n1 and stay Pending."""
    workload = load_objects(CLUSTER)
    big = NodeShape("big", load_objects([node_doc("big")]).nodes[0])
    return what_if(
        workload.pods,
        workload.nodes,
        **workload.cluster_objects(),
        drain=["n2", "n3"],
        shape=big,
        zones=zones,
    )


def scenario_plan(report: DrainReport) -> dict[str, Any]:
    (scenario,) = report.to_dict()["scenarios"]
    assert len(scenario["pending"]) == 4
    plan: dict[str, Any] = scenario["nodesNeeded"]
    return plan


def test_without_zones_the_packer_plans_one_node_and_warns_of_spreading() -> None:
    report = drain()
    plan = scenario_plan(report)
    assert plan["nodes"] == 1
    assert "zones" not in plan and "placement" not in plan
    assert any("topologySpreadConstraints is not honoured" in w for w in report.warnings)


def test_with_zones_spreading_decides_the_replacement_nodes() -> None:
    """Zone a keeps 2 replicas; with maxSkew 1 a new zone takes at most 3, so the 4
    evicted replicas need a node in b and one in c (the scheduler's run), not the packer's
    single node; nothing is warned."""
    report = drain(("b", "c"))
    plan = scenario_plan(report)
    assert plan["nodes"] == 2
    assert plan["complete"]
    assert [p["zone"] for p in plan["placement"]] == ["b", "c"]
    assert sum(sum(p["pods"].values()) for p in plan["placement"]) == 4
    assert report.warnings == []


def test_one_zone_leaves_a_replica_pending_with_the_schedulers_message() -> None:
    """Zone b alone: at most 3 replicas there beside zone a's 2, however many nodes."""
    plan = scenario_plan(drain(("b",)))
    assert not plan["complete"]
    assert plan["unplaced"] == {"Deployment/db": 1}


def test_cli_zones_equal_the_api_document(tmp_path: Path, client: FlaskClient) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump_all(CLUSTER))
    result = CliRunner().invoke(
        main,
        [
            *("plan", "drain", "-f", str(path), "--node", "n2", "--node", "n3"),
            *("-s", "big:cpu=8,memory=16Gi,pods=110", "--zones", "b,c", "-o", "json"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    body = {
        "pods": CLUSTER[:1],
        "nodes": CLUSTER[1:],
        "drain": ["n2", "n3"],
        "shape": BIG,
        "zones": ["b", "c"],
    }
    api = client.post("/v1/plan/drain", json=body)
    assert api.status_code == 200, api.json
    assert api.json == cli
    assert cli["scenarios"][0]["nodesNeeded"]["nodes"] == 2


@pytest.mark.parametrize(("zones", "path"), [(["b", ""], "zones[1]"), (["b", "b"], "zones[1]")])
def test_api_bad_zones_are_a_problem_naming_the_entry(
    client: FlaskClient, zones: list[Any], path: str
) -> None:
    body = {"pods": CLUSTER[:1], "nodes": CLUSTER[1:], "drain": ["n2"], "zones": zones}
    response = client.post("/v1/plan/drain", json=body)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["errors"][0]["path"] == path


def test_cli_bad_zones_exit_non_zero_naming_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump_all(CLUSTER))
    result = CliRunner().invoke(
        main, ["plan", "drain", "-f", str(path), "--node", "n2", "--zones", "b,,c"]
    )
    assert result.exit_code != 0
    assert "--zones[1]" in result.output
    assert "Traceback" not in result.output
