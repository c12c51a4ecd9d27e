"""Score plugins: upstream facts T37–T68 (NodeResourcesFit strategies, BalancedAllocation,
RequestedToCapacityRatio, broken-linear shape) and Go arithmetic helpers."""

# ruff: noqa: E501  (parametrize tables keep one case per line)
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfit.errors import ConfigError
from podfit.scheduler.config import make_config
from podfit.scheduler.model import NodeInfo, PodInfo, Taint, Toleration
from podfit.scheduler.placement import Scorer
from podfit.scheduler.scores import (
    balanced_allocation,
    broken_linear,
    default_normalize,
    go_div,
    go_round,
    scale_shape,
    taint_toleration_raw,
)

FOO = "intel.com/foo"


def node(name: str, cpu: int, mem: int, *pods: dict[str, int], **scalars: int) -> NodeInfo:
    """A node with cpu/memory allocatable (same units as the upstream test) and existing pods."""
    alloc = {"cpu": cpu, "memory": mem, "pods": 110}
    alloc.update({FOO if k == "foo" else k: v for k, v in scalars.items()})
    n = NodeInfo(name, alloc)
    for i, req in enumerate(pods):
        n.add_pod(PodInfo(f"{name}-{i}", requests=req))
    return n


def pod(cpu: int | None = None, mem: int | None = None, **extra: int) -> PodInfo:
    """A pod with explicit requests; ``None`` means "no container at all" (non-zero 0/0)."""
    req: dict[str, int] = {}
    if cpu is not None:
        req["cpu"] = cpu
    if mem is not None:
        req["memory"] = mem
    req.update({FOO if k == "foo" else k: v for k, v in extra.items()})
    return PodInfo("incoming", requests=req, non_zero=(cpu or 0, mem or 0))


def fit_scores(strategy: str, p: PodInfo, nodes: list[NodeInfo], **kw: object) -> list[int]:
    scorer = Scorer(make_config(strategy, **kw))  # type: ignore[arg-type]
    return [scorer.fit(p, n) for n in nodes]


def balanced_scores(p: PodInfo, nodes: list[NodeInfo]) -> list[int]:
    scorer = Scorer(make_config())
    return [scorer.balanced(p, n) for n in nodes]


TWO_NODES = [node("node1", 4000, 10000, {"cpu": 2000, "memory": 4000}),
             node("node2", 6000, 10000, {"cpu": 1000, "memory": 2000})]  # fmt: skip


def test_fit_score_rtcr_falling_shape_t37() -> None:
    """T37: RequestedToCapacityRatio shape (0,10),(100,0) → 10, 32."""
    got = fit_scores(
        "RequestedToCapacityRatio", pod(3000, 5000), TWO_NODES, shape=[(0, 10), (100, 0)]
    )
    assert got == [10, 32]


def test_fit_score_rtcr_rising_shape_t38() -> None:
    """T38: shape (0,0),(100,10) → 95, 68."""
    got = fit_scores(
        "RequestedToCapacityRatio", pod(3000, 5000), TWO_NODES, shape=[(0, 0), (100, 10)]
    )
    assert got == [95, 68]


def test_fit_score_most_and_least_allocated_t39_t40() -> None:
    """T39/T40: pod 1000/2000 → MostAllocated 67, 36; LeastAllocated 32, 63."""
    assert fit_scores("MostAllocated", pod(1000, 2000), TWO_NODES) == [67, 36]
    assert fit_scores("LeastAllocated", pod(1000, 2000), TWO_NODES) == [32, 63]


def test_fit_score_with_sidecar_existing_pod_t41_t42() -> None:
    """T41/T42: node1's pod has a 1000/2000 sidecar too (counted: 2000/4000) → 67/45, 32/55."""
    nodes = [node("node1", 4000, 10000, {"cpu": 2000, "memory": 4000}),
             node("node2", 4000, 10000, {"cpu": 1000, "memory": 2000})]  # fmt: skip
    assert fit_scores("MostAllocated", pod(1000, 2000), nodes) == [67, 45]
    assert fit_scores("LeastAllocated", pod(1000, 2000), nodes) == [32, 55]


CPU_ONLY = {"cpu": 3000, "memory": 0}
CPU_MEM = {"cpu": 3000, "memory": 5000}

LEAST_CASES = [
    ("T43", pod(3000, 5000), [node("n1", 4000, 10000), node("n2", 6000, 10000)], {}, [37, 50]),
    ("T44", pod(), [node("n1", 10000, 20000, CPU_ONLY, CPU_ONLY),
                    node("n2", 10000, 20000, CPU_ONLY, CPU_MEM)], {}, [70, 57]),
    ("T45", pod(3000, 5000), [node("n1", 10000, 20000, CPU_ONLY),
                              node("n2", 10000, 50000, CPU_MEM)], {}, [57, 60]),
    ("T46", pod(3000, 0), [node("n1", 4000, 10000, CPU_ONLY),
                           node("n2", 4000, 10000, CPU_MEM)], {}, [50, 25]),
    ("T47", pod(), [node("n1", 0, 0, CPU_ONLY), node("n2", 0, 0, CPU_MEM)], {}, [0, 0]),
    ("T48", pod(3000, 5000), [node("n1", 4000, 10000), node("n2", 6000, 10000)],
     {"resources": [("memory", 2), ("cpu", 1)]}, [41, 50]),
    ("T49", pod(3000, 5000, foo=2),
     [node("n1", 6000, 10000, foo=4), node("n2", 6000, 10000, foo=10)],
     {"resources": [("cpu", 1), ("memory", 1), (FOO, 1)]}, [50, 60]),
    ("T50", pod(3000, 4000), [node("n1", 6000, 10000), node("n2", 6000, 10000, foo=4)],
     {"resources": [(FOO, 2), ("cpu", 1), ("memory", 1)]}, [55, 55]),
]  # fmt: skip


@pytest.mark.parametrize(("fact", "p", "nodes", "kw", "expected"), LEAST_CASES)
def test_least_allocated_matches_upstream(
    fact: str, p: PodInfo, nodes: list[NodeInfo], kw: dict[str, object], expected: list[int]
) -> None:
    """LeastAllocated: (alloc-req)*100//alloc, weighted; skipped resources drop out."""
    assert fit_scores("LeastAllocated", p, nodes, **kw) == expected, fact


MOST_CASES = [
    ("T52", pod(3000, 5000), [node("n1", 4000, 10000), node("n2", 6000, 10000)], {}, [62, 50]),
    ("T53", pod(), [node("n1", 10000, 20000, CPU_ONLY, CPU_ONLY),
                    node("n2", 10000, 20000, CPU_ONLY, CPU_MEM)], {}, [30, 42]),
    ("T54", pod(5000, 9000), [node("n1", 5000, 10000), node("n2", 10000, 9000)], {}, [95, 75]),
    ("T55", pod(3000, 5000), [node("n1", 4000, 10000), node("n2", 6000, 10000)],
     {"resources": [("memory", 2), ("cpu", 1)]}, [58, 50]),
    ("T57", pod(3000, 5000, foo=2),
     [node("n1", 6000, 10000, foo=4), node("n2", 6000, 10000, foo=10)],
     {"resources": [("cpu", 1), ("memory", 1), (FOO, 1)]}, [50, 40]),
]  # fmt: skip


@pytest.mark.parametrize(("fact", "p", "nodes", "kw", "expected"), MOST_CASES)
def test_most_allocated_matches_upstream(
    fact: str, p: PodInfo, nodes: list[NodeInfo], kw: dict[str, object], expected: list[int]
) -> None:
    """MostAllocated: min(req, alloc)*100//alloc, weighted."""
    assert fit_scores("MostAllocated", p, nodes, **kw) == expected, fact


def test_most_allocated_uses_non_zero_defaults_t56() -> None:
    """T56: request-less containers count 100m/200Mi; cpu 300m on 250m is capped at 100%."""
    mi = 1024 * 1024
    requestless = PodInfo("x")  # one container without requests → non-zero 100m / 200Mi
    n1 = NodeInfo("n1", {"cpu": 250, "memory": 1000 * mi, "pods": 110})
    n1.add_pod(PodInfo("a"))
    n1.add_pod(PodInfo("b"))
    n2 = NodeInfo("n2", {"cpu": 250, "memory": 1000 * mi, "pods": 110})
    assert fit_scores("MostAllocated", requestless, [n1, n2]) == [80, 30]


def test_balanced_allocation_skips_best_effort_pods_t58() -> None:
    """T58: a pod with no raw cpu/memory request makes BalancedAllocation skip (score 0 total)."""
    scorer = Scorer(make_config())
    assert scorer.balanced_skipped(PodInfo("be"))
    assert not scorer.balanced_skipped(PodInfo("b", requests={"cpu": 1}))


BALANCED_CASES = [
    ("T59", pod(3000, 5000), [node("n1", 4000, 10000), node("n2", 6000, 10000)], [87, 100]),
    ("T60", pod(3000, 5000), [node("n1", 10000, 20000, CPU_ONLY),
                              node("n2", 10000, 20000, CPU_MEM)], [82, 95]),
    ("T61", pod(3000, 5000), [node("n1", 10000, 20000, CPU_ONLY),
                              node("n2", 10000, 50000, CPU_MEM)], [82, 80]),
    ("T62", pod(3000, 0), [node("n1", 6000, 10000, CPU_ONLY),
                           node("n2", 6000, 10000, CPU_MEM)], [50, 75]),
]  # fmt: skip


@pytest.mark.parametrize(("fact", "p", "nodes", "expected"), BALANCED_CASES)
def test_balanced_allocation_matches_upstream(
    fact: str, p: PodInfo, nodes: list[NodeInfo], expected: list[int]
) -> None:
    """BalancedAllocation: int((1 - |f_cpu - f_mem| / 2) * 100) with raw requests."""
    assert balanced_scores(p, nodes) == expected, fact


def test_balanced_allocation_three_resources_population_std() -> None:
    """More than two resources: population standard deviation (derived: fractions .5, .5, 1)."""
    # mean 2/3, variance ((1/6)^2*2 + (1/3)^2)/3 = 1/18, std 0.2357 → int(76.43) = 76
    assert balanced_allocation([5, 5, 10], [10, 10, 10]) == 76
    assert balanced_allocation([5], [10]) == 100
    assert balanced_allocation([20, 5], [10, 10]) == 75  # fraction capped at 1


def test_balanced_allocation_converts_to_float64_before_dividing() -> None:
    """Upstream computes ``float64(requested) / float64(allocatable)``
    (balanced_resource_allocation.go, ``balancedResourceScorer``): above 2**53 each
    operand is rounded first, and that can move the truncated score by one. Python's
    ``int / int`` would round the exact quotient instead (66 here)."""
    req = [632191216544117605, 794112317873631]
    alloc = [929114043476672829, 1874226044235408647]
    assert req[0] / alloc[0] != float(req[0]) / float(alloc[0])
    assert balanced_allocation(req, alloc) == 65


def test_rtcr_rounds_half_away_from_zero_t65() -> None:
    """T65: shape (0,10),(100,0): node1 (25+50)/2 = 37.5 → 38 (Go math.Round), node2 50."""
    got = fit_scores(
        "RequestedToCapacityRatio",
        pod(3000, 5000),
        [node("n1", 4000, 10000), node("n2", 6000, 10000)],
        shape=[(0, 10), (100, 0)],
    )
    assert got == [38, 50]


@pytest.mark.parametrize(
    ("p", "expected"), [(-10, 1), (15, 1), (19, 1), (20, 2), (89, 8), (90, 9), (110, 9)]
)
def test_broken_linear_two_points_t66(p: int, expected: int) -> None:
    """T66: points (10,1),(90,9)."""
    assert broken_linear([(10, 1), (90, 9)], p) == expected


@pytest.mark.parametrize(
    ("p", "expected"), [(20, 6), (30, 8), (40, 10), (70, 5), (100, 0), (71, 5)]
)
def test_broken_linear_falling_segment_truncates_toward_zero_t67(p: int, expected: int) -> None:
    """T67: points (0,2),(40,10),(100,0); u=71 gives 5 (Go), not 4 (floor)."""
    assert broken_linear([(0, 2), (40, 10), (100, 0)], p) == expected


def test_rtcr_single_extended_resource_t68() -> None:
    """T68: resource intel.com/foo only, shape (0,0),(100,1): 2, 5; then 2, 10; not requested → 0."""
    kw = {"shape": [(0, 0), (100, 1)], "resources": [(FOO, 1)]}
    nodes = [node("n1", 4000, 10000, foo=8), node("n2", 4000, 10000, foo=4)]
    assert fit_scores("RequestedToCapacityRatio", pod(0, 0, foo=2), nodes, **kw) == [2, 5]
    nodes[1].add_pod(PodInfo("foo", requests={FOO: 2}))
    assert fit_scores("RequestedToCapacityRatio", pod(0, 0, foo=2), nodes, **kw) == [2, 10]
    assert fit_scores("RequestedToCapacityRatio", pod(0, 0), nodes, **kw) == [0, 0]


def test_scale_shape_multiplies_scores_by_ten() -> None:
    """Shape scores 0..10 scale to 0..100."""
    assert scale_shape([(0, 1), (100, 10)]) == ((0, 10), (100, 100))


@pytest.mark.parametrize(
    ("resources", "path"),
    [
        ([("memory", 1), ("cpu", 101)], "scoringStrategy.resources[1].weight"),  # T51
        ([("memory", -1), ("cpu", 1)], "scoringStrategy.resources[0].weight"),
        ([("memory", 101)], "scoringStrategy.resources[0].weight"),
    ],
)
def test_resource_weight_out_of_range_is_a_config_error_t51(
    resources: list[tuple[str, int]], path: str
) -> None:
    """T51: weights must be 1..100; the error names the field path."""
    with pytest.raises(ConfigError) as info:
        make_config(resources=resources)
    assert info.value.path == path


def test_zero_weight_defaults_to_one() -> None:
    """A 0 weight is defaulted to 1, as SetDefaults_NodeResourcesFitArgs does for config files."""
    cfg = make_config(resources=[("cpu", 0), ("memory", 3)])
    assert [r.weight for r in cfg.resources] == [1, 3]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"strategy": "Spread"}, "scoringStrategy.type"),
        ({"version": "1.20"}, "kubernetesVersion"),
        ({"shape": [(50, 1), (40, 2)]}, "scoringStrategy.requestedToCapacityRatio.shape[1].utilization"),
        ({"shape": [(0, 11)]}, "scoringStrategy.requestedToCapacityRatio.shape[0].score"),
        ({"shape": [(101, 1)]}, "scoringStrategy.requestedToCapacityRatio.shape[0].utilization"),
    ],
)  # fmt: skip
def test_bad_options_name_the_field(kwargs: dict[str, object], path: str) -> None:
    """Unknown strategy or version and bad shapes raise ConfigError naming the field."""
    with pytest.raises(ConfigError) as info:
        make_config(**kwargs)  # type: ignore[arg-type]
    assert info.value.path == path


@pytest.mark.parametrize(
    ("a", "b", "q"), [(7, 2, 3), (-7, 2, -3), (7, -2, -3), (-7, -2, 3), (0, 5, 0)]
)
def test_go_div_truncates_toward_zero(a: int, b: int, q: int) -> None:
    """Go's integer division truncates toward zero (Python's // floors)."""
    assert go_div(a, b) == q


@pytest.mark.parametrize(("x", "r"), [(2.5, 3), (3.5, 4), (-2.5, -3), (2.4999, 2), (0.5, 1)])
def test_go_round_half_away_from_zero(x: float, r: int) -> None:
    """math.Round rounds halves away from zero (Python's round() would give 2 for 2.5)."""
    assert go_round(x) == r


def test_default_normalize() -> None:
    """DefaultNormalizeScore: 100*s//max; reverse 100 - that; all-zero → 0 or 100."""
    assert default_normalize([1, 2, 4]) == [25, 50, 100]
    assert default_normalize([1, 2, 4], reverse=True) == [75, 50, 0]
    assert default_normalize([0, 0]) == [0, 0]
    assert default_normalize([0, 0], reverse=True) == [100, 100]


def test_taint_toleration_score_counts_untolerated_prefer_no_schedule() -> None:
    """Only PreferNoSchedule taints count, and only tolerations with empty/PreferNoSchedule effect."""
    taints = [
        Taint("a", "1", "PreferNoSchedule"),
        Taint("b", "2", "PreferNoSchedule"),
        Taint("c", "3", "NoSchedule"),
    ]
    assert taint_toleration_raw(taints, []) == 2
    assert taint_toleration_raw(taints, [Toleration("a", "Exists", "", "")]) == 1
    assert taint_toleration_raw(taints, [Toleration("a", "Exists", "", "NoSchedule")]) == 2


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 64000), st.integers(0, 2**37), st.integers(0, 64000), st.integers(0, 2**37),
    st.sampled_from([None, 0, 1, 250, 7000]), st.sampled_from([None, 0, 1, 2**20, 2**33]),
    st.integers(1, 100), st.integers(1, 100),
)  # fmt: skip
def test_inlined_default_profile_equals_the_plugin_functions(
    alloc_cpu: int,
    alloc_mem: int,
    used_cpu: int,
    used_mem: int,
    cpu: int | None,
    mem: int | None,
    w_cpu: int,
    w_mem: int,
) -> None:
    """The inlined LeastAllocated+BalancedAllocation equals fit() + balanced() exactly."""
    scorer = Scorer(make_config(resources=[("cpu", w_cpu), ("memory", w_mem)]))
    n = NodeInfo("n", {"cpu": alloc_cpu, "memory": alloc_mem, "pods": 10})
    n.add_pod(PodInfo("used", requests={"cpu": used_cpu, "memory": used_mem}))
    req = {k: v for k, v in (("cpu", cpu), ("memory", mem)) if v is not None}
    p = PodInfo("p", requests=req)
    skip = scorer.balanced_skipped(p)
    expected = scorer.fit(p, n) + (0 if skip else scorer.balanced(p, n))
    assert scorer.dynamic(p, n, skip) == expected


GPU = "nvidia.com/gpu"


def test_balanced_allocation_with_a_scalar_resource_t63_t64() -> None:
    """T63: cpu, memory and nvidia.com/gpu balanced (population std) → 70, 65.
    T64: a pod not requesting the GPU skips it even where the node has GPUs → 63, 63."""
    from dataclasses import replace

    from podfit.scheduler.scores import ResourceWeight

    cfg = replace(
        make_config(),
        balanced_resources=(
            ResourceWeight("cpu", 1),
            ResourceWeight("memory", 1),
            ResourceWeight(GPU, 1),
        ),
    )
    scorer = Scorer(cfg)
    gpu_node = {"cpu": 3500, "memory": 40000, "pods": 110, GPU: 8}
    n1 = NodeInfo("node1", gpu_node)
    n1.add_pod(PodInfo("a", requests={"cpu": 3000, "memory": 5000, GPU: 3}))
    n2 = NodeInfo("node2", gpu_node)
    n2.add_pod(PodInfo("b", requests={"cpu": 3000, "memory": 5000}))
    gpu_pod = PodInfo("p", requests={"memory": 0, GPU: 1})
    assert not scorer.balanced_skipped(gpu_pod)
    assert [scorer.balanced(gpu_pod, n) for n in (n1, n2)] == [70, 65]
    m1 = NodeInfo("node1", gpu_node)
    m2 = NodeInfo("node2", {"cpu": 3500, "memory": 40000, "pods": 110})
    plain = PodInfo("p", requests={"cpu": 3000, "memory": 5000})
    assert [scorer.balanced(plain, n) for n in (m1, m2)] == [63, 63]
