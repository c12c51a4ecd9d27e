"""Upstream's own DefaultPreemption table tests, as facts (no code carried over).

The cases follow kube-scheduler's ``defaultpreemption/default_preemption_test.go``
(``TestSelectNodesForPreemption``, ``TestPickOneNodeForPreemption``,
``TestPodEligibleToPreemptOthers``) and ``preemption/preemption_test.go``
(``filterPodsWithPDBViolation``, ``SelectCandidate``), v1.34. Each test names the upstream
case it follows; the inputs are upstream's priorities (low 0, mid 100, high 1000, very high
10000, negative -100) and resource sizes (small 100m, medium 200m, large 300m, very large
500m of CPU on nodes of 500m), and the expectation is upstream's victim set, number of PDB
violations, chosen node or eligibility. Runs go through :func:`schedule_infos`, so a case
checks what a user sees: who is evicted, from where, and where the preemptor is bound.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from podfit.manifests import load_objects
from podfit.scheduler.config import make_config
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.preemption import (
    Budget,
    BudgetSpec,
    importance_order,
    split_by_budgets,
)
from podfit.scheduler.result import ScheduleResult, outcome_for
from podfit.scheduler.run import schedule_infos
from podfit.topology import label_selector

LOW, MID, HIGH, VERY_HIGH, NEGATIVE = 0, 100, 1000, 10000, -100
SMALL, MEDIUM, LARGE, VERY_LARGE = 100, 200, 300, 500
GI = 2**30
FOO = {"app": "foo"}


def pod(name: str, cpu: int, priority: int, **kw: object) -> PodInfo:
    return PodInfo(name, requests={"cpu": cpu, "memory": GI}, priority=priority, **kw)  # type: ignore[arg-type]


def on(node_name: str, name: str, cpu: int, priority: int, **kw: object) -> PodInfo:
    """A pod already running on ``node_name`` (upstream's ``initPods``)."""
    return pod(name, cpu, priority, node_name=node_name, phase="Running", **kw)


def nodes(*names: str, cpu: int = VERY_LARGE) -> list[NodeInfo]:
    return [NodeInfo(n, {"cpu": cpu, "memory": 64 * GI, "pods": 110}) for n in names]


def victims(result: ScheduleResult) -> dict[str, set[str]]:
    """Node → names of the pods preempted from it."""
    out: dict[str, set[str]] = {}
    for o in result.pods:
        if o.preempted_from is not None:
            out.setdefault(o.preempted_from, set()).add(o.pod.name)
    return out


def run(
    pods: list[PodInfo], node_list: list[NodeInfo], budgets: tuple[BudgetSpec, ...] = ()
) -> ScheduleResult:
    result = schedule_infos(pods, node_list, make_config(), budgets=budgets)
    result.check()
    return result


# --- SelectVictimsOnNode (TestSelectNodesForPreemption) ---------------------------------


def test_lower_priority_pods_on_both_nodes_are_candidates_first_node_chosen() -> None:
    """ "a pod that fits on both nodes when lower priority pods are preempted": node1 {p1
    mid large}, node2 {p2 mid large}; each node is a candidate with its one victim, and
    upstream accepts either (every criterion ties; the pods have no start time). podfit
    breaks the tie deterministically, by the victims' bind order (the later-bound one
    counts as started later, so node2): exactly one victim, on the node the preemptor is
    nominated to and bound on."""
    pods = [
        on("node1", "p1", LARGE, MID),
        on("node2", "p2", LARGE, MID),
        pod("p", LARGE, HIGH),
    ]
    result = run(pods, nodes("node1", "node2"))
    assert victims(result) in ({"node1": {"p1"}}, {"node2": {"p2"}})
    p = outcome_for(result.pods, "p")
    assert p.node is not None and p.nominated_node == p.node
    assert victims(result) == {"node2": {"p2"}}  # podfit's tie-break: later-bound victim


def test_only_lower_priority_pods_are_victims() -> None:
    """ "a pod that would fit on the nodes, but other pods running are higher priority, no
    preemption would happen": the preemptor (low) stays Pending and nobody is evicted."""
    pods = [
        on("node1", "p1", LARGE, MID),
        on("node2", "p2", LARGE, MID),
        pod("p", LARGE, LOW),
    ]
    result = run(pods, nodes("node1", "node2"))
    assert victims(result) == {}
    assert outcome_for(result.pods, "p").phase == "Pending"
    message = str(outcome_for(result.pods, "p").condition)
    assert "No preemption victims found for incoming pod" in message


def test_medium_priority_pod_preempted_small_low_priority_one_stays() -> None:
    """ "medium priority pod is preempted, but lower priority one stays as it is small":
    node1 {p1.1 low small, p1.2 mid large}: reprieving the more important p1.2 first does
    not fit, so it is the victim; p1.1 is reprieved (node1's candidate on its own)."""
    pods = [
        on("node1", "p1.1", SMALL, LOW),
        on("node1", "p1.2", LARGE, MID),
        pod("p", LARGE, HIGH),
    ]
    result = run(pods, nodes("node1"))
    assert victims(result) == {"node1": {"p1.2"}}
    assert outcome_for(result.pods, "p1.1").node == "node1"


def test_mixed_priority_pods_are_preempted() -> None:
    """ "mixed priority pods are preempted": node1 {p1.1 mid small, p1.2 low small, p1.3 mid
    medium, p1.4 high small}, node2 {p2 high large}: node2 has no lower-priority pod; on
    node1 p1.4 (equal priority) stays, p1.1 is reprieved, p1.3 and p1.2 are victims."""
    pods = [
        on("node1", "p1.1", SMALL, MID),
        on("node1", "p1.2", SMALL, LOW),
        on("node1", "p1.3", MEDIUM, MID),
        on("node1", "p1.4", SMALL, HIGH),
        on("node2", "p2", LARGE, HIGH),
        pod("p", LARGE, HIGH),
    ]
    result = run(pods, nodes("node1", "node2"))
    assert victims(result) == {"node1": {"p1.2", "p1.3"}}
    assert outcome_for(result.pods, "p").node == "node1"


def test_reprieve_order_uses_start_time_between_equal_priorities() -> None:
    """ "mixed priority pods are preempted, pick later StartTime one when priorities are
    equal": p1.1 low small started at t5, p1.2 low small at t4, p1.3 mid medium at t3, p1.4
    high small at t2. Reprieve order is priority, then earlier start: p1.3 (does not fit),
    p1.2 (fits: reprieved), p1.1 (does not fit) → victims p1.1 and p1.3, although p1.1
    comes first in the input."""
    t = [0, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000]
    pods = [
        on("node1", "p1.1", SMALL, LOW, start_time=t[5]),
        on("node1", "p1.2", SMALL, LOW, start_time=t[4]),
        on("node1", "p1.3", MEDIUM, MID, start_time=t[3]),
        on("node1", "p1.4", SMALL, HIGH, start_time=t[2]),
        on("node2", "p2", LARGE, HIGH, start_time=t[1]),
        pod("p", LARGE, HIGH),
    ]
    result = run(pods, nodes("node1", "node2"))
    assert victims(result) == {"node1": {"p1.1", "p1.3"}}
    assert outcome_for(result.pods, "p1.2").node == "node1"


def test_pdb_violating_victims_counted_and_reprieved_first() -> None:
    """ "preemption with violation of same pdb": node1 {p1.1, p1.2 mid medium, app=foo}, a
    budget on app=foo allowing 1; the preemptor needs the whole node, so both are victims
    and one of them breaks the budget (NumPDBViolations 1). A second node whose victim
    breaks no budget is then preferred (fewest violations first)."""
    spec = BudgetSpec("default", label_selector(FOO), disruptions_allowed=1)
    pods = [
        on("node1", "p1.1", MEDIUM, MID, labels=FOO),
        on("node1", "p1.2", MEDIUM, MID, labels=FOO),
        pod("p", VERY_LARGE, HIGH),
    ]
    alone = run(pods, nodes("node1"), (spec,))
    assert victims(alone) == {"node1": {"p1.1", "p1.2"}}
    budget = Budget("default", label_selector(FOO), 1)
    violating, fine = split_by_budgets(importance_order(pods[:2], {}), [budget])
    assert ([p.name for p in violating], [p.name for p in fine]) == (["p1.2"], ["p1.1"])

    pods2 = [
        on("node1", "p1.1", MEDIUM, MID, labels=FOO),
        on("node1", "p1.2", MEDIUM, MID, labels=FOO),
        on("node2", "p2.1", MEDIUM, MID),
        on("node2", "p2.2", MEDIUM, MID),
        pod("p", VERY_LARGE, HIGH),
    ]
    assert victims(run(pods2, nodes("node1", "node2"), (spec,))) == {"node2": {"p2.1", "p2.2"}}


@pytest.mark.parametrize(
    ("case", "disrupted", "init", "violations"),
    [
        # "...the victim doesn't belong to DisruptedPods": p2 is not on the node
        ("victim not in DisruptedPods", {"p2"}, ["p1.1", "p1.2"], 1),
        # "...the victim belongs to DisruptedPods": p1.2 is already counted → no violation
        ("victim in DisruptedPods", {"p1.2"}, ["p1.1", "p1.2"], 0),
        # "...the victim which belongs to DisruptedPods is treated as 'nonViolating'":
        # p1.3 is skipped, p1.1 takes the one allowed disruption, p1.2 breaks the budget
        ("DisruptedPods victim is non-violating", {"p1.3"}, ["p1.1", "p1.2", "p1.3"], 1),
    ],
)
def test_disrupted_pods_are_not_counted_again(
    case: str, disrupted: set[str], init: list[str], violations: int
) -> None:
    """``filterPodsWithPDBViolation``: a pod named in the budget's ``status.disruptedPods``
    neither decrements the allowed disruptions nor violates (the API server counted it)."""
    budget = Budget("default", label_selector(FOO), 1, frozenset(disrupted))
    pods = [on("node1", n, MEDIUM, MID, labels=FOO) for n in init]
    violating, fine = split_by_budgets(pods, [budget])
    assert len(violating) == violations, case
    assert len(violating) + len(fine) == len(init)


def test_pdb_with_disrupted_pods_lets_the_cheaper_node_win() -> None:
    """The DisruptedPods fact seen in the node choice: node1's two victims are both covered
    by a budget allowing 1, but p1.2's eviction was already processed (disruptedPods) → 0
    violations, so node1 (mid victims) beats node2 (one high-but-lower victim) on the
    lowest highest-priority victim; without the disruptedPods entry node1 has a violation
    and node2 wins."""
    init = [
        on("node1", "p1.1", MEDIUM, MID, labels=FOO),
        on("node1", "p1.2", MEDIUM, MID, labels=FOO),
        on("node2", "p2", VERY_LARGE, 500),
    ]
    sel = label_selector(FOO)
    processed = BudgetSpec(
        "default", sel, disruptions_allowed=1, disrupted_pods=frozenset({"p1.2"})
    )
    fresh = BudgetSpec("default", sel, disruptions_allowed=1)
    two = nodes("node1", "node2")
    assert victims(run([*init, pod("p", VERY_LARGE, HIGH)], two, (processed,))) == {
        "node1": {"p1.1", "p1.2"}
    }
    again = [
        on(p.node_name or "", p.name, p.requests["cpu"], p.priority, labels=p.labels) for p in init
    ]
    assert victims(
        run([*again, pod("p", VERY_LARGE, HIGH)], nodes("node1", "node2"), (fresh,))
    ) == {"node2": {"p2"}}


def test_pod_without_labels_matches_no_budget() -> None:
    """``filterPodsWithPDBViolation`` skips pods without labels: a ``DoesNotExist``
    selector (which matches an empty label set) does not cover them."""
    from podfit.topology import LabelSelector, Requirement

    selector = LabelSelector((), (Requirement("app", "DoesNotExist", ()),))
    budget = Budget("default", selector, 0)
    bare, labelled = PodInfo("bare"), PodInfo("other", labels={"tier": "x"})
    assert not budget.covers(bare)
    assert budget.covers(labelled)


# --- pickOneNodeForPreemption (TestPickOneNodeForPreemption) ---------------------------


def test_machine_with_min_highest_priority_pod_is_picked() -> None:
    """ "machine with min highest priority pod is picked": node1 {two mid}, node2 {mid,
    low}, node3 {two low} → node3 (its highest victim has the lowest priority)."""
    pods = [
        on("node1", "p1.1", MEDIUM, MID),
        on("node1", "p1.2", MEDIUM, MID),
        on("node2", "p2.1", MEDIUM, MID),
        on("node2", "p2.2", MEDIUM, LOW),
        on("node3", "p3.1", MEDIUM, LOW),
        on("node3", "p3.2", MEDIUM, LOW),
        pod("p", VERY_LARGE, HIGH),
    ]
    result = run(pods, nodes("node1", "node2", "node3"))
    assert victims(result) == {"node3": {"p3.1", "p3.2"}}
    assert outcome_for(result.pods, "p").nominated_node == "node3"


def test_when_highest_priorities_are_equal_minimum_sum_is_picked() -> None:
    """ "when highest priorities are the same, minimum sum of lower priority pods is
    picked": node1 {mid, mid}, node2 {mid, low}, node3 {mid, mid} → node2."""
    pods = [
        on("node1", "p1.1", MEDIUM, MID),
        on("node1", "p1.2", MEDIUM, MID),
        on("node2", "p2.1", MEDIUM, MID),
        on("node2", "p2.2", MEDIUM, LOW),
        on("node3", "p3.1", MEDIUM, MID),
        on("node3", "p3.2", MEDIUM, MID),
        pod("p", VERY_LARGE, HIGH),
    ]
    assert victims(run(pods, nodes("node1", "node2", "node3"))) == {"node2": {"p2.1", "p2.2"}}


def test_sum_of_adjusted_priorities_then_fewest_victims() -> None:
    """ "sum of adjusted priorities is considered" / "when highest priority and sum are the
    same, minimum number of pods is picked": priorities are shifted by 2^31 before summing,
    so negative-priority victims still add up: node1 {mid, negative, negative} loses to
    node2 {mid, negative} (the same highest, a smaller shifted sum, one victim fewer)."""
    pods = [
        on("node1", "p1.1", MEDIUM, MID),
        on("node1", "p1.2", SMALL, NEGATIVE),
        on("node1", "p1.3", SMALL, NEGATIVE),
        on("node2", "p2.1", MEDIUM, MID),
        on("node2", "p2.2", LARGE, NEGATIVE),
        pod("p", VERY_LARGE, HIGH),
    ]
    assert victims(run(pods, nodes("node1", "node2"))) == {"node2": {"p2.1", "p2.2"}}


def test_non_overlapping_criteria_each_decide_in_turn() -> None:
    """ "non-overlapping lowest high priority, sum priorities, and number of pods": node1
    {high-1 victim} loses on the highest priority; among node2 {mid, mid, low} and node3
    {mid, low, low} and node4 {mid, low} the sums leave node4 (mid+low smallest)."""
    pods = [
        on("node1", "p1.1", VERY_LARGE, 900),
        on("node2", "p2.1", MEDIUM, MID),
        on("node2", "p2.2", SMALL, MID),
        on("node2", "p2.3", MEDIUM, LOW),
        on("node3", "p3.1", MEDIUM, MID),
        on("node3", "p3.2", SMALL, LOW),
        on("node3", "p3.3", MEDIUM, LOW),
        on("node4", "p4.1", LARGE, MID),
        on("node4", "p4.2", MEDIUM, LOW),
        pod("p", VERY_LARGE, HIGH),
    ]
    result = run(pods, nodes("node1", "node2", "node3", "node4"))
    assert victims(result) == {"node4": {"p4.1", "p4.2"}}


def test_same_priority_and_count_latest_start_of_highest_victims_wins() -> None:
    """ "same priority, same number of victims, different start time for each node's pod":
    node1's victims started at t2 and t3, node2's at t4 and t5, node3's at t1 and t6 → the
    node whose earliest highest-priority victim started latest: node2."""
    t = [s * 1_000_000 for s in range(7)]
    pods = [
        on("node1", "p1.1", MEDIUM, MID, start_time=t[2]),
        on("node1", "p1.2", MEDIUM, MID, start_time=t[3]),
        on("node2", "p2.1", MEDIUM, MID, start_time=t[4]),
        on("node2", "p2.2", MEDIUM, MID, start_time=t[5]),
        on("node3", "p3.1", MEDIUM, MID, start_time=t[1]),
        on("node3", "p3.2", MEDIUM, MID, start_time=t[6]),
        pod("p", VERY_LARGE, HIGH),
    ]
    assert victims(run(pods, nodes("node1", "node2", "node3"))) == {"node2": {"p2.1", "p2.2"}}


def test_different_priority_same_count_start_time_of_highest_priority_only() -> None:
    """ "different priority, same number of victims, different start time for all pods":
    only the highest-priority victims' start times count. node1 {mid t4, low t1}, node2
    {mid t2, low t6}: equal highest priority, sum and count; node1's mid victim started
    later → node1, although node2 holds the latest-started pod overall."""
    t = [s * 1_000_000 for s in range(7)]
    pods = [
        on("node1", "p1.1", MEDIUM, MID, start_time=t[4]),
        on("node1", "p1.2", LARGE, LOW, start_time=t[1]),
        on("node2", "p2.1", MEDIUM, MID, start_time=t[2]),
        on("node2", "p2.2", LARGE, LOW, start_time=t[6]),
        pod("p", VERY_LARGE, HIGH),
    ]
    assert victims(run(pods, nodes("node1", "node2"))) == {"node1": {"p1.1", "p1.2"}}


def test_pod_without_start_time_counts_as_started_now() -> None:
    """``GetPodStartTime``: a pod without ``status.startTime`` started "now", after every
    pod with one: node1's victim has no start time, node2's started at t1 → node1."""
    pods = [
        on("node1", "p1", VERY_LARGE, MID),
        on("node2", "p2", VERY_LARGE, MID, start_time=1_000_000),
        pod("p", VERY_LARGE, HIGH),
    ]
    assert victims(run(pods, nodes("node1", "node2"))) == {"node1": {"p1"}}


# --- PodEligibleToPreemptOthers --------------------------------------------------------


def test_preemption_policy_never_is_not_eligible() -> None:
    """ "Pod with PreemptionPolicy Never": not eligible; the message says so and nothing is
    evicted even though a lower-priority victim exists."""
    pods = [
        on("node1", "p1", VERY_LARGE, LOW),
        pod("p", VERY_LARGE, HIGH, preemption_policy="Never"),
    ]
    result = run(pods, nodes("node1"))
    assert victims(result) == {}
    assert "not eligible due to preemptionPolicy=Never." in str(
        outcome_for(result.pods, "p").condition
    )


def test_preemptor_is_bound_to_its_nominated_node() -> None:
    """After a successful preemption the pod is nominated and, in its next cycle, bound to
    the nominated node (``evaluateNominatedNode``); a second equal preemptor does not
    evict again from that node: it finds the other node's victim (which node goes first is
    the bind-order tie-break of the first test)."""
    pods = [
        on("node1", "p1", VERY_LARGE, LOW),
        on("node2", "p2", VERY_LARGE, LOW),
        pod("a", VERY_LARGE, HIGH),
        pod("b", VERY_LARGE, HIGH),
    ]
    result = run(pods, nodes("node1", "node2"))
    a, b = outcome_for(result.pods, "a"), outcome_for(result.pods, "b")
    assert a.node is not None and a.nominated_node == a.node
    assert b.node is not None and b.nominated_node == b.node and b.node != a.node
    assert victims(result) == {"node1": {"p1"}, "node2": {"p2"}}


# --- read from manifests -----------------------------------------------------------------

_WORKLOAD = """\
apiVersion: v1
kind: Node
metadata: {name: n1}
status: {allocatable: {cpu: '1', memory: 8Gi, pods: '110'}}
---
apiVersion: v1
kind: Pod
metadata: {name: late}
spec:
  nodeName: n1
  containers: [{name: c, resources: {requests: {cpu: 500m}}}]
status: {phase: Running, startTime: "START_LATE"}
---
apiVersion: v1
kind: Pod
metadata: {name: early}
spec:
  nodeName: n1
  containers: [{name: c, resources: {requests: {cpu: 500m}}}]
status: {phase: Running, startTime: "2024-05-01T09:00:00Z"}
---
apiVersion: v1
kind: Pod
metadata: {name: urgent}
spec:
  priority: 100
  containers: [{name: c, resources: {requests: {cpu: 500m}}}]
"""


def _schedule(tmp_path: Path, text: str) -> tuple[int, str]:
    from podfit.cli.schedule_cmd import schedule as schedule_cmd

    path = tmp_path / "w.yaml"
    path.write_text(text)
    out = CliRunner().invoke(schedule_cmd, ["-f", str(path), "-o", "json"])
    return out.exit_code, out.output


def test_start_time_is_read_from_the_manifest(tmp_path: Path) -> None:
    """``status.startTime`` decides the reprieve order between equal priorities: the pod
    that started earlier is more important and stays although it comes later in the
    input; an offset time (10:00+02:00 = 08:00Z) is earlier than 09:00Z."""
    code, out = _schedule(tmp_path, _WORKLOAD.replace("START_LATE", "2024-05-01T10:00:00Z"))
    assert code == 0, out
    doc = json.loads(out)
    evicted = {p["name"] for p in doc["pods"] if p.get("preemptedFrom")}
    assert evicted == {"late"}
    code, out = _schedule(tmp_path, _WORKLOAD.replace("START_LATE", "2024-05-01T10:00:00+02:00"))
    evicted = {p["name"] for p in json.loads(out)["pods"] if p.get("preemptedFrom")}
    assert evicted == {"early"}


def test_a_bad_start_time_names_the_field(tmp_path: Path) -> None:
    code, out = _schedule(tmp_path, _WORKLOAD.replace("START_LATE", "yesterday"))
    assert code != 0
    assert "status.startTime" in out and "yesterday" in out


def test_disrupted_pods_are_read_from_the_budget() -> None:
    """``status.disruptedPods`` (pod name → time) is kept as the set of names."""
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "b", "namespace": "default"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": FOO}},
        "status": {
            "disruptionsAllowed": 1,
            "disruptedPods": {"p1.2": "2024-05-01T09:00:00Z"},
        },
    }
    budget = load_objects([pdb]).disruption_budgets[0]
    assert budget.disrupted_pods == frozenset({"p1.2"})


def test_a_replacement_pod_has_not_started() -> None:
    """A victim's replacement is a new pod: it does not inherit the victim's
    ``status.startTime`` (else, bound later, it would count as older than it is)."""
    hash_label = {"pod-template-hash": "h"}
    result = run(
        [
            on(
                "node1",
                "w-h-0",
                VERY_LARGE,
                LOW,
                owner="Deployment/w",
                labels=hash_label,
                start_time=7,
            ),
            pod("p", VERY_LARGE, HIGH),
        ],
        nodes("node1"),
    )
    (replacement,) = result.pods[2:]
    assert replacement.pod.owner == "Deployment/w" and replacement.pod.start_time is None
