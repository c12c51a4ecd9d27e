"""The fast path must decide exactly like a plain full scan, on seeded random clusters.

The reference below is deliberately naive: for every pod in PrioritySort order it filters
every node, scores every feasible node with the score functions, takes the best total
(first node in input order on ties) and builds the message from scratch. It shares only
the per-plugin functions (filters, score formulas, message formatting) with podfit — not
the queue, the equivalence classes, the indexes or the caches.
"""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from podfit.scheduler.config import SchedulerConfig, make_config
from podfit.scheduler.filters import (
    REASON_ABSENT,
    UNRESOLVABLE,
    FilterStatus,
    prefilter_node_names,
    run_filters,
    static_filters,
)
from podfit.scheduler.messages import (
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    fit_error_message,
    not_eligible_message,
    preemption_message,
)
from podfit.scheduler.model import (
    HostPort,
    NodeInfo,
    PodInfo,
    PreferredTerm,
    Requirement,
    Taint,
    Term,
    Toleration,
)
from podfit.scheduler.plugins import inter_pod_affinity as ipa
from podfit.scheduler.plugins import pod_topology_spread as pts
from podfit.scheduler.profile import postfilter_message
from podfit.scheduler.result import ScheduleResult
from podfit.scheduler.run import schedule_infos
from podfit.scheduler.scores import (
    balanced_allocation,
    least_allocated,
    most_allocated,
    node_affinity_raw,
    requested_to_capacity_ratio,
    resource_inputs,
    scale_shape,
    taint_toleration_raw,
)
from podfit.topology import (
    AffinityTerm,
    LabelSelector,
    Namespaces,
    PodAffinity,
    SpreadConstraint,
    WeightedAffinityTerm,
    affinity_term,
    label_selector,
    with_label_keys,
)
from podfit.topology import Requirement as TopologyRequirement

GI = 1024**3


def reference_fit_score(cfg: SchedulerConfig, pod: PodInfo, node: NodeInfo) -> int:
    req, alloc, w = resource_inputs(
        cfg.resources,
        pod.requests,
        (pod.non_zero_cpu, pod.non_zero_memory),
        node.allocatable,
        node.requested,
        (node.non_zero_cpu, node.non_zero_memory),
        False,
    )
    if cfg.strategy == "LeastAllocated":
        return least_allocated(req, alloc, w)
    if cfg.strategy == "MostAllocated":
        return most_allocated(req, alloc, w)
    return requested_to_capacity_ratio(req, alloc, w, scale_shape(cfg.shape))


def reference_balanced(cfg: SchedulerConfig, pod: PodInfo, node: NodeInfo) -> int:
    if all(pod.requests.get(r.name, 0) == 0 for r in cfg.balanced_resources):
        return 0
    req, alloc, _ = resource_inputs(
        cfg.balanced_resources, pod.requests, (0, 0), node.allocatable, node.requested, (0, 0), True
    )
    return balanced_allocation(req, alloc)


def reference_message(
    cfg: SchedulerConfig, pod: PodInfo, nodes: list[NodeInfo], statuses: dict[int, FilterStatus]
) -> str | None:
    """The FailedScheduling message, or None when preemption would succeed somewhere."""
    n = len(nodes)
    hist: Counter[str] = Counter()
    for st in statuses.values():
        hist.update(st.reasons)
    if pod.preemption_policy == "Never":
        return fit_error_message(
            n, hist, postfilter_message=postfilter_message(cfg.dra, not_eligible_message())
        )
    pre: Counter[str] = Counter()
    for i, node in enumerate(nodes):
        st = statuses[i]
        if st.code == UNRESOLVABLE:
            pre[PREEMPTION_NOT_HELPFUL] += 1
            continue
        victims = [p for p in node.pods if p.priority < pod.priority]
        if not victims:
            pre[NO_PREEMPTION_VICTIMS] += 1
            continue
        view = node.without([p for p in node.pods if p.priority >= pod.priority])
        again = run_filters(pod, view, cfg.filter_config)
        if again is None:
            return fit_error_message(n, hist)
        pre.update(again.reasons)
    post = postfilter_message(cfg.dra, preemption_message(n, pre))
    return fit_error_message(n, hist, postfilter_message=post)


def reference_schedule(
    cfg: SchedulerConfig, pods: list[PodInfo], nodes: list[NodeInfo]
) -> dict[str, tuple[str | None, str | None]]:
    """pod name → (node name or None, message or None) by the plain full scan."""
    out: dict[str, tuple[str | None, str | None]] = {}
    order = sorted(range(len(pods)), key=lambda k: (-pods[k].priority, k))
    names = {n.name: i for i, n in enumerate(nodes)}
    for k in order:
        pod = pods[k]
        allowed = prefilter_node_names(pod)
        statuses: dict[int, FilterStatus] = {}
        feasible: list[int] = []
        for i, node in enumerate(nodes):
            if allowed is not None and node.name not in allowed:
                statuses[i] = FilterStatus("NodeAffinity", UNRESOLVABLE, (REASON_ABSENT,))
                continue
            st = run_filters(pod, node, cfg.filter_config)
            if st is None:
                feasible.append(i)
            else:
                statuses[i] = st
        if not feasible:
            out[pod.name] = (None, reference_message(cfg, pod, nodes, statuses))
            continue
        best = feasible[0]
        if len(feasible) > 1:
            traw = [taint_toleration_raw(nodes[i].taints, pod.tolerations) for i in feasible]
            araw = [node_affinity_raw(pod, nodes[i]) for i in feasible]
            totals = []
            for j, i in enumerate(feasible):
                t = 100 if max(traw) == 0 else 100 - 100 * traw[j] // max(traw)
                a = 0
                if pod.preferred_terms and max(araw):
                    a = 100 * araw[j] // max(araw)
                total = 3 * t + 2 * a
                total += reference_fit_score(cfg, pod, nodes[i])
                total += reference_balanced(cfg, pod, nodes[i])
                totals.append(total)
            best = feasible[totals.index(max(totals))]
        nodes[best].add_pod(pod)
        out[pod.name] = (nodes[best].name, None)
    assert names  # every node name is unique in these clusters
    return out


ZONES = ("a", "b", "c")
SHAPES = [(2000, 8, 20), (4000, 16, 30), (8000, 32, 58), (16000, 64, 110), (4000, 32, 110)]


def random_cluster(seed: int, n_nodes: int, n_pods: int) -> tuple[list[NodeInfo], list[PodInfo]]:
    """Heterogeneous nodes (shapes, zones, taints, cordons) and mixed pods (templates with
    replicas, selectors, affinity, tolerations, priorities, host ports, running pods)."""
    rng = random.Random(seed)
    nodes: list[NodeInfo] = []
    for i in range(n_nodes):
        cpu, mem, max_pods = rng.choice(SHAPES)
        alloc = {"cpu": cpu, "memory": mem * GI, "pods": max_pods}
        if rng.random() < 0.15:
            alloc["nvidia.com/gpu"] = rng.choice([1, 2, 4])
        taints = []
        if rng.random() < 0.2:
            taints.append(Taint("dedicated", rng.choice(["db", "ml"]), "NoSchedule"))
        if rng.random() < 0.2:
            taints.append(Taint("spot", "true", "PreferNoSchedule"))
        nodes.append(
            NodeInfo(
                f"node-{i:03d}",
                alloc,
                labels={"zone": rng.choice(ZONES), "size": str(cpu // 1000)},
                taints=taints,
                unschedulable=rng.random() < 0.05,
                index=i,
            )
        )
    pods: list[PodInfo] = []
    templates = []
    for _ in range(12):
        req: dict[str, int] = {}
        if rng.random() < 0.9:
            req["cpu"] = rng.choice([50, 100, 250, 500, 1000, 1500, 3000, 7000])
        if rng.random() < 0.9:
            req["memory"] = rng.choice([64, 256, 512, 1024, 4096, 12000]) * 1024 * 1024
        if rng.random() < 0.1:
            req["nvidia.com/gpu"] = 1
        selector = {"zone": rng.choice(ZONES)} if rng.random() < 0.2 else None
        required = None
        if rng.random() < 0.15:
            required = [Term((Requirement("size", "Gt", (str(rng.choice([2, 4, 8])),)),))]
        preferred = []
        if rng.random() < 0.3:
            preferred = [
                PreferredTerm(
                    rng.randint(1, 100), Term((Requirement("zone", "In", (rng.choice(ZONES),)),))
                )
            ]
        tolerations = []
        if rng.random() < 0.3:
            tolerations.append(
                Toleration("dedicated", "Equal", rng.choice(["db", "ml"]), "NoSchedule")
            )
        if rng.random() < 0.2:
            tolerations.append(Toleration("spot", "Exists", "", ""))
        ports = [HostPort("TCP", "", 8080)] if rng.random() < 0.1 else []
        templates.append(
            dict(
                requests=req,
                node_selector=selector,
                required_terms=required,
                preferred_terms=preferred,
                tolerations=tolerations,
                host_ports=ports,
                priority=rng.choice([0, 0, 0, 100, 1000]),
                preemption_policy="Never" if rng.random() < 0.1 else "PreemptLowerPriority",
            )
        )
    for k in range(n_pods):
        spec = rng.choice(templates)
        pods.append(PodInfo(f"pod-{k:04d}", **spec))  # type: ignore[arg-type]
    # a few pods already running on their node (counted first)
    for k in range(min(5, n_pods)):
        pods[k].node_name = nodes[rng.randrange(n_nodes)].name
        pods[k].phase = "Running"
    return nodes, pods


def fresh(nodes: list[NodeInfo]) -> list[NodeInfo]:
    return [
        NodeInfo(n.name, n.allocatable, labels=n.labels, taints=n.taints,
                 unschedulable=n.unschedulable, index=n.index)
        for n in nodes
    ]  # fmt: skip


CONFIGS = [
    make_config(preemption=False),
    make_config("MostAllocated", preemption=False),
    make_config("RequestedToCapacityRatio", shape=[(0, 10), (100, 0)], preemption=False),
    make_config(
        resources=[("cpu", 3), ("memory", 1), ("nvidia.com/gpu", 5)],
        version="1.33",
        preemption=False,
    ),
]
"""The references below report preemption (``--no-preemption``); runs that evict are
checked against the full-scan (explain) path in
:func:`test_evicting_fast_path_equals_full_scan_path`."""


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("cfg_index", range(len(CONFIGS)))
def test_fast_path_equals_full_scan(seed: int, cfg_index: int) -> None:
    """Seeded random clusters: same node for every pod and byte-identical messages."""
    cfg = CONFIGS[cfg_index]
    nodes, pods = random_cluster(seed * 7919 + cfg_index, n_nodes=25, n_pods=160)
    running = [p for p in pods if p.phase == "Running"]
    ref_nodes = fresh(nodes)
    by_name = {n.name: n for n in ref_nodes}
    for p in running:
        assert p.node_name is not None
        by_name[p.node_name].add_pod(p)
    queued = [p for p in pods if p.phase != "Running"]
    expected = reference_schedule(cfg, queued, ref_nodes)
    result = schedule_infos(pods, fresh(nodes), cfg)
    result.check()
    got = {}
    for outcome in result.pods:
        if outcome.pod.phase == "Running":
            continue
        message = outcome.condition[2] if outcome.condition else None
        got[outcome.pod.name] = (outcome.node, message)
    assert got == expected


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 5, 6, 8, 9])
def test_evicting_fast_path_equals_full_scan_path(seed: int) -> None:
    """With preemption evicting (the default), the fast path (class indexes refreshed after
    every bind and eviction) and the full-scan path (every pod filtered and scored from
    scratch) evict the same victims, queue the same replacements and place every pod on
    the same node, on clusters with and without spread constraints and affinity."""
    cfg = make_config()
    if seed % 2:
        nodes, pods = random_topology_cluster(seed * 7 + 1, n_nodes=12, n_pods=70)
    else:
        nodes, pods = random_cluster(seed * 13 + 3, n_nodes=12, n_pods=120)
    rng = random.Random(seed)
    owners = [None, "Deployment/d", "StatefulSet/s", "ReplicaSet/r"]
    for k, p in enumerate(pods[: len(pods) // 3]):  # a loaded cluster of lower priority
        p.node_name = nodes[rng.randrange(len(nodes))].name
        p.phase = "Running"
        p.priority = rng.choice([-5, 0, 0, 50])
        p.owner = owners[k % 4]
        p.name = f"{p.name}-{k}"
    fast = schedule_infos(pods, fresh(nodes), cfg)
    slow = schedule_infos(pods, fresh(nodes), cfg, explain=True)
    fast.check()
    slow.check()

    def view(result: ScheduleResult) -> list[tuple[object, ...]]:
        return [
            (o.pod.name, o.node, o.phase, o.condition, o.preempted_by, o.preempted_from)
            for o in result.pods
        ]

    assert view(fast) == view(slow)
    assert fast.summary()["preempted"] > 0, "the seeds must evict"


def test_explain_path_equals_fast_path() -> None:
    """The explain (full scan) path places every pod where the fast path does."""
    cfg = make_config()
    nodes, pods = random_cluster(4242, n_nodes=15, n_pods=80)
    fast = schedule_infos(pods, fresh(nodes), cfg)
    slow = schedule_infos(pods, fresh(nodes), cfg, explain=True)
    assert [o.node for o in fast.pods] == [o.node for o in slow.pods]
    assert [o.condition for o in fast.pods] == [o.condition for o in slow.pods]


node_strategy = hst.tuples(
    hst.sampled_from([0, 500, 1000, 2000, 4000]),  # cpu millicores (0: no cpu at all)
    hst.sampled_from([0, GI, 4 * GI]),  # memory
    hst.integers(0, 6),  # max pods
    hst.sampled_from([None, "NoSchedule", "PreferNoSchedule", "NoExecute"]),  # taint effect
    hst.integers(0, 2),  # gpus
    hst.booleans(),  # cordoned
)
pod_strategy = hst.tuples(
    hst.sampled_from([None, 0, 100, 600, 1500]),  # cpu (None: not requested)
    hst.sampled_from([None, 0, GI // 2, 2 * GI]),  # memory
    hst.integers(0, 1),  # gpu
    hst.sampled_from([0, 5, 10]),  # priority
    hst.booleans(),  # tolerates the taint
    hst.booleans(),  # wants host port 80
    hst.booleans(),  # preemptionPolicy Never
)


@settings(max_examples=150, deadline=None)
@given(
    hst.lists(node_strategy, min_size=1, max_size=6),
    hst.lists(pod_strategy, max_size=25),
    hst.sampled_from(range(len(CONFIGS))),
)
def test_fast_path_equals_full_scan_on_edge_cases(
    node_specs: list[tuple[int, int, int, str | None, int, bool]],
    pod_specs: list[tuple[int | None, int | None, int, int, bool, bool, bool]],
    cfg_index: int,
) -> None:
    """Zero allocatable, explicit zero requests, best-effort pods, ports, taints, priorities:
    the fast path still decides and words every message like the full scan."""
    cfg = CONFIGS[cfg_index]
    nodes = []
    for i, (cpu, mem, max_pods, effect, gpus, cordoned) in enumerate(node_specs):
        alloc = {"cpu": cpu, "memory": mem, "pods": max_pods}
        if gpus:
            alloc["nvidia.com/gpu"] = gpus
        taints = [Taint("t", "v", effect)] if effect else []
        nodes.append(NodeInfo(f"n{i}", alloc, taints=taints, unschedulable=cordoned, index=i))
    pods = []
    for k, (cpu, mem, gpu, prio, tolerant, port, never) in enumerate(pod_specs):
        req: dict[str, int] = {}
        if cpu is not None:
            req["cpu"] = cpu
        if mem is not None:
            req["memory"] = mem
        if gpu:
            req["nvidia.com/gpu"] = gpu
        pods.append(
            PodInfo(
                f"p{k}",
                requests=req,
                priority=prio,
                tolerations=[Toleration("t", "Exists")] if tolerant else [],
                host_ports=[HostPort("TCP", "", 80)] if port else [],
                preemption_policy="Never" if never else "PreemptLowerPriority",
            )
        )
    expected = reference_schedule(cfg, pods, fresh(nodes))
    result = schedule_infos(pods, fresh(nodes), cfg)
    result.check()
    got = {o.pod.name: (o.node, o.condition[2] if o.condition else None) for o in result.pods}
    assert got == expected


@pytest.mark.parametrize("seed", range(6))
def test_tracked_shortfalls_equal_fresh_ones(seed: int) -> None:
    """Shortfalls kept up to date per template equal shortfalls computed from scratch."""
    cfg = CONFIGS[seed % len(CONFIGS)]
    nodes, pods = random_cluster(seed * 104729 + 7, n_nodes=25, n_pods=160)
    # interleave templates so Pending replicas meet changed cluster states
    pods = pods[:5] + sorted(pods[5:], key=lambda p: (p.name[-1], p.name))
    tracked = schedule_infos(pods, fresh(nodes), cfg)
    plain = schedule_infos(pods, fresh(nodes), cfg, track=False)
    pending = [o for o in tracked.pods if o.shortfall is not None]
    assert pending, "the seeds must produce Pending pods"
    assert [o.shortfall for o in tracked.pods] == [o.shortfall for o in plain.pods]


def test_evicted_class_indexes_are_rebuilt_identically() -> None:
    """With room for only two class indexes, templates used in turn are evicted and rebuilt
    from the current state; decisions still equal the full scan."""
    from podfit.scheduler.placement import Engine

    cfg = CONFIGS[0]
    nodes, pods = random_cluster(99, n_nodes=20, n_pods=120)
    queued = sorted((p for p in pods if p.phase != "Running"), key=lambda p: (-p.priority, p.name))
    ref_nodes = fresh(nodes)
    engine_nodes = fresh(nodes)
    by_name = {n.name: n for n in ref_nodes}
    engine = Engine(engine_nodes, cfg, max_classes=2)
    for p in pods:
        if p.phase == "Running":
            assert p.node_name is not None
            by_name[p.node_name].add_pod(p)
            engine.bind(p, engine.by_name[p.node_name])
    expected = reference_schedule(cfg, queued, ref_nodes)
    got = {}
    for p in queued:
        decision = engine.schedule(p)
        got[p.name] = (
            None if decision.node is None else engine.nodes[decision.node].name,
            decision.message,
        )
    assert got == expected


def test_classes_that_differ_only_in_requests_share_one_static_view() -> None:
    """The static filters and raw taint/affinity scores depend on the node objects and
    on the pod's name, selector, affinity and tolerations only: computed once for all
    templates that share those (the decisions above show the shared view is right)."""
    from podfit.scheduler.placement import Engine

    nodes, _ = random_cluster(7, n_nodes=12, n_pods=0)
    engine = Engine(fresh(nodes), CONFIGS[0])
    small = PodInfo("a", requests={"cpu": 100})
    large = PodInfo("b", requests={"cpu": 900, "memory": 2**30})
    picky = PodInfo("c", requests={"cpu": 100}, node_selector={"zone": "a"})
    assert engine.static_view(small) is engine.static_view(large)
    assert engine.static_view(picky) is not engine.static_view(small)
    statuses, _ = engine.static_view(picky)
    expected = [static_filters(picky, n, engine.fcfg) for n in engine.nodes]
    assert statuses == expected


# --- PodTopologySpread and InterPodAffinity -------------------------------------------

HOST = "kubernetes.io/hostname"
TOPO_ZONE = "topology.kubernetes.io/zone"


def reference_topology_schedule(
    cfg: SchedulerConfig,
    pods: list[PodInfo],
    nodes: list[NodeInfo],
    namespaces: Namespaces | None = None,
) -> dict[str, tuple[str | None, str | None]]:
    """:func:`reference_schedule` with both plugins run on every pod: their PreFilter on
    the whole cluster per pod, their Filter after the node-local ones, their normalised
    scores ×2, and preemption's dry run recomputing them on the cluster without victims.
    ``namespaces``: the Namespace labels namespaceSelector terms read."""
    ns = namespaces or Namespaces()
    out: dict[str, tuple[str | None, str | None]] = {}
    order = sorted(range(len(pods)), key=lambda k: (-pods[k].priority, k))

    def topo_filter(pod: PodInfo, view: list[NodeInfo], i: int) -> FilterStatus | None:
        return pts.filter_node(pts.prefilter(pod, view), pod, view[i]) or ipa.filter_node(
            ipa.prefilter(pod, view, ns), view[i]
        )

    for k in order:
        pod = pods[k]
        statuses: dict[int, FilterStatus] = {}
        feasible: list[int] = []
        for i, node in enumerate(nodes):
            st = run_filters(pod, node, cfg.filter_config) or topo_filter(pod, nodes, i)
            if st is None:
                feasible.append(i)
            else:
                statuses[i] = st
        if not feasible:
            n = len(nodes)
            hist: Counter[str] = Counter()
            for st in statuses.values():
                hist.update(st.reasons)
            if pod.preemption_policy == "Never":
                message = fit_error_message(
                    n, hist, postfilter_message=postfilter_message(cfg.dra, not_eligible_message())
                )
                out[pod.name] = (None, message)
                continue
            pre: Counter[str] = Counter()
            message = None
            for i, node in enumerate(nodes):
                st = statuses[i]
                if st.code == UNRESOLVABLE:
                    pre[PREEMPTION_NOT_HELPFUL] += 1
                    continue
                if not [p for p in node.pods if p.priority < pod.priority]:
                    pre[NO_PREEMPTION_VICTIMS] += 1
                    continue
                view = list(nodes)
                view[i] = node.without([p for p in node.pods if p.priority >= pod.priority])
                again = run_filters(pod, view[i], cfg.filter_config) or topo_filter(pod, view, i)
                if again is None:
                    message = fit_error_message(n, hist)
                    break
                pre.update(again.reasons)
            if message is None:
                post = postfilter_message(cfg.dra, preemption_message(n, pre))
                message = fit_error_message(n, hist, postfilter_message=post)
            out[pod.name] = (None, message)
            continue
        best = feasible[0]
        if len(feasible) > 1:
            traw = [taint_toleration_raw(nodes[i].taints, pod.tolerations) for i in feasible]
            araw = [node_affinity_raw(pod, nodes[i]) for i in feasible]
            spread = pts.scores(pod, nodes, feasible)
            affinity = ipa.scores(pod, nodes, feasible, ns)
            totals = []
            for j, i in enumerate(feasible):
                t = 100 if max(traw) == 0 else 100 - 100 * traw[j] // max(traw)
                a = 0
                if pod.preferred_terms and max(araw):
                    a = 100 * araw[j] // max(araw)
                total = 3 * t + 2 * a
                total += reference_fit_score(cfg, pod, nodes[i])
                total += reference_balanced(cfg, pod, nodes[i])
                total += 2 * spread[j] if spread is not None else 0
                total += 2 * affinity[j] if affinity is not None else 0
                totals.append(total)
            best = feasible[totals.index(max(totals))]
        nodes[best].add_pod(pod)
        out[pod.name] = (nodes[best].name, None)
    return out


def random_topology_cluster(
    seed: int, n_nodes: int, n_pods: int, racks: bool = False, shared_hostnames: bool = False
) -> tuple[list[NodeInfo], list[PodInfo]]:
    """Nodes in zones (some without a zone label, a few tainted) and templates with labels
    in two namespaces: hard and soft spread constraints (minDomains, inclusion policies,
    nil/empty selectors), default spread selectors (a Service or ReplicaSet selecting
    them), required and preferred pod (anti-)affinity on hostname and zone, and plain
    templates that only meet the others' affinity. With ``racks`` nodes also carry a
    ``rack`` label that some terms use as their topology key; with ``shared_hostnames``
    every seventh node repeats the previous node's hostname value."""
    rng = random.Random(seed)
    nodes: list[NodeInfo] = []
    keys = [HOST, TOPO_ZONE, TOPO_ZONE] + (["rack"] if racks else [])
    for i in range(n_nodes):
        cpu, mem, max_pods = rng.choice(SHAPES)
        labels = {HOST: f"node-{i:03d}", "size": str(cpu // 1000)}
        if shared_hostnames and i % 7 == 6:
            labels[HOST] = f"node-{i - 1:03d}"
        if racks:
            labels["rack"] = f"r{i % 4}"
        if rng.random() < 0.9:
            labels[TOPO_ZONE] = rng.choice(ZONES)
        taints = [Taint("dedicated", "db", "NoSchedule")] if rng.random() < 0.1 else []
        nodes.append(
            NodeInfo(
                f"node-{i:03d}",
                {"cpu": cpu, "memory": mem * GI, "pods": max_pods},
                labels=labels,
                taints=taints,
                index=i,
            )
        )
    templates = []
    for j in range(10):
        app = f"app{j}"
        ns = rng.choice(["default", "default", "team"])
        labels = {"app": app, "tier": rng.choice(["web", "db"])}
        own = label_selector({"app": app})
        other = label_selector({"app": f"app{rng.randrange(10)}"})
        spread = []
        roll = rng.random()
        if roll < 0.35:
            spread.append(
                SpreadConstraint(
                    rng.choice([1, 1, 2]),
                    rng.choice([HOST, TOPO_ZONE]),
                    rng.choice(["DoNotSchedule", "ScheduleAnyway"]),
                    rng.choice([own, own, None, LabelSelector(), other]),
                    node_affinity_policy=rng.choice(["Honor", "Ignore"]),
                    node_taints_policy=rng.choice(["Honor", "Ignore"]),
                )
            )
            if rng.random() < 0.3:
                spread.append(SpreadConstraint(1, TOPO_ZONE, "DoNotSchedule", own, min_domains=3))
        default = own if roll >= 0.35 and rng.random() < 0.5 else None
        affinity = None
        if rng.random() < 0.5:
            key = rng.choice(keys)
            affinity = PodAffinity(
                required=(affinity_term(ns, TOPO_ZONE, own),) if rng.random() < 0.2 else (),
                required_anti=(affinity_term(ns, key, rng.choice([own, other])),)
                if rng.random() < 0.5
                else (),
                preferred=(
                    WeightedAffinityTerm(rng.randint(1, 100), affinity_term(ns, key, other)),
                )
                if rng.random() < 0.4
                else (),
                preferred_anti=(
                    WeightedAffinityTerm(
                        rng.randint(1, 100),
                        affinity_term(ns, key, other, (), rng.choice([None, LabelSelector()])),
                    ),
                )
                if rng.random() < 0.4
                else (),
            )
        req = {
            "cpu": rng.choice([100, 250, 500, 1000, 3000]),
            "memory": rng.choice([256, 1024]) * 2**20,
        }
        templates.append(
            dict(
                namespace=ns,
                labels=labels,
                requests=req,
                spread=spread,
                default_spread=default,
                pod_affinity=affinity if affinity is not None and any(affinity) else None,
                priority=rng.choice([0, 0, 100]),
                tolerations=[Toleration("dedicated", "Exists")] if rng.random() < 0.2 else [],
                node_selector={TOPO_ZONE: "a"} if rng.random() < 0.1 else None,
            )
        )
    pods = [PodInfo(f"pod-{k:04d}", **rng.choice(templates)) for k in range(n_pods)]  # type: ignore[arg-type]
    for k in range(min(6, n_pods)):
        pods[k].node_name = nodes[rng.randrange(n_nodes)].name
        pods[k].phase = "Running"
    return nodes, pods


NAMESPACE_LABELS = {"default": {"env": "prod"}, "team": {"env": "dev"}, "ops": {"env": "prod"}}
RACKS = ("r0", "r1", "r2", "r3")


def _adversarial_selector(rng: random.Random, apps: int) -> LabelSelector | None:
    """A pod selector of the kinds the plugins treat differently: nil, empty, one app,
    a tier (several apps), an expression selecting apps by a set or by absence."""
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.15:
        return LabelSelector()
    if roll < 0.6:
        return label_selector({"app": f"app{rng.randrange(apps)}"})
    if roll < 0.8:
        return label_selector({"tier": rng.choice(["web", "db"])})
    values = tuple(sorted({f"app{rng.randrange(apps)}" for _ in range(3)}))
    op = rng.choice(["In", "NotIn"])
    return label_selector(match_expressions=[TopologyRequirement("app", op, values)])


def adversarial_topology_cluster(
    seed: int,
    n_nodes: int,
    n_pods: int,
    n_templates: int = 80,
    *,
    inclusion: bool = True,
    min_domains: bool = True,
    label_keys: bool = True,
    namespace_selectors: bool = True,
    terminating: bool = True,
    odd_labels: bool = True,
    shared_hostnames: bool = True,
    same_key: bool = True,
    static_scores: bool = True,
    priorities: bool = True,
    bound_affinity: bool = True,
    best_effort: bool = True,
    empty_values: bool = True,
    shared_labels: bool = True,
) -> tuple[list[NodeInfo], list[PodInfo], Namespaces]:
    """Clusters meant to break the topology cells; each knob adds one kind of input:

    * ``inclusion``: tainted nodes and tolerations, nodeSelector and required node
      affinity, with nodeTaintsPolicy / nodeAffinityPolicy Honor;
    * ``min_domains``: minDomains up to 6 (more than the zones and racks);
    * ``label_keys``: matchLabelKeys / mismatchLabelKeys on a per-pod label (``hash``),
      merged into the selectors as the API server does (:func:`with_label_keys`);
    * ``namespace_selectors``: terms selecting namespaces by their labels (``env``);
    * ``terminating``: bound pods that are terminating (spread skips them, affinity not);
    * ``odd_labels``: nodes with no label at all and nodes without a hostname label;
    * ``shared_hostnames``: some nodes repeat another node's hostname value;
    * ``same_key``: several constraints / terms on one key with different selectors;
    * ``static_scores``: preferred node affinity and PreferNoSchedule taints;
    * ``priorities``: priorities (preemption's victims and messages);
    * ``bound_affinity``: pods already bound in the input carry affinity terms;
    * ``best_effort``: templates without requests or with tiny ones (a bind often leaves
      the node's usage score as it was while its topology counts change);
    * ``empty_values``: nodes whose zone or rack label is the empty string (for the
      system defaults the domain "" that nodes without the key count into);
    * ``shared_labels``: pods of a template in another namespace sharing its labels
      object (a selector's verdict per labels object must not stand for the namespace).

    ``n_templates`` above the engine's 64 classes makes the topology classes evicted and
    rebuilt as templates interleave. Returns nodes, pods (the first ones bound) and the
    Namespace labels."""
    rng = random.Random(seed)
    extra = random.Random(seed * 7 + 3)  # the later knobs leave the first draws alone
    keys = [HOST, HOST, TOPO_ZONE, TOPO_ZONE, "rack"]
    nodes: list[NodeInfo] = []
    for i in range(n_nodes):
        cpu, mem, max_pods = rng.choice(SHAPES)
        labels: dict[str, str] = {HOST: f"h{i}", "disk": rng.choice(["ssd", "hdd"])}
        if shared_hostnames and i > 0 and rng.random() < 0.15:
            labels[HOST] = f"h{rng.randrange(i)}"
        if rng.random() < 0.85:
            labels[TOPO_ZONE] = rng.choice(ZONES)
        if rng.random() < 0.7:
            labels["rack"] = rng.choice(RACKS)
        if odd_labels:
            roll = rng.random()
            if roll < 0.06:
                labels = {}
            elif roll < 0.14:
                del labels[HOST]
        if empty_values and labels and extra.random() < 0.15:
            labels[extra.choice([TOPO_ZONE, "rack"])] = ""
        taints = []
        if inclusion and rng.random() < 0.2:
            taints.append(Taint("dedicated", rng.choice(["db", "ml"]), "NoSchedule"))
        if static_scores and rng.random() < 0.25:
            taints.append(Taint("spot", "true", "PreferNoSchedule"))
        nodes.append(
            NodeInfo(
                f"node-{i:03d}",
                {"cpu": cpu, "memory": mem * GI, "pods": max_pods},
                labels=labels,
                taints=taints,
                index=i,
            )
        )
    apps = max(4, n_templates // 3)
    namespaces = ["default", "team", "ops"]

    def term(owner: str, key: str) -> AffinityTerm:
        names: tuple[str, ...] = ()
        ns_selector = None
        if namespace_selectors and rng.random() < 0.35:
            ns_selector = rng.choice(
                [LabelSelector(), label_selector({"env": rng.choice(["prod", "dev"])})]
            )
            if rng.random() < 0.3:
                names = (rng.choice(namespaces),)
        elif rng.random() < 0.15:
            names = tuple(sorted(set(rng.choices(namespaces, k=2))))
        match_keys = ("hash",) if label_keys and rng.random() < 0.25 else ()
        mismatch_keys = ("hash",) if label_keys and not match_keys and rng.random() < 0.2 else ()
        return affinity_term(
            owner,
            key,
            _adversarial_selector(rng, apps),
            names,
            ns_selector,
            match_keys,
            mismatch_keys,
        )

    templates: list[dict[str, object]] = []
    for j in range(n_templates):
        ns = rng.choice(namespaces)
        labels = {"app": f"app{j % apps}", "tier": rng.choice(["web", "db"])}
        if label_keys and rng.random() < 0.5:
            labels["hash"] = rng.choice(["x", "y"])
        spread: list[SpreadConstraint] = []
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3] if same_key else [0, 0, 1])):
            key = rng.choice(keys) if not spread or not same_key else spread[0].topology_key
            spread.append(
                SpreadConstraint(
                    rng.choice([1, 1, 2, 3]),
                    key,
                    rng.choice(["DoNotSchedule", "ScheduleAnyway"]),
                    _adversarial_selector(rng, apps),
                    min_domains=rng.choice([1, 1, 2, 4, 6]) if min_domains else 1,
                    node_affinity_policy=rng.choice(["Honor", "Ignore"]) if inclusion else "Honor",
                    node_taints_policy=rng.choice(["Honor", "Ignore"]) if inclusion else "Ignore",
                    match_label_keys=("hash",) if label_keys and rng.random() < 0.3 else (),
                )
            )
        default = None
        if not spread and rng.random() < 0.4:
            default = label_selector({"app": labels["app"]})
        affinity = None
        if rng.random() < 0.55:
            n_terms = 2 if same_key else 1
            affinity = PodAffinity(
                required=tuple(
                    term(ns, rng.choice(keys)) for _ in range(rng.randrange(n_terms + 1))
                )
                if rng.random() < 0.25
                else (),
                required_anti=tuple(
                    term(ns, rng.choice(keys)) for _ in range(rng.randrange(n_terms + 1))
                )
                if rng.random() < 0.5
                else (),
                preferred=tuple(
                    WeightedAffinityTerm(rng.randint(1, 100), term(ns, rng.choice(keys)))
                    for _ in range(rng.randrange(n_terms + 1))
                ),
                preferred_anti=tuple(
                    WeightedAffinityTerm(rng.randint(1, 100), term(ns, rng.choice(keys)))
                    for _ in range(rng.randrange(n_terms + 1))
                ),
            )
            if not any(affinity):
                affinity = None
        spread_t, affinity = with_label_keys(tuple(spread), affinity, labels)
        node_selector = None
        required = None
        preferred: list[PreferredTerm] = []
        tolerations: list[Toleration] = []
        if inclusion:
            if rng.random() < 0.15:
                node_selector = {"disk": rng.choice(["ssd", "hdd"])}
            if rng.random() < 0.15:
                required = [
                    Term(
                        (Requirement(TOPO_ZONE, "In", tuple(sorted(set(rng.choices(ZONES, k=2))))),)
                    ),
                    Term((Requirement("rack", "In", (rng.choice(RACKS),)),)),
                ][: rng.randint(1, 2)]
            if rng.random() < 0.3:
                tolerations.append(Toleration("dedicated", "Equal", rng.choice(["db", "ml"])))
        if static_scores:
            if rng.random() < 0.3:
                preferred.append(
                    PreferredTerm(rng.randint(1, 100), Term((Requirement("disk", "In", ("ssd",)),)))
                )
            if rng.random() < 0.2:
                tolerations.append(Toleration("spot", "Exists"))
        templates.append(
            dict(
                namespace=ns,
                labels=labels,
                requests=rng.choice([{}, {"cpu": 5}])
                if best_effort and rng.random() < 0.3
                else {
                    "cpu": rng.choice([100, 250, 500, 1000, 3000]),
                    "memory": rng.choice([256, 1024]) * 2**20,
                },
                spread=spread_t,
                default_spread=default,
                pod_affinity=affinity,
                priority=rng.choice([0, 0, 10, 100]) if priorities else 0,
                tolerations=tolerations,
                node_selector=node_selector,
                required_terms=required,
                preferred_terms=preferred,
            )
        )
    pods = [PodInfo(f"pod-{k:04d}", **rng.choice(templates)) for k in range(n_pods)]  # type: ignore[arg-type]
    if shared_labels:
        for pod in pods:
            if extra.random() < 0.15:
                pod.namespace = extra.choice(namespaces)
    for k in range(min(n_pods // 5, n_pods)):
        pod = pods[k]
        if pod.pod_affinity is not None and not bound_affinity:
            pod.pod_affinity = None
        pod.node_name = nodes[rng.randrange(n_nodes)].name
        pod.phase = "Running"
        if terminating and rng.random() < 0.3:
            pod.terminating = True
        if priorities:
            pod.priority = rng.choice([-5, 0, 0, 5])
    return nodes, pods, Namespaces(NAMESPACE_LABELS if namespace_selectors else None)


def assert_topology_run_matches_reference(
    cfg: SchedulerConfig,
    nodes: list[NodeInfo],
    pods: list[PodInfo],
    namespaces: Namespaces | None = None,
) -> ScheduleResult:
    """Schedule ``pods`` (the Running ones already bound) with the engine and with the
    plain topology reference; every queued pod's node and message must agree."""
    ref_nodes = fresh(nodes)
    by_name = {n.name: n for n in ref_nodes}
    for p in pods:
        if p.phase == "Running":
            assert p.node_name is not None
            by_name[p.node_name].add_pod(p)
    queued = [p for p in pods if p.phase != "Running"]
    expected = reference_topology_schedule(cfg, queued, ref_nodes, namespaces)
    result = schedule_infos(pods, fresh(nodes), cfg, namespaces=namespaces)
    result.check()
    got = {
        o.pod.name: (o.node, o.condition[2] if o.condition else None)
        for o in result.pods
        if o.pod.phase != "Running"
    }
    assert got == expected
    return result


@pytest.mark.parametrize("seed", range(10))
def test_topology_plugins_fast_path_equals_full_scan(seed: int) -> None:
    """Zones, Services' default spreading, spread constraints and affinity: the engine
    (fast path for the pods the plugins cannot concern, full scan for the rest) decides
    and words every message like the plain reference running both plugins on every pod."""
    cfg = CONFIGS[seed % 2]
    nodes, pods = random_topology_cluster(seed * 31337 + 5, n_nodes=18, n_pods=90)
    assert_topology_run_matches_reference(cfg, nodes, pods)


@pytest.mark.parametrize("seed", range(8))
def test_topology_cells_equal_full_scan_on_larger_clusters(seed: int) -> None:
    """The engine places pods the plugins concern by topology cells (nodes sharing every
    topology answer), kept from bind to bind: many replicas per class move nodes between
    cells, rack keys arrive with bound pods after classes were built (the cells are
    rebuilt), and with shared hostname values the hostname is a key like any other. The
    decisions and messages are the plain reference's."""
    cfg = CONFIGS[seed % 2]
    nodes, pods = random_topology_cluster(
        seed * 7919 + 11, n_nodes=40, n_pods=400, racks=seed % 4 < 2, shared_hostnames=seed % 2 == 1
    )
    result = assert_topology_run_matches_reference(cfg, nodes, pods)
    assert sum(1 for o in result.pods if o.node is not None) > len(pods) // 4


def assert_every_topology_reason(messages: list[str | None]) -> None:
    """The Pending pods' messages name every spread and affinity Filter reason."""
    text = "\n".join(m for m in messages if m)
    for reason in (
        pts.REASON_CONSTRAINTS_NOT_MATCH + ",",
        pts.REASON_NODE_LABEL_NOT_MATCH,
        ipa.REASON_POD_ANTI_AFFINITY,
        ipa.REASON_EXISTING_ANTI_AFFINITY,
        ipa.REASON_POD_AFFINITY,
    ):
        assert reason in text, reason


def test_topology_seeds_exercise_the_plugins() -> None:
    """The seeds above meet every spread and affinity reason and leave pods Pending."""
    messages = []
    for seed in range(10):
        nodes, pods = random_topology_cluster(seed * 31337 + 5, n_nodes=18, n_pods=90)
        result = schedule_infos(pods, fresh(nodes), CONFIGS[seed % 2])
        messages += [o.condition[2] for o in result.pods if o.node is None and o.condition]
    assert_every_topology_reason(messages)


SWEEP = int(os.environ.get("PODFIT_TOPOLOGY_SWEEP", "0"))
"""Seeds of the adversarial topology tests below beyond the committed ones (a local sweep:
``PODFIT_TOPOLOGY_SWEEP=500 pytest -k adversarial``)."""


AdversarialCase = tuple[list[NodeInfo], list[PodInfo], Namespaces]


def _adversarial_case(seed: int, n_nodes: int, n_pods: int) -> AdversarialCase:
    """Odd seeds bind no pod with affinity terms in the input (classes are built without
    InterPodAffinity sums and rebuilt when the first term arrives, topology keys arrive
    one by one); every third seed has 80 templates (topology classes evicted from the
    engine's LRU of 64 and rebuilt), the others 12 (long-lived classes, many replicas)."""
    return adversarial_topology_cluster(
        seed, n_nodes, n_pods, 80 if seed % 3 == 0 else 12, bound_affinity=seed % 2 == 0
    )


@pytest.mark.parametrize("seed", range(max(16, SWEEP)))
def test_topology_cells_equal_full_scan_on_adversarial_clusters(seed: int) -> None:
    """Inclusion policies with taints and node affinity, minDomains above the domain
    count, matchLabelKeys / mismatchLabelKeys, namespaceSelectors, terminating bound pods,
    nodes without labels or hostname, shared hostnames, several constraints and terms on
    one key, static scores, priorities, bound pods with terms, more templates than the
    engine keeps classes: the topology cells decide and word every message like the
    plain reference."""
    nodes, pods, namespaces = _adversarial_case(seed, 14, 200)
    assert_topology_run_matches_reference(CONFIGS[seed % 2], nodes, pods, namespaces)


@pytest.mark.parametrize("seed", range(max(8, SWEEP)))
def test_evicting_topology_cells_equal_full_scan_path_on_adversarial_clusters(seed: int) -> None:
    """With preemption evicting, the topology cells (nodes moving between cells as
    victims leave) evict, requeue and place exactly as the full-scan path."""
    nodes, pods, namespaces = _adversarial_case(seed, 12, 160)
    cfg = make_config()
    fast = schedule_infos(pods, fresh(nodes), cfg, namespaces=namespaces)
    slow = schedule_infos(pods, fresh(nodes), cfg, explain=True, namespaces=namespaces)

    def view(result: ScheduleResult) -> list[tuple[object, ...]]:
        return [
            (o.pod.name, o.node, o.phase, o.condition, o.preempted_by, o.preempted_from)
            for o in result.pods
        ]

    assert view(fast) == view(slow)


def test_adversarial_seeds_evict_and_meet_every_reason() -> None:
    """The evicting seeds above do preempt, and the reference seeds leave pods Pending
    for every spread and affinity reason."""
    preempted = 0
    for seed in range(8):
        nodes, pods, namespaces = _adversarial_case(seed, 12, 160)
        result = schedule_infos(pods, fresh(nodes), make_config(), namespaces=namespaces)
        preempted += result.summary()["preempted"]
    assert preempted > 0
    messages = []
    for seed in range(16):
        nodes, pods, namespaces = _adversarial_case(seed, 14, 200)
        result = schedule_infos(pods, fresh(nodes), CONFIGS[seed % 2], namespaces=namespaces)
        messages += [o.condition[2] for o in result.pods if o.node is None and o.condition]
    assert_every_topology_reason(messages)


@pytest.mark.parametrize("cfg", CONFIGS)
def test_empty_zone_value_shares_the_system_default_domain_of_nodes_without_zone(
    cfg: SchedulerConfig,
) -> None:
    """System default spreading: a node without the zone label counts its pods into the
    domain "" that a node labelled ``zone: ""`` scores by, while the unlabelled node itself
    gets no zone term (upstream reads ``node.Labels[key]``; Score only where the key is
    present). The cells (a missing key and "" are different cells) place every replica as
    the plain reference does."""
    zone_of = {0: "", 2: "a", 3: "", 4: "b"}  # node 1 and 5 carry no zone label
    nodes = [
        NodeInfo(
            f"node-{i}",
            {"cpu": 8000, "memory": 16 * GI, "pods": 30},
            labels={HOST: f"h{i}", **({TOPO_ZONE: zone_of[i]} if i in zone_of else {})},
            index=i,
        )
        for i in range(6)
    ]
    labels = {"app": "web"}
    default = label_selector({"app": "web"})
    pods = [
        PodInfo(
            f"pod-{k:02d}",
            labels=labels,
            requests={"cpu": 100, "memory": 2**20},
            default_spread=default,
        )
        for k in range(24)
    ]
    for k in range(5):  # matching pods bound on the nodes without the zone label
        pods[k].node_name = nodes[1 if k < 4 else 5].name
        pods[k].phase = "Running"
    assert_topology_run_matches_reference(cfg, nodes, pods)
