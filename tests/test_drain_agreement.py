"""``plan drain`` (``what_if``) and ``podfit check``'s removal variants drain nodes with the
same ``kubectl drain`` rule (``podfit.planning.drain``): on seeded random clusters with
bare pods, static pods, terminating pods, a DaemonSet and PodDisruptionBudgets (and
Services selecting the pods: default topology spreading), draining
any one node, a zone, or two nodes gives the same Pending pods with the same
FailedScheduling messages, the same lost (bare) pods, the same PDB findings and the same
evicted count, whichever of the two computed it."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient
from markupsafe import escape

from podfit.check.engine import Base, ClusterInput
from podfit.check.policy import Scenario
from podfit.cli import main
from podfit.manifests.objects import LabelSelector, PodDisruptionBudget, Service
from podfit.nodes import Node
from podfit.planning.whatif import what_if
from podfit.pods import Container, Pod, replicas
from podfit.quantity import parse_quantity as q

ZONE = "topology.kubernetes.io/zone"


def _container(rng: random.Random) -> Container:
    return Container(
        "c",
        {
            "cpu": q(rng.choice(["100m", "250m", "500m", "1", "1500m"])),
            "memory": q(rng.choice(["128Mi", "512Mi", "1Gi", "2Gi"])),
        },
    )


def random_cluster(seed: int, services: bool = False) -> ClusterInput:
    """A few nodes in three zones; Deployment pods labelled by app (some already running,
    some terminating); bare pods and static pods bound to random nodes; a DaemonSet; and
    a PDB per app with a random minAvailable / maxUnavailable (integer or percentage).
    Sized so that some drains leave pods Pending. With ``services``, a Service selects
    each app's pods (kube-scheduler's default topology spreading then scores them); the
    pods are the same either way."""
    rng = random.Random(seed)
    nodes = []
    for i in range(rng.randint(3, 8)):
        alloc = {
            "cpu": q(rng.choice(["2", "4", "8"])),
            "memory": q(rng.choice(["4Gi", "8Gi", "16Gi"])),
            "pods": q("110"),
        }
        nodes.append(Node(f"n{i}", alloc, alloc, labels={ZONE: f"z{i % 3}"}))
    pods: list[Pod] = []
    budgets: list[PodDisruptionBudget] = []
    for t in range(rng.randint(2, 5)):
        app = f"app{t}"
        template = Pod(
            app,
            owner=f"Deployment/{app}",
            labels={"app": app},
            containers=(_container(rng),),
            priority=rng.choice([0, 0, 100]),
        )
        pods.extend(replicas(template, [f"{app}-{i}" for i in range(rng.randint(1, 10))]))
        if rng.random() < 0.8:
            bound: dict[str, Any] = rng.choice(
                [
                    {"min_available": rng.randint(0, 4)},
                    {"min_available": f"{rng.choice([25, 50, 90])}%"},
                    {"max_unavailable": rng.randint(0, 2)},
                    {"max_unavailable": f"{rng.choice([10, 34, 50])}%"},
                ]
            )
            selector = LabelSelector((("app", app),), ())
            budgets.append(PodDisruptionBudget(f"pdb-{app}", "default", selector, **bound))
    for k, p in enumerate(pods):
        roll = rng.random()
        if roll < 0.3:  # running already; some of them being deleted
            pods[k] = Pod(
                p.name,
                owner=p.owner,
                labels=p.labels,
                containers=p.containers,
                priority=p.priority,
                node_name=rng.choice(nodes).name,
                phase="Running",
                terminating=rng.random() < 0.2,
            )
    for b in range(rng.randint(1, 4)):  # bare pods: no controller recreates them
        pods.append(
            Pod(
                f"bare-{b}",
                labels={"app": rng.choice(["app0", "app1", "solo"])},
                containers=(_container(rng),),
                node_name=rng.choice(nodes).name,
                phase="Running",
            )
        )
    for node in rng.sample(nodes, k=min(2, len(nodes))):  # static (mirror) pods
        pods.append(
            Pod(
                f"etcd-{node.name}",
                namespace="kube-system",
                owner=f"Node/{node.name}",
                containers=(Container("c", {"cpu": q("100m"), "memory": q("64Mi")}),),
                node_name=node.name,
                phase="Running",
            )
        )
    rng.shuffle(pods)
    agent = Pod(
        "agent",
        owner="DaemonSet/agent",
        containers=(Container("c", {"cpu": q("10m"), "memory": q("16Mi")}),),
        daemonset="agent",
    )
    selecting = [
        Service(f"svc-{app}", "default", LabelSelector((("app", app),), ()))
        for app in sorted({p.labels["app"] for p in pods if p.owner and "app" in p.labels})
    ]
    return ClusterInput(
        "", pods, nodes, [agent], budgets=budgets, services=selecting if services else []
    )


def removals(cluster: ClusterInput) -> list[list[str]]:
    """Every node alone, every zone, and the first and last node together."""
    names = [n.name for n in cluster.nodes]
    zones = sorted({n.labels[ZONE] for n in cluster.nodes})
    by_zone = [[n.name for n in cluster.nodes if n.labels[ZONE] == z] for z in zones]
    return [[n] for n in names] + by_zone + [[names[0], names[-1]]]


def both(cluster: ClusterInput, base: Base, removed: list[str]) -> tuple[Any, dict[str, Any]]:
    """``plan drain``'s scenario and ``check``'s variant entry for one removal."""
    [scenario] = what_if(
        cluster.pods,
        cluster.nodes,
        daemonsets=cluster.daemonsets,
        disruption_budgets=cluster.budgets,
        services=cluster.services,
        namespaces=cluster.namespaces,
        controllers=cluster.controllers,
        drain=removed,
    ).scenarios
    entry = base.variant(Scenario("lose", remove={"nodes": removed}), "v", removed)
    return scenario, entry


@pytest.mark.parametrize("services", [False, True])
@pytest.mark.parametrize("seed", range(10))
def test_plan_drain_and_check_agree(seed: int, services: bool) -> None:
    """With or without Services selecting the pods (default topology spreading), check's
    variants see the scheduler inputs plan drain sees: same Pending pods and messages,
    same nodes for the rescheduled pods, same lost pods and PDB findings."""
    cluster = random_cluster(seed, services)
    base = Base(cluster, None)
    for removed in removals(cluster):
        scenario, entry = both(cluster, base, removed)
        drained = set(base.drain(removed).drained)  # plan drain lists the drained pods only
        mine = [
            (p["namespace"], p["name"], p["owner"], p["message"])
            for p in entry["pending"]
            if f"{p['namespace']}/{p['name']}" in drained
        ]
        theirs = [(p["namespace"], p["name"], p["owner"], p["message"]) for p in scenario.pending]
        assert theirs == mine, (seed, removed)
        lost = [v for v in entry["violations"] if v["type"] == "PodLost"]
        assert scenario.lost == lost, (seed, removed)
        budgets = [
            {"pdb": v["pdb"], "message": v["message"]}
            for v in entry["violations"]
            if v["type"] == "PodDisruptionBudget"
        ]
        assert scenario.budgets == budgets, (seed, removed)
        assert scenario.evicted == entry["evicted"], (seed, removed)
        assert not set(scenario.rescheduled) & {v["pod"] for v in lost}
        moved = {
            f"{o.pod.namespace}/{o.pod.name}": o.node
            for o in base.drain(removed).result.pods
            if f"{o.pod.namespace}/{o.pod.name}" in drained and o.node is not None and o.scheduled
        }
        assert scenario.rescheduled == moved, (seed, removed)


def test_services_change_where_the_random_clusters_pods_go() -> None:
    """The Services case above is not the plain one again: on some seed, default
    spreading puts a pod of the base run on another node than without Services."""

    def placement(cluster: ClusterInput) -> list[tuple[str, str | None]]:
        return [(o.pod.name, o.node) for o in Base(cluster, None).result.pods]

    assert any(
        placement(random_cluster(seed)) != placement(random_cluster(seed, services=True))
        for seed in range(10)
    )


def test_the_random_clusters_exercise_every_finding() -> None:
    """The agreement above is not vacuous: across the seeds, drains leave pods Pending,
    lose bare pods, violate budgets and also pass budgets that select drained pods."""
    pending = lost = violated = 0
    for seed in range(10):
        cluster = random_cluster(seed)
        base = Base(cluster, None)
        for removed in removals(cluster):
            scenario, _ = both(cluster, base, removed)
            pending += len(scenario.pending)
            lost += len(scenario.lost)
            violated += len(scenario.budgets)
    assert pending > 5 and lost > 5 and violated > 5, (pending, lost, violated)


def _pod(name: str, owner: str | None, node: str, cpu: str = "1") -> Pod:
    return Pod(
        name,
        owner=owner,
        labels={"app": "web"},
        containers=(Container("c", {"cpu": q(cpu), "memory": q("1Gi")}),),
        node_name=node,
        phase="Running",
    )


def _node(name: str) -> Node:
    alloc = {"cpu": q("4"), "memory": q("8Gi"), "pods": q("110")}
    return Node(name, alloc, alloc)


def test_a_drain_deletes_bare_pods_instead_of_recreating_them() -> None:
    """kubectl drain deletes a pod no controller owns (with --force) and nothing
    recreates it: plan drain reports it as lost — never Pending, never moved — while the
    controller-owned pod of the same node is recreated and rescheduled; the report says
    so in ``lost``, and both count as evicted."""
    pods = [_pod("owned", "ReplicaSet/web", "a"), _pod("bare", None, "a")]
    report = what_if(pods, [_node("a"), _node("b")], drain=["a"]).to_dict()
    [scenario] = report["scenarios"]
    assert scenario["movedTo"] == {"default/owned": "b"}
    assert scenario["pending"] == []
    assert scenario["evicted"] == 2
    assert scenario["lost"] == [
        {
            "type": "PodLost",
            "pod": "default/bare",
            "node": "a",
            "message": "pod default/bare on a has no controller: deleted by the drain, "
            "nothing recreates it",
        }
    ]
    assert "disruptionBudgets" not in scenario


def test_a_drain_the_budget_forbids_is_reported_and_an_allowed_one_is_not() -> None:
    """minAvailable 2 of 2 healthy allows no disruption: draining a node with one of the
    pods violates it; minAvailable 1 allows one, and the evicted pod comes back."""
    pods = [_pod("w-0", "ReplicaSet/web", "a"), _pod("w-1", "ReplicaSet/web", "b")]
    selector = LabelSelector((("app", "web"),), ())
    nodes = [_node("a"), _node("b")]
    strict = PodDisruptionBudget("web", "default", selector, min_available=2)
    report = what_if(pods, nodes, disruption_budgets=[strict], drain=["a"]).to_dict()
    [scenario] = report["scenarios"]
    assert scenario["disruptionBudgets"] == [
        {
            "pdb": "default/web",
            "message": "PodDisruptionBudget default/web: Cannot evict pod as it would violate "
            "the pod's disruption budget (evicting 1 selected pods, 0 of them not "
            "rescheduled, needs 1 disruptions; allowed 0: 2 healthy, desiredHealthy 2, "
            "expectedPods 2)",
        }
    ]
    loose = PodDisruptionBudget("web", "default", selector, min_available=1)
    report = what_if(pods, nodes, disruption_budgets=[loose], drain=["a"]).to_dict()
    [scenario] = report["scenarios"]
    assert "disruptionBudgets" not in scenario


DRAIN_INPUT = """
apiVersion: v1
kind: Node
metadata: {name: a}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
---
apiVersion: v1
kind: Node
metadata: {name: b}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
---
apiVersion: v1
kind: Pod
metadata:
  name: owned
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web, controller: true}]
spec: {nodeName: a, containers: [{name: c}]}
status: {phase: Running}
---
apiVersion: v1
kind: Pod
metadata: {name: bare, labels: {app: web}}
spec: {nodeName: a, containers: [{name: c}]}
status: {phase: Running}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 2, selector: {matchLabels: {app: web}}}
"""

LOST = "pod default/bare on a has no controller: deleted by the drain, nothing recreates it"


def test_the_cli_table_and_the_web_page_show_lost_pods_and_violated_budgets(
    tmp_path: Path, client: FlaskClient
) -> None:
    """Every face of plan drain says what the drain loses and which budget it breaks,
    with the messages of the DrainReport (the library's)."""
    path = tmp_path / "c.yaml"
    path.write_text(DRAIN_INPUT, encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", "drain", "-f", str(path), "--node", "a"])
    assert result.exit_code == 0, result.output
    assert f"drain a: lost default/bare: {LOST}\n" in result.output
    assert "drain a: PodDisruptionBudget default/web: Cannot evict pod" in result.output
    response = client.post(
        "/",
        data={"question": "drain-nodes", "drain_nodes": "a", "workloads": DRAIN_INPUT},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "drain a: 1 lost, 1 PodDisruptionBudget violated" in html
    assert str(escape(LOST)) in html
    assert "default/web: <code>PodDisruptionBudget default/web: Cannot evict pod" in html


AFFINITY_INPUT = """
apiVersion: v1
kind: Node
metadata: {name: a, labels: {kubernetes.io/hostname: a}}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
---
apiVersion: v1
kind: Node
metadata: {name: b, labels: {kubernetes.io/hostname: b}}
status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}
---
apiVersion: v1
kind: Namespace
metadata: {name: data, labels: {team: x}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
spec: {nodeName: a, containers: [{name: c}]}
status: {phase: Running}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, resources: {requests: {cpu: 100m}}}]
      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: db}}
            namespaceSelector: {matchLabels: {team: x}}
            topologyKey: kubernetes.io/hostname
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}}
"""


def test_check_reads_namespaces_and_services_on_every_face(
    tmp_path: Path, client: FlaskClient
) -> None:
    """The web pods need a db pod's node, found through a Namespace's labels (pod
    affinity's namespaceSelector): the check passes as-is only if the Namespaces reach
    the scheduler — in the CLI with one or two processes (the inputs pickle) and named
    clusters, and in the HTTP API — and losing node a leaves them Pending, as plan drain
    says. Pod affinity and default spreading are modelled, so neither is warned about."""
    path = tmp_path / "c.yaml"
    path.write_text(AFFINITY_INPUT, encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        args = ["check", "--cluster", f"prod={path}", "-o", "json", "--jobs", jobs]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 3, result.output
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    report = json.loads(outputs[0])
    verdicts = {v["name"]: v["passed"] for s in report["scenarios"] for v in s["variants"]}
    assert verdicts == {"all-nodes": True, "node/a": False, "node/b": True}, verdicts
    pending = {
        p["name"]: p["message"]
        for s in report["scenarios"]
        for v in s["variants"]
        if v["name"] == "node/a"
        for p in v["pending"]
    }
    drain = CliRunner().invoke(main, ["plan", "drain", "-f", str(path), "--node", "a"])
    assert drain.exit_code == 0, drain.output
    assert len(pending) == 2 and all(n.startswith("web-") for n in pending), pending
    for name, message in pending.items():
        assert f"default/{name}" in drain.output and message in drain.output, drain.output
    assert not any("not modelled" in w or "spreads the replicas" in w for w in report["warnings"])
    docs = list(yaml.safe_load_all(AFFINITY_INPUT))
    body = {
        "nodes": [d for d in docs if d["kind"] == "Node"],
        "pods": [d for d in docs if d["kind"] != "Node"],
    }
    response = client.post("/v1/check", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    http = response.json
    assert http is not None and http["passed"] is False
    assert {v["name"]: v["passed"] for s in http["scenarios"] for v in s["variants"]} == {
        "all-nodes": True,
        "node/a": False,
        "node/b": True,
    }
