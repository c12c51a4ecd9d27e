"""The default profile's inlined dynamic score equals the general scorer's, bit for bit.

``Scorer`` picks an inlined LeastAllocated + BalancedAllocation function for the default
profile (the placement fast path); it must give the integers the general code gives,
including amounts above 2**53 where float64 conversion order matters.
"""

from __future__ import annotations

import random

import pytest

from podfit.scheduler.config import make_config
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.placement import Scorer
from podfit.scheduler.scores import (
    BALANCED_ALLOCATION_WEIGHT,
    NODE_RESOURCES_FIT_WEIGHT,
)


def _general(scorer: Scorer, pod: PodInfo, node: NodeInfo, skip_balanced: bool) -> int:
    total = NODE_RESOURCES_FIT_WEIGHT * scorer.fit(pod, node)
    if not skip_balanced:
        total += BALANCED_ALLOCATION_WEIGHT * scorer.balanced(pod, node)
    return total


@pytest.mark.parametrize("scale", [2**20, 2**40, 2**53, 2**62])
def test_inlined_default_score_equals_the_plugins(scale: int) -> None:
    scorer = Scorer(make_config())
    rnd = random.Random(scale)
    for _ in range(300):
        alloc = {"cpu": rnd.randrange(0, scale), "memory": rnd.randrange(0, scale), "pods": 110}
        node = NodeInfo("n", alloc)
        node.add_pod(
            PodInfo("a", requests={"cpu": rnd.randrange(scale), "memory": rnd.randrange(scale)})
        )
        pod = PodInfo("p", requests={"cpu": rnd.randrange(scale), "memory": rnd.randrange(scale)})
        for skip in (False, True):
            assert scorer.dynamic(pod, node, skip) == _general(scorer, pod, node, skip)


@pytest.mark.parametrize("resource", ["cpu", "memory"])
@pytest.mark.parametrize(
    ("requested", "allocatable"),
    [
        # float64(req) / float64(alloc) and the exactly rounded req / alloc land on
        # different sides of an integer score here (51 vs 50, 51 vs 52)
        (3141817753044868324, 3205936482698844713),
        (783162103016392682, 815793857308742277),
    ],
)
def test_inlined_balanced_converts_to_float64_before_dividing(
    resource: str, requested: int, allocatable: int
) -> None:
    scorer = Scorer(make_config())
    other = "memory" if resource == "cpu" else "cpu"
    node = NodeInfo("n", {resource: allocatable, other: 1, "pods": 110})
    pod = PodInfo("p", requests={resource: requested})
    assert scorer.dynamic(pod, node, False) == _general(scorer, pod, node, False)
