"""Work a request may cause is bounded before it is done: explain's answer size, and the
request time limit inside the planners' loops and solvers (issue 17, items 2 and 3).

Each case asserts the status and the problem document naming the bound's variable; the
memory case asserts a peak allocation, the time cases a generous wall-time ceiling (the
bound holding at all, not a speed goal).
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from flask.testing import FlaskClient

from podfit.deadline import Deadline
from podfit.nodes import Node
from podfit.planning.mix import cheapest_mix
from podfit.planning.nodes_needed import NodeShape, nodes_needed
from podfit.pods import Container, Pod
from podfit.quantity import parse_quantity as q
from podfit.scheduler import schedule

MakeClient = Callable[..., FlaskClient]
PROBLEM = "application/problem+json"
MIB = 1024 * 1024


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = json.loads(response.get_data(as_text=True))
    assert body["status"] == status
    return body


def node(i: int, cpu: str = "4") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": f"node-{i}", "labels": {"kubernetes.io/hostname": f"node-{i}"}},
        "status": {"allocatable": {"cpu": cpu, "memory": "16Gi", "pods": "110"}},
    }


def deployment(replicas: int, cpu: str = "10m", name: str = "web") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "template": {
                "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]}
            },
        },
    }


def bound_pod(name: str, node_name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"nodeName": node_name, "containers": [{"name": "c"}]},
        "status": {"phase": "Running"},
    }


def daemonset(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}},
    }


def peak_bytes(call: Callable[[], Any]) -> tuple[Any, int]:
    """Run ``call()`` under tracemalloc; return its result and the peak allocation."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# ---- explain: the answer bounded before it is built ---------------------------------------


def test_explain_past_the_entry_limit_is_refused_before_scheduling_with_little_memory(
    client: FlaskClient,
) -> None:
    """20,000 pending pods × 20 nodes would be 400,000 explain entries (about 30 MB of
    answer, several times that while building it): refused at the default limit, naming
    it, while the request allocates no more than reading the input takes."""
    body = {
        "pods": [deployment(20_000, cpu="100")],
        "nodes": [node(i) for i in range(20)],
        "explain": True,
    }
    response, peak = peak_bytes(lambda: client.post("/v1/schedule", json=body))
    doc = problem(response, 422)
    assert doc["type"] == "urn:podfit:problem:answer-too-large"
    assert "400000 per-node entries" in doc["detail"]
    assert "PODFIT_MAX_EXPLAIN_ENTRIES" in doc["detail"]
    assert doc["errors"][0]["path"] == "explain"
    without, peak_without = peak_bytes(
        lambda: client.post("/v1/schedule", json={**body, "explain": False})
    )
    assert without.status_code == 200
    assert peak < 64 * MIB, peak
    assert peak < peak_without, (peak, peak_without)


def test_explain_at_the_entry_limit_is_answered_and_one_pod_more_is_not(
    make_client: MakeClient,
) -> None:
    """The limit counts pods to schedule × nodes, inclusive; pods already bound to a node
    are not explained, so they do not count."""
    client = make_client(max_explain_entries=200)
    nodes = [node(i) for i in range(20)]
    bound = [bound_pod(f"bound-{i}", "node-0") for i in range(30)]
    ok = client.post(
        "/v1/schedule", json={"pods": [deployment(10), *bound], "nodes": nodes, "explain": True}
    )
    assert ok.status_code == 200, ok.get_data(as_text=True)[:300]
    explained = [p for p in ok.get_json()["pods"] if "explain" in p]
    assert len(explained) == 10
    refused = client.post(
        "/v1/schedule", json={"pods": [deployment(11)], "nodes": nodes, "explain": True}
    )
    assert "at most 200 (PODFIT_MAX_EXPLAIN_ENTRIES)" in problem(refused, 422)["detail"]
    plain = client.post("/v1/schedule", json={"pods": [deployment(11)], "nodes": nodes})
    assert plain.status_code == 200


def test_daemonset_pods_count_against_the_explain_limit(make_client: MakeClient) -> None:
    """Each DaemonSet may make one pod per node, and each is explained on every node."""
    client = make_client(max_explain_entries=99)
    nodes = [node(i) for i in range(10)]
    query = "/v1/schedule?explain=true"
    assert client.post(query, json={"pods": [daemonset("ds")], "nodes": nodes}).status_code == 422
    small = make_client(max_explain_entries=100)
    assert small.post(query, json={"pods": [daemonset("ds")], "nodes": nodes}).status_code == 200


# ---- the request time limit inside the planners ------------------------------------------

#: The request time limit of these cases (seconds), and how far past it an answer may come:
#: the work between two checks plus answering, with room for a loaded machine.
LIMIT = 1.0
GRACE = 2.0


def pod(i: int, cpu: str, memory: str = "64Mi") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"p{i}"},
        "spec": {
            "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu, "memory": memory}}}]
        },
    }


def distinct_pods(count: int) -> list[dict[str, Any]]:
    """``count`` pods of (nearly) all different requests: as many groups to pack."""
    return [pod(i, f"{(i * 37) % 1999 + 1}m", f"{(i * 7) % 997 + 1}Mi") for i in range(count)]


def answer_time(client: FlaskClient, path: str, body: dict[str, Any]) -> tuple[Any, float]:
    started = time.monotonic()
    response = client.post(path, json=body)
    return response, time.monotonic() - started


def assert_stopped_in_time(make_client: MakeClient, path: str, body: dict[str, Any]) -> None:
    """The request is answered 503 naming PODFIT_REQUEST_TIME_LIMIT soon after the limit,
    or soon after reading the body when that alone takes longer (a loaded machine): how
    long reading takes is measured with a limit that stops at the first check."""
    _, reading = answer_time(make_client(request_time_limit=1e-9), path, body)
    response, elapsed = answer_time(make_client(request_time_limit=LIMIT), path, body)
    doc = problem(response, 503)
    assert doc["type"] == "urn:podfit:problem:time-limit-exceeded"
    assert "PODFIT_REQUEST_TIME_LIMIT" in doc["detail"]
    assert elapsed < max(LIMIT, reading) + GRACE, (elapsed, reading, doc["detail"])


def test_plan_nodes_stops_inside_the_packer_at_the_time_limit(make_client: MakeClient) -> None:
    """3,000 pods of different sizes on one shape pack for tens of seconds (best fit over
    every open node per group, then Minimum Bin Slack and the local search); the request
    stops within the limit instead of after the shape."""
    body = {"pods": distinct_pods(3000), "shapes": [{"preset": "aws/m5.large"}]}
    assert_stopped_in_time(make_client, "/v1/plan/nodes", body)


def test_plan_nodes_ffd_stops_inside_the_estimator_at_the_time_limit(
    make_client: MakeClient,
) -> None:
    """The autoscaler's estimator over 5,000 pod groups: seconds in one shape."""
    body = {
        "pods": distinct_pods(5000),
        "shapes": [{"preset": "aws/m5.large"}],
        "algorithm": "ffd",
    }
    assert_stopped_in_time(make_client, "/v1/plan/nodes", body)


def mix_shape(name: str, cpu: str, memory: str, price: str) -> NodeShape:
    alloc = {"cpu": q(cpu), "memory": q(memory), "pods": q("110")}
    node = Node(name, alloc, alloc, labels={"kubernetes.io/hostname": name})
    return NodeShape(name, node, Fraction(price))


MIX_SHAPES = [
    mix_shape("a", "2", "8Gi", "0.096"),
    mix_shape("b", "4", "16Gi", "0.192"),
    mix_shape("c", "2", "4Gi", "0.085"),
    mix_shape("d", "2", "16Gi", "0.126"),
]


def _expired(phase: str) -> None:
    raise TimeoutError(phase)


def test_the_cheapest_mix_stops_its_solvers_at_the_deadline() -> None:
    """200 pods of different sizes over 4 priced shapes: the mix's column generation and
    covering solves run for tens of seconds under a 60 s ``timeLimitSeconds``; given a
    deadline, each LP and CP-SAT solve gets a wall-clock limit from what is left and the
    mix stops soon after it (the HTTP edge turns that into its 503)."""
    pods = [
        Pod(
            f"p{i}",
            containers=(
                Container(
                    "c",
                    {"cpu": q(f"{(i * 37) % 1999 + 1}m"), "memory": q(f"{(i * 7) % 997 + 1}Mi")},
                ),
            ),
        )
        for i in range(200)
    ]
    plan = nodes_needed(pods, MIX_SHAPES)
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="the cheapest mix"):
        cheapest_mix(plan, time_limit=60, deadline=Deadline(started + 0.5, _expired))
    assert time.monotonic() - started < 0.5 + GRACE


def test_a_deadline_that_does_not_expire_leaves_the_mix_unchanged() -> None:
    """The wall-clock limit only ever ends the work: a plan never depends on the clock."""
    pods = [
        Pod(f"p{i}", containers=(Container("c", {"cpu": q("1"), "memory": q("1Gi")}),))
        for i in range(5)
    ]
    plan = nodes_needed(pods, MIX_SHAPES)
    free = cheapest_mix(plan, exact=True, time_limit=5)
    timed = cheapest_mix(
        plan, exact=True, time_limit=5, deadline=Deadline(time.monotonic() + 60, _expired)
    )
    assert timed == free


def test_plan_fit_stops_between_replicas_at_the_time_limit(make_client: MakeClient) -> None:
    """Up to 100,000 replicas (preferring to avoid each other) on 3,000 nodes: one
    scheduling cycle each, about 2 s in all, so only a check inside the loop stops it."""
    template = deployment(1, cpu="1m")
    template["spec"]["template"]["metadata"] = {"labels": {"app": "web"}}
    term = {
        "topologyKey": "kubernetes.io/hostname",
        "labelSelector": {"matchLabels": {"app": "web"}},
    }
    template["spec"]["template"]["spec"]["affinity"] = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": term}
            ]
        }
    }
    body = {
        "pods": [],
        "nodes": [node(i, cpu="64") for i in range(3000)],
        "templates": [template],
        "maxReplicas": 100_000,
    }
    assert_stopped_in_time(make_client, "/v1/plan/fit", body)


def test_plan_drain_stops_between_scenarios_at_the_time_limit(make_client: MakeClient) -> None:
    """Losing any one of 300 nodes: 300 reschedules of 3,000 pods."""
    body = {
        "pods": [deployment(3000, cpu="100m")],
        "nodes": [node(i) for i in range(300)],
        "loseAnyOne": True,
    }
    assert_stopped_in_time(make_client, "/v1/plan/drain", body)


def spread_deployment(replicas: int) -> dict[str, Any]:
    """A Deployment whose replicas prefer to avoid each other: InterPodAffinity scores every
    node against every placed replica, so each scheduling cycle is costly."""
    template = deployment(replicas, cpu="1m")
    template["spec"]["template"]["metadata"] = {"labels": {"app": "web"}}
    term = {
        "topologyKey": "kubernetes.io/hostname",
        "labelSelector": {"matchLabels": {"app": "web"}},
    }
    template["spec"]["template"]["spec"]["affinity"] = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": term}
            ]
        }
    }
    return template


def test_schedule_stops_inside_the_queue_at_the_time_limit(make_client: MakeClient) -> None:
    """100,000 replicas preferring to avoid each other on 3,000 nodes: one scheduler run of
    many seconds, so only the deadline checked while the queue is drained stops it (a 503
    naming the limit, never a 500 nor an answer long after the limit)."""
    body = {"pods": [spread_deployment(100_000)], "nodes": [node(i, cpu="64") for i in range(3000)]}
    assert_stopped_in_time(make_client, "/v1/schedule", body)


def test_schedule_with_an_expired_deadline_stops_at_the_first_check() -> None:
    """The first queued pod is checked: an expired deadline schedules nothing."""
    nodes = [Node("n", {"cpu": q("1")}, {"cpu": q("1")})]
    pods = [Pod("p", containers=(Container("c", {"cpu": q("100m")}),))]
    with pytest.raises(TimeoutError, match="scheduling"):
        schedule(pods, nodes, deadline=Deadline(time.monotonic() - 1, _expired))
    assert schedule(pods, nodes, deadline=Deadline(time.monotonic() + 60, _expired)).pods
