"""Placement rules: queue order, running pods, kubelet admission, DaemonSets, ties, explain,
preemption, the result document and the invariant checker."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfit.options.load import load_options
from podfit.scheduler.config import SchedulerConfig, make_config
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
from podfit.scheduler.result import ScheduleResult, outcome_for
from podfit.scheduler.run import DaemonSetTemplate, schedule_infos
from podfit.schemas.schedule import ScheduleOptionsSchema, ScheduleResultSchema

GI = 1024**3
CFG = make_config()


def nodes(*specs: tuple[str, int], pods: int = 110, **kw: object) -> list[NodeInfo]:
    """Nodes named ``name`` with ``cpu`` millicores, 16Gi and ``pods`` max pods."""
    return [
        NodeInfo(name, {"cpu": cpu, "memory": 16 * GI, "pods": pods}, index=i, **kw)  # type: ignore[arg-type]
        for i, (name, cpu) in enumerate(specs)
    ]


def cpu_pod(name: str, cpu: int, **kw: object) -> PodInfo:
    return PodInfo(name, requests={"cpu": cpu, "memory": GI}, **kw)  # type: ignore[arg-type]


REPORT = make_config(preemption=False)
"""Preemption as a report (``--no-preemption``): nothing evicted, victims in the shortfall."""


def run(
    pods: list[PodInfo], ns: list[NodeInfo], cfg: SchedulerConfig = CFG, **kw: object
) -> ScheduleResult:
    result = schedule_infos(pods, ns, cfg, **kw)  # type: ignore[arg-type]
    result.check()
    return result


def test_higher_priority_is_scheduled_first() -> None:
    """PrioritySort: the high-priority pod gets the only slot even though it comes last."""
    result = run([cpu_pod("low", 800), cpu_pod("high", 800, priority=10)], nodes(("n", 1000)))
    assert outcome_for(result.pods, "high").node == "n"
    assert outcome_for(result.pods, "low").phase == "Pending"


def test_equal_priority_keeps_input_order() -> None:
    """Same priority: input order decides."""
    result = run([cpu_pod("first", 800), cpu_pod("second", 800)], nodes(("n", 1000)))
    assert outcome_for(result.pods, "first").node == "n"


def test_running_pods_are_counted_first_even_if_listed_last() -> None:
    """A Running pod bound to a node uses its capacity before the queue runs."""
    running = cpu_pod("old", 900, node_name="n", phase="Running")
    result = run([cpu_pod("new", 200), running], nodes(("n", 1000)))
    assert outcome_for(result.pods, "new").phase == "Pending"
    assert outcome_for(result.pods, "old").node == "n"


def test_terminal_pods_count_nowhere() -> None:
    """Succeeded/Failed pods are reported as given and use no capacity."""
    done = cpu_pod("done", 900, node_name="n", phase="Succeeded")
    result = run([done, cpu_pod("new", 900)], nodes(("n", 1000)))
    assert outcome_for(result.pods, "new").node == "n"
    assert outcome_for(result.pods, "done").phase == "Succeeded"


def test_pod_naming_its_node_is_admitted_by_the_kubelet() -> None:
    """spec.nodeName bypasses the scheduler: it even lands on a tainted node if it fits."""
    ns = nodes(("n", 1000), taints=[Taint("k", "v", "NoSchedule")])
    result = run([cpu_pod("static", 500, node_name="n")], ns)
    assert outcome_for(result.pods, "static").node == "n"
    assert outcome_for(result.pods, "static").phase == "Running"


def test_kubelet_rejects_with_out_of_cpu_and_its_message() -> None:
    """The issue's example: requested 2000, used 3000, capacity 4000 → Failed OutOfcpu."""
    busy = cpu_pod("busy", 3000, node_name="n", phase="Running")
    result = run([busy, cpu_pod("static", 2000, node_name="n")], nodes(("n", 4000)))
    out = outcome_for(result.pods, "static")
    assert out.phase == "Failed"
    assert out.reason == "OutOfcpu"
    assert out.message == (
        "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, "
        "used: 3000, capacity: 4000"
    )


def test_kubelet_pod_count_first() -> None:
    """The pod count is checked before cpu: OutOfpods."""
    ns = nodes(("n", 1000), pods=1)
    busy = cpu_pod("busy", 100, node_name="n", phase="Running")
    out = outcome_for(run([busy, cpu_pod("s", 5000, node_name="n")], ns).pods, "s")
    assert out.reason == "OutOfpods"
    assert out.message is not None and out.message.endswith(
        "pods, requested: 1, used: 1, capacity: 1"
    )


def test_kubelet_node_selector_mismatch() -> None:
    """A node-named pod whose selector does not match is rejected by the NodeAffinity predicate."""
    pod = cpu_pod("s", 100, node_name="n", node_selector={"zone": "x"})
    out = outcome_for(run([pod], nodes(("n", 1000))).pods, "s")
    assert out.reason == "NodeAffinity"
    assert out.message == (
        "Pod was rejected: Predicate NodeAffinity failed: "
        "node(s) didn't match Pod's node affinity/selector"
    )


def test_kubelet_ignores_extended_resources_the_node_does_not_have() -> None:
    """removeMissingExtendedResources: unknown extended resources do not block admission."""
    pod = PodInfo("s", requests={"cpu": 100, "example.com/dongle": 1}, node_name="n")
    assert outcome_for(run([pod], nodes(("n", 1000))).pods, "s").phase == "Running"


def test_daemonset_one_pod_per_eligible_node_first() -> None:
    """DaemonSet pods go first, one per node passing selector and taints, named <ds>-<node>."""
    ns = nodes(("a", 1000), ("b", 1000), ("c", 1000))
    ns[1].taints = (Taint("dedicated", "db", "NoSchedule"),)
    ns[2].unschedulable = True
    template = cpu_pod("agent", 300)
    result = run([cpu_pod("web", 800)], ns, daemonsets=[DaemonSetTemplate("agent", template)])
    names = [o.pod.name for o in result.pods]
    assert names == ["agent-a", "agent-c", "web"]
    assert outcome_for(result.pods, "agent-a").node == "a"
    assert outcome_for(result.pods, "agent-c").node == "c"  # cordoned: DaemonSets tolerate it
    assert outcome_for(result.pods, "web").phase == "Pending"  # a has 700m left, b, c closed


def test_cordoned_node_takes_daemonset_pods_but_not_others() -> None:
    """Only DaemonSet pods tolerate node.kubernetes.io/unschedulable."""
    ns = nodes(("a", 1000), ("b", 2000))
    ns[1].unschedulable = True
    result = run(
        [cpu_pod("web", 100)], ns, daemonsets=[DaemonSetTemplate("agent", cpu_pod("t", 100))]
    )
    assert outcome_for(result.pods, "agent-b").node == "b"
    assert outcome_for(result.pods, "web").node == "a"


def test_daemonset_pod_that_does_not_fit_reports_absent_nodes() -> None:
    """Other nodes are outside the PreFilter result: `didn't satisfy plugin(s) [NodeAffinity]`."""
    ns = nodes(("a", 1000), ("b", 1000), ("c", 1000))
    running = cpu_pod("hog", 1000, node_name="b", phase="Running")
    result = run([running], ns, daemonsets=[DaemonSetTemplate("agent", cpu_pod("t", 300))])
    out = outcome_for(result.pods, "agent-b")
    assert out.phase == "Pending"
    assert out.condition == (
        "False",
        "Unschedulable",
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) "
        "[NodeAffinity]. no new claims to deallocate, preemption: 0/3 nodes are available: "
        "1 No preemption victims found "
        "for incoming pod, 2 Preemption is not helpful for scheduling.",
    )


def test_daemonset_node_selector_limits_nodes() -> None:
    """A DaemonSet with a nodeSelector only runs on matching nodes."""
    ns = nodes(("a", 1000), ("b", 1000))
    ns[1].labels = {"gpu": "yes"}
    template = cpu_pod("t", 100, node_selector={"gpu": "yes"})
    result = run([], ns, daemonsets=[DaemonSetTemplate("dcgm", template)])
    assert [o.pod.name for o in result.pods] == ["dcgm-b"]


def test_ties_go_to_the_first_node_in_input_order_and_are_explained() -> None:
    """Identical nodes: the first wins; --explain lists the whole tie set and all scores."""
    result = run([cpu_pod("p", 100)], nodes(("a", 1000), ("b", 1000), ("c", 1000)), explain=True)
    out = outcome_for(result.pods, "p")
    assert out.node == "a"
    assert out.explain is not None
    assert out.explain["ties"] == ["a", "b", "c"]
    assert set(out.explain["scores"]) == {"a", "b", "c"}
    score = out.explain["scores"]["a"]
    assert score["TaintToleration"] == 300
    assert score["total"] == sum(v for k, v in score.items() if k != "total")


def test_single_feasible_node_is_chosen_without_scoring() -> None:
    """One feasible node: no scores in the explanation, the node is the only 'tie'."""
    result = run([cpu_pod("p", 900)], nodes(("a", 500), ("b", 1000)), explain=True)
    out = outcome_for(result.pods, "p")
    assert out.node == "b"
    assert out.explain == {"filters": {"a": ["Insufficient cpu"]}, "scores": {}, "ties": ["b"]}


def test_worked_total_from_the_notes() -> None:
    """§5.4: node1 424 vs node2 459 → node2 (LeastAllocated 32/63, Balanced 92/96, taints 300)."""
    ns = [
        NodeInfo("node1", {"cpu": 4000, "memory": 10000, "pods": 110}, index=0),
        NodeInfo("node2", {"cpu": 6000, "memory": 10000, "pods": 110}, index=1),
    ]
    x = PodInfo("x", requests={"cpu": 2000, "memory": 4000}, node_name="node1", phase="Running")
    y = PodInfo("y", requests={"cpu": 1000, "memory": 2000}, node_name="node2", phase="Running")
    result = run([x, y, PodInfo("p", requests={"cpu": 1000, "memory": 2000})], ns, explain=True)
    out = outcome_for(result.pods, "p")
    assert out.node == "node2"
    assert out.explain is not None
    assert out.explain["scores"]["node1"]["total"] == 424
    assert out.explain["scores"]["node2"]["total"] == 459


def test_prefer_no_schedule_taint_and_preferred_affinity_steer_placement() -> None:
    """TaintToleration (reverse-normalised, weight 3) and NodeAffinity (weight 2) scores."""
    ns = nodes(("spot", 1000), ("plain", 1000))
    ns[0].taints = (Taint("spot", "true", "PreferNoSchedule"),)
    assert outcome_for(run([cpu_pod("p", 100)], ns).pods, "p").node == "plain"
    ns = nodes(("x", 1000), ("y", 1000))
    ns[1].labels = {"disk": "ssd"}
    term = Term((Requirement("disk", "In", ("ssd",)),))
    pod = cpu_pod("p", 100, preferred_terms=[PreferredTerm(10, term)])
    assert outcome_for(run([pod], ns).pods, "p").node == "y"


def test_preemption_candidate_drops_the_preemption_suffix() -> None:
    """A lower-priority pod whose eviction would make room: no preemption part, a candidate
    (``--no-preemption``: reported, not evicted)."""
    low = cpu_pod("low", 800, node_name="n", phase="Running")
    result = run([low, cpu_pod("high", 800, priority=100)], nodes(("n", 1000)), REPORT)
    out = outcome_for(result.pods, "high")
    assert out.phase == "Pending"
    assert out.condition is not None
    assert out.condition[2] == "0/1 nodes are available: 1 Insufficient cpu."
    assert out.shortfall is not None
    assert out.shortfall["preemption"] == {"node": "n", "victims": ["default/low"]}


def test_victims_that_do_not_free_enough_report_the_filter_reason() -> None:
    """Removing every lower-priority pod still does not fit → the filter reason is counted."""
    low = cpu_pod("low", 200, node_name="n", phase="Running")
    mid = cpu_pod("mid", 700, node_name="n", phase="Running", priority=100)
    out = outcome_for(run([low, mid, cpu_pod("p", 900, priority=50)], nodes(("n", 1000))).pods, "p")
    assert out.condition is not None
    assert out.condition[2] == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "no new claims to deallocate, preemption: 0/1 nodes are available: 1 Insufficient cpu."
    )


def test_preemption_policy_never() -> None:
    """preemptionPolicy: Never → `not eligible due to preemptionPolicy=Never.`"""
    pod = cpu_pod("p", 2000, preemption_policy="Never")
    out = outcome_for(run([pod], nodes(("n", 1000))).pods, "p")
    assert out.condition is not None
    assert out.condition[2] == (
        "0/1 nodes are available: 1 Insufficient cpu. "
        "no new claims to deallocate, preemption: not eligible due to preemptionPolicy=Never."
    )


def test_unresolvable_request_is_not_helpful_for_preemption() -> None:
    """A request above a node's whole allocatable makes preemption not helpful there."""
    result = run([cpu_pod("p", 1500)], nodes(("small", 1000), ("big", 2000)))
    out = outcome_for(result.pods, "p")
    assert out.node == "big"
    out = outcome_for(run([cpu_pod("p", 5000)], nodes(("small", 1000))).pods, "p")
    assert out.condition is not None
    assert out.condition[2].endswith(
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    )


def test_affinity_terms_conflict_is_a_prefilter_rejection() -> None:
    """metadata.name terms with an empty intersection: a PreFilter rejection. From 1.34
    NodeAffinity's UnschedulableAndUnresolvable ends the PreFilter loop before
    DynamicResources writes its state, so its PostFilter's ``not found`` Error is the
    PostFilter message; without DRA, DefaultPreemption's "not helpful" for every node."""
    term = Term(
        (),
        (
            Requirement("metadata.name", "In", ("a",)),
            Requirement("metadata.name", "In", ("b",)),
        ),
    )
    pod = cpu_pod("p", 1, required_terms=[term])
    out = outcome_for(run([pod], nodes(("a", 10))).pods, "p")
    assert out.condition is not None
    assert out.condition[2] == "0/1 nodes are available: pod affinity terms conflict. not found"
    no_dra = make_config(dra=False)
    out = outcome_for(schedule_infos([pod], nodes(("a", 10)), no_dra).pods, "p")
    assert out.condition is not None
    assert out.condition[2] == (
        "0/1 nodes are available: pod affinity terms conflict. "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    )


def test_host_ports_spread_pods() -> None:
    """Two pods wanting the same host port cannot share a node."""
    ns = nodes(("a", 1000), ("b", 1000))
    pods = [cpu_pod(f"p{i}", 100, host_ports=[HostPort("TCP", "", 80)]) for i in range(3)]
    result = run(pods, ns)
    assert sorted(o.node or "-" for o in result.pods) == ["-", "a", "b"]
    pending = outcome_for(result.pods, "p2")
    assert pending.condition is not None
    assert "2 node(s) didn't have free ports for the requested pod ports" in pending.condition[2]


def test_shortfall_numbers() -> None:
    """Largest free per resource and where, reason counts, and the three fixes."""
    ns = nodes(("a", 1000), ("b", 2000))
    result = run([cpu_pod("p", 2500)], ns)
    short = outcome_for(result.pods, "p").shortfall
    assert short is not None
    assert short["resources"]["cpu"] == {
        "request": "2500m",
        "largestFree": "2",
        "largestFreeNode": "b",
    }
    assert short["reasons"] == {"Insufficient cpu": 2}
    assert short["fix"]["shrinkRequest"] == {"node": "b", "requests": {"cpu": "2"}}
    assert short["fix"]["freeOnNode"] is None  # 2500m exceeds every node's allocatable
    assert short["fix"]["addNode"] is None  # even an empty largest node (2 cpu) is too small
    assert short["unavailable"] == ["cpu"]


def test_shortfall_free_on_node() -> None:
    """freeOnNode picks the node needing the smallest relative release."""
    busy = cpu_pod("busy", 1500, node_name="b", phase="Running")
    short = outcome_for(
        run([busy, cpu_pod("p", 1000)], nodes(("a", 800), ("b", 2000))).pods, "p"
    ).shortfall
    assert short is not None
    assert short["fix"]["freeOnNode"] == {"node": "b", "free": {"cpu": "500m"}}
    assert short["fix"]["shrinkRequest"] == {"node": "a", "requests": {"cpu": "800m"}}
    assert short["fix"]["addNode"] == {"like": "b"}
    assert short["unavailable"] == []


def test_result_document_matches_schema_and_issue_shape() -> None:
    """to_dict has the issue-4 keys, canonical quantities, every pod once."""
    ns = nodes(("a", 1000))
    result = run(
        [cpu_pod("p", 1500), PodInfo("q", requests={"cpu": 250, "memory": 1536 * 2**20})], ns
    )
    doc = result.to_dict()
    ScheduleResultSchema().load(doc)
    assert doc["apiVersion"] == "podfit/v1" and doc["kind"] == "ScheduleResult"
    assert doc["summary"] == {"pods": 2, "scheduled": 1, "pending": 1, "preempted": 0, "nodes": 1}
    q = next(p for p in doc["pods"] if p["name"] == "q")
    assert q["requests"] == {"cpu": "250m", "memory": "1536Mi"}
    node = doc["nodes"][0]
    assert node["requested"]["cpu"] == "250m"
    assert node["free"]["cpu"] == "750m"
    assert node["pods"] == ["q"]
    assert node["utilization"]["cpu"] == 0.25


def test_check_catches_a_corrupted_node() -> None:
    """The invariant checker fails when totals disagree with the placed pods."""
    result = run([cpu_pod("p", 100)], nodes(("a", 1000)))
    result.nodes[0].requested["cpu"] += 1
    with pytest.raises(AssertionError):
        result.check()


def test_check_catches_a_lost_pod() -> None:
    """Every input pod must appear exactly once."""
    result = run([cpu_pod("p", 100), cpu_pod("q", 100)], nodes(("a", 1000)))
    result.pods.pop()
    with pytest.raises(AssertionError):
        result.check()


def test_load_options_validates_like_kubernetes() -> None:
    """Options come through marshmallow then make_config; errors name the input's field
    (not kube-scheduler's ``scoringStrategy.resources[0].weight``)."""
    from podfit.errors import ConfigError

    schema = ScheduleOptionsSchema()
    assert load_options(schema, {"strategy": "MostAllocated"}).config.strategy == "MostAllocated"
    with pytest.raises(ConfigError) as info:
        load_options(schema, {"resources": [{"name": "cpu", "weight": 101}]})
    assert info.value.path == "resources[0].weight"
    with pytest.raises(ConfigError) as info:
        load_options(schema, {"explain": "maybe"})
    assert info.value.path == "explain"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 4), st.integers(0, 3)), max_size=40),
    st.lists(
        st.tuples(st.integers(0, 4000), st.integers(0, 6), st.booleans()), min_size=1, max_size=6
    ),
)
def test_invariants_hold_on_random_clusters(
    pod_specs: list[tuple[int, int, int]], node_specs: list[tuple[int, int, bool]]
) -> None:
    """No node above allocatable, totals equal their pods, every pod exactly once."""
    ns = [
        NodeInfo(
            f"n{i}",
            {"cpu": cpu, "memory": 8 * GI, "pods": max_pods},
            taints=[Taint("t", "v", "NoSchedule")] if tainted else [],
            index=i,
        )
        for i, (cpu, max_pods, tainted) in enumerate(node_specs)
    ]
    pods = [
        PodInfo(
            f"p{k}",
            requests={"cpu": cpu, "memory": mem * GI},
            priority=prio,
            tolerations=[Toleration("t", "Exists")] if prio == 3 else [],
        )
        for k, (cpu, mem, prio) in enumerate(pod_specs)
    ]
    result = schedule_infos(pods, ns, CFG)
    result.check()
    assert len(result.pods) == len(pods)


def test_running_pod_on_unknown_node_is_reported_not_counted() -> None:
    """A Running pod whose node is not in the input keeps its phase and counts nowhere."""
    ghost = cpu_pod("ghost", 900, node_name="elsewhere", phase="Running")
    result = run([ghost, cpu_pod("new", 900)], nodes(("n", 1000)))
    out = outcome_for(result.pods, "ghost")
    assert (out.phase, out.node, out.reason) == ("Running", "elsewhere", "NodeNotInInput")
    assert outcome_for(result.pods, "new").node == "n"


def test_pending_pods_of_one_template_share_the_same_message() -> None:
    """Consecutive Pending replicas get identical messages (computed once per cluster state;
    ``--no-preemption``, so that the state stays the same)."""
    low = cpu_pod("low", 600, node_name="n", phase="Running")
    pods = [low, *(cpu_pod(f"r{i}", 800, priority=5) for i in range(3))]
    result = run(pods, nodes(("n", 1000)), REPORT)
    messages = {o.condition[2] for o in result.pods if o.phase == "Pending" and o.condition}
    assert messages == {"0/1 nodes are available: 1 Insufficient cpu."}


def test_no_nodes_at_all() -> None:
    """Without nodes kube-scheduler reports ErrNoNodesAvailable (no histogram, no preemption)."""
    result = run([cpu_pod("p", 100)], [])
    out = outcome_for(result.pods, "p")
    assert out.condition == ("False", "Unschedulable", "no nodes available to schedule pods")


def test_bound_pending_pod_from_a_live_cluster_is_counted_as_is() -> None:
    """kubectl output: a Pending pod already bound to a node occupies it; its phase is kept."""
    bound = cpu_pod("starting", 900, node_name="n", phase="Pending")
    result = run([bound, cpu_pod("new", 900)], nodes(("n", 1000)))
    out = outcome_for(result.pods, "starting")
    assert (out.phase, out.node, out.counted) == ("Pending", "n", True)
    assert outcome_for(result.pods, "new").phase == "Pending"
    assert result.summary()["scheduled"] == 1
    assert result.summary()["pending"] == 1


def test_shortfall_never_suggests_freeing_what_a_node_cannot_hold() -> None:
    """A GPU request on GPU-less nodes: no freeOnNode/addNode, the GPU is 'unavailable'."""
    pod = PodInfo("p", requests={"cpu": 100, "nvidia.com/gpu": 1})
    short = outcome_for(run([pod], nodes(("a", 1000), ("b", 1000))).pods, "p").shortfall
    assert short is not None
    assert short["unavailable"] == ["nvidia.com/gpu"]
    assert short["fix"] == {"shrinkRequest": None, "freeOnNode": None, "addNode": None}


def test_derived_mixed_message_from_the_notes() -> None:
    """§4 derived case (1.35): taint on node1, cpu+memory short on node2, pods+cpu on node3."""
    ns = [
        NodeInfo("node1", {"cpu": 4000, "memory": 8 * GI, "pods": 10},
                 taints=[Taint("k", "v", "NoSchedule")], index=0),
        NodeInfo("node2", {"cpu": 4000, "memory": 8 * GI, "pods": 10}, index=1),
        NodeInfo("node3", {"cpu": 4000, "memory": 8 * GI, "pods": 1}, index=2),
    ]  # fmt: skip
    busy2 = PodInfo(
        "b2", requests={"cpu": 3500, "memory": 7 * GI}, node_name="node2", phase="Running"
    )
    busy3 = PodInfo("b3", requests={"cpu": 3500}, node_name="node3", phase="Running")
    pod = PodInfo("p", requests={"cpu": 1000, "memory": 2 * GI})
    result = schedule_infos([busy2, busy3, pod], ns, make_config(version="1.35"))
    result.check()
    assert outcome_for(result.pods, "p").condition == (
        "False",
        "Unschedulable",
        "0/3 nodes are available: 1 Insufficient memory, 1 Too many pods, 1 node(s) had "
        "untolerated taint(s), 2 Insufficient cpu. no new claims to deallocate, "
        "preemption: 0/3 nodes are available: "
        "1 Preemption is not helpful for scheduling, 2 No preemption victims found for "
        "incoming pod.",
    )


def test_derived_prefilter_result_message_from_the_notes() -> None:
    """§4 derived case: metadata.name In [node-x] with no such node → all nodes absent."""
    term = Term((), (Requirement("metadata.name", "In", ("node-x",)),))
    pod = cpu_pod("p", 100, required_terms=[term])
    out = outcome_for(run([pod], nodes(("a", 1000), ("b", 1000), ("c", 1000))).pods, "p")
    assert out.condition is not None
    assert out.condition[2] == (
        "0/3 nodes are available: 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        "no new claims to deallocate, "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    )


def test_kubelet_rejects_untolerated_no_execute_taint_except_for_static_pods() -> None:
    """The kubelet checks only NoExecute taints, and not for static pods (owner Node/...)."""
    ns = nodes(("n", 1000), taints=[Taint("evict", "now", "NoExecute")])
    out = outcome_for(run([cpu_pod("s", 100, node_name="n")], ns).pods, "s")
    assert out.reason == "TaintToleration"
    assert out.message == (
        "Pod was rejected: Predicate TaintToleration failed: "
        "node(s) had taints that the pod didn't tolerate"
    )
    ns = nodes(("n", 1000), taints=[Taint("evict", "now", "NoExecute")])
    static = cpu_pod("s", 100, node_name="n", owner="Node/n")
    assert outcome_for(run([static], ns).pods, "s").phase == "Running"


def test_daemonset_pod_already_running_is_not_duplicated() -> None:
    """kubectl output with a running DaemonSet pod plus the DaemonSet: no second pod there."""
    ns = nodes(("a", 1000), ("b", 1000))
    running = cpu_pod("agent-xyz", 300, node_name="a", phase="Running", owner="DaemonSet/agent")
    result = run([running], ns, daemonsets=[DaemonSetTemplate("agent", cpu_pod("t", 300))])
    assert [o.pod.name for o in result.pods] == ["agent-b", "agent-xyz"]
    assert outcome_for(result.pods, "agent-b").node == "b"


def test_load_options_nested_paths() -> None:
    """Nested marshmallow errors keep their list index in the path."""
    from podfit.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        load_options(
            ScheduleOptionsSchema(),
            {"shape": [{"utilization": 0, "score": 1}, {"utilization": "x", "score": 2}]},
        )
    assert info.value.path == "shape[1].utilization"


def test_preemption_victims_reprieve_the_most_important_pods() -> None:
    """SelectVictimsOnNode: lower-priority pods are added back (higher priority, then older
    first) while the pod still fits; only the rest are victims."""
    ns = nodes(("n", 4000))
    running = [
        cpu_pod("old", 900, node_name="n", phase="Running"),
        cpu_pod("mid", 900, node_name="n", phase="Running", priority=5),
        cpu_pod("new1", 900, node_name="n", phase="Running"),
        cpu_pod("new2", 900, node_name="n", phase="Running"),
    ]
    result = run([*running, cpu_pod("high", 3000, priority=10)], ns, REPORT)
    short = outcome_for(result.pods, "high").shortfall
    assert short is not None
    # all four removed: 4000m free. Add back "mid" (priority 5): 3100m free, still fits.
    # "old" next (oldest of priority 0): 2200m free, too little → victim; so are the others.
    assert short["preemption"] == {
        "node": "n",
        "victims": ["default/old", "default/new1", "default/new2"],
    }
    running2 = [
        cpu_pod("a", 300, node_name="n", phase="Running"),
        cpu_pod("b", 3300, node_name="n", phase="Running"),
    ]
    short = outcome_for(
        run([*running2, cpu_pod("high", 3000, priority=10)], nodes(("n", 4000)), REPORT).pods,
        "high",
    ).shortfall
    assert short is not None
    assert short["preemption"] == {"node": "n", "victims": ["default/b"]}  # "a" is reprieved


def test_respawn_keeps_every_field_not_named_and_applies_the_changes() -> None:
    """PodInfo.respawn is the one copy rule (DaemonSet pods per node, DaemonSet templates,
    planner replicas): unnamed fields are this pod's, named ones are normalised like the
    constructor's, the scheduling key follows the changes, and unknown fields are refused."""
    term = Term((), (Requirement("metadata.name", "In", ("a",)),))
    base = PodInfo(
        "p",
        namespace="ns",
        owner="Deployment/w",
        requests={"cpu": 100, "example.com/gpu": 1},
        priority=5,
        node_selector={"z": "1"},
        tolerations=[Toleration("k", "Exists", "", "NoSchedule")],
        host_ports=[HostPort("TCP", "", 80)],
        qos_class="Burstable",
        node_name="n1",
        phase="Running",
    )
    names = [s for s in PodInfo.__slots__ if s not in ("_key", "name")]
    same = base.respawn()
    assert same is not base
    assert all(getattr(same, f) == getattr(base, f) for f in names)
    assert same.scheduling_key() == base.scheduling_key()
    moved = base.respawn("q", node_name=None, phase=None, required_terms=[term], priority=9)
    assert (moved.name, moved.node_name, moved.phase, moved.priority) == ("q", None, None, 9)
    assert moved.required_terms == (term,)
    assert moved.scheduling_key() != base.scheduling_key()
    assert moved.requests is base.requests and moved.tolerations == base.tolerations
    selector = base.respawn(node_selector={"b": "2", "a": "1"})
    assert selector.node_selector == (("a", "1"), ("b", "2"))
    with pytest.raises(TypeError, match="requests"):
        base.respawn(requests={"cpu": 1})


def test_daemonset_pod_for_a_node_is_the_template_pinned_to_that_node() -> None:
    """``daemonset_pod_for``: the template's spec, one metadata.name In [node] term."""
    from podfit.scheduler.placement import daemonset_pod_for

    template = PodInfo(
        "t", owner="DaemonSet/agent", requests={"cpu": 50}, priority=3, daemonset="agent",
        tolerations=[Toleration("k", "Exists", "", "NoSchedule")],
        required_terms=[Term((Requirement("pool", "In", ("x",)),), ())],
    )  # fmt: skip
    pod = daemonset_pod_for(template, "agent-a", NodeInfo("a", {"cpu": 1000, "pods": 10}))
    assert pod.name == "agent-a" and pod.node_name is None and pod.phase is None
    assert pod.required_terms == (Term((), (Requirement("metadata.name", "In", ("a",)),)),)
    assert (pod.owner, pod.priority, pod.daemonset, pod.tolerations) == (
        "DaemonSet/agent", 3, "agent", template.tolerations,
    )  # fmt: skip
