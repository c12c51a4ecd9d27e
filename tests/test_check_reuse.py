"""A check variant reuses its base placement for the pods the removal does not touch: it
must give exactly what ``plan drain`` (``what_if``) gives draining the same node from
scratch — same Pending pods with the same FailedScheduling messages, the evicted pods
on the same nodes. Seeded random clusters, every node of each in turn."""

from __future__ import annotations

import random

import pytest

from podfit.check.engine import Base, ClusterInput
from podfit.check.policy import Scenario
from podfit.nodes import Node, Taint
from podfit.planning.whatif import what_if
from podfit.pods import Container, Pod, Toleration, replicas
from podfit.quantity import parse_quantity as q
from podfit.scheduler.result import PENDING
from podfit.topology import PodAffinity, WeightedAffinityTerm, affinity_term, label_selector


def random_cluster(seed: int, topology: bool = False) -> ClusterInput:
    """Nodes of a few shapes (some tainted, labelled by zone) and Deployment-owned pods of
    a few templates (priorities, node selectors, tolerations), some bound already, plus a
    small DaemonSet; sized so that some variants leave pods Pending. With ``topology`` the
    pods carry their ReplicaSet's labels and selector (kube-scheduler's default spreading),
    some templates preferred or required hostname anti-affinity, and some bound pods are
    terminating (spreading skips them, affinity counts them)."""
    rng = random.Random(seed)
    nodes = []
    for i in range(rng.randint(3, 9)):
        cpu = rng.choice(["2", "4", "8"])
        mem = rng.choice(["4Gi", "8Gi", "16Gi"])
        alloc = {"cpu": q(cpu), "memory": q(mem), "pods": q(str(rng.choice([8, 110])))}
        taints = (Taint("dedicated", "batch", "NoSchedule"),) if rng.random() < 0.2 else ()
        labels = {"topology.kubernetes.io/zone": f"z{i % 3}", "disk": rng.choice(["ssd", "hdd"])}
        if topology:
            labels["kubernetes.io/hostname"] = f"n{i}"
        nodes.append(Node(f"n{i}", alloc, alloc, labels=labels, taints=taints))
    pods: list[Pod] = []
    for t in range(rng.randint(2, 6)):
        container = Container(
            "c",
            {
                "cpu": q(rng.choice(["100m", "250m", "500m", "1", "1500m"])),
                "memory": q(rng.choice(["128Mi", "512Mi", "1Gi", "2Gi"])),
            },
        )
        own = {"app": f"app{t}", "pod-template-hash": "5d4f"}
        anti = None
        if topology and rng.random() < 0.4:
            term = affinity_term(
                "default", "kubernetes.io/hostname", label_selector({"app": f"app{t}"})
            )
            anti = (
                PodAffinity(required_anti=(term,))
                if rng.random() < 0.5
                else PodAffinity(preferred_anti=(WeightedAffinityTerm(rng.randint(1, 100), term),))
            )
        template = Pod(
            f"app{t}",
            labels=own if topology else {},
            owner_selector=label_selector(own) if topology else None,
            pod_affinity=anti,
            owner=f"Deployment/app{t}",
            containers=(container,),
            priority=rng.choice([0, 0, 100, 1000]),
            node_selector={"disk": "ssd"} if rng.random() < 0.25 else {},
            tolerations=(Toleration("dedicated", "Equal", "batch", "NoSchedule"),)
            if rng.random() < 0.3
            else (),
        )
        pods.extend(replicas(template, [f"app{t}-{i}" for i in range(rng.randint(1, 12))]))
    # some pods already running (kubectl get pods), on a random node
    for k, p in enumerate(pods):
        if rng.random() < 0.15:
            pods[k] = Pod(
                p.name,
                owner=p.owner,
                labels=p.labels,
                owner_selector=p.owner_selector,
                pod_affinity=p.pod_affinity,
                terminating=topology and rng.random() < 0.3,
                containers=p.containers,
                priority=p.priority,
                node_name=rng.choice(nodes).name,
                phase="Running",
            )
    agent = Pod(
        "agent",
        owner="DaemonSet/agent",
        containers=(Container("c", {"cpu": q("10m"), "memory": q("16Mi")}),),
        daemonset="agent",
    )
    return ClusterInput("", pods, nodes, [agent])


@pytest.mark.parametrize("topology", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_every_node_variant_equals_a_from_scratch_drain(seed: int, topology: bool) -> None:
    """With ``topology``: Deployments with default spreading and hostname anti-affinity,
    whose answers depend on every node's pods (PodTopologySpread, InterPodAffinity)."""
    cluster = random_cluster(seed, topology)
    base = Base(cluster, None)
    scenario = Scenario("lose-any-node", remove="anyNode")
    for node in cluster.nodes:
        drain = base.drain([node.name])
        entry = base.variant(scenario, f"node/{node.name}", [node.name])
        [reference] = what_if(
            cluster.pods, cluster.nodes, daemonsets=cluster.daemonsets, drain=[node.name]
        ).scenarios
        drained = set(drain.drained)  # what_if lists the evicted pods only
        mine_pending = [
            (p["namespace"], p["name"], p["owner"], p["message"])
            for p in entry["pending"]
            if f"{p['namespace']}/{p['name']}" in drained
        ]
        theirs_pending = [
            (p["namespace"], p["name"], p["owner"], p["message"]) for p in reference.pending
        ]
        assert mine_pending == theirs_pending, (seed, node.name)
        evicted = {f"{o.pod.namespace}/{o.pod.name}" for o in drain.result.pods}
        moved = {
            f"{o.pod.namespace}/{o.pod.name}": o.node
            for o in drain.result.pods
            if o.scheduled and o.phase != PENDING
        }
        assert moved == {k: v for k, v in reference.rescheduled.items() if k in evicted}
        assert entry["evicted"] == reference.evicted


def test_the_random_clusters_exercise_pending_and_placed_variants() -> None:
    """The comparison above is not vacuous: across the seeds, variants both leave pods
    Pending and reschedule evicted pods."""
    pending = moved = 0
    for seed in range(12):
        cluster = random_cluster(seed)
        base = Base(cluster, None)
        for node in cluster.nodes:
            drain = base.drain([node.name])
            pending += sum(1 for o in drain.result.pods if o.phase == PENDING)
            moved += sum(1 for o in drain.result.pods if o.scheduled)
    assert pending > 10 and moved > 10


def test_the_topology_clusters_exercise_spreading_and_anti_affinity() -> None:
    """The topology variant of the comparison is not vacuous either: drains move pods and
    leave some Pending because of their hostname anti-affinity (answers that read other
    nodes' pods, which a variant's copied nodes must carry)."""
    moved = repelled = 0
    for seed in range(12):
        cluster = random_cluster(seed, topology=True)
        base = Base(cluster, None)
        for node in cluster.nodes:
            drain = base.drain([node.name])
            moved += sum(1 for o in drain.result.pods if o.scheduled and o.phase != PENDING)
            repelled += sum(
                1
                for o in drain.result.pods
                if o.phase == PENDING and "anti-affinity" in str(o.condition)
            )
    assert moved > 10 and repelled > 0
