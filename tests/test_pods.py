"""Effective pod requests and limits: the upstream facts T1–T18, T69–T73, T79–T81.

Table rows restate ``component-helpers/resource/helpers_test.go`` and the scheduler's
``resource_allocation_test.go`` / ``types_test.go`` cases (see the scheduling doc §8).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfit.pods import (
    Container,
    ContainerPort,
    Pod,
    default_container,
    explain_requests,
    host_ports,
    non_zero_requests,
    pod_limits,
    pod_request_amounts,
    pod_requests,
    validate_resources,
)
from podfit.quantity import Quantity, parse_quantity

MI = 1024 * 1024


def rl(spec: Mapping[str, str | int] | None) -> dict[str, Quantity]:
    return {k: parse_quantity(str(v)) for k, v in (spec or {}).items()}


def c(
    name: str,
    req: Mapping[str, str | int] | None = None,
    lim: Mapping[str, str | int] | None = None,
    *,
    sidecar: bool = False,
) -> Container:
    return Container(name, rl(req), rl(lim), restart_policy="Always" if sidecar else None)


def pod(
    containers: tuple[Container, ...] = (),
    init: tuple[Container, ...] = (),
    overhead: Mapping[str, str | int] | None = None,
    pod_req: Mapping[str, str | int] | None = None,
    pod_lim: Mapping[str, str | int] | None = None,
) -> Pod:
    return Pod(
        "p",
        containers=containers,
        init_containers=init,
        overhead=rl(overhead),
        pod_requests=rl(pod_req),
        pod_limits=rl(pod_lim),
    )


def canon(resources: Mapping[str, Quantity]) -> dict[str, Quantity]:
    return dict(resources)


REQUEST_CASES = [
    # (fact, pod, expected requests)
    ("T1 just a limit: no request", pod((c("a", lim={"cpu": 9}),)), {}),
    (
        "T2 requests + overhead",
        pod((c("a", {"cpu": 1, "memory": 10}),), overhead={"cpu": 5, "memory": 5}),
        {"cpu": 6, "memory": 15},
    ),
    (
        "T3 requests, limits and overhead",
        pod(
            (c("a", {"cpu": 1, "memory": 10}, {"cpu": 2, "memory": 12}),),
            overhead={"cpu": 5, "memory": 5},
        ),
        {"cpu": 6, "memory": 15},
    ),
    ("T5 larger init container", pod((c("a", {"cpu": 1}),), (c("i", {"cpu": 4}),)), {"cpu": 4}),
    (
        "T6 larger containers",
        pod((c("a", {"cpu": 2}), c("b", {"cpu": 3})), (c("i", {"cpu": 2}),)),
        {"cpu": 5},
    ),
    (
        "T8 overhead included (also for keys no container asks for)",
        pod(
            (c("a", {"cpu": 2}), c("b", {"cpu": 3})),
            (c("i", {"cpu": 2}),),
            overhead={"cpu": 1, "memory": "1Gi"},
        ),
        {"cpu": 6, "memory": "1Gi"},
    ),
    (
        "T9 one sidecar",
        pod((c("a", {"cpu": 1}),), (c("s", {"cpu": 1}, sidecar=True),)),
        {"cpu": 2},
    ),
    (
        "T10 init 5 then sidecars 1, 2, 3",
        pod(
            (c("a", {"cpu": 1}),),
            (
                c("i", {"cpu": 5}),
                c("s1", {"cpu": 1}, sidecar=True),
                c("s2", {"cpu": 2}, sidecar=True),
                c("s3", {"cpu": 3}, sidecar=True),
            ),
        ),
        {"cpu": 7},
    ),
    (
        "T11 init-2 sees the sidecars started before it (5+1+2)",
        pod(
            (c("a", {"cpu": 1}),),
            (
                c("i1", {"cpu": 5}),
                c("s1", {"cpu": 1}, sidecar=True),
                c("s2", {"cpu": 2}, sidecar=True),
                c("i2", {"cpu": 5}),
                c("s3", {"cpu": 3}, sidecar=True),
            ),
        ),
        {"cpu": 8},
    ),
    (
        "T12 sidecar 10, init 200, container 100",
        pod(
            (c("a", {"cpu": 100}),),
            (c("s", {"cpu": 10}, sidecar=True), c("i", {"cpu": 200})),
        ),
        {"cpu": 210},
    ),
    (
        "T14 pod-level memory, container cpu",
        pod((c("a", {"cpu": "2m"}),), pod_req={"memory": "2Mi"}),
        {"cpu": "2m", "memory": "2Mi"},
    ),
    (
        "T15 unsupported pod-level resource ignored",
        pod((c("a", {"memory": "3Mi"}),), pod_req={"storage": "2Mi"}),
        {"memory": "3Mi"},
    ),
    (
        "T16 pod-level wins over containers",
        pod((c("a", {"cpu": "2m", "memory": "3Mi"}),), pod_req={"cpu": "8m", "memory": "6Mi"}),
        {"cpu": "8m", "memory": "6Mi"},
    ),
    (
        "T17 containers + sidecar vs init, no pod-level",
        pod(
            (c("a", {"cpu": "2m", "memory": "3Mi"}),),
            (
                c("s", {"cpu": "4m", "memory": "5Mi"}, sidecar=True),
                c("i", {"cpu": "8m", "memory": "6Mi"}),
            ),
        ),
        {"cpu": "12m", "memory": "11Mi"},
    ),
    (
        "E6 pod-level 18m/15Mi beats the 12m/11Mi aggregate",
        pod(
            (c("a", {"cpu": "2m", "memory": "3Mi"}),),
            (
                c("s", {"cpu": "4m", "memory": "5Mi"}, sidecar=True),
                c("i", {"cpu": "8m", "memory": "6Mi"}),
            ),
            pod_req={"cpu": "18m", "memory": "15Mi"},
        ),
        {"cpu": "18m", "memory": "15Mi"},
    ),
    (
        "T18 container 9, sidecar 8, init 6",
        pod((c("a", {"cpu": 9}),), (c("s", {"cpu": 8}, sidecar=True), c("i", {"cpu": 6}))),
        {"cpu": 17},
    ),
    (
        "E1 two containers, one without memory",
        pod((c("a", {"cpu": "500m", "memory": "256Mi"}), c("b", {"cpu": "250m"}))),
        {"cpu": "750m", "memory": "256Mi"},
    ),
    (
        "E2 max of init peak and containers per resource",
        pod(
            (c("a", {"cpu": 2, "memory": "1G"}), c("b", {"cpu": 1, "memory": "1G"})),
            (c("i1", {"cpu": 2, "memory": "1G"}), c("i2", {"cpu": 2, "memory": "3G"})),
        ),
        {"cpu": 3, "memory": "3G"},
    ),
    (
        "a resource only an init container asks for still appears",
        pod((c("a", {"cpu": 1}),), (c("i", {"example.com/foo": 2}),)),
        {"cpu": 1, "example.com/foo": 2},
    ),
    ("E8 no containers at all", pod(), {}),
]


@pytest.mark.parametrize(
    ("fact", "p", "expected"), REQUEST_CASES, ids=[r[0] for r in REQUEST_CASES]
)
def test_pod_requests_follow_component_helpers(
    fact: str, p: Pod, expected: Mapping[str, str | int]
) -> None:
    assert canon(pod_requests(p)) == rl(expected), fact


LIMIT_CASES = [
    ("T1 just a limit", pod((c("a", lim={"cpu": 9}),)), {"cpu": 9}),
    (
        "T3 limits + overhead on present keys",
        pod(
            (c("a", {"cpu": 1, "memory": 10}, {"cpu": 2, "memory": 12}),),
            overhead={"cpu": 5, "memory": 5},
        ),
        {"cpu": 7, "memory": 17},
    ),
    (
        "T4 overhead creates no memory limit",
        pod((c("a", lim={"cpu": 2}),), overhead={"cpu": 5, "memory": 5}),
        {"cpu": 7},
    ),
    (
        "T13 overhead only on the cpu limit",
        pod(
            (c("a", lim={"cpu": 2}), c("b", lim={"cpu": 3})),
            (c("i", lim={"cpu": 2}),),
            overhead={"cpu": 1, "memory": "1Gi"},
        ),
        {"cpu": 6},
    ),
    (
        "a zero limit gets no overhead",
        pod((c("a", lim={"cpu": 0}),), overhead={"cpu": 1}),
        {"cpu": 0},
    ),
    (
        "pod-level limit replaces the container aggregate",
        pod((c("a", lim={"cpu": 2, "memory": "1Gi"}),), pod_lim={"cpu": 4}),
        {"cpu": 4, "memory": "1Gi"},
    ),
]


@pytest.mark.parametrize(("fact", "p", "expected"), LIMIT_CASES, ids=[r[0] for r in LIMIT_CASES])
def test_pod_limits_follow_component_helpers(
    fact: str, p: Pod, expected: Mapping[str, str | int]
) -> None:
    assert canon(pod_limits(p)) == rl(expected), fact


NON_ZERO_CASES = [
    ("T69 one requestless container", pod((c("a"),)), (100, 200 * MI)),
    ("T70 two requestless containers", pod((c("a"), c("b"))), (200, 400 * MI)),
    (
        "T71 init 3 cpu, containers 1cpu/1Mi and {}, overhead 1/1Mi",
        pod(
            (c("a", {"cpu": 1, "memory": "1Mi"}), c("b")),
            (c("i", {"cpu": 3}),),
            overhead={"cpu": 1, "memory": "1Mi"},
        ),
        (4000, 2 * MI + 200 * MI),
    ),
    (
        "T72 requestless init container dominates small ones",
        pod((c("a", {"cpu": "3m", "memory": 3}),), (c("i0"), c("i1", {"cpu": "1m", "memory": 1}))),
        (100, 209715200),
    ),
    (
        "T73 … plus a requestless container",
        pod(
            (c("a", {"cpu": "3m", "memory": 3}), c("b")),
            (c("i0"), c("i1", {"cpu": "1m", "memory": 1})),
        ),
        (103, 209715203),
    ),
    ("an explicit zero stays zero", pod((c("a", {"cpu": 0, "memory": 0}),)), (0, 0)),
    ("E8 no containers", pod(), (0, 0)),
    ("T79 requestless container", pod((c("a"),)), (100, 209715200)),
    (
        "T80 pod-level memory 1200Mi over an empty container",
        pod((c("a"),), pod_req={"memory": "1200Mi"}),
        (100, 1200 * MI),
    ),
    (
        "T81 container + sidecar with pod-level 1200m/1200Mi",
        pod((c("a"),), (c("s", sidecar=True),), pod_req={"cpu": "1200m", "memory": "1200Mi"}),
        (1200, 1200 * MI),
    ),
    (
        "sidecars get the defaults too",
        pod((c("a", {"cpu": "1", "memory": "1Gi"}),), (c("s", sidecar=True),)),
        (1100, 1024 * MI + 200 * MI),
    ),
]


@pytest.mark.parametrize(
    ("fact", "p", "expected"), NON_ZERO_CASES, ids=[r[0] for r in NON_ZERO_CASES]
)
def test_non_zero_requests_default_100m_and_200Mi_per_container(
    fact: str, p: Pod, expected: tuple[int, int]
) -> None:
    assert non_zero_requests(p) == expected, fact


def test_overhead_can_be_excluded_T7() -> None:
    """T7 (ExcludeOverhead): init 2, containers 2+3, overhead 1 → 5 without the overhead."""
    p = pod((c("a", {"cpu": 2}), c("b", {"cpu": 3})), (c("i", {"cpu": 2}),), overhead={"cpu": 1})
    assert pod_requests(p, exclude_overhead=True) == rl({"cpu": 5})
    assert pod_requests(p) == rl({"cpu": 6})


def test_raw_requests_of_requestless_pods_are_empty_T79_T80() -> None:
    """T79/T80: the raw flavour gets no defaults; pod-level memory shows up as is."""
    assert pod_request_amounts(pod((c("a"),))) == {}
    assert pod_request_amounts(pod((c("a"),), pod_req={"memory": "1200Mi"})) == {
        "memory": 1200 * MI
    }


def test_amounts_round_up_cpu_to_millicores_and_bytes() -> None:
    """0.5m cpu is 1 millicore; 1.5 bytes of memory is 2 — Kubernetes rounds up."""
    p = pod((c("a", {"cpu": "0.5m", "memory": "1.5"}),))
    assert pod_request_amounts(p) == {"cpu": 1, "memory": 2}


def test_amounts_past_int64_are_an_error_not_a_wrap() -> None:
    from podfit.errors import QuantityError

    p = pod((c("a", {"memory": "10E"}),))
    with pytest.raises(QuantityError, match="int64"):
        pod_request_amounts(p)


def test_api_defaulting_copies_limits_into_missing_requests() -> None:
    """SetDefaults_Pod: only-a-limit means request = limit; an existing request is kept."""
    got = default_container(c("a", {"memory": "1Gi"}, {"cpu": "500m", "memory": "2Gi"}))
    assert got.requests == rl({"cpu": "500m", "memory": "1Gi"})
    assert got.defaulted_requests == ("cpu",)
    same = c("b", {"cpu": 1}, {"cpu": 1})
    assert default_container(same) is same


def test_explanation_names_the_init_container_that_wins() -> None:
    p = pod(
        (c("app", {"cpu": "100m", "memory": "1Gi"}),),
        (c("proxy", {"cpu": "50m"}, sidecar=True), c("migrate", {"cpu": "500m"})),
        overhead={"cpu": "10m"},
    )
    ex = explain_requests(p)
    assert ex["cpu"]["from"] == 'init container "migrate"'
    assert ex["cpu"]["value"] == "560m"  # max(150m, 500m + 50m) + 10m
    assert ex["cpu"]["initPeak"] == "550m"
    assert ex["cpu"]["overhead"] == "10m"
    assert ex["memory"]["from"] == "containers"
    assert "migrate" in ex["cpu"]["text"]


def test_explanation_of_pod_level_and_defaulted_requests() -> None:
    p = Pod(
        "p",
        containers=(default_container(c("a", lim={"cpu": 1, "memory": "1Gi"})),),
        pod_requests=rl({"memory": "2Gi"}),
    )
    ex = explain_requests(p)
    assert ex["memory"]["from"] == "pod-level"
    assert ex["cpu"]["defaultedFromLimit"] == ["a"]


def test_host_ports_of_containers_and_sidecars_with_host_network_defaulting() -> None:
    """Classic init containers hold no host port; hostNetwork copies containerPort."""
    ports = (ContainerPort(80), ContainerPort(443, host_port=8443))
    p = Pod(
        "p",
        containers=(Container("a", ports=ports),),
        init_containers=(
            Container("i", ports=(ContainerPort(1, host_port=1),)),
            Container("s", restart_policy="Always", ports=(ContainerPort(9, host_port=9),)),
        ),
    )
    assert [x.host_port for x in host_ports(p)] == [9, 8443]
    hn = Pod("p", containers=(Container("a", ports=ports),), host_network=True)
    assert [(x.container_port, x.host_port) for x in host_ports(hn)] == [(80, 80), (443, 8443)]


VALIDATION_BAD = [
    ({"cpu": "-1"}, {}, "x.requests.cpu", "-1: must be greater than or equal to 0"),
    ({}, {"memory": "-1Mi"}, "x.limits.memory", "-1Mi: must be greater than or equal to 0"),
    (
        {"cpu": "1"},
        {"cpu": "500m"},
        "x.requests.cpu",
        "1: must be less than or equal to cpu limit of 500m",
    ),
    (
        {"nvidia.com/gpu": "1"},
        {"nvidia.com/gpu": "2"},
        "x.requests.nvidia.com/gpu",
        "1: must be equal to nvidia.com/gpu limit of 2",
    ),
    (
        {"nvidia.com/gpu": "1"},
        {},
        "x.limits.nvidia.com/gpu",
        "Limit must be set for non overcommitable resources",
    ),
    ({}, {"nvidia.com/gpu": "500m"}, "x.limits.nvidia.com/gpu", "500m: must be an integer"),
]


@pytest.mark.parametrize(("req", "lim", "path", "message"), VALIDATION_BAD)
def test_api_server_rejects_bad_resources_naming_the_field(
    req: dict[str, str], lim: dict[str, str], path: str, message: str
) -> None:
    errors = validate_resources(rl(req), rl(lim), "x")
    assert [(e.path, e.message) for e in errors] == [(path, message)]


VALIDATION_GOOD = [
    ({"cpu": "100m"}, {"cpu": "500m"}),
    ({"cpu": "0"}, {}),
    ({"nvidia.com/gpu": "1"}, {"nvidia.com/gpu": "1"}),
    ({"hugepages-2Mi": "1Gi", "memory": "1Gi"}, {"hugepages-2Mi": "1Gi"}),
]


@pytest.mark.parametrize(("req", "lim"), VALIDATION_GOOD)
def test_api_server_accepts_valid_resources(req: dict[str, str], lim: dict[str, str]) -> None:
    assert validate_resources(rl(req), rl(lim), "x") == []


def test_validation_reports_every_problem() -> None:
    errors = validate_resources(rl({"cpu": "-1", "memory": "2Gi"}), rl({"memory": "1Gi"}), "c")
    assert [e.path for e in errors] == ["c.requests.cpu", "c.requests.memory"]


_quantities = st.builds(
    lambda n, unit: parse_quantity(f"{n}{unit}"),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["", "m", "Mi", "k", "Gi"]),
)
_lists = st.dictionaries(st.sampled_from(["cpu", "memory", "example.com/x"]), _quantities)
_containers = st.builds(
    lambda name, req, sidecar: Container(name, req, {}, "Always" if sidecar else None),
    st.text("abc", min_size=1, max_size=3),
    _lists,
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_containers.map(lambda x: Container(x.name, x.requests)), max_size=4),
    st.lists(_containers, max_size=4),
    _lists,
)
def test_requests_never_negative_nor_below_any_single_container(
    regular: list[Container], init: list[Container], overhead: dict[str, Quantity]
) -> None:
    """Property: every effective request ≥ 0 and ≥ each container's own request."""
    p = Pod("p", containers=tuple(regular), init_containers=tuple(init), overhead=overhead)
    reqs = pod_requests(p)
    assert all(q.sign() >= 0 for q in reqs.values())
    for container in (*regular, *init):
        for name, q in container.requests.items():
            assert reqs[name] >= q
    cpu, memory = non_zero_requests(p)
    assert cpu >= 0 and memory >= 0


def test_containers_and_pods_hash_by_content_consistently_with_equality() -> None:
    """Equal objects hash equal, so template replicas can share cached conversions."""
    a = c("a", {"cpu": "1"}, {"cpu": "2"})
    b = c("a", {"cpu": "1000m"}, {"cpu": "2"})
    assert a == b and hash(a) == hash(b)
    assert len({pod((a,)), pod((b,))}) == 1
    assert hash(c("a", {"cpu": "1"})) != hash(c("a", {"memory": "1"}))


def test_replicas_copy_every_field_of_the_template() -> None:
    """A replica is ``replace(template, name=...)``: every field set, none forgotten (the
    copy sets each field itself), and the template stands where the name is its own."""
    import dataclasses

    from podfit.pods import Pod, Toleration, replicas
    from podfit.topology import PodAffinity

    values: dict[str, object] = {}
    for k, f in enumerate(dataclasses.fields(Pod)):
        values[f.name] = f"v{k}"  # a distinct object per field: a mix-up would show
    values["pod_affinity"] = PodAffinity((), (), (), ())
    values["tolerations"] = (Toleration("k", "Exists", "", ""),)
    template = Pod(**values)  # type: ignore[arg-type]
    made = replicas(template, ["a", template.name, "b"])
    assert made[1] is template
    for pod, name in ((made[0], "a"), (made[2], "b")):
        assert pod == dataclasses.replace(template, name=name)
        for f in dataclasses.fields(Pod):
            if f.name != "name":
                assert getattr(pod, f.name) is getattr(template, f.name)
