"""``plan nodes --zones``: zone labels on the new nodes, and the plan checked by the scheduler.

With zones, new node k of a shape is ``<shape>-k`` in zone ``zones[(k-1) mod len]`` and
the plan is podfit's scheduler run on those nodes, so zone spreading (``DoNotSchedule``,
``maxSkew``, ``minDomains``) and zone or hostname pod (anti-)affinity decide the node
count. Every plan here is checked again by scheduling the pods on the planned nodes
built from the answer alone (their names and zones): nothing stays Pending. Without
zones nothing changes (same document, same warning).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient

from podfit import schedule
from podfit.cli import main
from podfit.errors import ConfigError
from podfit.manifests import load_objects
from podfit.nodes import Node
from podfit.planning.nodes_needed import NodeShape, ShapePlan, nodes_needed
from podfit.planning.zones import REGION_LABEL, ZONE_LABEL, check_zones, new_node_labels
from podfit.pods import Pod

HOSTNAME = "kubernetes.io/hostname"
BIG = {"name": "big", "allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}


def deployment(
    name: str,
    replicas: int,
    *,
    spread: list[dict[str, Any]] | None = None,
    anti_key: str | None = None,
) -> dict[str, Any]:
    """A Deployment of 500m pods labelled ``app: <name>``, with ``spread`` constraints and
    required anti-affinity against its own pods on ``anti_key`` when given."""
    spec: dict[str, Any] = {
        "containers": [{"name": "c", "resources": {"requests": {"cpu": "500m"}}}]
    }
    if spread:
        spec["topologySpreadConstraints"] = spread
    if anti_key:
        spec["affinity"] = {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"app": name}}, "topologyKey": anti_key}
                ]
            }
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


def zone_spread(app: str, min_domains: int | None = None) -> list[dict[str, Any]]:
    """maxSkew 1 over zones, DoNotSchedule, optionally minDomains."""
    constraint: dict[str, Any] = {
        "maxSkew": 1,
        "topologyKey": ZONE_LABEL,
        "whenUnsatisfiable": "DoNotSchedule",
        "labelSelector": {"matchLabels": {"app": app}},
    }
    if min_domains is not None:
        constraint["minDomains"] = min_domains
    return [constraint]


def node_doc(name: str, cpu: str = "8", zone: str | None = None) -> dict[str, Any]:
    labels = {HOSTNAME: name, **({ZONE_LABEL: zone} if zone else {})}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "status": {"allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}},
    }


def shape() -> NodeShape:
    return NodeShape("big", load_objects([node_doc("big")]).nodes[0])


def planned_nodes(plan: ShapePlan) -> list[Node]:
    """The plan's new nodes built from its document alone: name, hostname, zone."""
    docs = [node_doc(p["node"], zone=p["zone"]) for p in plan.to_dict()["placement"]]
    return load_objects(docs).nodes


def pending_after(pods: list[Pod], nodes: list[Node]) -> int:
    return sum(1 for o in schedule(pods, nodes).pods if o.phase == "Pending")


def test_zone_spreading_with_min_domains_three_needs_nodes_in_three_zones() -> None:
    """6 replicas fit one 8-cpu node by resources, but maxSkew 1 over zones with
    minDomains 3 allows at most one pod per zone until 3 zones exist (the global minimum
    counts as 0 while fewer domains exist): with zones a, b, c the plan is 3 nodes, one
    per zone, 2 replicas each — and the scheduler places all 6 on exactly those nodes,
    but not on the first two (zones a and b only)."""
    pods = load_objects([deployment("db", 6, spread=zone_spread("db", 3))]).pods
    plan = nodes_needed(pods, [shape()], zones=("a", "b", "c"))
    best = plan.plans[0]
    placement = best.to_dict()["placement"]
    assert [(p["node"], p["zone"], p["pods"]) for p in placement] == [
        ("big-1", "a", {"Deployment/db": 2}),
        ("big-2", "b", {"Deployment/db": 2}),
        ("big-3", "c", {"Deployment/db": 2}),
    ]
    assert best.complete
    assert plan.warnings == []
    nodes = planned_nodes(best)
    assert pending_after(pods, nodes) == 0
    assert pending_after(pods, nodes[:2]) == 4


def test_too_few_zones_for_min_domains_leave_pods_pending_with_the_schedulers_message() -> None:
    """Two zones for minDomains 3: one pod per zone, whatever the node count; the plan is
    incomplete, stops after a round of zones that placed nothing more, and says why in
    the scheduler's words."""
    pods = load_objects([deployment("db", 6, spread=zone_spread("db", 3))]).pods
    plan = nodes_needed(pods, [shape()], zones=("a", "b"))
    best = plan.plans[0]
    assert not best.complete
    assert best.nodes == 2
    assert dict(best.packing.unplaced) == {"Deployment/db": 4}
    (note,) = best.packing.notes
    assert note.startswith("Deployment/db: 4 pods stay Pending with 2 new nodes in zones a, b:")
    assert "didn't match pod topology spread constraints" in note


def test_without_zones_spreading_is_warned_as_before() -> None:
    """No zones: the packer's one node, no zone in the placement, the warning kept."""
    pods = load_objects([deployment("db", 6, spread=zone_spread("db", 3))]).pods
    plan = nodes_needed(pods, [shape()])
    doc = plan.to_dict()
    assert "zones" not in doc
    assert doc["shapes"][0]["placement"] == [
        {"node": "big-1", "pods": {"Deployment/db": 6}, "requested": {"cpu": "3", "pods": "6"}}
    ]
    assert len(plan.warnings) == 1
    assert "topologySpreadConstraints is not honoured" in plan.warnings[0]


@pytest.mark.parametrize("zones", [("a",), ("a", "b", "c")])
def test_hostname_anti_affinity_with_zones_is_one_replica_per_node(
    zones: tuple[str, ...],
) -> None:
    """Required anti-affinity on the hostname: 5 replicas, 5 nodes, one each, zones in
    turn."""
    pods = load_objects([deployment("web", 5, anti_key=HOSTNAME)]).pods
    best = nodes_needed(pods, [shape()], zones=zones).plans[0]
    placement = best.to_dict()["placement"]
    assert [p["pods"] for p in placement] == [{"Deployment/web": 1}] * 5
    assert [p["zone"] for p in placement] == [zones[k % len(zones)] for k in range(5)]
    assert pending_after(pods, planned_nodes(best)) == 0


def test_zone_anti_affinity_allows_one_replica_per_zone() -> None:
    """Required anti-affinity on the zone: one replica per zone; the fourth of 4 replicas
    stays Pending with 3 zones, however many nodes are added."""
    pods = load_objects([deployment("web", 4, anti_key=ZONE_LABEL)]).pods
    best = nodes_needed(pods, [shape()], zones=("a", "b", "c")).plans[0]
    assert best.nodes == 3
    assert dict(best.packing.unplaced) == {"Deployment/web": 1}
    assert "didn't match pod anti-affinity rules" in best.packing.notes[0]


def test_existing_nodes_count_in_their_zones() -> None:
    """An existing node in zone a (room for one pod) holds 1 replica; maxSkew 1 over zones
    with minDomains 2 keeps the 4 others out of zone a until a second zone exists. With
    zones a, b the plan places the 3 left so that zones a (existing pod included) and b
    differ by at most one pod, and the scheduler places all of them on those nodes."""
    existing = node_doc("old", cpu="500m", zone="a")
    workload = load_objects([deployment("db", 4, spread=zone_spread("db", 2)), existing])
    plan = nodes_needed(workload.pods, [shape()], existing_nodes=workload.nodes, zones=("a", "b"))
    assert plan.scheduled_on_existing == 1
    best = plan.plans[0]
    assert best.complete
    per_zone = {"a": 1, "b": 0}
    for p in best.to_dict()["placement"]:
        per_zone[p["zone"]] += sum(p["pods"].values())
    assert sum(per_zone.values()) == 4
    assert abs(per_zone["a"] - per_zone["b"]) <= 1
    assert pending_after(workload.pods, [*workload.nodes, *planned_nodes(best)]) == 0


def test_new_node_labels_hostname_zone_and_region() -> None:
    """The hostname is the node's name and the zone the given one (replacing the shape's);
    the region is added only where the shape has none."""
    labels = new_node_labels({ZONE_LABEL: "x", "pool": "p"}, "big-2", "b", "eu-west-1")
    assert labels == {ZONE_LABEL: "b", "pool": "p", HOSTNAME: "big-2", REGION_LABEL: "eu-west-1"}
    own = new_node_labels({REGION_LABEL: "r"}, "big-1", "a", "eu-west-1")
    assert own[REGION_LABEL] == "r"


@pytest.mark.parametrize(
    ("zones", "path", "text"),
    [
        (["a", ""], "zones[1]", "must not be empty"),
        (["a", "b", "a"], "zones[2]", 'zone "a" is given twice'),
        (["a b"], "zones[0]", '"a b"'),
        (["z" * 64], "zones[0]", "63"),
    ],
)
def test_bad_zones_are_named(zones: list[str], path: str, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_zones(zones)
    assert info.value.errors[0].path == path
    assert text in info.value.errors[0].message


# --- edges: CLI and HTTP ------------------------------------------------------------------


@pytest.fixture
def workload_file(tmp_path: Path) -> Path:
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(deployment("db", 6, spread=zone_spread("db", 3))))
    return path


def test_cli_zones_equal_the_api_document(workload_file: Path, client: FlaskClient) -> None:
    """``--zones a,b,c`` and the body's ``zones`` give the same NodesPlan."""
    result = CliRunner().invoke(
        main,
        [
            *("plan", "nodes", "-f", str(workload_file)),
            *("-s", "big:cpu=8,memory=16Gi,pods=110", "--zones", "a,b,c", "-o", "json"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    cli = json.loads(result.output)
    body = {"pods": [yaml.safe_load(workload_file.read_text())], "shapes": [BIG]}
    api = client.post("/v1/plan/nodes", json={**body, "zones": ["a", "b", "c"]})
    assert api.status_code == 200, api.json
    assert api.json == cli
    assert cli["zones"] == ["a", "b", "c"]
    assert cli["summary"]["best"] == {"shape": "big", "nodes": 3}


def test_empty_zones_in_the_body_change_nothing(workload_file: Path, client: FlaskClient) -> None:
    """``"zones": []`` is the same request as no zones at all, byte for byte."""
    body = {"pods": [yaml.safe_load(workload_file.read_text())], "shapes": [BIG]}
    without = client.post("/v1/plan/nodes", json=body)
    empty = client.post("/v1/plan/nodes", json={**body, "zones": []})
    assert without.status_code == empty.status_code == 200
    assert without.get_data() == empty.get_data()


@pytest.mark.parametrize(
    ("value", "path"), [("a,,c", "--zones[1]"), ("a,b,a", "--zones[2]"), ("a,b/c", "--zones[1]")]
)
def test_cli_bad_zones_exit_non_zero_naming_the_entry(
    workload_file: Path, value: str, path: str
) -> None:
    result = CliRunner().invoke(
        main, ["plan", "nodes", "-f", str(workload_file), "-s", "aws/m5.large", "--zones", value]
    )
    assert result.exit_code != 0
    assert path in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("zones", "path"), [(["a", ""], "zones[1]"), (["a", "a"], "zones[1]"), ([1], "zones[0]")]
)
def test_api_bad_zones_are_a_problem_naming_the_entry(
    client: FlaskClient, zones: list[Any], path: str
) -> None:
    response = client.post(
        "/v1/plan/nodes", json={"pods": [deployment("db", 1)], "shapes": [BIG], "zones": zones}
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["errors"][0]["path"] == path


def test_the_cheapest_mix_with_zones_is_refused(client: FlaskClient) -> None:
    """The mix is packed as bins: with zones it is refused by name, not answered wrongly."""
    shape = {**BIG, "price": "1"}
    response = client.post(
        "/v1/plan/nodes",
        json={"pods": [deployment("db", 1)], "shapes": [shape], "zones": ["a"], "mix": True},
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == "mix"


# --- plan consolidate --zones ------------------------------------------------------------


def _replica(name: str, node: str) -> dict[str, Any]:
    """A running pod of ReplicaSet web-rs on ``node``: zone spreading maxSkew 1 with
    minDomains 2 (so one zone alone holds at most one replica)."""
    spec = deployment("web", 1, spread=zone_spread("web", 2))["spec"]["template"]["spec"]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "labels": {"app": "web"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": "web-rs",
                    "controller": True,
                }
            ],
        },
        "spec": {**spec, "nodeName": node},
        "status": {"phase": "Running"},
    }


def _priced_node(name: str, zone: str) -> dict[str, Any]:
    doc = node_doc(name, cpu="4", zone=zone)
    doc["metadata"]["labels"]["node.kubernetes.io/instance-type"] = "big"
    return doc


def test_consolidate_places_a_replacement_in_the_zone_spreading_needs() -> None:
    """Two expensive nodes in zones a and b, one replica each, minDomains 2. Without zones
    a cheaper replacement has no zone label, so the replica cannot use it and both nodes
    stay; with zones a, b each node is replaced by a cheap one in its own zone (zone a is
    tried first and fails for the second, as zone a alone would hold both replicas)."""
    from podfit.planning.catalog import shape_from_text
    from podfit.planning.consolidate import consolidate, pod_facts

    docs = [
        _priced_node("na", "a"),
        _priced_node("nb", "b"),
        _replica("web-1", "na"),
        _replica("web-2", "nb"),
    ]
    workload = load_objects(docs)
    shapes = [
        shape_from_text(s, "-s") for s in ("big:cpu=4,pods=110@1", "small:cpu=1,pods=110@0.1")
    ]
    plain = consolidate(workload, shapes, pod_facts(docs))
    assert plain.removed == []
    zoned = consolidate(workload, shapes, pod_facts(docs), zones=("a", "b"))
    assert [(n, a) for n, a, _ in zoned.removed] == [("na", "replace"), ("nb", "replace")]
    assert zoned.to_dict()["addedNodeZones"] == {"small-new-1": "a", "small-new-2": "b"}
    assert "addedNodeZones" not in plain.to_dict()


def _selecting(labels: dict[str, str], replicas: int = 2) -> dict[str, Any]:
    doc = deployment("pinned", replicas)
    doc["spec"]["template"]["spec"]["nodeSelector"] = labels
    return doc


def test_a_pod_selecting_a_zone_goes_to_a_new_node_in_that_zone() -> None:
    """Without zones no new node has the zone label: the group is unplaceable. With zones
    a, b its pods go to a node in zone b (big-2; big-1 in zone a stays empty and is
    dropped)."""
    pods = load_objects([_selecting({ZONE_LABEL: "b"})]).pods
    plain = nodes_needed(pods, [shape()]).plans[0]
    assert "Deployment/pinned" in plain.unplaceable
    zoned = nodes_needed(pods, [shape()], zones=("a", "b")).plans[0]
    assert zoned.complete
    assert [(p["node"], p["zone"], p["pods"]) for p in zoned.to_dict()["placement"]] == [
        ("big-2", "b", {"Deployment/pinned": 2})
    ]


def test_the_region_label_comes_from_the_pricing_region(tmp_path: Path) -> None:
    """With zones, new nodes carry the region the shapes were priced in — ``--region``, or
    the only region of ``--price-catalog`` — so a pod selecting that region fits them."""
    workload = tmp_path / "w.yaml"
    workload.write_text(yaml.safe_dump(_selecting({REGION_LABEL: "lab-1"})))
    catalog = tmp_path / "prices.tsv"
    catalog.write_text("shape\tregion\tprice\nbig\tlab-1\t0.5\n")
    args = ["plan", "nodes", "-f", str(workload), "-s", "big:cpu=8,memory=16Gi,pods=110"]
    args += ["--price-catalog", str(catalog), "-o", "json"]
    for zones, complete in (("a", True), (None, False)):
        extra = ["--zones", zones] if zones else []
        result = CliRunner().invoke(main, args + extra, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["shapes"][0]["complete"] is complete
