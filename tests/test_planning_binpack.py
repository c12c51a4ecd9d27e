"""Rules for the packers on integer vectors: the autoscaler estimator's test facts
(T97–T101, T103), identity with pod-by-pod reference implementations, and validity."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podfit.errors import ConfigError
from podfit.planning.binpack import (
    BinProblem,
    HostPort,
    NodeTemplate,
    Packing,
    PodGroup,
    copies_that_fit,
    estimate,
    estimator_order,
    pack,
)
from podfit.planning.bounds import lower_bounds
from podfit.planning.instances import (
    cpu_memory_workload,
    falkenauer_triplets,
    falkenauer_uniform,
    one_dimensional_problem,
)

MIB = 1024 * 1024
R = ("cpu", "memory", "pods")


def template(cpu: int, mem_mib: int, pods: int, **kw: object) -> NodeTemplate:
    return NodeTemplate("template", (cpu, mem_mib * MIB, pods), **kw)  # type: ignore[arg-type]


def group(name: str, cpu: int, mem_mib: int, count: int, ports: tuple[int, ...] = ()) -> PodGroup:
    return PodGroup(name, (cpu, mem_mib * MIB, 1), count, tuple(HostPort.of(p) for p in ports))


# ------------------------------------------------- upstream BinpackingEstimate test facts


def test_t97_simple_resource_based_binpacking() -> None:
    """10 × 350m on 1000m nodes: 2 per node → 5 nodes, all 10 pods."""
    result = estimate(BinProblem(R, template(1000, 2000, 10), (group("e", 350, 1000, 10),)))
    assert (result.node_count, result.placed_count) == (5, 10)


def test_t98_pods_per_node_bound() -> None:
    """20 tiny pods with 10 pods/node → 2 nodes."""
    result = estimate(BinProblem(R, template(10000, 20000, 10), (group("e", 10, 100, 20),)))
    assert (result.node_count, result.placed_count) == (2, 20)


def test_t99_host_port_conflict_forces_one_pod_per_node() -> None:
    """8 pods binding hostPort 5555 → 8 nodes."""
    problem = BinProblem(R, template(1000, 5000, 10), (group("e", 200, 1000, 8, (5555,)),))
    result = estimate(problem)
    assert (result.node_count, result.placed_count) == (8, 8)


def test_t100_limiter_cuts_binpacking() -> None:
    """max 5 nodes, 20 × 500m on 1000m → 5 nodes, 10 pods, 10 left over."""
    problem = BinProblem(R, template(1000, 5000, 10), (group("e", 500, 1000, 20),))
    result = estimate(problem, max_nodes=5)
    assert (result.node_count, result.placed_count, result.unplaced_count) == (5, 10, 10)
    assert result.limited


def test_t101_decreasing_order_processes_large_pods_first() -> None:
    """10×50m listed before 10×500m, max 5 nodes → exactly the 10 large pods are placed."""
    problem = BinProblem(
        R, template(1000, 5000, 10), (group("small", 50, 1000, 10), group("big", 500, 1000, 10))
    )
    result = estimate(problem, max_nodes=5)
    assert result.node_count == 5
    assert result.pods_per_group() == {"big": 10}
    assert dict(result.unplaced) == {"small": 10}


def test_t103_benchmark_shape_needs_2595_nodes() -> None:
    """50,000 × 50m + 1,000 × 95m on 1000m/100-pod nodes, max 3000 → 2,595 nodes, 51,000 pods."""
    problem = BinProblem(
        R,
        template(1000, 5000, 100),
        (group("small", 50, 100, 50_000), group("large", 95, 190, 1_000)),
    )
    result = estimate(problem, max_nodes=3000)
    assert (result.node_count, result.placed_count) == (2595, 51_000)
    # the 95m group goes first: 100 nodes of 10, each topped up with one 50m pod
    assert result.nodes[0].pods == (("large", 10), ("small", 1))
    assert result.nodes[100].pods == (("small", 20),)


def test_pod_too_large_for_template_adds_one_empty_node_and_stops() -> None:
    """A pod that fits no empty node: the estimator adds one node, keeps it empty, counts 0."""
    problem = BinProblem(R, template(1000, 5000, 10), (group("huge", 2000, 10, 3),))
    result = estimate(problem)
    assert (result.node_count, result.nodes_added, result.unplaced_count) == (0, 1, 3)


def test_daemonset_reservation_reduces_every_new_node() -> None:
    """A 200m DaemonSet on each 1000m node leaves room for two 400m pods, not 2.5."""
    t = template(1000, 5000, 10, reserved=(200, 0, 1))
    result = estimate(BinProblem(R, t, (group("e", 400, 10, 5),)))
    assert result.node_count == 3
    assert result.nodes[0].used == (1000, 20 * MIB, 3)


def test_orderer_scores_regular_containers_and_keeps_ties_in_input_order() -> None:
    """Score = cpu/alloc + mem/alloc of order_requests; equal scores keep the input order."""
    t = template(1000, 1000, 10)
    a = PodGroup("a", (100, 100 * MIB, 1), 1)
    b = PodGroup("b", (100, 100 * MIB, 1), 1)
    # an init container makes c's effective request large, but the orderer ignores it
    c = PodGroup("c", (900, 100 * MIB, 1), 1, order_requests=(50, 50 * MIB, 1))
    d = PodGroup("d", (300, 0, 1), 1)
    assert [g.name for g in estimator_order(BinProblem(R, t, (a, b, c, d)))] == ["d", "a", "b", "c"]


def test_problem_validation_names_the_field() -> None:
    """Bad shapes raise ConfigError with the path of the offending field."""
    with pytest.raises(ConfigError) as err:
        BinProblem(R, template(1, 1, 1), (PodGroup("x", (1, 2), 1),))
    assert err.value.path == "groups[0].requests"
    with pytest.raises(ConfigError) as err:
        BinProblem(R, template(1, 1, 1), (PodGroup("x", (1, 1, 1), -1),))
    assert err.value.path == "groups[0].count"
    with pytest.raises(ConfigError):
        estimate(BinProblem(R, template(1, 1, 1), ()), max_nodes=-1)


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        (HostPort.of(80), HostPort.of(80), True),
        (HostPort.of(80, ip="127.0.0.1"), HostPort.of(80, ip="127.0.0.2"), False),
        (HostPort.of(80, ip="127.0.0.1"), HostPort.of(80), True),
        (HostPort.of(80, "UDP"), HostPort.of(80, "TCP"), False),
        (HostPort.of(80), HostPort.of(81), False),
    ],
)
def test_host_port_conflict_rule(a: HostPort, b: HostPort, conflict: bool) -> None:
    """Same protocol+port conflicts when either IP is 0.0.0.0 or the IPs are equal."""
    assert a.conflicts(b) is conflict and b.conflicts(a) is conflict


def test_zero_request_is_not_checked_even_on_an_overfull_resource() -> None:
    """Like NodeResourcesFit: a resource the pod does not request is never checked."""
    assert copies_that_fit((-5, 10), (), PodGroup("x", (0, 3), 1), 10) == 3
    assert copies_that_fit((-5, 10), (), PodGroup("x", (1, 3), 1), 10) == 0


# ------------------------------------------------------------- pod-by-pod references


@dataclass
class RefNode:
    free: list[int]
    ports: list[HostPort] = field(default_factory=list)
    pods: list[str] = field(default_factory=list)


def _ref_fits(node: RefNode, g: PodGroup) -> bool:
    return copies_that_fit(node.free, node.ports, g, 1) == 1


def _ref_add(node: RefNode, g: PodGroup) -> None:
    node.free = [f - r for f, r in zip(node.free, g.requests, strict=True)]
    node.ports.extend(g.host_ports)
    node.pods.append(g.name)


def reference_estimate(problem: BinProblem, max_nodes: int = 0) -> list[list[str]]:
    """The upstream estimator loop, literally one pod at a time (no arithmetic shortcuts)."""
    nodes: list[RefNode] = []
    last_index = 0
    last: RefNode | None = None
    for g in estimator_order(problem):
        pods = [g] * g.count
        i = 0
        while i < len(pods):  # tryToScheduleOnExistingNodes / FitsAnyNodeMatching
            found = None
            for k in range(len(nodes)):
                j = (last_index + k) % len(nodes)
                if _ref_fits(nodes[j], g):
                    found = j
                    last_index = (last_index + k + 1) % len(nodes)
                    break
            if found is None:
                break
            _ref_add(nodes[found], g)
            i += 1
        for _ in pods[i:]:  # tryToScheduleOnNewNodes
            if last is not None and _ref_fits(last, g):
                _ref_add(last, g)
                continue
            if last is not None and not last.pods:
                break
            if max_nodes and len(nodes) >= max_nodes:
                break
            last = RefNode(
                list(problem.template.fresh_free()), list(problem.template.reserved_ports)
            )
            nodes.append(last)
            if not _ref_fits(last, g):
                break
            _ref_add(last, g)
    return [n.pods for n in nodes if n.pods]


def reference_bfd(problem: BinProblem) -> list[list[str]]:
    """Best-fit decreasing one pod at a time: least normalised slack after placing, lowest index."""
    from podfit.planning.binpack import _size_key, _weights

    cap = problem.template.fresh_free()
    weights, _ = _weights(cap)
    nodes: list[RefNode] = []
    for g in sorted(problem.groups, key=lambda g: _size_key(g, cap), reverse=True):
        size = sum(r * w for r, w in zip(g.requests, weights, strict=True))
        for _ in range(g.count):
            best = None
            for j, node in enumerate(nodes):
                if _ref_fits(node, g):
                    slack = sum(f * w for f, w in zip(node.free, weights, strict=True)) - size
                    if best is None or slack < best[0]:
                        best = (slack, j)
            if best is None:
                node = RefNode(list(cap), list(problem.template.reserved_ports))
                if not _ref_fits(node, g):
                    break
                nodes.append(node)
                best = (0, len(nodes) - 1)
            _ref_add(nodes[best[1]], g)
    return [n.pods for n in nodes]


def as_lists(packing: Packing) -> list[list[str]]:
    return [[name for name, c in node.pods for _ in range(c)] for node in packing.nodes]


def same_multisets(a: list[list[str]], b: list[list[str]]) -> bool:
    return [sorted(x) for x in a] == [sorted(x) for x in b]


port_st = st.sampled_from([(), (80,), (80,), (443,), (80, 443)])


@st.composite
def problems(draw: st.DrawFn) -> BinProblem:
    cpu = draw(st.sampled_from([1000, 2000, 4000]))
    mem = draw(st.sampled_from([1000, 4000]))
    max_pods = draw(st.integers(3, 30))
    reserved = draw(st.sampled_from([None, (100, 0, 1), (300, 500 * MIB, 2)]))
    t = NodeTemplate("t", (cpu, mem * MIB, max_pods), reserved)
    n = draw(st.integers(1, 6))
    groups = []
    for i in range(n):
        ports = draw(port_st)
        groups.append(
            PodGroup(
                f"g{i}",
                (
                    draw(st.integers(0, 1500)),
                    draw(st.integers(0, 1200)) * MIB,
                    1,
                ),
                draw(st.integers(0, 60)),
                tuple(HostPort.of(p) for p in ports),
            )
        )
    return BinProblem(R, t, tuple(groups))


@settings(max_examples=200, deadline=None)
@given(problems(), st.sampled_from([0, 0, 3, 10]))
def test_grouped_estimator_equals_pod_by_pod_estimator(problem: BinProblem, max_nodes: int) -> None:
    """Placing runs of identical pods arithmetically gives the upstream loop's exact placement."""
    result = estimate(problem, max_nodes=max_nodes)
    assert same_multisets(as_lists(result), reference_estimate(problem, max_nodes))
    check_valid(problem, result)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_grouped_best_fit_equals_pod_by_pod_best_fit(problem: BinProblem) -> None:
    """Our BFD places a run of identical pods exactly as best fit one pod at a time would."""
    result = pack(problem, local_search=False)
    assert same_multisets(as_lists(result), reference_bfd(problem))


@settings(max_examples=60, deadline=None)
@given(problems())
def test_local_search_never_uses_more_nodes_and_stays_valid(problem: BinProblem) -> None:
    """The improvement pass keeps every pod, respects capacities and ports, never adds nodes."""
    plain = pack(problem, local_search=False)
    improved = pack(problem, max_checks=20_000)
    assert improved.node_count <= plain.node_count
    assert improved.node_count >= lower_bounds(problem).best
    check_valid(problem, improved)


def check_valid(problem: BinProblem, packing: Packing) -> None:
    """No node over a capacity it is asked for, no port conflict, every pod exactly once."""
    by_name = {g.name: g for g in problem.groups}
    alloc = problem.template.allocatable
    for node in packing.nodes:
        groups = [(by_name[name], c) for name, c in node.pods]
        for d in range(len(alloc)):
            if any(g.requests[d] for g, _ in groups):
                assert node.used[d] <= alloc[d]
        ports = list(problem.template.reserved_ports)
        for g, c in groups:
            for _ in range(c):
                for p in g.host_ports:
                    assert not any(p.conflicts(q) for q in ports)
                ports.extend(g.host_ports)
    placed = packing.pods_per_group()
    for g in problem.groups:
        assert placed.get(g.name, 0) + dict(packing.unplaced).get(g.name, 0) == g.count


# --------------------------------------------------------------------------- quality


def test_packer_beats_ffd_on_triplets_and_never_loses_on_uniform() -> None:
    """Falkenauer T: strictly fewer nodes than the estimator's FFD; U: never more."""
    for seed in (1, 2):
        t = one_dimensional_problem(falkenauer_triplets(60, seed))
        ffd, ours = estimate(t).node_count, pack(t, lower_bound=20).node_count
        assert ours < ffd
        u = one_dimensional_problem(falkenauer_uniform(120, seed))
        assert pack(u, lower_bound=lower_bounds(u).best).node_count <= estimate(u).node_count


def test_packing_of_2d_workload_is_valid_and_within_bound() -> None:
    """2-D cpu/memory pods: our packer is valid and between the lower bound and FFD."""
    problem = cpu_memory_workload(150, 3)
    ours = pack(problem, max_checks=30_000)
    check_valid(problem, ours)
    assert lower_bounds(problem).best <= ours.node_count <= estimate(problem).node_count


def _seeded_problem(seed: int) -> BinProblem:
    rng = random.Random(seed)
    t = NodeTemplate(
        "t",
        (rng.choice([1000, 4000]), rng.choice([1000, 8000]) * MIB, rng.randint(3, 40)),
        rng.choice([None, (100, 64 * MIB, 1)]),
    )
    groups = tuple(
        PodGroup(
            f"g{i}",
            (rng.randint(0, 900), rng.randint(0, 900) * MIB, 1),
            rng.randint(0, 80),
            (HostPort.of(rng.choice([80, 443])),) if rng.random() < 0.2 else (),
        )
        for i in range(rng.randint(1, 8))
    )
    return BinProblem(R, t, groups)


@pytest.mark.parametrize("seed", range(40))
def test_seeded_instances_grouped_and_pod_by_pod_agree(seed: int) -> None:
    """On fixed seeds (no Hypothesis): estimator and BFD equal their pod-by-pod references."""
    problem = _seeded_problem(seed)
    assert same_multisets(as_lists(estimate(problem)), reference_estimate(problem))
    assert same_multisets(as_lists(estimate(problem, max_nodes=4)), reference_estimate(problem, 4))
    assert same_multisets(as_lists(pack(problem, local_search=False)), reference_bfd(problem))


def test_zero_waste_search_fills_every_node_exactly_or_gives_up() -> None:
    """When the bound needs every node exactly full, the exact search returns such a
    packing (here two nodes of 42+33+25), and None when the total is not zero-waste."""
    from podfit.planning.binpack import _zero_waste_packing

    groups = (PodGroup("a", (42,), 2), PodGroup("b", (33,), 2), PodGroup("c", (25,), 2))
    problem = BinProblem(("cpu",), NodeTemplate("t", (100,)), groups)
    assert estimate(problem).node_count == 3
    nodes = _zero_waste_packing(problem, {}, 2)
    assert nodes is not None and len(nodes) == 2
    assert all(node.free == [0] for node in nodes)
    loose = BinProblem(("cpu",), NodeTemplate("t", (101,)), groups)
    assert _zero_waste_packing(loose, {}, 2) is None
    triplets = one_dimensional_problem(falkenauer_triplets(30, 2))
    found = _zero_waste_packing(triplets, {}, 10)
    if found is not None:  # within the step budget: a valid perfect packing
        assert len(found) == 10 and all(node.free == [0] for node in found)


@pytest.mark.parametrize("seed", range(12))
def test_the_estimators_fresh_nodes_made_at_once_are_the_pod_by_pod_ones(seed: int) -> None:
    """Groups of hundreds of pods spill onto many fresh nodes, made at once (each full,
    the last with the rest, max_nodes cutting in anywhere): the same nodes, in the same
    order, as adding them pod by pod."""
    rng = random.Random(seed)
    t = NodeTemplate(
        "t", (1000, 4000 * MIB, rng.randint(5, 110)), rng.choice([None, (50, 64 * MIB, 1)])
    )
    groups = tuple(
        PodGroup(
            f"g{i}",
            (rng.choice([0, 50, 95, 333]), rng.choice([0, 10, 300]) * MIB, 1),
            rng.randint(1, 600),
            (HostPort.of(8080),) if rng.random() < 0.15 else (),
        )
        for i in range(rng.randint(1, 3))
    )
    problem = BinProblem(R, t, groups)
    for max_nodes in (0, rng.randint(1, 40)):
        got = estimate(problem, max_nodes=max_nodes)
        assert same_multisets(as_lists(got), reference_estimate(problem, max_nodes))
