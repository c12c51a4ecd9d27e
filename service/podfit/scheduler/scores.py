"""Score plugins of the default profile, with kube-scheduler's integer arithmetic.

All scores are ints in [0, 100] before plugin weights. Division is Go's: **truncating
toward zero** (:func:`go_div`), never Python's floor ``//`` on possibly negative operands;
``math.Round`` is half away from zero (:func:`go_round`), not Python's banker's ``round``.
BalancedAllocation computes a float64 standard deviation exactly as upstream does (the
same IEEE operations, so the same ints); no fit decision ever uses a float.

Strategies (``NodeResourcesFitArgs.scoringStrategy.type``), one function each, looked up by
name in :data:`STRATEGIES`:

* ``LeastAllocated`` (default): ``(alloc - req) * 100 // alloc`` per resource, 0 when over;
* ``MostAllocated``: ``min(req, alloc) * 100 // alloc``;
* ``RequestedToCapacityRatio``: a broken-linear function of utilization (the *shape*);
  only resources scoring > 0 are averaged, the average rounded with ``math.Round``.

Each takes parallel sequences ``requested`` (node usage + pod), ``allocatable`` and
``weights`` of the resources that are not skipped (see :func:`resource_inputs`).
Cost: O(#resources).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

from podfit.resources import CPU, MEMORY, is_scalar
from podfit.scheduler.plugins.node_affinity import node_affinity_raw as node_affinity_raw
from podfit.scheduler.plugins.taint_toleration import (
    taint_toleration_raw as taint_toleration_raw,
)

MAX_NODE_SCORE = 100
MAX_CUSTOM_PRIORITY_SCORE = 10
MAX_UTILIZATION = 100

TAINT_TOLERATION_WEIGHT = 3
NODE_AFFINITY_WEIGHT = 2
NODE_RESOURCES_FIT_WEIGHT = 1
BALANCED_ALLOCATION_WEIGHT = 1


def go_div(a: int, b: int) -> int:
    """Go integer division: the quotient truncated toward zero.

    >>> go_div(-7, 2), -7 // 2
    (-3, -4)
    """
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def go_round(x: float) -> int:
    """Go ``math.Round``: half away from zero (Python's ``round`` rounds half to even).

    >>> go_round(2.5), go_round(-2.5), round(2.5)
    (3, -3, 2)
    """
    t = math.trunc(x)
    if abs(x - t) >= 0.5:  # x - t is exact in float64, unlike x + 0.5
        t += 1 if x > 0 else -1
    return t


def broken_linear(shape: Sequence[tuple[int, int]], p: int) -> int:
    """``BuildBrokenLinearFunction``: piecewise-linear through ``shape`` (ascending x).

    Below the first point → its score; beyond the last → the last score; between points
    ``y0 + (y1 - y0) * (p - x0) / (x1 - x0)`` with Go's truncating division.
    """
    for i, (x, y) in enumerate(shape):
        if p <= x:
            if i == 0:
                return y
            x0, y0 = shape[i - 1]
            return y0 + go_div((y - y0) * (p - x0), x - x0)
    return shape[-1][1]


def least_allocated(
    requested: Sequence[int], allocatable: Sequence[int], weights: Sequence[int]
) -> int:
    """LeastAllocated: weighted mean of free fractions ×100, truncated; 0 with no resource.

    T40: node 4000m/10000 with 2000m/4000 used, pod 1000m/2000 → (25 + 40) // 2:

    >>> least_allocated([3000, 6000], [4000, 10000], [1, 1])
    32
    """
    score = weight_sum = 0
    for req, alloc, w in zip(requested, allocatable, weights, strict=True):
        if alloc == 0:
            continue
        s = 0 if req > alloc else (alloc - req) * MAX_NODE_SCORE // alloc
        score += s * w
        weight_sum += w
    return score // weight_sum if weight_sum else 0


def most_allocated(
    requested: Sequence[int], allocatable: Sequence[int], weights: Sequence[int]
) -> int:
    """MostAllocated: weighted mean of used fractions ×100 (capped at 100), truncated."""
    score = weight_sum = 0
    for req, alloc, w in zip(requested, allocatable, weights, strict=True):
        if alloc == 0:
            continue
        s = min(req, alloc) * MAX_NODE_SCORE // alloc
        score += s * w
        weight_sum += w
    return score // weight_sum if weight_sum else 0


def scale_shape(shape: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Shape scores 0..10 scaled to 0..100 (``MaxNodeScore / MaxCustomPriorityScore``)."""
    factor = MAX_NODE_SCORE // MAX_CUSTOM_PRIORITY_SCORE
    return tuple((u, s * factor) for u, s in shape)


def requested_to_capacity_ratio(
    requested: Sequence[int],
    allocatable: Sequence[int],
    weights: Sequence[int],
    shape: Sequence[tuple[int, int]],
) -> int:
    """RequestedToCapacityRatio with an already scaled ``shape`` (scores 0..100).

    Utilization ``req * 100 // alloc`` (100 when over); only resources whose score is
    positive count; the weighted mean is rounded with Go's ``math.Round``.
    """
    score = weight_sum = 0
    for req, alloc, w in zip(requested, allocatable, weights, strict=True):
        if alloc == 0:
            continue
        util = MAX_UTILIZATION if req > alloc else req * MAX_UTILIZATION // alloc
        s = broken_linear(shape, util)
        if s > 0:
            score += s * w
            weight_sum += w
    if weight_sum == 0:
        return 0
    return go_round(score / weight_sum)


def balanced_allocation(requested: Sequence[int], allocatable: Sequence[int]) -> int:
    """BalancedAllocation (1.30–1.35): ``int((1 - std) * 100)`` of the capped usage fractions.

    Fractions ``min(1, float64(req) / float64(alloc))``: each int64 is converted to
    float64 *before* dividing, as upstream does (Python's ``req / alloc`` on ints rounds
    the exact quotient once, which differs above 2**53); std is 0 for one resource,
    ``|f1 - f2| / 2`` for two, the population standard deviation for more.
    """
    fractions: list[float] = []
    total = 0.0
    for req, alloc in zip(requested, allocatable, strict=True):
        if alloc == 0:
            continue
        f = float(req) / float(alloc)
        if f > 1:
            f = 1.0
        total += f
        fractions.append(f)
    std = 0.0
    n = len(fractions)
    if n == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif n > 2:
        mean = total / n
        acc = 0.0
        for f in fractions:
            acc = acc + (f - mean) * (f - mean)
        std = math.sqrt(acc / n)
    return int((1 - std) * MAX_NODE_SCORE)


def default_normalize(scores: Sequence[int], reverse: bool = False) -> list[int]:
    """``DefaultNormalizeScore(100, reverse)``: ``100 * s // max``; all 0 (or 100) when max is 0."""
    top = max(scores, default=0)
    if top == 0:
        return [MAX_NODE_SCORE if reverse else 0 for _ in scores]
    out = [MAX_NODE_SCORE * s // top for s in scores]
    return [MAX_NODE_SCORE - s for s in out] if reverse else out


def normalize_one(score: int, top: int, reverse: bool = False) -> int:
    """One entry of :func:`default_normalize` given the maximum ``top``."""
    if top == 0:
        return MAX_NODE_SCORE if reverse else 0
    s = MAX_NODE_SCORE * score // top
    return MAX_NODE_SCORE - s if reverse else s


StrategyFn = Callable[[Sequence[int], Sequence[int], Sequence[int]], int]

STRATEGIES: dict[str, StrategyFn | None] = {
    "LeastAllocated": least_allocated,
    "MostAllocated": most_allocated,
    "RequestedToCapacityRatio": None,  # needs a shape: see requested_to_capacity_ratio
}
"""Strategy name (as typed by a user) → scoring function."""


class ResourceWeight(NamedTuple):
    """One ``scoringStrategy.resources`` entry."""

    name: str
    weight: int


DEFAULT_RESOURCES = (ResourceWeight(CPU, 1), ResourceWeight(MEMORY, 1))


def resource_inputs(
    resources: Sequence[ResourceWeight],
    pod_requests: dict[str, int],
    pod_non_zero: tuple[int, int],
    node_alloc: dict[str, int],
    node_requested: dict[str, int],
    node_non_zero: tuple[int, int],
    use_requested: bool,
) -> tuple[list[int], list[int], list[int]]:
    """``calculateResourceAllocatableRequest`` for each configured resource.

    cpu/memory use the non-zero flavour (node ``NonZeroRequested`` + pod non-zero request)
    unless ``use_requested`` (BalancedAllocation). A scalar resource the pod does not
    request, and any resource the node has no allocatable for, is skipped. Returns the
    parallel lists (requested, allocatable, weights) of the kept resources.
    """
    req_out: list[int] = []
    alloc_out: list[int] = []
    w_out: list[int] = []
    for name, weight in resources:
        if name == CPU and not use_requested:
            pod_req = pod_non_zero[0]
            used = node_non_zero[0]
        elif name == MEMORY and not use_requested:
            pod_req = pod_non_zero[1]
            used = node_non_zero[1]
        else:
            pod_req = pod_requests.get(name, 0)
            if pod_req == 0 and is_scalar(name):
                continue
            used = node_requested.get(name, 0)
        alloc = node_alloc.get(name, 0)
        if alloc == 0:
            continue
        req_out.append(used + pod_req)
        alloc_out.append(alloc)
        w_out.append(weight)
    return req_out, alloc_out, w_out
