"""The request time limit holds inside every scheduling run a request causes (issue 17,
item 2): the runs that schedule the existing cluster first (``plan fit``, ``plan nodes``
with existing nodes, ``plan drain``, ``/v1/check``'s bases) and the reschedules after it
(each drain scenario, each check variant) all check the request's deadline, so a limit
that runs out while one of them runs ends the request with the same 503 problem as every
other time-out, never a 500 and never a late 200.

Deterministic: the planners get a :class:`Deadline` that has already passed and record
where it was checked; the HTTP cases run on a fake clock that jumps past the limit exactly
when the first scheduling run starts, so the first check after that jump is the one inside
that run (its phase, ``scheduling``, is in the problem's detail).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

import podfit.check.engine
import podfit.deadline
import podfit.planning.cluster
from podfit.check import ClusterInput, check
from podfit.check.policy import parse_policy
from podfit.check.sweep import Inline
from podfit.deadline import Deadline
from podfit.manifests import load, load_objects, load_text
from podfit.manifests.reader import LOADING_PHASE, OBJECTS_PER_CHECK, Reader
from podfit.nodes import Node
from podfit.planning import consolidate as consolidation
from podfit.planning.fit import how_many_fit
from podfit.planning.nodes_needed import WARNINGS_PHASE, NodeShape, nodes_needed
from podfit.planning.whatif import what_if
from podfit.pods import Container, Pod
from podfit.quantity import parse_quantity as q
from podfit.scheduler.config import make_config
from podfit.yamlsafe import DEFAULT_LIMITS, load_all

MakeClient = Callable[..., FlaskClient]
LIMIT = 5.0
"""The request time limit of the HTTP cases (seconds of the fake clock)."""


def a_node(i: int, cpu: str = "4") -> Node:
    alloc = {"cpu": q(cpu), "memory": q("16Gi"), "pods": q("110")}
    return Node(f"n{i}", alloc, alloc, labels={"kubernetes.io/hostname": f"n{i}"})


def a_pod(i: int, cpu: str = "100m") -> Pod:
    return Pod(f"p{i}", owner="ReplicaSet/web", containers=(Container("c", {"cpu": q(cpu)}),))


class Stop(Exception):
    """What the test deadline raises: the phase it was checked in."""


def stop_at_first_check(phases: list[str]) -> Deadline:
    """A deadline already past: it records the phase of each check and stops the first."""

    def expired(phase: str) -> None:
        phases.append(phase)
        raise Stop(phase)

    return Deadline(0.0, expired)


def record_checks(phases: list[str]) -> Deadline:
    """A deadline already past whose expiry only records the phase (work goes on)."""
    return Deadline(0.0, phases.append)


# --- the planners: the first check is inside the baseline's run ----------------------------


def test_plan_fit_checks_the_deadline_inside_the_run_of_the_existing_pods() -> None:
    phases: list[str] = []
    with pytest.raises(Stop):
        how_many_fit(
            [a_pod(0)],
            [a_pod(i) for i in range(1, 5)],
            [a_node(0)],
            deadline=stop_at_first_check(phases),
        )
    assert phases == ["scheduling"]


def test_plan_nodes_checks_the_deadline_inside_the_run_on_the_existing_nodes() -> None:
    phases: list[str] = []
    shape = NodeShape("m", a_node(9))
    with pytest.raises(Stop):
        nodes_needed(
            [a_pod(i, "3") for i in range(4)],
            [shape],
            existing_nodes=[a_node(0)],
            deadline=stop_at_first_check(phases),
        )
    assert phases == ["scheduling"]


def test_plan_nodes_checks_the_deadline_for_every_pending_group() -> None:
    """Building a shape's packing problem and the packer's warnings visit every pending
    group (10,000 groups of different requests once took seconds past a 5 s limit): both
    check the deadline before each group."""
    groups = 5
    phases: list[str] = []
    nodes_needed(
        [a_pod(i, f"{i + 1}00m") for i in range(groups)],
        [NodeShape("m", a_node(9))],
        deadline=record_checks(phases),
    )
    assert phases.count("planning shape m") == 1 + groups  # before the shape, then per group
    assert phases.count(WARNINGS_PHASE) == groups


def test_a_zoned_plan_checks_the_deadline_inside_its_scheduler_runs() -> None:
    """With zones, a shape's plan is the scheduler's run on zoned new nodes (one run per
    node count tried): without existing nodes no other run exists, so every
    ``scheduling`` check is one of those runs checking the deadline."""
    phases: list[str] = []
    with pytest.raises(Stop):
        nodes_needed(
            [a_pod(i) for i in range(4)],
            [NodeShape("m", a_node(9))],
            zones=["a", "b"],
            deadline=Deadline(0.0, lambda p: _stop_at(p, "scheduling", phases)),
        )
    assert phases[-1] == "scheduling"
    assert "planning shape m in zones" in phases


def _stop_at(phase: str, stop: str, phases: list[str]) -> None:
    phases.append(phase)
    if phase == stop:
        raise Stop(phase)


def test_plan_drain_checks_the_deadline_in_the_baseline_and_in_every_scenario() -> None:
    """One scheduling run for the cluster as it is, one per node lost: each checks."""
    nodes = [a_node(i) for i in range(3)]
    pods = [a_pod(i) for i in range(6)]
    phases: list[str] = []
    with pytest.raises(Stop):
        what_if(pods, nodes, lose_any_one=True, deadline=stop_at_first_check(phases))
    assert phases == ["scheduling"]
    phases.clear()
    what_if(pods, nodes, lose_any_one=True, deadline=record_checks(phases))
    scenarios = [f"scenario lose n{i}" for i in range(3)]
    assert phases == ["scheduling", *(p for s in scenarios for p in (s, "scheduling"))]


def test_plan_consolidate_checks_the_deadline_before_and_inside_every_scheduling_run() -> None:
    """Consolidation schedules the cluster once per candidate set and replacement tried
    (minutes on a large cluster): each run is preceded by a check naming the phase and
    checks inside itself (``scheduling``, before its first queued pod). In the test
    cluster every pod is bound (the first run queues none), three nodes are kept for
    their pods (no run), n3 is tried alone, then the plan is scheduled as decided."""
    path = Path(__file__).parent / "data" / "consolidate" / "cluster.yaml"
    workload = load(path)
    facts = consolidation.pod_facts(load_all(path.read_bytes(), DEFAULT_LIMITS, path.name))
    phases: list[str] = []
    with pytest.raises(Stop):
        consolidation.consolidate(
            workload, [], facts, region="us-east-1", deadline=stop_at_first_check(phases)
        )
    assert phases == [consolidation.CONSOLIDATE_PHASE]  # before the cluster is scheduled as it runs
    phases.clear()
    plan = consolidation.consolidate(
        workload, [], facts, region="us-east-1", deadline=record_checks(phases)
    )
    assert [name for name, _, _ in plan.removed] == ["n3"]
    attempt = [consolidation.CONSOLIDATE_PHASE, "scheduling"]  # n3's pod is queued: the run checks
    assert phases == [consolidation.CONSOLIDATE_PHASE, *attempt, *attempt]  # start, n3, final run
    phases.clear()
    with pytest.raises(Stop):
        consolidation.consolidate(
            workload,
            [],
            facts,
            region="us-east-1",
            deadline=Deadline(0.0, lambda p: _stop_at(p, "scheduling", phases)),
        )
    assert phases == [
        consolidation.CONSOLIDATE_PHASE,
        consolidation.CONSOLIDATE_PHASE,
        "scheduling",
    ]  # inside n3's run


CHECK_CLUSTER = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, resources: {requests: {cpu: 500m}}}]
"""


def test_check_checks_the_deadline_in_the_base_and_in_every_variant() -> None:
    """The base schedule and each variant's drain are scheduling runs: each checks."""
    workload = load_text(CHECK_CLUSTER, name="cluster")
    workload.nodes.extend(a_node(i) for i in range(3))
    cluster = ClusterInput.of("", workload, make_config())
    policy = parse_policy(
        {
            "apiVersion": "podfit/v1",
            "kind": "CheckPolicy",
            "scenarios": [{"name": "any", "remove": "anyNode"}],
        }
    )
    phases: list[str] = []
    with pytest.raises(Stop):
        check([cluster], policy, executor=Inline(deadline=stop_at_first_check(phases)))
    assert phases == ["scheduling"]
    phases.clear()
    report = check([cluster], policy, executor=Inline(deadline=record_checks(phases)))
    variants = [v for s in report["scenarios"] for v in s["variants"]]
    assert len(variants) == 3
    assert phases == ["scheduling"] * (1 + len(variants))


# --- over HTTP: the time runs out as the first scheduling run starts ----------------------


class FakeClock:
    """``time.monotonic`` of :mod:`podfit.deadline` (where every request deadline reads
    the time): it moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture()
def late_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The request clock jumps past :data:`LIMIT` when the first scheduling run of a plan
    or a check starts; yields the number of runs started."""
    clock = FakeClock()
    monkeypatch.setattr(podfit.deadline, "time", clock)
    started: list[int] = [0]
    for module in (podfit.planning.cluster, podfit.check.engine):
        real = module.schedule_infos

        def late(*args: Any, _real: Any = real, **kwargs: Any) -> Any:
            if not started[0]:
                clock.now += LIMIT + 1
            started[0] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, "schedule_infos", late)
    yield started


def nodes_json(count: int) -> list[dict[str, Any]]:
    return [
        {"name": f"n{i}", "allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"}}
        for i in range(count)
    ]


def deployment(replicas: int, cpu: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]},
            },
        },
    }


BODIES: dict[str, dict[str, Any]] = {
    "/v1/plan/fit": {
        "pods": [deployment(6, "500m")],
        "nodes": nodes_json(3),
        "templates": [deployment(1, "100m")],
    },
    "/v1/plan/nodes": {
        "pods": [deployment(40, "500m")],
        "nodes": nodes_json(3),
        "shapes": [{"preset": "aws/m5.large"}],
    },
    "/v1/plan/drain": {"pods": [deployment(6, "500m")], "nodes": nodes_json(3), "drain": ["n0"]},
    "/v1/check": {"pods": [deployment(6, "500m")], "nodes": nodes_json(3)},
}


@pytest.mark.parametrize("path", sorted(BODIES))
def test_a_limit_running_out_in_the_baseline_is_the_time_out_problem(
    path: str, make_client: MakeClient, late_runs: list[int]
) -> None:
    client = make_client(request_time_limit=LIMIT)
    response = client.post(path, json=BODIES[path])
    assert response.status_code == 503, response.get_data(as_text=True)[:400]
    assert response.mimetype == "application/problem+json"
    doc = json.loads(response.get_data(as_text=True))
    assert doc["type"] == "urn:podfit:problem:time-limit-exceeded"
    assert doc["detail"].startswith("stopped before scheduling after 6.0 s (limit 5 s, ")
    assert "PODFIT_REQUEST_TIME_LIMIT" in doc["detail"]
    assert late_runs == [1]  # stopped in the first run: nothing scheduled after it


@pytest.mark.parametrize("question", ["fit", "nodes", "drain-any"])
def test_the_web_page_stops_its_plans_in_the_baseline_too(
    question: str, make_client: MakeClient, late_runs: list[int]
) -> None:
    """The page runs the same planners with the request's deadline: a 503 page."""
    client = make_client(request_time_limit=LIMIT)
    form = {
        "question": question,
        "strategy": "LeastAllocated",
        "version": "1.34",
        "fixture_workloads": "shop.yaml",
        "fixture_nodes": "nodes.yaml",
        "shapes": "aws/m5.large",
        "templates": json.dumps(deployment(1, "100m")),
    }
    response = client.post("/", data=form, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[-2000:]
    assert "time limit of 5 s exceeded before scheduling" in html
    assert late_runs == [1]


def test_requests_answers_the_time_out_when_loading_used_up_the_limit(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the manifests is the bulk of /v1/requests: a limit that runs out while they
    are read is the time-out problem, not a 200 after the limit."""
    import podfit.http.requests

    clock = FakeClock()
    monkeypatch.setattr(podfit.deadline, "time", clock)
    real = podfit.http.requests.load_workload

    def slow_load(*args: Any, **kwargs: Any) -> Any:
        clock.now += LIMIT + 1
        return real(*args, **kwargs)

    monkeypatch.setattr(podfit.http.requests, "load_workload", slow_load)
    client = make_client(request_time_limit=LIMIT)
    response = client.post("/v1/requests", json={"pods": [deployment(3, "100m")]})
    assert response.status_code == 503
    doc = json.loads(response.get_data(as_text=True))
    assert doc["detail"].startswith("stopped before summarising the requests after 6.0 s")


def test_the_page_is_not_drawn_once_the_limit_has_run_out(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing the answer costs O(pods + nodes) (about a second for 10,000 pods on 500
    nodes): a limit used up by the answer is the 503 page, not a page drawn after it."""
    import podfit.web.page

    clock = FakeClock()
    monkeypatch.setattr(podfit.deadline, "time", clock)
    real = podfit.web.page.answer

    def slow_answer(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        clock.now += LIMIT + 1
        return found

    monkeypatch.setattr(podfit.web.page, "answer", slow_answer)
    form = {"fixture_workloads": "shop.yaml", "fixture_nodes": "nodes.yaml"}
    client = make_client(request_time_limit=LIMIT)
    response = client.post("/", data=form, content_type="multipart/form-data")
    assert response.status_code == 503
    assert "exceeded before drawing the page" in response.get_data(as_text=True)


# --- reading the manifests: the reader checks every OBJECTS_PER_CHECK objects and pods -----------


def pod_object(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"p{i}"},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "100m"}}}]},
    }


def test_reading_many_objects_checks_the_deadline_every_256_objects() -> None:
    """Reading an object costs tens of microseconds: 100,000 of them take seconds, so the
    reader checks the deadline (a clock read) every 256th object, not once per body."""
    phases: list[str] = []
    load_objects([pod_object(i) for i in range(600)], deadline=record_checks(phases))
    assert OBJECTS_PER_CHECK == 256
    assert phases == [LOADING_PHASE] * (600 // OBJECTS_PER_CHECK)


def test_a_passed_deadline_stops_the_reader_within_256_objects() -> None:
    phases: list[str] = []
    reader = Reader(DEFAULT_LIMITS, deadline=stop_at_first_check(phases))
    with pytest.raises(Stop):
        reader.read_documents([pod_object(i) for i in range(600)], "<objects>")
    assert phases == [LOADING_PHASE]
    assert reader.workload.objects == OBJECTS_PER_CHECK  # the other 344 objects never read


def test_compact_node_entries_are_read_under_the_deadline() -> None:
    """A ``{"nodes": [...]}`` document is one object holding many entries: the reader
    checks before the first entry and every 256th."""
    phases: list[str] = []
    entries = [{"name": f"n{i}", "allocatable": {"cpu": "4"}} for i in range(300)]
    workload = load_objects([{"nodes": entries}], deadline=record_checks(phases))
    assert len(workload.nodes) == 300
    assert phases == [LOADING_PHASE] * 2  # entries 0 and 256


def test_admitting_the_replicas_checks_the_deadline() -> None:
    """LimitRange admission runs once per pod after every object is read (100,000
    replicas: seconds): checked before the first pod and every 256th."""
    limit_range = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "defaults"},
        "spec": {"limits": [{"type": "Container", "default": {"memory": "1Gi"}}]},
    }
    phases: list[str] = []
    workload = load_objects([deployment(600, "100m"), limit_range], deadline=record_checks(phases))
    assert len(workload.pods) == 600
    assert phases == [LOADING_PHASE] * 3  # pods 0, 256 and 512
    phases.clear()
    with pytest.raises(Stop):
        load_objects([deployment(600, "100m"), limit_range], deadline=stop_at_first_check(phases))
    assert phases == [LOADING_PHASE]


def _limit_passed_at_first_object(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A fake clock that passes the request limit as the reader reads its first object;
    the returned list counts the objects read."""
    clock = FakeClock()
    monkeypatch.setattr(podfit.deadline, "time", clock)
    read: list[int] = [0]
    real = Reader._object

    def slow_object(self: Reader, *args: Any, **kwargs: Any) -> Any:
        if not read[0]:
            clock.now += LIMIT + 1
        read[0] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Reader, "_object", slow_object)
    return read


@pytest.mark.parametrize("path", ["/v1/schedule", "/v1/requests", "/v1/plan/fit", "/v1/check"])
def test_a_limit_running_out_while_the_manifests_are_read_is_the_time_out_problem(
    path: str, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock passes the limit as the reader reads its first object: the request stops
    at the reader's next check (the 256th object), not after the whole body is read, with
    the same 503 problem as every other time-out."""
    read = _limit_passed_at_first_object(monkeypatch)
    body: dict[str, Any] = {"pods": [pod_object(i) for i in range(600)], "nodes": nodes_json(2)}
    if path == "/v1/plan/fit":
        body["templates"] = [deployment(1, "100m")]
    if path == "/v1/requests":
        del body["nodes"]
    client = make_client(request_time_limit=LIMIT)
    response = client.post(path, json=body)
    assert response.status_code == 503, response.get_data(as_text=True)[:400]
    assert response.mimetype == "application/problem+json"
    doc = json.loads(response.get_data(as_text=True))
    assert doc["type"] == "urn:podfit:problem:time-limit-exceeded"
    assert doc["detail"].startswith("stopped before loading the manifests after 6.0 s (limit 5 s, ")
    assert read == [OBJECTS_PER_CHECK - 1]  # the 256th object's check stopped it


def test_the_page_stops_reading_pasted_manifests_at_the_limit(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page reads its inputs with the request's deadline too: a 503 page naming the
    phase, before the pasted objects are all read."""
    client = make_client(request_time_limit=LIMIT)
    read = _limit_passed_at_first_object(monkeypatch)
    form = {"workloads": json.dumps([pod_object(i) for i in range(600)])}
    response = client.post("/", data=form, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 503, html[-2000:]
    assert "time limit of 5 s exceeded before loading the manifests" in html
    assert read == [OBJECTS_PER_CHECK - 1]
