"""Pod anti-affinity in every plan, not only in ``podfit schedule``.

A Helm-chart style Deployment with required ``podAntiAffinity`` on
``kubernetes.io/hostname`` against its own pods wants one replica per node:

* ``plan nodes`` needs N new nodes for N such replicas (its packer puts at most one of
  them on a new node; every answer is checked by scheduling the pending pods on the
  planned nodes with podfit's own scheduler: nothing stays Pending);
* ``plan fit`` adds as many replicas as there are nodes without one;
* ``plan drain`` leaves the drained node's replica Pending when every other node has one.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from podfit import schedule
from podfit.manifests import load_objects
from podfit.nodes import Node
from podfit.planning.fit import how_many_fit
from podfit.planning.nodes_needed import NodeShape, ShapePlan, nodes_needed
from podfit.planning.whatif import what_if
from podfit.pods import Pod

HOSTNAME = "kubernetes.io/hostname"
ANTI_REASON = "didn't match pod anti-affinity rules"


def term(app: str, key: str = HOSTNAME) -> dict[str, Any]:
    return {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}


def deployment(
    name: str,
    replicas: int,
    cpu: str = "500m",
    anti: list[dict[str, Any]] | None = None,
    spread: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A Deployment whose pods are labelled ``app: <name>``, with required anti-affinity
    ``anti`` and topology spread constraints ``spread`` when given."""
    spec: dict[str, Any] = {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]}
    if anti:
        spec["affinity"] = {
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": anti}
        }
    if spread:
        spec["topologySpreadConstraints"] = spread
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }  # fmt: skip


def node(name: str, cpu: str = "4", labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A node as the kubelet registers it: its ``kubernetes.io/hostname`` label is its name."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {HOSTNAME: name, **(labels or {})}},
        "status": {"allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}},
    }


def helm_web(replicas: int, cpu: str = "500m") -> dict[str, Any]:
    """The chart's Deployment: one replica per node (required hostname anti-affinity)."""
    return deployment("web", replicas, cpu, anti=[term("web")])


def shape(name: str = "big", cpu: str = "8") -> NodeShape:
    return NodeShape(name, load_objects([node(name, cpu)]).nodes[0])


def planned_nodes(plan: ShapePlan) -> list[Node]:
    """The plan's new nodes as podfit's scheduler gets them: named as the placement names
    them, each with that name as its hostname label (docs/planning.md)."""
    nodes = []
    for entry in plan.to_dict()["placement"]:
        doc = node(entry["node"])
        doc["status"] = {"allocatable": dict(plan.shape.node.allocatable)}
        doc["status"]["allocatable"] = {k: str(v) for k, v in doc["status"]["allocatable"].items()}
        nodes.append(load_objects([doc]).nodes[0])
    return nodes


def pending_after(pods: list[Pod], nodes: list[Node]) -> list[str]:
    """The pods podfit's own scheduler leaves Pending on ``nodes``."""
    result = schedule(pods, nodes)
    return [o.pod.name for o in result.pods if o.phase == "Pending"]


# --- plan nodes ---------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["podfit", "ffd", "exact"])
@pytest.mark.parametrize("replicas", [1, 4, 7])
def test_plan_nodes_needs_one_node_per_replica_with_hostname_anti_affinity(
    algorithm: str, replicas: int
) -> None:
    """8 cpus hold 16 replicas of 500m by resources, but each replica wants its own host:
    N replicas need N nodes, and the scheduler places them all on those N (none Pending)
    but not on N - 1."""
    pods = load_objects([helm_web(replicas)]).pods
    plan = nodes_needed(pods, [shape()], algorithm=algorithm)
    best = plan.plans[0]
    assert best.nodes == replicas
    assert best.lower_bound == replicas
    assert plan.warnings == []
    nodes = planned_nodes(best)
    assert pending_after(pods, nodes) == []
    assert len(pending_after(pods, nodes[:-1])) == 1


def test_plan_nodes_lets_other_pods_share_the_anti_affinity_replicas_nodes() -> None:
    """The anti-affinity keeps web's replicas apart, not other pods: 3 web replicas and
    9 api pods (no constraint) need 3 nodes of 8 cpus (each: 1 web + 3 api = 7 cpus), and
    the scheduler finds room for all of them there."""
    workload = load_objects([helm_web(3, "1"), deployment("api", 9, "2")])
    plan = nodes_needed(workload.pods, [shape()])
    best = plan.plans[0]
    assert best.nodes == 3
    assert plan.warnings == []
    placement = best.to_dict()["placement"]
    assert all(entry["pods"].get("Deployment/web", 0) <= 1 for entry in placement)
    assert pending_after(workload.pods, planned_nodes(best)) == []


def test_plan_nodes_counts_existing_nodes_as_taken_hosts_first() -> None:
    """Two existing nodes take two replicas (the scheduler decides there); the other
    three need three new nodes."""
    workload = load_objects([helm_web(5), node("a"), node("b")])
    plan = nodes_needed(workload.pods, [shape()], existing_nodes=workload.nodes)
    assert plan.scheduled_on_existing == 2
    best = plan.plans[0]
    assert best.nodes == 3
    assert pending_after(workload.pods, [*workload.nodes, *planned_nodes(best)]) == []


def test_plan_nodes_warns_of_anti_affinity_against_another_groups_pods() -> None:
    """web's term also matches the api pods: the packer cannot keep web away from api on
    a new node (it only knows "one of the group per node"), so it says so."""
    api_term = {"labelSelector": {"matchExpressions": [
        {"key": "app", "operator": "In", "values": ["web", "api"]}
    ]}, "topologyKey": HOSTNAME}  # fmt: skip
    workload = load_objects([deployment("web", 2, anti=[api_term]), deployment("api", 2)])
    plan = nodes_needed(workload.pods, [shape()])
    assert plan.warnings == [
        "default/Deployment/web: podAntiAffinity is not honoured on the new nodes of plan "
        "nodes (kube-scheduler's InterPodAffinity may need more nodes or put the pods "
        "elsewhere)",
        "default/Deployment/api: podAntiAffinity is not honoured on the new nodes of plan "
        "nodes (kube-scheduler's InterPodAffinity may need more nodes or put the pods "
        "elsewhere)",
    ]


def test_plan_nodes_warns_of_a_zone_anti_affinity_and_a_zone_spread() -> None:
    """Anti-affinity on the zone and spreading over zones are not what the packer of new
    nodes honours: each is warned, none silently ignored."""
    spread = [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
               "whenUnsatisfiable": "DoNotSchedule", "minDomains": 3,
               "labelSelector": {"matchLabels": {"app": "db"}}}]  # fmt: skip
    workload = load_objects(
        [
            deployment("cache", 2, anti=[term("cache", "topology.kubernetes.io/zone")]),
            deployment("db", 3, spread=spread),
        ]
    )
    warnings = nodes_needed(workload.pods, [shape()]).warnings
    assert [w.split(":")[0] for w in warnings] == [
        "default/Deployment/cache",
        "default/Deployment/db",
    ]
    assert "podAntiAffinity is not honoured" in warnings[0]
    assert "topologySpreadConstraints is not honoured" in warnings[1]


# --- plan fit -------------------------------------------------------------------------------


def test_plan_fit_adds_one_replica_per_free_node() -> None:
    """One replica already runs (on one of 4 nodes): 3 more fit, one on each other node,
    and the next one's reason is the anti-affinity."""
    cluster = load_objects([helm_web(1), *(node(n) for n in "abcd")])
    report = how_many_fit(cluster.pods[:1], cluster.pods, cluster.nodes)
    fit = report.templates[0]
    assert fit.replicas == 3
    assert set(fit.per_node.values()) == {1}
    assert ANTI_REASON in fit.stop_reason
    assert report.warnings == []


def test_plan_fit_replicas_of_an_anti_affinity_template_without_running_pods() -> None:
    """No replica runs yet: as many fit as there are nodes (5)."""
    cluster = load_objects([node(n) for n in "abcde"])
    template = load_objects([helm_web(1)]).pods
    assert how_many_fit(template, cluster.pods, cluster.nodes).total == 5


# --- plan drain -----------------------------------------------------------------------------


def test_plan_drain_leaves_the_replica_pending_when_no_other_node_is_free() -> None:
    """3 replicas on 3 nodes, one each: draining a node evicts its replica, and the two
    other nodes already have one; it stays Pending with the scheduler's anti-affinity
    reason, and one new node (a copy of the drained one) takes it."""
    workload = load_objects([helm_web(3), *(node(n) for n in "abc")])
    report = what_if(workload.pods, workload.nodes, drain=["a"])
    scenario = report.scenarios[0]
    assert scenario.evicted == 1
    assert [p["owner"] for p in scenario.pending] == ["Deployment/web"]
    assert ANTI_REASON in scenario.pending[0]["message"]
    assert scenario.plan is not None and scenario.plan.nodes == 1
    assert report.warnings == []


def test_plan_drain_moves_the_replica_to_a_free_node() -> None:
    """With a fourth node free the evicted replica goes there."""
    workload = load_objects([helm_web(3), *(node(n) for n in "abcd")])
    scenario = what_if(workload.pods, workload.nodes, drain=["a"]).scenarios[0]
    assert scenario.pending == []
    assert list(scenario.rescheduled.values()) == ["d"]


# --- the HTTP API: the same answers ----------------------------------------------------------


def test_api_plans_model_the_anti_affinity(client: FlaskClient) -> None:
    nodes = [node(n) for n in "abc"]
    fit = client.post(
        "/v1/plan/fit", json={"pods": [helm_web(1)], "nodes": nodes, "templates": [helm_web(1)]}
    )
    assert fit.status_code == 200, fit.json
    assert fit.json["summary"]["replicas"] == 2
    drain = client.post(
        "/v1/plan/drain", json={"pods": [helm_web(3)], "nodes": nodes, "drain": ["a"]}
    )
    assert drain.status_code == 200, drain.json
    assert len(drain.json["scenarios"][0]["pending"]) == 1
    big = {"name": "big", "allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"}}
    planned = client.post("/v1/plan/nodes", json={"pods": [helm_web(4)], "shapes": [big]})
    assert planned.status_code == 200, planned.json
    assert planned.json["summary"]["best"] == {"shape": "big", "nodes": 4}
