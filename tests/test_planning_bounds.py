"""Rules for lower bounds and the benchmark instance generators."""

from __future__ import annotations

import pytest

from podfit.planning.binpack import BinProblem, HostPort, NodeTemplate, PodGroup, pack
from podfit.planning.bounds import l1_bound, l2_bound, lower_bounds
from podfit.planning.instances import (
    cpu_memory_workload,
    falkenauer_triplets,
    falkenauer_uniform,
    one_dimensional_problem,
)


@pytest.mark.parametrize(
    ("sizes", "capacity", "l1", "l2"),
    [
        ({50: 4}, 100, 2, 2),  # halves pair up exactly
        ({51: 4}, 100, 3, 4),  # just over half: no two share a node
        ({60: 3, 50: 1}, 100, 3, 4),  # the 50 fits beside no 60
        ({70: 2, 30: 2}, 100, 2, 2),  # 70+30 pairs
        ({99: 1, 1: 1}, 100, 1, 1),
        ({100: 3}, 100, 3, 3),  # equality fits
        ({0: 5, 10: 1}, 100, 1, 1),  # zero requests need no room
    ],
)
def test_l1_and_martello_toth_l2(sizes: dict[int, int], capacity: int, l1: int, l2: int) -> None:
    """L1 = ceil(sum/capacity); L2 adds the pods that can't share because each is > C/2."""
    assert l1_bound(sizes, capacity) == l1
    assert l2_bound(sizes, capacity) == l2


def test_lower_bounds_use_the_free_room_after_daemonsets_and_skip_unplaceable_pods() -> None:
    """Capacity = allocatable − reserved; pods too big for an empty node are listed apart."""
    t = NodeTemplate("t", (1000, 10), reserved=(200, 0))
    groups = (PodGroup("a", (400, 1), 5), PodGroup("huge", (900, 1), 2))
    bounds = lower_bounds(BinProblem(("cpu", "pods"), t, groups))
    assert bounds.l1 == {"cpu": 3, "pods": 1}  # 2000m over 800m free
    assert bounds.unplaceable == {"huge": 2}
    assert bounds.best == 3


def test_host_port_bound_counts_pods_that_pairwise_conflict() -> None:
    """Wildcard users of a port conflict with all; same-IP users with each other."""
    groups = (
        PodGroup("any", (1,), 2, (HostPort.of(80),)),
        PodGroup("ip1", (1,), 3, (HostPort.of(80, ip="10.0.0.1"),)),
        PodGroup("ip2", (1,), 1, (HostPort.of(80, ip="10.0.0.2"),)),
    )
    bounds = lower_bounds(BinProblem(("cpu",), NodeTemplate("t", (100,)), groups))
    assert bounds.host_ports == 5
    assert pack(BinProblem(("cpu",), NodeTemplate("t", (100,)), groups)).node_count >= 5


def test_uniform_generator_follows_falkenauer_class_u() -> None:
    """Class U: capacity 150, sizes in [20, 100], same seed same instance."""
    inst = falkenauer_uniform(250, 7)
    assert inst.capacity == 150 and len(inst.sizes) == 250
    assert min(inst.sizes) >= 20 and max(inst.sizes) <= 100
    assert inst == falkenauer_uniform(250, 7)
    assert inst.sizes != falkenauer_uniform(250, 8).sizes


def test_triplet_generator_builds_perfect_triplets() -> None:
    """Class T: sizes in [250, 500), total exactly n/3 full bins, so L1 is the optimum."""
    inst = falkenauer_triplets(120, 3)
    assert inst.capacity == 1000 and len(inst.sizes) == 120
    assert all(250 <= s < 500 for s in inst.sizes)
    assert sum(inst.sizes) == 1000 * 40
    assert lower_bounds(one_dimensional_problem(inst)).best == inst.optimum == 40
    with pytest.raises(ValueError):
        falkenauer_triplets(100, 1)


def test_cpu_memory_workload_is_deterministic_and_complete() -> None:
    """The 2-D generator yields n pods in groups over cpu, memory and pods."""
    problem = cpu_memory_workload(300, 5)
    assert problem.pod_count == 300
    assert problem.resources == ("cpu", "memory", "pods")
    assert problem == cpu_memory_workload(300, 5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_packing_is_at_least_the_lower_bound(seed: int) -> None:
    """No packer can beat a lower bound: FFD and ours are both >= best bound."""
    problem = one_dimensional_problem(falkenauer_uniform(120, seed))
    bound = lower_bounds(problem).best
    assert pack(problem, lower_bound=bound).node_count >= bound
