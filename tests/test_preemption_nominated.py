"""DefaultPreemption's ``PodEligibleToPreemptOthers`` for a pod with a nominated node.

kube-scheduler (pkg/scheduler/framework/plugins/defaultpreemption): a pod whose
``status.nominatedNodeName`` names a node where a pod of lower priority is still
terminating because the scheduler preempted it (a ``deletionTimestamp`` and a
``DisruptionTarget`` condition, True, reason ``PreemptionByScheduler``) preempts nothing
more: it waits for its victims to go, and its FailedScheduling message ends with
``preemption: not eligible due to a terminating pod on the nominated node.`` The rule
does not apply when the pod's filters found the nominated node UnschedulableAndUnresolvable,
when the terminating pod is not of lower priority, or when the pod terminates for another
reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from podfit import schedule
from podfit.manifests import load_objects
from podfit.scheduler.result import ScheduleResult

NOT_ELIGIBLE = "preemption: not eligible due to a terminating pod on the nominated node."


def node(name: str, cpu: str = "2", labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}},
    }


def pod(
    name: str,
    cpu: str,
    priority: int,
    *,
    node_name: str | None = None,
    nominated: str | None = None,
    preempted: bool | None = None,
    node_selector: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A pod; bound to ``node_name`` (Running) when given. ``preempted`` True: terminating
    with the scheduler's DisruptionTarget condition; False: terminating without it."""
    meta: dict[str, Any] = {"name": name, "namespace": "default"}
    status: dict[str, Any] = {"phase": "Running" if node_name else "Pending"}
    spec: dict[str, Any] = {
        "priority": priority,
        "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}],
    }
    if node_name:
        spec["nodeName"] = node_name
    if node_selector:
        spec["nodeSelector"] = node_selector
    if nominated:
        status["nominatedNodeName"] = nominated
    if preempted is not None:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        if preempted:
            status["conditions"] = [
                {"type": "DisruptionTarget", "status": "True", "reason": "PreemptionByScheduler"}
            ]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def run(*docs: dict[str, Any]) -> ScheduleResult:
    workload = load_objects(list(docs))
    return schedule(workload.pods, workload.nodes)


def outcome(result: ScheduleResult, name: str) -> Any:
    return next(o for o in result.pods if o.pod.name == name)


def test_a_nominated_pod_waits_for_its_terminating_victim() -> None:
    """n1 still holds the lower-priority pod the scheduler preempted for ``high`` (nominated
    there); ``busy`` on n2 could be evicted, but ``high`` is not eligible to preempt: it
    stays Pending, nothing is evicted, and the message says why."""
    result = run(
        node("n1"),
        node("n2"),
        pod("victim", "1500m", 0, node_name="n1", preempted=True),
        pod("busy", "1500m", 0, node_name="n2"),
        pod("high", "1", 100, nominated="n1"),
    )
    high = outcome(result, "high")
    assert high.phase == "Pending"
    assert high.condition is not None
    message = high.condition[2]
    assert message == (
        "0/2 nodes are available: 2 Insufficient cpu. no new claims to deallocate, " + NOT_ELIGIBLE
    )
    assert result.to_dict()["summary"]["preempted"] == 0


@pytest.mark.parametrize(
    ("victim_priority", "preempted", "nominated"),
    [
        (0, True, None),  # no nominated node: eligible
        (0, False, "n1"),  # terminating, but not because of preemption
        (100, True, "n1"),  # the terminating pod is not of lower priority
        (0, True, "gone"),  # the nominated node is not in the input
    ],
    ids=["no-nomination", "other-deletion", "same-priority", "unknown-node"],
)
def test_otherwise_the_pod_preempts(
    victim_priority: int, preempted: bool, nominated: str | None
) -> None:
    """In each of these cases the rule does not hold: ``high`` preempts (``busy`` on n2 or
    the terminating pod on n1, whichever pickOneNodeForPreemption prefers) and runs."""
    result = run(
        node("n1"),
        node("n2"),
        pod("victim", "1500m", victim_priority, node_name="n1", preempted=preempted),
        pod("busy", "1500m", 0, node_name="n2"),
        pod("high", "1", 100, nominated=nominated),
    )
    assert outcome(result, "high").phase == "Running"
    assert result.to_dict()["summary"]["preempted"] >= 1


def test_an_unresolvable_nominated_node_lets_the_pod_preempt_elsewhere() -> None:
    """``high`` now selects zone b only, so its filters find n1 (zone a)
    UnschedulableAndUnresolvable: the terminating pod there no longer holds it back, and it
    preempts ``busy`` on n2."""
    result = run(
        node("n1", labels={"zone": "a"}),
        node("n2", labels={"zone": "b"}),
        pod("victim", "1500m", 0, node_name="n1", preempted=True),
        pod("busy", "1500m", 0, node_name="n2"),
        pod("high", "1", 100, nominated="n1", node_selector={"zone": "b"}),
    )
    high = outcome(result, "high")
    assert high.phase == "Running"
    assert high.node == "n2"
    assert outcome(result, "busy").preempted_by == "default/high"


def test_a_pod_alike_without_a_nomination_still_preempts_in_the_same_run() -> None:
    """Two pods with the same spec and priority, one nominated to n1: the nominated one is
    held back, the other (queued after it) preempts — the eligibility is per pod, not per
    class of pods."""
    result = run(
        node("n1"),
        node("n2"),
        pod("victim", "1500m", 0, node_name="n1", preempted=True),
        pod("busy", "1500m", 0, node_name="n2"),
        pod("high", "1", 100, nominated="n1"),
        pod("twin", "1", 100),
    )
    assert outcome(result, "high").phase == "Pending"
    assert outcome(result, "twin").phase == "Running"
