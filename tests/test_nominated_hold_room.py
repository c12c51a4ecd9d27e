"""Nominated pods hold room (kube-scheduler's ``RunFilterPluginsWithNominatedPods``).

pkg/scheduler/framework/runtime/framework.go: while a pod nominated to a node
(``status.nominatedNodeName``) is Pending, another pod P is filtered on that node with
the nominated pods of priority ≥ P's (P itself excepted) added as if running there
(``addGENominatedPods``), and the node passes only if P fits with them and without them.
That holds in the normal cycle, on P's own nominated node and in preemption's victim
selection. A nomination lasts until the pod is bound, or until DefaultPreemption ran for
it and found no candidate (its result clears the nomination); a pod not eligible to
preempt keeps it, and a preemptor's nomination clears those of lower priority on its node.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from podfit import schedule
from podfit.manifests import load_objects
from podfit.scheduler.result import ScheduleResult


def node(name: str, cpu: str = "4") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
        "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}},
    }


def pod(
    name: str,
    cpu: str,
    priority: int = 0,
    *,
    node_name: str | None = None,
    nominated: str | None = None,
    never: bool = False,
    preempted: bool = False,
) -> dict[str, Any]:
    """A pod: Running on ``node_name`` when given, else Pending (nominated to
    ``nominated``). ``never``: preemptionPolicy Never. ``preempted``: terminating, with
    the scheduler's DisruptionTarget condition."""
    meta: dict[str, Any] = {"name": name, "namespace": "default"}
    spec: dict[str, Any] = {
        "priority": priority,
        "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}],
    }
    status: dict[str, Any] = {"phase": "Running" if node_name else "Pending"}
    if node_name:
        spec["nodeName"] = node_name
    if nominated:
        status["nominatedNodeName"] = nominated
    if never:
        spec["preemptionPolicy"] = "Never"
    if preempted:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        status["conditions"] = [
            {"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler"}
        ]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def run(*docs: dict[str, Any]) -> ScheduleResult:
    workload = load_objects(list(docs))
    return schedule(workload.pods, workload.nodes)


def entry(result: ScheduleResult, name: str) -> dict[str, Any]:
    return next(p for p in result.to_dict()["pods"] if p["name"] == name)


def test_a_later_pod_of_equal_priority_holds_its_nominated_node() -> None:
    """``q`` (queued after ``p``, same priority) is nominated to the empty n1, which has
    room for one of them: ``p`` is filtered there with ``q`` counted and goes to n2 (which
    scores lower); ``q`` then takes n1. Without the nomination ``p`` takes n1."""
    cluster = (node("n1"), node("n2"), pod("busy", "1", node_name="n2"))
    held = run(*cluster, pod("p", "3"), pod("q", "3", nominated="n1"))
    assert (entry(held, "p")["node"], entry(held, "q")["node"]) == ("n2", "n1")
    free = run(*cluster, pod("p", "3"), pod("q", "3"))
    assert (entry(free, "p")["node"], entry(free, "q")["node"]) == ("n1", "n2")


def test_a_nominated_pod_of_lower_priority_holds_nothing() -> None:
    """``q`` has a lower priority than ``p``: ``p`` takes n1 as if ``q`` were not there."""
    result = run(
        node("n1"),
        node("n2"),
        pod("busy", "1", node_name="n2"),
        pod("p", "3", 10),
        pod("q", "3", 0, nominated="n1"),
    )
    assert entry(result, "p")["node"] == "n1"


def test_a_pod_waiting_for_its_victim_keeps_holding_room() -> None:
    """``high`` is nominated to n1, where its victim is still terminating: not eligible to
    preempt, it stays Pending and keeps its nomination. ``low`` (lower priority, 500m)
    would fit n1's free 500m, but n1 is filtered with ``high``'s 1 cpu added:
    Insufficient cpu, and ``low`` stays Pending."""
    cluster = (
        node("n1", cpu="2"),
        node("n2", cpu="2"),
        pod("victim", "1500m", 0, node_name="n1", preempted=True),
        pod("top", "2", 1000, node_name="n2"),
    )
    result = run(
        *cluster, pod("high", "1", 100, nominated="n1"), pod("low", "500m", 50, never=True)
    )
    assert entry(result, "high")["phase"] == "Pending"
    low = entry(result, "low")
    assert low["phase"] == "Pending"
    assert "2 Insufficient cpu" in low["conditions"][0]["message"]
    alone = run(*cluster, pod("low", "500m", 50, never=True))
    assert entry(alone, "low")["node"] == "n1"


def test_a_failed_preemption_clears_the_nomination() -> None:
    """``high`` is nominated to n1 but fits nowhere, and no node holds a pod of lower
    priority: preemption finds no candidate and clears the nomination, so ``low`` takes
    n1's free 500m."""
    result = run(
        node("n1", cpu="2"),
        node("n2", cpu="2"),
        pod("top1", "1500m", 200, node_name="n1"),
        pod("top2", "2", 200, node_name="n2"),
        pod("high", "1", 100, nominated="n1"),
        pod("low", "500m", 50, never=True),
    )
    assert entry(result, "high")["phase"] == "Pending"
    assert entry(result, "low")["node"] == "n1"


def test_victim_selection_counts_the_nominated_pods() -> None:
    """``p`` (1 cpu) would fit n1 beside ``v`` (1 cpu of 2), but ``h`` — same priority,
    queued after it — is nominated to n1 with 500m: n1 fails with ``h`` counted, n2 is
    full of a higher-priority pod, and preemption evicts ``v`` so that ``p`` and ``h``
    both fit. Without the nomination ``p`` takes n1 as it is, and ``v`` is evicted later,
    by ``h``."""
    cluster = (
        node("n1", cpu="2"),
        node("n2", cpu="2"),
        pod("v", "1", 0, node_name="n1"),
        pod("top", "2", 1000, node_name="n2"),
    )
    result = run(*cluster, pod("p", "1", 50), pod("h", "500m", 50, nominated="n1"))
    assert entry(result, "v")["preemptedBy"] == "default/p"
    assert (entry(result, "p")["node"], entry(result, "h")["node"]) == ("n1", "n1")
    assert result.to_dict()["summary"]["preempted"] == 1
    plain = run(*cluster, pod("p", "1", 50), pod("h", "500m", 50))
    assert entry(plain, "v")["preemptedBy"] == "default/h"
    assert "nominatedNodeName" not in entry(plain, "p")


def test_a_nominated_pod_that_leaves_room_changes_nothing() -> None:
    """``q`` (500m, same priority, queued later) is nominated to n1, which keeps room for
    ``p`` beside it: every node passes or fails for ``p`` as without the nomination, so
    ``p`` lands where it would anyway (n1, the emptier node), and ``q`` joins it."""
    cluster = (node("n1"), node("n2"), pod("busy", "1", node_name="n2"))
    held = run(*cluster, pod("p", "1"), pod("q", "500m", nominated="n1"))
    free = run(*cluster, pod("p", "1"), pod("q", "500m"))
    assert entry(held, "p")["node"] == entry(free, "p")["node"] == "n1"
    assert entry(held, "q")["node"] == "n1"


def random_run(seed: int, explain: bool, topology: bool = False) -> list[tuple[object, ...]]:
    """A seeded random cluster with Pending pods nominated to random nodes (some missing
    from the input), mixed priorities and preemption policies, scheduled on the fast path
    (``explain`` False) or on the full scan everywhere (``explain`` True). ``topology``:
    nodes in three zones, and pods of three apps with system default spreading (as
    Deployment replicas), hard or soft spread constraints, or required anti-affinity."""
    from podfit.scheduler.config import make_config
    from podfit.scheduler.model import NodeInfo, PodInfo
    from podfit.scheduler.run import schedule_infos
    from podfit.topology import (
        PodAffinity,
        SpreadConstraint,
        affinity_term,
        label_selector,
    )

    rng = random.Random(seed)
    host, zone = "kubernetes.io/hostname", "topology.kubernetes.io/zone"
    nodes = [
        NodeInfo(
            f"n{i}",
            {"cpu": rng.choice([2000, 4000, 8000]), "memory": 8 << 30, "pods": 110},
            labels={host: f"n{i}", **({zone: f"z{i % 3}"} if topology else {})},
            index=i,
        )
        for i in range(8)
    ]
    pods = []
    for k in range(60):
        p = PodInfo(
            f"p{k}",
            requests={"cpu": rng.choice([250, 500, 1000, 1500, 3000]), "memory": 256 << 20},
            priority=rng.choice([0, 0, 50, 100]),
            preemption_policy="Never" if rng.random() < 0.3 else "PreemptLowerPriority",
            owner=rng.choice([None, "ReplicaSet/r"]),
        )
        if topology:
            app = rng.choice(["a", "b", "c"])
            selector = label_selector({"app": app})
            p.labels = {"app": app}
            shape = rng.random()
            if shape < 0.4:
                p.default_spread = selector
            elif shape < 0.6:
                key, action = (
                    rng.choice([host, zone]),
                    rng.choice(["DoNotSchedule", "ScheduleAnyway"]),
                )
                p.spread = (SpreadConstraint(1, key, action, selector),)
            elif shape < 0.7:
                term = affinity_term("default", rng.choice([host, zone]), selector)
                p.pod_affinity = PodAffinity(required_anti=(term,))
        if k < 15:  # running, lower priority: victims to be had
            p.node_name, p.phase, p.priority = f"n{rng.randrange(8)}", "Running", -10
        elif rng.random() < 0.3:
            p.nominated_node = rng.choice([f"n{rng.randrange(8)}", "gone"])
        pods.append(p)
    result = schedule_infos(pods, nodes, make_config(), explain=explain)
    result.check()
    return [
        (o.pod.name, o.node, o.phase, o.condition, o.preempted_by, o.nominated_node)
        for o in result.pods
    ]


@pytest.mark.parametrize("seed", range(20))
def test_the_fast_path_equals_the_full_scan_with_nominated_pods(seed: int) -> None:
    """While nominated pods hold room the engine keeps its class path, hiding the nodes
    they block: it must decide exactly as the full scan that filters every node twice
    where nominated pods are: same nodes, messages, victims and nominations."""
    assert random_run(seed, explain=False) == random_run(seed, explain=True)


@pytest.mark.parametrize("seed", range(20))
def test_the_topology_path_equals_the_full_scan_with_nominated_pods(seed: int) -> None:
    """The same with topology spreading and anti-affinity: nominated pods count in their
    node's domains for its first pass only, so the topology cells decide with the nodes
    they block hidden, as the full scan does."""
    assert random_run(seed, False, topology=True) == random_run(seed, True, topology=True)
