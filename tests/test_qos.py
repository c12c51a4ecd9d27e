"""QoS class exactly per the scheduling doc §2 (upstream qos_test.go facts T82–T87)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from podfit.pods import Container, Pod, default_container, qos_class
from podfit.quantity import Quantity, parse_quantity


def rl(spec: Mapping[str, str] | None) -> dict[str, Quantity]:
    return {k: parse_quantity(v) for k, v in (spec or {}).items()}


def c(req: Mapping[str, str] | None = None, lim: Mapping[str, str] | None = None) -> Container:
    return Container("c", rl(req), rl(lim))


G = {"cpu": "100m", "memory": "100Mi"}

QOS_CASES = [
    ("T82 request = limit for cpu and memory", (c(G, G),), (), "Guaranteed"),
    ("T83 best-effort + guaranteed container", (c(), c(G, G)), (), "Burstable"),
    (
        "T84 memory request = limit only",
        (c({"memory": "100Mi"}, {"memory": "100Mi"}),),
        (),
        "Burstable",
    ),
    (
        "T85 requests 0/0, limits 100m/200Mi",
        (c({"cpu": "0", "memory": "0"}, {"cpu": "100m", "memory": "200Mi"}),),
        (),
        "Burstable",
    ),
    (
        "T86 cpu/mem 0, hugepages request = limit",
        (
            c(
                {"cpu": "0", "memory": "0", "hugepages-2Mi": "1Gi"},
                {"cpu": "0", "memory": "0", "hugepages-2Mi": "1Gi"},
            ),
        ),
        (),
        "BestEffort",
    ),
    (
        "T87 best-effort container + burstable init container",
        (c(),),
        (c({"cpu": "100m"}),),
        "Burstable",
    ),
    ("no resources anywhere", (c(),), (), "BestEffort"),
    (
        "only extended resources",
        (c({"nvidia.com/gpu": "1"}, {"nvidia.com/gpu": "1"}),),
        (),
        "BestEffort",
    ),
    ("guaranteed app + guaranteed init", (c(G, G),), (c(G, G),), "Guaranteed"),
    ("request without a limit", (c({"cpu": "1", "memory": "1Gi"}),), (), "Burstable"),
]


@pytest.mark.parametrize(
    ("fact", "containers", "init", "expected"), QOS_CASES, ids=[r[0] for r in QOS_CASES]
)
def test_qos_class(
    fact: str, containers: tuple[Container, ...], init: tuple[Container, ...], expected: str
) -> None:
    assert qos_class(Pod("p", containers=containers, init_containers=init)) == expected


def test_limits_only_is_guaranteed_after_api_defaulting() -> None:
    """A container with only limits {cpu, memory} is Guaranteed once requests default."""
    pod = Pod("p", containers=(default_container(c(lim=G)),))
    assert qos_class(pod) == "Guaranteed"


def test_pod_level_resources_decide_alone() -> None:
    pod = Pod("p", containers=(c(),), pod_requests=rl(G), pod_limits=rl(G))
    assert qos_class(pod) == "Guaranteed"
    burst = Pod("p", containers=(c(G, G),), pod_requests=rl(G))
    assert qos_class(burst) == "Burstable"


def test_recorded_status_qos_class_wins() -> None:
    assert qos_class(Pod("p", containers=(c(),), status_qos_class="Guaranteed")) == "Guaranteed"
