"""Rules for the planning questions answered through the real scheduler: how many more
fit, how many nodes are needed, what if nodes go away, and stranded capacity."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from podfit.errors import ConfigError
from podfit.nodes import Node, Taint
from podfit.planning.fit import how_many_fit
from podfit.planning.nodes_needed import NodeShape, nodes_needed
from podfit.planning.whatif import what_if
from podfit.pods import Container, ContainerPort, Pod
from podfit.quantity import parse_quantity as q
from podfit.scheduler import schedule


def node(name: str, cpu: str, mem: str, pods: int = 110, **kw: object) -> Node:
    alloc = {"cpu": q(cpu), "memory": q(mem), "pods": q(str(pods))}
    return Node(name, alloc, alloc, **kw)  # type: ignore[arg-type]


def pod(name: str, cpu: str, mem: str, host_port: int = 0, **kw: object) -> Pod:
    ports = (ContainerPort(80, host_port),) if host_port else ()
    container = Container("c", {"cpu": q(cpu), "memory": q(mem)}, {}, ports=ports)
    return Pod(name, containers=(container,), **kw)  # type: ignore[arg-type]


def daemonset(cpu: str, mem: str) -> Pod:
    return Pod(
        "agent", containers=(Container("c", {"cpu": q(cpu), "memory": q(mem)}),), daemonset="agent"
    )


# ----------------------------------------------------------------------- how many fit


def test_replicas_fill_free_room_and_stop_with_the_failed_scheduling_message() -> None:
    """4 cpu free on n1 (1 used) + 2 on n2 → 3 + 4 = 7 replicas of 500m... exactly, and
    the stop reason is the message podfit.schedule gives the first replica that fails."""
    nodes = [node("n1", "4", "8Gi"), node("n2", "2", "8Gi")]
    running = [pod("r", "1", "1Gi", node_name="n1", phase="Running")]
    web = pod("web", "500m", "1Gi", owner="Deployment/web")
    report = how_many_fit([web], running, nodes)
    fit = report.templates[0]
    assert fit.replicas == 10
    assert fit.per_node == {"n1": 6, "n2": 4}
    assert fit.stop == "Unschedulable"
    replicas = [pod(f"web-{i}", "500m", "1Gi") for i in range(11)]
    direct = schedule(running + replicas, nodes)
    last = direct.pods[-1]
    assert last.phase == "Pending"
    assert last.condition is not None and fit.stop_reason == last.condition[2]


def test_taints_and_host_ports_limit_replicas_like_the_scheduler() -> None:
    """A tainted node takes no replica; a hostPort allows one replica per node."""
    nodes = [
        node("n1", "8", "8Gi"),
        node("n2", "8", "8Gi"),
        node("gpu", "8", "8Gi", taints=(Taint("gpu", "true", "NoSchedule"),)),
    ]
    report = how_many_fit([pod("proxy", "100m", "64Mi", host_port=8080)], [], nodes)
    fit = report.templates[0]
    assert fit.replicas == 2 and set(fit.per_node) == {"n1", "n2"}
    assert "didn't have free ports" in fit.stop_reason
    assert "untolerated taint" in fit.stop_reason


def test_sequence_fills_templates_in_order_and_interleave_shares() -> None:
    """sequence: the first template takes all it can; interleave: turns alternate."""
    nodes = [node("n1", "4", "16Gi")]
    a = pod("a", "1", "1Gi", owner="Deployment/a")
    b = pod("b", "1", "1Gi", owner="Deployment/b")
    seq = how_many_fit([a, b], [], nodes)
    assert [t.replicas for t in seq.templates] == [4, 0]
    inter = how_many_fit([a, b], [], nodes, mode="interleave")
    assert [t.replicas for t in inter.templates] == [2, 2]


def test_replica_limit_stops_with_limit_reached() -> None:
    """max_replicas bounds the work; the stop says so."""
    report = how_many_fit(
        [pod("tiny", "1m", "1Mi")], [], [node("n1", "64", "64Gi")], max_replicas=5
    )
    assert report.templates[0].replicas == 5
    assert report.templates[0].stop == "LimitReached"
    assert report.to_dict()["kind"] == "FitReport"


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [({"mode": "random"}, "mode"), ({"max_replicas": 0}, "maxReplicas")],
)
def test_fit_options_are_validated(kwargs: dict[str, object], path: str) -> None:
    """Bad options raise ConfigError naming the field."""
    with pytest.raises(ConfigError) as err:
        how_many_fit([pod("a", "1", "1Gi")], [], [node("n", "1", "1Gi")], **kwargs)  # type: ignore[arg-type]
    assert err.value.path == path


def test_fragmentation_reports_capacity_no_template_can_use() -> None:
    """Memory left on a cpu-full node and everything on a tainted node is stranded."""
    nodes = [node("n1", "2", "8Gi"), node("t", "4", "4Gi", taints=(Taint("x", "y", "NoSchedule"),))]
    report = how_many_fit([pod("cpu-heavy", "1", "1Gi")], [], nodes)
    frag = {n.node: n for n in report.fragmentation.nodes}
    assert frag["n1"].stranded == {"memory": 6 * 1024**3, "pods": 108}
    assert frag["t"].stranded == {"cpu": 4000, "memory": 4 * 1024**3, "pods": 110}
    assert report.fragmentation.total_stranded()["cpu"] == 4000


# ---------------------------------------------------------------- how many nodes needed


def test_t97_through_real_pods_ffd_needs_five_nodes() -> None:
    """10 pods of 350m on 1000m nodes: the estimator mode needs 5 nodes, bound 4 (L1 3500/1000)."""
    pods = [pod(f"e-{i}", "350m", "1000Mi") for i in range(10)]
    shape = NodeShape("t", node("t", "1000m", "2000Mi", pods=10))
    plan = nodes_needed(pods, [shape], algorithm="ffd").plans[0]
    assert plan.nodes == 5 and plan.complete
    assert plan.bounds.l1["cpu"] == 4
    assert plan.lower_bound == 5  # memory L2: 1000Mi pods, two per 2000Mi node
    assert plan.to_dict()["gap"] == 0


def test_daemonset_overhead_and_headroom_shrink_every_new_node() -> None:
    """A 500m DaemonSet on 4-cpu nodes leaves 3.5 cpu; 50 % headroom leaves 1.5."""
    pods = [pod(f"w-{i}", "500m", "100Mi") for i in range(14)]
    shape = NodeShape("s", node("s", "4", "16Gi"))
    full = nodes_needed(pods, [shape], daemonsets=[daemonset("500m", "100Mi")]).plans[0]
    assert full.nodes == 2  # 7 per node
    assert full.daemonset_pods == ["agent-s"]
    half = nodes_needed(
        pods, [shape], daemonsets=[daemonset("500m", "100Mi")], headroom_percent=50
    ).plans[0]
    assert half.nodes == 5  # 2000m cap − 500m DaemonSet = 1500m → 3 per node
    for placed in half.packing.nodes:
        assert placed.used[0] <= 2000


def test_existing_nodes_absorb_pods_before_new_nodes_are_planned() -> None:
    """Only the pods left Pending by the existing cluster are planned."""
    pods = [pod(f"w-{i}", "1", "1Gi") for i in range(6)]
    result = nodes_needed(
        pods, [NodeShape("s", node("s", "2", "8Gi"))], existing_nodes=[node("old", "4", "8Gi")]
    )
    assert result.scheduled_on_existing == 4
    assert result.pending == 2 and result.plans[0].nodes == 1


def test_pods_the_shape_rejects_are_unplaceable_with_the_reason() -> None:
    """A node selector the shape does not match, or a pod bigger than the shape."""
    pods = [
        pod("picky", "1", "1Gi", owner="Deployment/picky", node_selector={"disk": "ssd"}),
        pod("huge", "64", "1Gi", owner="Deployment/huge"),
        pod("ok", "1", "1Gi", owner="Deployment/ok"),
    ]
    plan = nodes_needed(pods, [NodeShape("s", node("s", "4", "8Gi"))]).plans[0]
    assert (
        plan.unplaceable["Deployment/picky"] == "node(s) didn't match Pod's node affinity/selector"
    )
    assert "Insufficient cpu" in plan.unplaceable["Deployment/huge"]
    assert plan.nodes == 1 and not plan.complete


def test_prices_pick_the_cheapest_shape_and_mix() -> None:
    """With prices the cheapest complete plan wins; the mix moves a node whose pods fit a
    cheaper shape onto that shape (3 cpu + 4 × 500m: one large node, one small one)."""
    pods = [pod("big", "3", "1Gi")] + [pod(f"small-{i}", "500m", "1Gi") for i in range(4)]
    small = NodeShape("small", node("small", "1", "4Gi"), Fraction("0.05"))
    large = NodeShape("large", node("large", "4", "16Gi"), Fraction("0.20"))
    result = nodes_needed(pods, [small, large])
    best = result.best()
    assert best is not None and best.shape.name == "large" and best.nodes == 2
    doc = result.to_dict()
    assert doc["kind"] == "NodesPlan"
    assert doc["shapes"][1]["cost"] == "0.4"
    assert not doc["shapes"][0]["complete"]  # the 3-cpu pod fits no small node
    assert doc["summary"]["cheapestMix"] == {"nodes": {"large": 1, "small": 1}, "cost": "0.25"}


def test_nodes_needed_options_are_validated() -> None:
    """Unknown algorithm, bad headroom and no shapes are ConfigErrors naming the field."""
    shape = [NodeShape("s", node("s", "1", "1Gi"))]
    for kwargs, path in (
        ({"algorithm": "magic"}, "algorithm"),
        ({"headroom_percent": 0}, "headroomPercent"),
    ):
        with pytest.raises(ConfigError) as err:
            nodes_needed([], shape, **kwargs)  # type: ignore[arg-type]
        assert err.value.path == path
    with pytest.raises(ConfigError):
        nodes_needed([], [])


# --------------------------------------------------------------------------- what if


def zone_cluster() -> tuple[list[Pod], list[Node]]:
    zone = "topology.kubernetes.io/zone"
    nodes = [
        node("a1", "4", "16Gi", labels={zone: "a"}),
        node("a2", "4", "16Gi", labels={zone: "a"}),
        node("b1", "4", "16Gi", labels={zone: "b"}),
    ]
    pods = [pod(f"web-{i}", "1", "2Gi", owner="Deployment/web") for i in range(9)]
    return pods, nodes


def test_draining_a_full_node_leaves_its_pods_pending_and_plans_a_replacement() -> None:
    """3 of 9 one-cpu pods lose their node; the others have 0.9 cpu free each → Pending."""
    pods, nodes = zone_cluster()
    report = what_if(pods, nodes, daemonsets=[daemonset("100m", "10Mi")], drain=["a1"])
    scenario = report.scenarios[0]
    assert scenario.evicted == 3 and len(scenario.pending) == 3
    assert scenario.pending[0]["message"].startswith("0/2 nodes are available: 2 Insufficient cpu.")
    assert scenario.plan is not None and scenario.plan.nodes == 1


def test_evicted_pods_move_when_there_is_room() -> None:
    """With room elsewhere, drained pods are rescheduled and nothing is Pending."""
    pods, nodes = zone_cluster()
    report = what_if(pods[:4], nodes, drain=["a1"])
    scenario = report.scenarios[0]
    assert not scenario.pending and scenario.plan is None
    assert len(scenario.rescheduled) == scenario.evicted


def test_losing_a_zone_and_any_one_node_name_the_worst_case() -> None:
    """Zone a holds two of three nodes: losing it is the worst case; b1 takes one of the
    six evicted pods (its fourth cpu), five stay Pending and need two new 4-cpu nodes."""
    pods, nodes = zone_cluster()
    report = what_if(pods, nodes, lose_zone="a", lose_any_one=True)
    assert [s.name for s in report.scenarios] == ["lose zone a", "lose a1", "lose a2", "lose b1"]
    worst = report.worst()
    assert worst is not None and worst.name == "lose zone a" and len(worst.pending) == 5
    assert report.to_dict()["summary"]["worst"]["nodesNeeded"] == 2


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [({"drain": ["nope"]}, "drain"), ({"lose_zone": "z"}, "loseZone"), ({}, "scenario")],
)
def test_what_if_inputs_are_validated(kwargs: dict[str, object], path: str) -> None:
    """Unknown nodes or zones and an empty scenario list are ConfigErrors naming the field."""
    pods, nodes = zone_cluster()
    with pytest.raises(ConfigError) as err:
        what_if(pods, nodes, **kwargs)  # type: ignore[arg-type]
    assert err.value.path == path


def test_nodes_plan_reports_existing_capacity_the_pending_pods_cannot_use() -> None:
    """Free room on a tainted existing node is stranded for the pods left Pending."""
    existing = [node("t", "8", "32Gi", taints=(Taint("x", "y", "NoSchedule"),))]
    pods = [pod(f"w-{i}", "1", "1Gi", owner="Deployment/w") for i in range(3)]
    result = nodes_needed(pods, [NodeShape("s", node("s", "4", "8Gi"))], existing_nodes=existing)
    assert result.pending == 3 and result.plans[0].nodes == 1
    assert result.fragmentation is not None
    assert result.fragmentation.total_stranded() == {
        "cpu": 8000,
        "memory": 32 * 1024**3,
        "pods": 110,
    }
    assert nodes_needed(pods, [NodeShape("s", node("s", "4", "8Gi"))]).fragmentation is None


def test_pending_daemonset_pods_are_not_planned_onto_new_nodes() -> None:
    """A DaemonSet pod that does not fit its existing node stays out of the plan."""
    existing = [node("full", "1", "1Gi")]
    running = [pod("hog", "1", "512Mi", node_name="full", phase="Running")]
    result = nodes_needed(
        running, [NodeShape("s", node("s", "4", "8Gi"))], existing_nodes=existing,
        daemonsets=[daemonset("500m", "64Mi")],
    )  # fmt: skip
    assert result.pending == 0 and result.plans[0].nodes == 0


def test_ffd_orders_by_regular_containers_like_the_autoscaler() -> None:
    """T101 through real pods: init containers count for fit but not for the order, so
    with 5 nodes the pods whose regular containers ask 500m go first."""
    init_heavy = [
        Pod(
            f"a-{i}",
            owner="Deployment/a",
            containers=(Container("c", {"cpu": q("50m"), "memory": q("10Mi")}),),
            init_containers=(Container("init", {"cpu": q("500m"), "memory": q("10Mi")}),),
        )
        for i in range(10)
    ]
    regular = [pod(f"b-{i}", "500m", "10Mi", owner="Deployment/b") for i in range(10)]
    shape = NodeShape("t", node("t", "1000m", "5000Mi", pods=10))
    plan = nodes_needed(init_heavy + regular, [shape], algorithm="ffd", max_nodes=5).plans[0]
    assert plan.packing.pods_per_group() == {"Deployment/b": 10}
    assert dict(plan.packing.unplaced) == {"Deployment/a": 10}


def test_a_respawned_pod_keeps_the_spec_and_takes_only_the_given_binding() -> None:
    """Replicas, evicted and kept pods of the planner are one copy rule: the scheduling
    spec is kept; name, node, phase and DaemonSet are the given ones (default unbound)."""
    from podfit.planning.cluster import replica
    from podfit.scheduler.model import HostPort, PodInfo, Toleration

    info = PodInfo(
        "web-0",
        namespace="shop",
        owner="Deployment/web",
        requests={"cpu": 250, "memory": 2**20, "example.com/gpu": 1},
        priority=7,
        node_name="n1",
        node_selector={"zone": "a"},
        tolerations=(Toleration("k", "Equal", "v", "NoSchedule"),),
        host_ports=(HostPort("TCP", "0.0.0.0", 8080),),
        qos_class="Burstable",
        daemonset="agent",
        phase="Running",
    )
    unbound = replica(info, info.name)
    assert (unbound.name, unbound.node_name, unbound.phase, unbound.daemonset) == (
        "web-0",
        None,
        None,
        None,
    )
    kept = info.respawn(node_name="n2", phase="Running", daemonset="agent")
    assert (kept.node_name, kept.phase, kept.daemonset) == ("n2", "Running", "agent")
    copy = replica(info, "web-plan-1")
    assert copy.name == "web-plan-1" and copy.node_name is None
    for other in (unbound, kept, copy):
        assert (other.namespace, other.owner, other.priority, other.qos_class) == (
            "shop",
            "Deployment/web",
            7,
            "Burstable",
        )
        assert other.scheduling_key()[0] == info.scheduling_key()[0]  # requests
        assert other.scheduling_key()[4:] == info.scheduling_key()[4:]  # selector … ports


@pytest.mark.parametrize(
    "plan",
    [
        lambda pods, nodes: how_many_fit(pods, [], nodes),
        lambda pods, nodes: nodes_needed(pods, [NodeShape("s", nodes[0])], existing_nodes=nodes),
        lambda pods, nodes: what_if(pods, nodes, lose_any_one=True),
    ],
    ids=["fit", "nodes", "drain"],
)
def test_planners_refuse_repeated_node_names_as_the_scheduler_does(plan: Any) -> None:
    """Pods bind to nodes by name: two nodes called "a" are an input error (ManifestError
    naming the second), for library callers as for the API and the CLI."""
    from podfit.errors import ManifestError

    node = Node("a", allocatable={"cpu": q("1"), "memory": q("1Gi"), "pods": q("10")})
    pod = Pod("p", containers=(Container("c", requests={"cpu": q("100m")}, limits={}),))
    with pytest.raises(ManifestError) as info:
        plan([pod], [node, node])
    assert info.value.path == "nodes[1].metadata.name"
    assert 'duplicate node name "a" (also nodes[0])' in str(info.value)
