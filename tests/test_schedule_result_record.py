"""A run records a plainly placed pod as its node's name; ``ScheduleResult`` must read
that record exactly as the ``PodOutcome`` list it stands for, and the public call must
leave Python's garbage collector as it found it."""

from __future__ import annotations

import gc
import json

import podfit
from podfit.nodes import Node
from podfit.pods import Container, Pod
from podfit.quantity import parse_quantity
from podfit.scheduler.config import make_config
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.result import PodOutcome, ScheduleResult, plain_outcome
from podfit.scheduler.run import schedule_infos


def run() -> ScheduleResult:
    """Placed, Pending (too big), bound, preempting and evicted pods, one with explain off."""
    nodes = [NodeInfo(f"n{i}", {"cpu": 1000, "memory": 2**30, "pods": 10}) for i in range(2)]
    pods = [
        PodInfo(
            "low",
            requests={"cpu": 900},
            priority=-5,
            owner="ReplicaSet/r",
            node_name="n0",
            phase="Running",
        ),
        PodInfo("a", requests={"cpu": 500}),
        PodInfo("huge", requests={"cpu": 5000}),
        PodInfo("high", requests={"cpu": 800}, priority=100),
        PodInfo("gone", requests={"cpu": 10}, terminating=True),
    ]
    return schedule_infos(pods, nodes, make_config())


def test_documents_are_the_same_before_and_after_the_outcome_list_is_built() -> None:
    result = run()
    before = (json.dumps(result.to_dict()), json.dumps(result.to_dict(shared=True)))
    counts = (result.summary(), len(result), [o.pod.name for o in result.pending])
    result.check()
    outcomes = result.pods  # built now, from the run's record
    assert all(isinstance(o, PodOutcome) for o in outcomes)
    assert (json.dumps(result.to_dict()), json.dumps(result.to_dict(shared=True))) == before
    assert (result.summary(), len(result), [o.pod.name for o in result.pending]) == counts
    result.check()
    view = [(o.pod.name, o.node, o.phase, o.scheduled, o.counted) for o in outcomes]
    assert view[:5] == [
        ("low", None, "Failed", False, False),  # evicted by "a"
        ("a", "n0", "Running", True, True),
        ("huge", None, "Pending", False, False),
        ("high", "n1", "Running", True, True),  # placed plainly: recorded as "n1"
        ("gone", "n0", "Running", True, True),
    ]
    assert view[5][2] == "Pending"  # the replacement of "low"
    assert counts[0] == {"pods": 6, "scheduled": 3, "pending": 2, "preempted": 1, "nodes": 2}
    doc = result.to_dict()["pods"]
    assert doc[3]["conditions"] == [{"type": "PodScheduled", "status": "True"}]
    assert doc[4]["terminating"] is True


def test_plain_outcome_is_a_running_scheduled_counted_pod() -> None:
    pod = PodInfo("p", requests={"cpu": 1})
    o = plain_outcome(pod, "n1")
    assert o.to_dict()["conditions"] == [{"type": "PodScheduled", "status": "True"}]
    assert (o.node, o.phase, o.scheduled, o.counted) == ("n1", "Running", True, True)


def test_public_call_leaves_the_collector_as_it_found_it() -> None:
    res = {"cpu": parse_quantity("100m")}
    pods = [Pod(f"p{k}", containers=(Container("c", requests=res),)) for k in range(3)]
    alloc = {"cpu": parse_quantity("1"), "pods": parse_quantity("10")}
    nodes = [Node("n", allocatable=alloc, capacity=alloc)]
    was = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            assert podfit.schedule(pods, nodes).summary()["scheduled"] == 3
            assert gc.isenabled() is state
    finally:
        (gc.enable if was else gc.disable)()


def test_a_victim_after_a_replica_of_its_template_keeps_its_disruption_condition() -> None:
    """Entries share the tail of the previous replica only when their outcomes agree: an
    evicted replica following a running one of the same template still carries its
    DisruptionTarget condition (it used to take the running replica's conditions)."""
    nodes = [NodeInfo("n0", {"cpu": 1000, "memory": 2**30, "pods": 10})]
    a = PodInfo(
        "a",
        requests={"cpu": 400},
        owner="ReplicaSet/r",
        node_name="n0",
        phase="Running",
        priority=-5,
    )
    pods = [a, a.replica("b"), PodInfo("high", requests={"cpu": 500}, priority=100)]
    result = schedule_infos(pods, nodes, make_config())
    for doc in (result.to_dict(), result.to_dict(shared=True)):
        by_name = {e["name"]: e for e in doc["pods"]}
        assert by_name["b"]["preemptedBy"] == "default/high"
        assert [c["type"] for c in by_name["b"]["conditions"]] == [
            "PodScheduled",
            "DisruptionTarget",
        ]
        assert [c["type"] for c in by_name["a"]["conditions"]] == ["PodScheduled"]
        assert by_name["b"]["conditions"] == result.pods[1].to_dict()["conditions"]
