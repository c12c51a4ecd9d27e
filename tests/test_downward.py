"""Downward API env: resourceFieldRef with divisors (T92–T96) and simple fieldRefs."""

from __future__ import annotations

from pathlib import Path

import pytest

from podfit.downward import (
    format_resource_value,
    resolve_env,
    resource_field_value,
    validate_divisor,
)
from podfit.errors import ManifestError
from podfit.manifests import load
from podfit.pods import Container, Pod
from podfit.quantity import parse_quantity as q


def pod_with(requests: dict[str, str], limits: dict[str, str], init: bool = False) -> Pod:
    c = Container("c", {k: q(v) for k, v in requests.items()}, {k: q(v) for k, v in limits.items()})
    if init:
        return Pod("p", containers=(Container("other"),), init_containers=(c,))
    return Pod("p", containers=(c,))


UPSTREAM = [
    # fact, requests, limits, resource, divisor, expected
    ("T92 limits.cpu 9", {}, {"cpu": "9"}, "limits.cpu", None, "9"),
    ("T93 requests.cpu without a request", {}, {}, "requests.cpu", None, "0"),
    ("T94 requests.cpu 100m, default divisor", {"cpu": "100m"}, {}, "requests.cpu", None, "1"),
    ("T95 requests.cpu 1200m / 100m", {"cpu": "1200m"}, {}, "requests.cpu", "100m", "12"),
    ("T96 requests.memory 100Mi", {"memory": "100Mi"}, {}, "requests.memory", None, "104857600"),
    ("T96 requests.memory 100Mi / 1Mi", {"memory": "100Mi"}, {}, "requests.memory", "1Mi", "100"),
    ("T96 limits.memory 100Mi", {}, {"memory": "100Mi"}, "limits.memory", None, "104857600"),
    ("divisor 0 means 1", {"cpu": "1500m"}, {}, "requests.cpu", "0", "2"),
    ("memory 1Gi / 1G rounds up", {"memory": "1Gi"}, {}, "requests.memory", "1G", "2"),
    ("hugepages request", {"hugepages-2Mi": "4Mi"}, {}, "requests.hugepages-2Mi", "1Mi", "4"),
]


@pytest.mark.parametrize(
    ("fact", "req", "lim", "resource", "divisor", "expected"),
    UPSTREAM,
    ids=[r[0] for r in UPSTREAM],
)
@pytest.mark.parametrize("init", [False, True], ids=["regular", "init"])
def test_resource_field_values_match_upstream(
    fact: str,
    req: dict[str, str],
    lim: dict[str, str],
    resource: str,
    divisor: str | None,
    expected: str,
    init: bool,
) -> None:
    """Same results whether the container is regular or init (T96 'via the init name')."""
    pod = pod_with(req, lim, init)
    got = resource_field_value(pod, "c", resource, q(divisor) if divisor else None)
    assert got == expected, fact


def test_float64_formula_loses_precision_like_upstream() -> None:
    """Upstream divides in float64: 9007199254740993 bytes print as 9007199254740992."""
    assert format_resource_value("memory", q("9007199254740993"), None) == "9007199254740992"


def test_missing_limit_uses_node_allocatable_or_says_unknown() -> None:
    """MergeContainerResourceLimits: no cpu limit → node allocatable (3920m → 4 / 3920)."""
    pod = pod_with({"cpu": "100m"}, {})
    assert resource_field_value(pod, "c", "limits.cpu") is None
    alloc = {"cpu": q("3920m")}
    assert resource_field_value(pod, "c", "limits.cpu", None, alloc) == "4"
    assert resource_field_value(pod, "c", "limits.cpu", q("1m"), alloc) == "3920"


def test_init_container_named_by_container_name_keeps_its_missing_limit_as_0() -> None:
    """kubelet_resources.go ``defaultPodLimitsForDownwardAPI`` merges node allocatable into
    ``pod.Spec.Containers`` and the env's own container only; kubelet_pods.go
    ``containerResourceRuntimeValue`` with a ``containerName`` reads the defaulted pod, so
    an init container named there shows its stored limit: none → 0 (no node needed). The
    same init container read as the env's own container, or a regular one named, is filled."""
    pod = pod_with({"cpu": "100m"}, {}, init=True)
    alloc = {"cpu": q("4")}
    assert resource_field_value(pod, "c", "limits.cpu", None, None, by_name=True) == "0"
    assert resource_field_value(pod, "c", "limits.cpu", None, alloc, by_name=True) == "0"
    assert resource_field_value(pod, "c", "limits.cpu", None, alloc) == "4"
    regular = pod_with({"cpu": "100m"}, {})
    assert resource_field_value(regular, "c", "limits.cpu", None, alloc, by_name=True) == "4"
    assert resource_field_value(regular, "c", "limits.cpu", None, None, by_name=True) is None


def test_resolve_env_passes_container_name_through() -> None:
    """A regular container's env naming an init container (containerName) gets 0 for the
    init container's missing memory limit, even before the pod is placed."""
    from podfit.pods import EnvVar, ResourceFieldRef

    ref = ResourceFieldRef("limits.memory", container_name="setup")
    main = Container("main", env=(EnvVar("SETUP_MEM", resource_field_ref=ref),))
    pod = Pod("p", containers=(main,), init_containers=(Container("setup"),))
    assert resolve_env(pod, main).values == {"SETUP_MEM": "0"}


def test_unknown_container_or_resource_is_an_error() -> None:
    pod = pod_with({}, {})
    with pytest.raises(ManifestError, match='container "nope" not found'):
        resource_field_value(pod, "nope", "requests.cpu")
    with pytest.raises(ManifestError, match="unsupported container resource"):
        resource_field_value(pod, "c", "requests.nvidia.com/gpu")


DIVISORS_OK = [
    ("limits.cpu", "1m"),
    ("requests.cpu", "1"),
    ("requests.cpu", "1000m"),  # prints 1
    ("limits.memory", "1Mi"),
    ("requests.ephemeral-storage", "1G"),
    ("limits.hugepages-2Mi", "1Ki"),
    ("requests.memory", "0"),  # zero = unset
]
DIVISORS_BAD = [
    ("limits.cpu", "100m", "only divisor's values 1m and 1 are supported with the cpu resource"),
    ("requests.cpu", "1k", "with the cpu resource"),
    ("limits.memory", "2Mi", "are supported with the memory resource"),
    ("requests.ephemeral-storage", "1m", "with the local ephemeral storage resource"),
    ("requests.hugepages-1Gi", "3", "with the hugepages resource"),
]


@pytest.mark.parametrize(("resource", "divisor"), DIVISORS_OK)
def test_allowed_divisors(resource: str, divisor: str) -> None:
    assert validate_divisor(resource, q(divisor), "env[0].valueFrom.resourceFieldRef") == []


@pytest.mark.parametrize(("resource", "divisor", "message"), DIVISORS_BAD)
def test_refused_divisors_name_the_field(resource: str, divisor: str, message: str) -> None:
    errors = validate_divisor(resource, q(divisor), "r")
    assert [e.path for e in errors] == ["r.divisor"]
    assert message in errors[0].message


def test_seed_example_cpu_request_0_1_limit_0_5_shows_1_and_1(fixtures_dir: Path) -> None:
    """The seed: requests cpu 0.1, limits cpu 0.5, default divisor → CPU_REQUEST=1, CPU_LIMIT=1."""
    workload = load(fixtures_dir / "pod-downward-api.yaml")
    (pod,) = workload.pods
    env = resolve_env(pod, pod.containers[0])
    assert env.values == {
        "CPU_REQUEST": "1",
        "CPU_LIMIT": "1",
        "CPU_REQUEST_MILLI": "100",
        "MEMORY_REQUEST_MI": "96",  # ceil(100000000 / 1048576) = ceil(95.37)
        "MEMORY_LIMIT": "500000000",
        "POD_NAME": "downward",
        "POD_NAMESPACE": "demo",
    }
    assert "NODE_NAME" in env.unresolved  # spec.nodeName is known once placed


def test_node_name_resolves_once_bound() -> None:
    from podfit.pods import EnvVar

    c = Container(
        "c", env=(EnvVar("N", field_path="spec.nodeName"), EnvVar("X", other_source="secretKeyRef"))
    )
    env = resolve_env(Pod("p", containers=(c,), node_name="node-1"), c)
    assert env.values == {"N": "node-1"}
    assert env.unresolved == {"X": "from secretKeyRef"}
