"""Lower bounds on the number of new nodes a set of pods needs.

All bounds are exact integer arithmetic on the free amounts of a fresh node
(allocatable minus the DaemonSet reservation):

* **L1 per resource** — ``ceil(Σ requests / free)``: the nodes needed if pods could be
  split like sand.
* **L2 (Martello & Toth 1990)** — for one resource with capacity C and a threshold α in
  ``[0, C/2]``: pods larger than ``C − α`` each need a node of their own (J1), pods
  larger than ``C/2`` can't share with each other (J2), and the pods in ``[α, C/2]`` (J3)
  must fill what J2 leaves free before opening more nodes:
  ``L(α) = |J1| + |J2| + max(0, ceil((Σ J3 − (|J2|·C − Σ J2)) / C))``, maximised over
  α in the distinct sizes ≤ C/2 (and 0). ``L2 ≥ L1`` for that resource. podfit
  evaluates it on every resource and reports the best (normally the dominant one).
* **Host ports** — pods that bind the same (protocol, port) on ``0.0.0.0`` conflict
  with every other user of that port, pods on the same concrete IP with each other:
  ``wildcard users + max users of one IP`` nodes at least.

Pods that do not fit even an empty node are left out of every bound and listed in
``unplaceable``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from podfit.planning.binpack import BinProblem, PodGroup, copies_that_fit
from podfit.pods import ANY_IP

__all__ = ["LowerBounds", "l1_bound", "l2_bound", "lower_bounds"]


@dataclass(frozen=True, slots=True)
class LowerBounds:
    """Lower bounds for one ``BinProblem``; ``best`` is the largest of them."""

    l1: dict[str, int]
    l2: int
    l2_resource: str | None
    host_ports: int
    unplaceable: dict[str, int]

    @property
    def best(self) -> int:
        return max([self.l2, self.host_ports, *self.l1.values()], default=0)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def l1_bound(sizes: dict[int, int], capacity: int) -> int:
    """``ceil(Σ size·count / capacity)`` for ``sizes`` = {size: count}; capacity > 0."""
    return _ceil_div(sum(s * c for s, c in sizes.items()), capacity)


def l2_bound(sizes: dict[int, int], capacity: int) -> int:
    """Martello–Toth L2 for one dimension; ``sizes`` maps size → count, sizes ≤ capacity.

    Sizes of 0 are ignored. Cost O(k log k) for k distinct sizes.

    >>> l2_bound({60: 3, 50: 1}, 100)  # three 60s can't pair; the 50 fits beside none
    4
    >>> l2_bound({50: 4}, 100)
    2
    """
    items = sorted((s, c) for s, c in sizes.items() if s > 0)
    if not items:
        return 0
    values = [s for s, _ in items]
    counts = [0]
    sums = [0]
    for s, c in items:
        counts.append(counts[-1] + c)
        sums.append(sums[-1] + s * c)

    def span(lo_index: int, hi_index: int) -> tuple[int, int]:  # [lo, hi) in sorted order
        return counts[hi_index] - counts[lo_index], sums[hi_index] - sums[lo_index]

    n = len(values)
    half_hi = bisect_right(values, capacity // 2)  # first index with 2·size > capacity
    # (sizes are ints: 2·s <= C  <=>  s <= C // 2)
    alphas = [0, *[v for v in values[:half_hi]]]
    best = 0
    for alpha in alphas:
        j1_lo = bisect_right(values, capacity - alpha)  # size > C − α
        j3_lo = bisect_left(values, alpha) if alpha > 0 else 0
        n1, _ = span(j1_lo, n)
        n2, s2 = span(half_hi, j1_lo) if half_hi < j1_lo else (0, 0)
        _, s3 = span(j3_lo, half_hi)
        rest = s3 - (n2 * capacity - s2)
        bound = n1 + n2 + max(0, _ceil_div(rest, capacity))
        best = max(best, bound)
    return best


def lower_bounds(problem: BinProblem) -> LowerBounds:
    """L1 per resource, the best L2 over resources, and the host-port bound."""
    free = problem.template.fresh_free()
    unplaceable: dict[str, int] = {}
    placeable: list[PodGroup] = []
    for group in problem.groups:
        if not group.count:
            continue
        if copies_that_fit(free, problem.template.reserved_ports, group, 1) == 0:
            unplaceable[group.name] = group.count
        else:
            placeable.append(group)
    l1: dict[str, int] = {}
    l2, l2_resource = 0, None
    for d, name in enumerate(problem.resources):
        sizes: dict[int, int] = defaultdict(int)
        for group in placeable:
            if group.requests[d]:
                sizes[group.requests[d]] += group.count
        if not sizes:
            continue
        l1[name] = l1_bound(sizes, free[d])
        bound = l2_bound(sizes, free[d])
        if bound > l2:
            l2, l2_resource = bound, name
    return LowerBounds(l1, l2, l2_resource, _port_bound(placeable), unplaceable)


def _port_bound(groups: list[PodGroup]) -> int:
    users: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group in groups:
        for port in set(group.host_ports):
            users[(port.protocol, port.port)][port.ip] += group.count
    best = 0
    for by_ip in users.values():
        wildcard = by_ip.get(ANY_IP, 0)
        specific = max((c for ip, c in by_ip.items() if ip != ANY_IP), default=0)
        best = max(best, wildcard + specific)
    return best
