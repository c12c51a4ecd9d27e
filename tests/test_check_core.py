"""Rules of ``podfit check``'s core: the CheckPolicy document, the default policy, drain
semantics (pods elsewhere stay, controller-owned pods are recreated, bare pods lost,
DaemonSet pods go with their node), HPAs at min/max, PodDisruptionBudgets, maxRequested
headroom, and the report's shape and determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from podfit.check import ClusterInput, check, default_policy, parse_policy
from podfit.check.inputs import Budget, scale
from podfit.errors import ConfigError
from podfit.manifests.objects import (
    HorizontalPodAutoscaler,
    LabelSelector,
    ObjectRef,
    PodDisruptionBudget,
    Requirement,
)
from podfit.nodes import Node
from podfit.planning.drain import budget_violation
from podfit.planning.whatif import what_if
from podfit.pods import Container, Pod, replicas
from podfit.quantity import parse_quantity as q
from podfit.scheduler import schedule
from podfit.yamlsafe import load_all

ZONE = "topology.kubernetes.io/zone"


def node(name: str, cpu: str = "4", mem: str = "8Gi", zone: str = "") -> Node:
    alloc = {"cpu": q(cpu), "memory": q(mem), "pods": q("110")}
    return Node(name, alloc, alloc, labels={ZONE: zone} if zone else {})


def pods_of(
    owner: str | None,
    count: int,
    cpu: str,
    mem: str = "256Mi",
    prefix: str = "",
    labels: dict[str, str] | None = None,
    **kw: Any,
) -> list[Pod]:
    name = prefix or (owner.split("/")[1] if owner else "bare")
    template = Pod(
        name,
        owner=owner,
        labels=labels or {},
        containers=(Container("c", {"cpu": q(cpu), "memory": q(mem)}),),
        **kw,
    )
    return replicas(template, [f"{name}-{i}" for i in range(count)])


def hpa_of(
    namespace: str, name: str, kind: str, target: str, low: int, high: int
) -> HorizontalPodAutoscaler:
    return HorizontalPodAutoscaler(name, namespace, ObjectRef("apps/v1", kind, target), low, high)


def selector(labels: dict[str, str], expressions: tuple[Requirement, ...] = ()) -> LabelSelector:
    return LabelSelector(tuple(sorted(labels.items())), expressions)


def pdb_of(
    namespace: str, name: str, selector: LabelSelector | None, **kw: Any
) -> PodDisruptionBudget:
    return PodDisruptionBudget(name, namespace, selector, **kw)


def policy(*scenarios: dict[str, Any]) -> Any:
    return parse_policy(
        {"apiVersion": "podfit/v1", "kind": "CheckPolicy", "scenarios": list(scenarios)}
    )


def variant(report: dict[str, Any], scenario: str, name: str) -> dict[str, Any]:
    [s] = [s for s in report["scenarios"] if s["name"] == scenario]
    [v] = [v for v in s["variants"] if v["name"] == name]
    assert isinstance(v, dict)
    return v


DOCS = Path(__file__).parent.parent / "docs" / "check.md"


def docs_policy() -> str:
    """The example policy of docs/check.md (the issue's), as the page shows it."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return str(next(b for b in blocks if "kind: CheckPolicy" in b))


# ------------------------------------------------------------------------------ policy


def test_the_documented_example_policy_runs_with_one_variant_per_node_and_zone() -> None:
    [doc] = load_all(docs_policy())
    nodes = [node("node-a", zone="a"), node("node-b", zone="b"), node("node-c", zone="a")]
    cluster = ClusterInput(
        "",
        pods_of("Deployment/web", 4, "1"),
        nodes,
        autoscalers=[hpa_of("default", "web", "Deployment", "web", 2, 6)],
    )
    report = check([cluster], parse_policy(doc))
    names = {s["name"]: [v["name"] for v in s["variants"]] for s in report["scenarios"]}
    assert names == {
        "as-is": ["all-nodes"],
        "hpa-max": ["all-nodes"],
        "lose-any-node": ["node/node-a", "node/node-b", "node/node-c"],
        "lose-a-zone-at-peak": ["zone/a", "zone/b"],
        "headroom": ["all-nodes"],
        "without-these": ["nodes/node-a,node-b"],
    }
    # 4 × 1 cpu as-is; 6 at peak. Losing zone a at peak leaves node-b's 4 cpu for 6 pods.
    failing = [
        (s["name"], v["name"], len(v["pending"]))
        for s in report["scenarios"]
        for v in s["variants"]
        if not v["passed"]
    ]
    assert failing == [("lose-a-zone-at-peak", "zone/a", 2)]
    assert report["passed"] is False


@pytest.mark.parametrize(
    ("doc", "errors"),
    [
        (
            {"apiVersion": "v1", "kind": "CheckPolicy", "scenarios": [{"name": "a"}]},
            ['apiVersion: must be podfit/v1, not "v1"'],
        ),
        (
            {"apiVersion": "podfit/v1", "kind": "CheckPolicy", "scenarios": []},
            ["scenarios: must be a non-empty list, not an array"],
        ),
        (
            {
                "apiVersion": "podfit/v1",
                "kind": "CheckPolicy",
                "scenarios": [
                    {"name": "a", "remvoe": "anyNode"},
                    {"name": "b", "remove": "anyZne", "replicas": "max"},
                    {"name": "c", "maxRequested": {"cpu": "180%", "memory": 80}},
                    {"name": "d", "remove": {"nodes": ["x", "x"]}, "respectPDB": "yes"},
                    {"name": "a"},
                ],
            },
            [
                "scenarios[0].remvoe: unknown field (expected one of name, replicas, remove, "
                "maxRequested, respectPDB, zoneLabel)",
                'scenarios[1].replicas: must be hpaMax or hpaMin, not "max"',
                'scenarios[1].remove: must be anyNode, anyZone or {nodes: [...]}, not "anyZne"',
                "scenarios[2].maxRequested.cpu: must be above 0% and at most 100%, not 180%",
                'scenarios[2].maxRequested.memory: must be a percentage such as "80%", '
                "not the number 80",
                'scenarios[3].remove.nodes[1]: repeats node "x"',
                'scenarios[3].respectPDB: must be true or false, not "yes"',
                'scenarios[4].name: repeats "a" (also scenarios[0])',
            ],
        ),
    ],
)
def test_a_bad_policy_reports_every_problem_by_its_path(doc: Any, errors: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(doc)
    assert [str(e) for e in info.value.errors] == errors


def test_percentages_are_exact_fractions() -> None:
    [s] = policy({"name": "h", "maxRequested": {"cpu": "80%", "memory": "85.5%"}}).scenarios
    assert {k: v for k, (v, _) in s.max_requested.items()} == {
        "cpu": pytest.approx(0.8),
        "memory": pytest.approx(0.855),
    }
    from fractions import Fraction

    assert s.max_requested["memory"][0] == Fraction(171, 200)


def test_the_default_policy_adds_hpa_max_only_when_the_input_has_hpas() -> None:
    assert [s.name for s in default_policy(False).scenarios] == ["as-is", "lose-any-node"]
    assert [s.name for s in default_policy(True).scenarios] == [
        "as-is",
        "hpa-max",
        "lose-any-node",
    ]


# ---------------------------------------------------------------------- drain semantics


def test_drain_keeps_pods_elsewhere_recreates_owned_pods_and_loses_bare_ones() -> None:
    nodes = [node("a"), node("b")]
    pods = [
        *pods_of("Deployment/web", 2, "1", node_name="a", phase="Running"),
        *pods_of(None, 1, "1", prefix="bare", node_name="a", phase="Running"),
        *pods_of("Deployment/db", 1, "1", node_name="b", phase="Running"),
    ]
    agent = Pod(
        "agent",
        owner="DaemonSet/agent",
        containers=(Container("c", {"cpu": q("100m")}),),
        daemonset="agent",
    )
    cluster = ClusterInput("", pods, nodes, [agent])
    report = check([cluster], policy({"name": "x", "remove": {"nodes": ["a"]}}))
    v = variant(report, "x", "nodes/a")
    assert v["evicted"] == 3  # web-0, web-1, bare-0; the DaemonSet pod goes with the node
    assert v["pending"] == []  # 2 × 1 cpu + db's 1 cpu + agent 100m fit b's 4 cpu
    assert [x["type"] for x in v["violations"]] == ["PodLost"]
    assert v["violations"][0]["pod"] == "default/bare-0"
    assert v["passed"] is False


def test_a_pending_pod_carries_the_schedulers_failed_scheduling_message_and_shortfall() -> None:
    nodes = [node("a", cpu="2"), node("b", cpu="2")]
    pods = pods_of("Deployment/web", 3, "1")
    report = check(
        [ClusterInput("", pods, nodes)], policy({"name": "x", "remove": {"nodes": ["b"]}})
    )
    [pending] = variant(report, "x", "nodes/b")["pending"]
    # the same cluster scheduled by podfit.schedule with b gone and a's pods bound
    base = schedule(pods, nodes)
    on_b = [o.pod.name for o in base.pods if o.node == "b"]
    assert pending["name"] in on_b
    [reference] = what_if(pods, nodes, drain=["b"]).scenarios
    assert [(p["name"], p["message"]) for p in reference.pending] == [
        (pending["name"], pending["message"])
    ]
    assert pending["message"].startswith("0/1 nodes are available: 1 Insufficient cpu.")
    assert pending["shortfall"]["resources"]["cpu"] == {
        "request": "1",
        "largestFree": "0",
        "largestFreeNode": "a",
    }


def test_any_zone_removes_every_node_of_a_zone_and_notes_nodes_without_the_label() -> None:
    nodes = [node("a1", zone="a"), node("a2", zone="a"), node("b1", zone="b"), node("x")]
    report = check(
        [ClusterInput("", pods_of("Deployment/web", 2, "1"), nodes)],
        policy({"name": "z", "remove": "anyZone"}),
    )
    [s] = report["scenarios"]
    assert [(v["name"], v["removedNodes"]) for v in s["variants"]] == [
        ("zone/a", ["a1", "a2"]),
        ("zone/b", ["b1"]),
    ]
    assert s["notes"] == [f"1 nodes have no {ZONE} label and are never removed: x"]


def test_removal_of_an_unknown_node_or_a_zone_nobody_has_is_bad_input() -> None:
    cluster = ClusterInput("", pods_of("Deployment/web", 1, "1"), [node("a")])
    with pytest.raises(ConfigError) as info:
        check([cluster], policy({"name": "x", "remove": {"nodes": ["a", "zz"]}}))
    assert str(info.value) == 'scenarios[0].remove.nodes[1]: node "zz" is not in the input'
    with pytest.raises(ConfigError, match=f"scenarios\\[0\\].remove: no node has the label {ZONE}"):
        check([cluster], policy({"name": "x", "remove": "anyZone"}))


# ------------------------------------------------------------------------------- HPAs


def test_hpa_max_adds_replicas_continuing_the_ordinals_and_hpa_min_removes_unbound_first() -> None:
    pods = [
        *pods_of("Deployment/web", 1, "1", node_name="a", phase="Running"),
        *pods_of("Deployment/web", 2, "1")[1:],
        *pods_of("Deployment/other", 1, "1"),
    ]
    hpa = hpa_of("default", "web-hpa", "Deployment", "web", 1, 5)
    scaled, notes = scale(pods, [hpa], "hpaMax")
    assert notes == []
    assert [p.name for p in scaled] == ["web-0", "web-1", "web-2", "web-3", "web-4", "other-0"]
    assert all(p.node_name is None and p.phase is None for p in scaled[2:5])
    smaller, _ = scale(pods, [hpa], "hpaMin")
    assert [p.name for p in smaller] == ["web-0", "other-0"]  # the bound web-0 stays


def test_an_hpa_whose_target_has_no_pods_is_noted_not_guessed() -> None:
    hpa = hpa_of("default", "h", "Deployment", "ghost", 1, 5)
    pods = pods_of("Deployment/web", 1, "1")
    assert scale(pods, [hpa], "hpaMax") == (
        pods,
        [
            "HorizontalPodAutoscaler default/h: its target Deployment/ghost has no pods in "
            "the input: not scaled"
        ],
    )


def test_hpa_max_scenario_fails_when_the_maximum_does_not_fit() -> None:
    cluster = ClusterInput(
        "",
        pods_of("Deployment/web", 2, "1"),
        [node("a", cpu="4")],
        autoscalers=[hpa_of("default", "web", "Deployment", "web", 2, 5)],
    )
    report = check([cluster])
    assert [s["name"] for s in report["scenarios"]] == ["as-is", "hpa-max", "lose-any-node"]
    assert variant(report, "as-is", "all-nodes")["passed"] is True
    assert [p["name"] for p in variant(report, "hpa-max", "all-nodes")["pending"]] == ["web-4"]


# ------------------------------------------------------------------------------- PDBs


def test_pdb_budgets_follow_the_disruption_controller() -> None:
    web = pods_of("Deployment/web", 4, "1", labels={"app": "web"})
    sel = selector({"app": "web"})
    assert Budget.of(pdb_of("default", "p", sel, min_available=3), web).desired_healthy == 3
    # percentages round up against the controllers' replicas:
    # ceil(50% of 4) = 2; 4 - ceil(30% of 4) = 2
    assert Budget.of(pdb_of("default", "p", sel, min_available="50%"), web).desired_healthy == 2
    assert Budget.of(pdb_of("default", "p", sel, max_unavailable="30%"), web).desired_healthy == 2
    other_ns = pdb_of("prod", "p", sel, min_available=1)
    assert Budget.of(other_ns, web).selected == frozenset()
    expr = selector({}, (Requirement("app", "In", ("db",)),))
    assert Budget.of(pdb_of("default", "p", expr, min_available=1), web).selected == frozenset()
    # neither field: expected 0, so the eviction API allows nothing (fails closed)
    neither = Budget.of(pdb_of("default", "p", sel), web)
    assert (neither.expected, neither.desired_healthy) == (0, 0)
    assert budget_violation(neither, 4, ["default/web-0"], set()) is not None


def _pdb_cluster(min_available: int) -> ClusterInput:
    pods = pods_of("Deployment/web", 2, "1", labels={"app": "web"}, node_name="a", phase="Running")
    pods.append(
        Pod(
            "web-2",
            owner="Deployment/web",
            labels={"app": "web"},
            containers=pods[0].containers,
            node_name="b",
            phase="Running",
        )
    )
    pdb = pdb_of("default", "web", selector({"app": "web"}), min_available=min_available)
    return ClusterInput("", pods, [node("a"), node("b")], budgets=[pdb])


def test_a_drain_the_pdb_forbids_fails_or_is_a_note_without_respect_pdb() -> None:
    # 3 healthy, minAvailable 3: no disruption allowed, draining a evicts 2
    cluster = _pdb_cluster(3)
    report = check(
        [cluster],
        policy(
            {"name": "strict", "remove": {"nodes": ["a"]}},
            {"name": "lenient", "remove": {"nodes": ["a"]}, "respectPDB": False},
        ),
    )
    strict = variant(report, "strict", "nodes/a")
    assert [v["type"] for v in strict["violations"]] == ["PodDisruptionBudget"]
    assert (
        "Cannot evict pod as it would violate the pod's disruption budget"
        in strict["violations"][0]["message"]
    )
    lenient = variant(report, "lenient", "nodes/a")
    assert lenient["passed"] is True and len(lenient["notes"]) == 1


def test_a_drain_within_the_budget_passes() -> None:
    # minAvailable 2 of 3 healthy: one disruption at a time, replacements fit on b
    report = check([_pdb_cluster(2)], policy({"name": "x", "remove": {"nodes": ["a"]}}))
    assert variant(report, "x", "nodes/a")["passed"] is True


# ----------------------------------------------------------------------- maxRequested


@pytest.mark.parametrize(("cpu", "passes"), [("3200m", True), ("3201m", False)])
def test_max_requested_is_exact_at_the_boundary(cpu: str, passes: bool) -> None:
    cluster = ClusterInput("", pods_of("Deployment/web", 1, cpu), [node("a", cpu="4")])
    report = check([cluster], policy({"name": "h", "maxRequested": {"cpu": "80%"}}))
    v = variant(report, "h", "all-nodes")
    assert v["passed"] is passes
    if not passes:
        assert v["violations"] == [
            {
                "type": "MaxRequested",
                "node": "a",
                "resource": "cpu",
                "requested": "3201m",
                "allocatable": "4",
                "limit": "80%",
                "message": "node a: cpu requests 3201m of 4 allocatable (80.0%), above 80%",
            }
        ]


# ---------------------------------------------------------------------------- report


def test_the_report_is_versioned_summarised_and_deterministic() -> None:
    cluster = ClusterInput(
        "", pods_of("Deployment/web", 6, "1"), [node("a"), node("b"), node("c", cpu="1")]
    )
    first = json.dumps(check([cluster]))
    second = json.dumps(check([cluster]))
    assert first == second
    report = json.loads(first)
    assert (report["apiVersion"], report["kind"]) == ("podfit/v1", "CheckReport")
    assert report["summary"] == {
        "scenarios": 2,
        "failedScenarios": 1,
        "variants": 4,
        "failedVariants": 2,
    }
    assert [v["passed"] for v in report["scenarios"][1]["variants"]] == [False, False, True]


def test_a_replicasets_pods_belong_to_the_deployment_that_owns_it() -> None:
    """By the ReplicaSet's recorded owner when the input has it (here a name that the
    naming rule would not match), else by the ``<deployment>-<hash>`` name."""
    hpa = hpa_of("default", "h", "Deployment", "api", 1, 3)
    pods = pods_of("ReplicaSet/blue-7f9c", 1, "1", prefix="api-blue")
    owners = {"default/ReplicaSet/blue-7f9c": "Deployment/api"}
    assert len(scale(pods, [hpa], "hpaMax", owners)[0]) == 3
    assert len(scale(pods, [hpa], "hpaMax")[0]) == 1  # not recognised: noted, not scaled
    by_name = pods_of("ReplicaSet/api-7f9c", 1, "1", prefix="api-x")
    assert len(scale(by_name, [hpa], "hpaMax")[0]) == 3


def test_a_pod_the_kubelet_rejects_fails_every_variant_that_keeps_its_node() -> None:
    """A new pod naming its node (spec.nodeName, no phase) never reaches the scheduler; the
    kubelet refuses it when it does not fit: a KubeletRejected violation, not Pending."""
    pods = pods_of("Deployment/big", 1, "8", node_name="a")
    cluster = ClusterInput("", pods, [node("a"), node("b")])
    report = check([cluster], policy({"name": "x"}, {"name": "y", "remove": "anyNode"}))
    [violation] = variant(report, "x", "all-nodes")["violations"]
    assert (violation["type"], violation["pod"], violation["node"]) == (
        "KubeletRejected",
        "default/big-0",
        "a",
    )
    assert violation["message"].startswith("OutOfcpu: ")
    assert variant(report, "y", "node/a")["violations"] == []  # its node is gone with it
    assert [v["type"] for v in variant(report, "y", "node/b")["violations"]] == ["KubeletRejected"]


def test_a_daemonset_pod_pending_on_a_lost_node_goes_with_it_and_stays_pending_elsewhere() -> None:
    """A DaemonSet pod that does not fit its node is Pending as-is; losing that node
    removes it, losing another node leaves it Pending (pinned to its node)."""
    nodes = [node("a", cpu="1"), node("b")]
    pods = pods_of("Deployment/hog", 1, "1", node_name="a", phase="Running")
    agent = Pod(
        "agent",
        owner="DaemonSet/agent",
        containers=(Container("c", {"cpu": q("500m")}),),
        daemonset="agent",
    )
    report = check([ClusterInput("", pods, nodes, [agent])])
    assert [p["name"] for p in variant(report, "as-is", "all-nodes")["pending"]] == ["agent-a"]
    lose_a = variant(report, "lose-any-node", "node/a")
    assert lose_a["pending"] == [] and lose_a["passed"] is True  # hog-0 moved to b
    assert [p["name"] for p in variant(report, "lose-any-node", "node/b")["pending"]] == ["agent-a"]
