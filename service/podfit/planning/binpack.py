"""Node packing on integer resource vectors: the autoscaler's estimator and our own packer.

Everything here works on plain integers, one per resource in ``BinProblem.resources``
(cpu in millicores, memory and storage in bytes, ``pods`` as a count where every pod
demands 1). A pod *fits* a node exactly as in the scheduler's NodeResourcesFit filter:
for every resource the pod requests (amount > 0) the amount is at most what is free on
the node (equality fits); a resource the pod does not request is never checked. Host
ports follow the NodePorts rule (``podfit.pods.HostPort.conflicts``). Both rules are the
scheduler's own (``podfit.resources.fits``, the pod model's ``HostPort``).

Identical pods travel as one ``PodGroup`` with a ``count`` (the autoscaler's pod
equivalence group), so the packers place runs of identical pods arithmetically: the
answer is the same as placing them one by one (``tests/test_planning_binpack.py`` keeps
a pod-by-pod reference that proves it on seeded instances), the cost is per node
touched instead of per pod.

Two packers:

* ``estimate`` — cluster-autoscaler's ``BinpackingNodeEstimator`` (First-Fit
  Decreasing with the ``DecreasingPodOrderer`` and a rotating start; ``max_nodes`` is
  the limiter). Use it to answer "what would the autoscaler add".
* ``pack`` — our packer: best-fit decreasing on capacity-normalised vectors, then a
  local-search pass that dissolves the emptiest nodes and swaps pods into fuller ones.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import lcm
from operator import sub

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import ConfigError, FieldError
from podfit.pods import HostPort
from podfit.resources import copies_that_fit as copies_within
from podfit.resources import fits

__all__ = [
    "BinProblem",
    "HostPort",
    "NodeTemplate",
    "PackedNode",
    "Packing",
    "PodGroup",
    "copies_that_fit",
    "estimate",
    "estimator_order",
    "pack",
]

ORDER_RESOURCES = ("cpu", "memory")  # the DecreasingPodOrderer's score terms
_SCAN_LIMIT = 32  # swap candidates checked per removed set in one local-search step


@dataclass(frozen=True, slots=True)
class PodGroup:
    """``count`` identical pods. ``requests`` has one int per ``BinProblem.resources``.

    ``order_requests`` is what the autoscaler's orderer looks at (regular containers
    only: no init containers, no overhead); ``None`` means the same as ``requests``.
    """

    name: str
    requests: tuple[int, ...]
    count: int = 1
    host_ports: tuple[HostPort, ...] = ()
    order_requests: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class NodeTemplate:
    """A node shape: ``allocatable`` per resource, and what every new node already uses.

    ``reserved`` is the DaemonSet pods' usage on each new node (same units; include their
    pod count in ``pods``), ``reserved_ports`` their host ports. ``price`` is per node
    (any unit, exact); it only matters when several shapes are compared.
    """

    name: str
    allocatable: tuple[int, ...]
    reserved: tuple[int, ...] | None = None
    reserved_ports: tuple[HostPort, ...] = ()
    price: Fraction | None = None

    def fresh_free(self) -> tuple[int, ...]:
        """Free amounts on a new node: allocatable minus the reserved (DaemonSet) usage."""
        if self.reserved is None:
            return self.allocatable
        return tuple(a - r for a, r in zip(self.allocatable, self.reserved, strict=True))


@dataclass(frozen=True, slots=True)
class BinProblem:
    """Pods (as groups) to place on new copies of one node template."""

    resources: tuple[str, ...]
    template: NodeTemplate
    groups: tuple[PodGroup, ...]

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        width = len(self.resources)
        if len(set(self.resources)) != width:
            errors.append(FieldError("resources", f"duplicate resource names {self.resources}"))
        if len(self.template.allocatable) != width:
            errors.append(FieldError("template.allocatable", f"needs {width} amounts"))
        if self.template.reserved is not None and len(self.template.reserved) != width:
            errors.append(FieldError("template.reserved", f"needs {width} amounts"))
        names: set[str] = set()
        for i, group in enumerate(self.groups):
            path = f"groups[{i}]"
            if group.name in names:
                errors.append(FieldError(f"{path}.name", f"duplicate group name {group.name!r}"))
            names.add(group.name)
            if len(group.requests) != width:
                errors.append(FieldError(f"{path}.requests", f"needs {width} amounts"))
            elif any(r < 0 for r in group.requests):
                errors.append(FieldError(f"{path}.requests", f"negative amount {group.requests}"))
            if group.order_requests is not None and len(group.order_requests) != width:
                errors.append(FieldError(f"{path}.order_requests", f"needs {width} amounts"))
            if group.count < 0:
                errors.append(FieldError(f"{path}.count", f"must be >= 0, got {group.count}"))
        if errors:
            raise ConfigError(errors[0].message, errors[0].path, errors)

    @property
    def pod_count(self) -> int:
        return sum(g.count for g in self.groups)


@dataclass(frozen=True, slots=True)
class PackedNode:
    """One new node of a packing: pods per group (in first-placement order) and usage."""

    index: int
    template: str
    pods: tuple[tuple[str, int], ...]
    used: tuple[int, ...]

    @property
    def pod_count(self) -> int:
        return sum(c for _, c in self.pods)


@dataclass(frozen=True, slots=True)
class Packing:
    """The result of a packer. ``nodes`` are the new nodes that received at least one pod.

    ``unplaced`` lists pods per group that got no node; ``nodes_added`` also counts
    nodes that were added but stayed empty (the estimator keeps such a node when a pod
    does not fit even an empty template); ``limited`` is true when ``max_nodes`` stopped it.
    """

    algorithm: str
    resources: tuple[str, ...]
    nodes: tuple[PackedNode, ...]
    unplaced: tuple[tuple[str, int], ...]
    nodes_added: int
    limited: bool = False
    notes: tuple[str, ...] = ()

    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def placed_count(self) -> int:
        return sum(n.pod_count for n in self.nodes)

    @property
    def unplaced_count(self) -> int:
        return sum(c for _, c in self.unplaced)

    def pods_per_group(self) -> dict[str, int]:
        """Placed pods per group name."""
        out: dict[str, int] = {}
        for node in self.nodes:
            for name, count in node.pods:
                out[name] = out.get(name, 0) + count
        return out


# --------------------------------------------------------------------------- node state


@dataclass(slots=True)
class _Node:
    template: NodeTemplate
    free: list[int]
    ports: list[HostPort]
    placed: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def new(template: NodeTemplate) -> _Node:
        return _Node(template, list(template.fresh_free()), list(template.reserved_ports))

    def add(self, group: PodGroup, count: int) -> None:
        free = self.free
        for d, amount in enumerate(group.requests):
            if amount:
                free[d] -= amount * count
        if group.host_ports:
            self.ports.extend(group.host_ports * count)
        self.placed[group.name] = self.placed.get(group.name, 0) + count

    def remove(self, group: PodGroup, count: int) -> None:
        free = self.free
        for d, amount in enumerate(group.requests):
            if amount:
                free[d] += amount * count
        for port in group.host_ports:
            for _ in range(count):
                self.ports.remove(port)
        left = self.placed[group.name] - count
        if left:
            self.placed[group.name] = left
        else:
            del self.placed[group.name]

    def freeze(self, index: int) -> PackedNode:
        alloc = self.template.allocatable
        assert len(alloc) == len(self.free)
        used = tuple(map(sub, alloc, self.free))
        return PackedNode(index, self.template.name, tuple(self.placed.items()), used)


def copies_that_fit(
    free: Sequence[int], used_ports: Sequence[HostPort], group: PodGroup, limit: int
) -> int:
    """How many more copies of ``group`` (at most ``limit``) fit in ``free`` amounts.

    Per resource the pod requests, the scheduler's rule
    (:func:`podfit.resources.copies_that_fit`: ``free // request``, a negative free leaves
    0); a resource with request 0 is not checked, as in NodeResourcesFit. A pod with host
    ports fits at most once per node (a copy conflicts with itself) and not at all if
    one of its ports conflicts with a port already used (:meth:`HostPort.conflicts`).
    Cost: O(resources + ports²).
    """
    k = limit
    for f, amount in zip(free, group.requests, strict=True):
        if amount:
            q = copies_within(amount, f)
            if q < k:
                if q == 0:
                    return 0
                k = q
    if group.host_ports and k:
        for port in group.host_ports:
            for used in used_ports:
                if port.conflicts(used):
                    return 0
        k = min(k, 1)
    return k


def _fits(node: _Node, group: PodGroup, limit: int) -> int:
    return copies_that_fit(node.free, node.ports, group, limit)


# ------------------------------------------------------------------ autoscaler estimator


def estimator_order(problem: BinProblem) -> list[PodGroup]:
    """The ``DecreasingPodOrderer``: groups by descending cpu/alloc + memory/alloc.

    Score = Σ over ``cpu`` and ``memory`` (when the template has a positive allocatable
    for it) of the exemplar's regular-container request ÷ template allocatable (not
    minus DaemonSets). Upstream computes it in float64 and sorts with a non-stable sort;
    podfit compares exact fractions and keeps the input order on ties (deterministic).
    """
    terms = [
        (problem.resources.index(name), problem.template.allocatable[problem.resources.index(name)])
        for name in ORDER_RESOURCES
        if name in problem.resources
    ]
    terms = [(d, alloc) for d, alloc in terms if alloc > 0]

    def score(group: PodGroup) -> Fraction:
        requests = group.order_requests if group.order_requests is not None else group.requests
        return sum((Fraction(requests[d], alloc) for d, alloc in terms), Fraction(0))

    return sorted(problem.groups, key=score, reverse=True)


def _round_robin_fill(
    nodes: list[_Node], group: PodGroup, want: int, start: int
) -> tuple[int, int]:
    """Phase 1 of the estimator for a run of identical pods, computed arithmetically.

    Each pod upstream scans the nodes from ``lastIndex`` round-robin, takes the first
    that fits and sets ``lastIndex`` just past it. For identical pods a node that fails
    once fails for the rest of the run, so placement proceeds in rounds: in round r
    every node that still fits r copies gets one, in the cyclic order from ``start``.
    Returns (pods placed, new lastIndex). Cost: O(nodes · log want).
    """
    n = len(nodes)
    order = list(range(start, n)) + list(range(start))
    caps = [_fits(nodes[j], group, want) for j in order]
    total = sum(caps)
    if total == 0:
        return 0, start
    if want >= total:
        take = caps
        rounds = max(caps)
        last = max(p for p, c in enumerate(caps) if c == rounds)
        placed = total
    else:
        lo, hi = 1, max(caps)  # smallest R with sum(min(c, R)) >= want
        while lo < hi:
            mid = (lo + hi) // 2
            if sum(min(c, mid) for c in caps) >= want:
                hi = mid
            else:
                lo = mid + 1
        rounds = lo
        take = [min(c, rounds - 1) for c in caps]
        missing = want - sum(take)
        last = -1
        for p, c in enumerate(caps):
            if missing == 0:
                break
            if c >= rounds:
                take[p] += 1
                missing -= 1
                last = p
        placed = want
    for p, count in enumerate(take):
        if count:
            nodes[order[p]].add(group, count)
    return placed, (order[last] + 1) % n


def _fresh_nodes(template: NodeTemplate, group: PodGroup, want: int, room: int) -> list[_Node]:
    """The new nodes the estimator adds one by one for ``want`` pods of ``group`` that no
    added node takes, made at once: each takes what a fresh node holds (``k``; a node
    holding ``k`` holds no more of the group) until fewer than ``k`` are left, the last
    one the rest; at most ``room`` nodes when ``room`` > 0 (``max_nodes`` left). A group
    that fits no fresh node gets one empty node (the estimator adds it, then stops).
    Cost O(nodes added · resources), with no fit check per node."""
    fresh = template.fresh_free()
    k = copies_that_fit(fresh, template.reserved_ports, group, want)
    if not k:
        return [_Node.new(template)]
    count = -(-want // k)  # ceil: the last node may take fewer
    if room > 0:
        count = min(count, room)
    free = [f - a * k for f, a in zip(fresh, group.requests, strict=True)]
    ports = [*template.reserved_ports, *(group.host_ports * k)]
    name = group.name
    nodes = [_Node(template, free.copy(), ports.copy(), {name: k}) for _ in range(count)]
    rest = want - k * (count - 1)
    if rest < k:
        nodes[-1] = _Node.new(template)
        nodes[-1].add(group, rest)
    return nodes


def estimate(
    problem: BinProblem,
    *,
    max_nodes: int = 0,
    ordered: bool = True,
    deadline: Deadline = NO_DEADLINE,
) -> Packing:
    """How many new nodes the cluster-autoscaler's binpacking estimator would add.

    Follows ``BinpackingNodeEstimator.Estimate``: groups in ``estimator_order`` (or input
    order with ``ordered=False``); per group, (a) place pods on already-added nodes,
    round-robin from the node after the previous phase-(a) placement, until one fits
    nowhere; (b) the rest go to the most recently added node, else to a new node —
    stopping the group if that last node is still empty (the pod cannot fit an empty
    node), if ``max_nodes`` (> 0) nodes were already added, or if the pod does not fit
    the node just added (that empty node is kept and counted in ``nodes_added`` only).

    podfit models only the new nodes and lists them in creation order; upstream's
    snapshot also holds the cluster's existing nodes and lists nodes in map order, which
    can change the rotation (never the count in the upstream tests). ``deadline`` is
    checked before each group. Cost: O(groups · nodes · log pods + nodes).
    """
    if max_nodes < 0:
        raise ConfigError(f"must be >= 0, got {max_nodes}", "maxNodes")
    groups = estimator_order(problem) if ordered else list(problem.groups)
    nodes: list[_Node] = []
    last_index = 0
    last_node: _Node | None = None
    limited = False
    unplaced: dict[str, int] = {}
    for group in groups:
        deadline.check("packing")
        remaining = group.count
        if remaining and nodes:
            placed, last_index = _round_robin_fill(nodes, group, remaining, last_index)
            remaining -= placed
        while remaining:
            if last_node is not None:
                k = _fits(last_node, group, remaining)
                if k:
                    last_node.add(group, k)
                    remaining -= k
                    continue
                if not last_node.placed:
                    break
            if max_nodes and len(nodes) >= max_nodes:
                limited = True
                break
            added = _fresh_nodes(problem.template, group, remaining, max_nodes - len(nodes))
            nodes.extend(added)
            last_node = added[-1]
            if not last_node.placed:
                break
            remaining -= sum(node.placed[group.name] for node in added)
        if remaining:
            unplaced[group.name] = unplaced.get(group.name, 0) + remaining
    used = [node for node in nodes if node.placed]
    return Packing(
        algorithm="autoscaler-ffd",
        resources=problem.resources,
        nodes=tuple(node.freeze(i) for i, node in enumerate(used)),
        unplaced=tuple(unplaced.items()),
        nodes_added=len(nodes),
        limited=limited,
    )


# ------------------------------------------------------------------------ our packer


def _weights(capacity: Sequence[int]) -> tuple[list[int], int]:
    """Integer weights so that Σ amount·w / scale is Σ amount/capacity (exact, no float)."""
    positive = [c for c in capacity if c > 0]
    scale = lcm(*positive) if positive else 1
    return [scale // c if c > 0 else 0 for c in capacity], scale


def _size_key(group: PodGroup, capacity: Sequence[int]) -> tuple[Fraction, Fraction]:
    """Decreasing-order key: dominant share, then the sum of shares (exact fractions)."""
    shares = [Fraction(r, c) for r, c in zip(group.requests, capacity, strict=True) if c > 0]
    if not shares:
        return Fraction(0), Fraction(0)
    return max(shares), sum(shares, Fraction(0))


def _best_fit(
    problem: BinProblem,
    groups: Sequence[PodGroup],
    weights: Sequence[int],
    deadline: Deadline = NO_DEADLINE,
) -> tuple[list[_Node], dict[str, int]]:
    """Best-fit of ``groups`` in their order (see :func:`pack`): the nodes opened and the
    pods per group that fit no fresh node. Cost: O(pods × nodes) fit checks at worst;
    ``deadline`` checked before each group."""
    nodes: list[_Node] = []
    unplaced: dict[str, int] = {}
    for group in groups:
        deadline.check("packing")
        remaining = group.count
        if not remaining:
            continue
        gsize = sum(r * w for r, w in zip(group.requests, weights, strict=True))
        candidates: list[tuple[int, int, int]] = []
        for i, node in enumerate(nodes):
            k = _fits(node, group, remaining)
            if k:
                slack = sum(f * w for f, w in zip(node.free, weights, strict=True))
                candidates.append((slack - gsize, i, k))
        candidates.sort()
        for _, i, k in candidates:
            take = min(k, remaining)
            nodes[i].add(group, take)
            remaining -= take
            if not remaining:
                break
        while remaining:
            node = _Node.new(problem.template)
            k = _fits(node, group, remaining)
            if not k:
                break
            node.add(group, k)
            nodes.append(node)
            remaining -= k
        if remaining:
            unplaced[group.name] = remaining
    return nodes, unplaced


def pack(
    problem: BinProblem,
    *,
    local_search: bool = True,
    lower_bound: int = 0,
    max_rounds: int = 200,
    max_items: int = 5000,
    max_checks: int = 300_000,
    deadline: Deadline = NO_DEADLINE,
) -> Packing:
    """Our packer: best-fit decreasing on capacity-normalised vectors + local search.

    Order: groups by decreasing dominant share of a fresh node (then sum of shares).
    Best fit: a pod goes to the open node whose normalised slack (Σ free/capacity over
    resources) is smallest after placing it; a run of identical pods fills the best node
    before moving on, which is the same as placing them one by one. Local search
    (Levine & Ducatelle's improvement step for grouping packers): repeatedly dissolve
    the emptiest nodes, swap their pods into other nodes where the swap makes a node
    fuller (1↔1, 1↔2, 2↔1, 2↔2), then re-insert the rest best-fit; keep the result when
    it uses no more nodes. Before that, with host-port groups (at most one pod per node),
    best fit with those groups first is kept when it needs fewer nodes; Minimum Bin Slack
    (``_min_bin_slack``) builds a second packing and the smaller one is kept; when only
    perfectly full nodes can meet ``lower_bound`` (one resource, total = bound ×
    capacity), an exact zero-waste search (``_zero_waste_packing``) is tried first. Stops
    at ``lower_bound``, after ``max_rounds`` rounds without gain or ``max_checks`` fit
    checks (a deterministic work budget, ~1 s); skipped above ``max_items`` pods. Same
    input, same packing: the ``deadline`` (checked before each group, each node of Minimum
    Bin Slack and each local-search round) stops the work by raising, never by returning
    a smaller search.
    """
    capacity = problem.template.fresh_free()
    weights, _scale = _weights(capacity)
    groups = sorted(problem.groups, key=lambda g: _size_key(g, capacity), reverse=True)
    nodes, unplaced = _best_fit(problem, groups, weights, deadline)
    notes: list[str] = []
    placed = problem.pod_count - sum(unplaced.values())
    if local_search and len(nodes) > max(lower_bound, 1):
        if placed <= max_items:
            if any(g.host_ports for g in groups):
                # groups held to one pod per node (host ports, hostname anti-affinity)
                # first: they open the nodes the others then fill (same pods unplaced:
                # the fresh-node test does not depend on the order)
                ported = sorted(groups, key=lambda g: not g.host_ports)
                other = _best_fit(problem, ported, weights, deadline)[0]
                if len(other) < len(nodes):
                    nodes = other
            mbs = _min_bin_slack(problem, groups, weights, unplaced, deadline=deadline)
            if len(mbs) < len(nodes):
                nodes = mbs
            if len(nodes) > lower_bound > 0:
                perfect = _zero_waste_packing(problem, unplaced, lower_bound)
                if perfect is not None:
                    nodes = perfect
                    notes.append("zero-waste packing found by exact search")
            if len(nodes) > max(lower_bound, 1):
                deadline.check("packing")
                nodes = _LocalSearch(problem, weights).run(
                    nodes, lower_bound, max_rounds, max_checks, deadline
                )
        else:
            notes.append(f"local search skipped: {placed} pods > {max_items}")
    return Packing(
        algorithm="podfit-bfd" + ("+ls" if local_search else ""),
        resources=problem.resources,
        nodes=tuple(node.freeze(i) for i, node in enumerate(nodes)),
        unplaced=tuple(unplaced.items()),
        nodes_added=len(nodes),
        notes=tuple(notes),
    )


def _min_bin_slack(
    problem: BinProblem,
    groups: list[PodGroup],
    weights: list[int],
    unplaced: dict[str, int],
    budget: int = 2000,
    *,
    deadline: Deadline = NO_DEADLINE,
) -> list[_Node]:
    """Minimum Bin Slack (Gupta & Ho; Fleszar & Hindi's MBS'): fill one node at a time.

    Each node starts with the largest remaining pod, then a depth-first search over the
    remaining groups (largest first, up to ``budget`` fit checks per node) keeps the
    set of pods that leaves the least normalised slack; it stops early at zero slack.
    """
    order = [g for g in groups if g.count and g.name not in unplaced]
    left = [g.count for g in order]
    nodes: list[_Node] = []
    first = 0
    while True:
        deadline.check("packing")
        while first < len(order) and not left[first]:
            first += 1
        if first == len(order):
            return nodes
        node = _Node.new(problem.template)
        node.add(order[first], 1)
        left[first] -= 1
        best = _best_fill(node, order, left, weights, first, budget)
        for jj, count in enumerate(best):
            if count:
                node.add(order[jj], count)
                left[jj] -= count
        nodes.append(node)


def _zero_waste_packing(
    problem: BinProblem, unplaced: dict[str, int], nodes: int, budget: int = 200_000
) -> list[_Node] | None:
    """Exact search for a packing into ``nodes`` nodes when that leaves no waste at all.

    Applies when one resource is the only one requested (no host ports) and the pods'
    total equals ``nodes`` × the free amount of a new node — meeting the bound then needs
    every node exactly full (Falkenauer's triplets are built that way). Depth-first, one
    node at a time: the largest remaining pod opens the node, the rest is completed with
    exact-sum combinations of smaller-or-equal pods (identical pods as counts). Gives up
    after ``budget`` search steps (None).
    """
    groups = [g for g in problem.groups if g.count and g.name not in unplaced]
    dims = {d for g in groups for d, r in enumerate(g.requests) if r}
    if len(dims) != 1 or any(g.host_ports for g in groups):
        return None
    (d,) = dims
    capacity = problem.template.fresh_free()[d]
    if capacity <= 0 or sum(g.requests[d] * g.count for g in groups) != nodes * capacity:
        return None
    order = sorted(groups, key=lambda g: g.requests[d], reverse=True)
    sizes = [g.requests[d] for g in order]
    left = [g.count for g in order]
    chosen: list[list[int]] = []
    steps = [budget]

    index_of = {size: k for k, size in enumerate(sizes)}
    negated = [-size for size in sizes]
    smallest = sizes[-1]

    def take(k: int, target: int, picked: list[int]) -> Iterator[list[int]]:
        steps[0] -= 1
        left[k] -= 1
        picked.append(k)
        try:
            yield from completions(k, target - sizes[k], picked)
        finally:  # also when the caller stops early (generator closed)
            picked.pop()
            left[k] += 1

    def completions(start: int, target: int, picked: list[int]) -> Generator[list[int], None, None]:
        """Multisets of pods (indices >= start, non-increasing) summing exactly to target."""
        if target == 0:
            yield picked
            return
        exact = index_of.get(target)
        if exact is not None and exact >= start and left[exact]:
            yield from take(exact, target, picked)
        # two or more pods: the first leaves at least the smallest size to fill
        lo = max(start, bisect_left(negated, smallest - target))
        for k in range(lo, len(sizes)):
            if steps[0] <= 0:
                return
            if left[k]:
                yield from take(k, target, picked)

    def solve(discrepancies: int) -> bool:
        first = next((k for k, c in enumerate(left) if c), None)
        if first is None:
            return True
        left[first] -= 1
        # the generator keeps the picked pods taken out of ``left`` while we recurse
        options = completions(first, capacity - sizes[first], [])
        try:
            for rank, picked in enumerate(options):
                if rank > discrepancies or steps[0] <= 0:
                    break
                chosen.append([first, *picked])
                if solve(discrepancies - rank):
                    return True
                chosen.pop()
        finally:  # restores ``left`` (the answer is already copied into ``chosen``)
            options.close()
        left[first] += 1
        return False

    # limited discrepancy search: follow the first completion everywhere, then allow
    # 1, 2, … deviations from it, until the step budget runs out
    solved = False
    for allowed in range(len(order) * 3):
        if steps[0] <= 0:
            break
        if solve(allowed):
            solved = True
            break
    if not solved:
        return None
    out = []
    for members in chosen:
        node = _Node.new(problem.template)
        for k in members:
            node.add(order[k], 1)
        out.append(node)
    return out


def _best_fill(
    node: _Node,
    order: list[PodGroup],
    left: list[int],
    weights: list[int],
    start: int,
    budget: int,
) -> list[int]:
    """Depth-first search for the pods (counts per group) that leave ``node`` least slack."""
    take = [0] * len(order)
    sizes = [sum(r * w for r, w in zip(g.requests, weights, strict=True)) for g in order]
    state = {
        "best_slack": sum(f * w for f, w in zip(node.free, weights, strict=True)),
        "steps": budget,
    }
    best: list[int] = list(take)

    def search(j: int, slack: int) -> None:
        nonlocal best
        for jj in range(j, len(order)):
            if state["steps"] <= 0 or state["best_slack"] == 0:
                return
            if left[jj] - take[jj] <= 0:
                continue
            state["steps"] -= 1
            if not _fits(node, order[jj], 1):
                continue
            node.add(order[jj], 1)
            take[jj] += 1
            if slack - sizes[jj] < state["best_slack"]:
                state["best_slack"] = slack - sizes[jj]
                best = list(take)
            search(jj, slack - sizes[jj])
            node.remove(order[jj], 1)
            take[jj] -= 1

    search(start, state["best_slack"])
    return best


class _Bin:
    """A node in the local search: its pods (as group indices) and their summed demand."""

    __slots__ = ("fill", "items", "load", "ports")

    def __init__(self, width: int) -> None:
        self.items: list[int] = []
        self.load = [0] * width
        self.fill = 0  # Σ normalised size of the pods (scaled int)
        self.ports: list[HostPort] = []


class _LocalSearch:
    """Improvement step on individual pods (see ``pack``); pods are group indices."""

    def __init__(self, problem: BinProblem, weights: list[int]) -> None:
        self.problem = problem
        self.groups = list(problem.groups)
        self.index = {g.name: i for i, g in enumerate(self.groups)}
        # a negative free amount can take no pod that requests it; 0 keeps that true
        self.capacity = [max(0, c) for c in problem.template.fresh_free()]
        self.reserved_ports = list(problem.template.reserved_ports)
        self.size = [
            sum(r * w for r, w in zip(g.requests, weights, strict=True)) for g in self.groups
        ]
        self.width = len(self.capacity)
        self._weights = weights
        self.checks = 0
        import random  # only the local search needs it (the CLI's start-up does not)

        self.rng = random.Random(0)  # fixed seed: same input, same packing

    # -- feasibility -------------------------------------------------------------------
    def _fits(self, b: _Bin, out: Sequence[int], into: Sequence[int]) -> bool:
        """Whether ``b`` minus pods ``out`` plus pods ``into`` respects every capacity."""
        self.checks += 1
        groups = self.groups
        for d in range(self.width):
            total = b.load[d]
            for i in out:
                total -= groups[i].requests[d]
            for i in into:
                total += groups[i].requests[d]
            if not fits(total, self.capacity[d]):
                return False
        if any(groups[i].host_ports for i in into):
            ports = list(b.ports)
            for i in out:
                for port in groups[i].host_ports:
                    ports.remove(port)
            for i in into:
                for port in groups[i].host_ports:
                    if any(port.conflicts(used) for used in ports):
                        return False
                ports.extend(groups[i].host_ports)
        return True

    def _put(self, b: _Bin, i: int) -> None:
        b.items.append(i)
        for d, amount in enumerate(self.groups[i].requests):
            b.load[d] += amount
        b.fill += self.size[i]
        b.ports.extend(self.groups[i].host_ports)

    def _take(self, b: _Bin, i: int) -> None:
        b.items.remove(i)
        for d, amount in enumerate(self.groups[i].requests):
            b.load[d] -= amount
        b.fill -= self.size[i]
        for port in self.groups[i].host_ports:
            b.ports.remove(port)

    def _new_bin(self) -> _Bin:
        b = _Bin(self.width)
        b.ports.extend(self.reserved_ports)
        return b

    # -- search ------------------------------------------------------------------------
    def run(
        self,
        nodes: list[_Node],
        lower_bound: int,
        max_rounds: int,
        max_checks: int,
        deadline: Deadline = NO_DEADLINE,
    ) -> list[_Node]:
        bins: list[_Bin] = []
        for node in nodes:
            b = self._new_bin()
            for name, count in node.placed.items():
                for _ in range(count):
                    self._put(b, self.index[name])
            bins.append(b)
        best = [list(b.items) for b in bins]
        stale = 0
        while stale < max_rounds and self.checks < max_checks and len(bins) > max(lower_bound, 1):
            deadline.check("packing")
            bins = self._round(bins)
            if len(bins) < len(best):
                best = [list(b.items) for b in bins]
                stale = 0
            else:
                stale += 1
        out: list[_Node] = []
        for items in best:
            node = _Node.new(self.problem.template)
            for i in items:
                node.add(self.groups[i], 1)
            out.append(node)
        return out

    def _round(self, bins: list[_Bin]) -> list[_Bin]:
        """Dissolve the emptiest node and two others, swap, re-insert best-fit."""
        order = sorted(range(len(bins)), key=lambda i: (bins[i].fill, i))
        picks = {order[0], *self.rng.sample(order[1:], min(2, len(order) - 1))}
        free: list[int] = []
        kept: list[_Bin] = []
        for i, b in enumerate(bins):
            if i in picks:
                free.extend(b.items)
            else:
                kept.append(b)
        changed = True
        while changed and free:
            changed = False
            candidates = self._in_sets(free)
            for b in kept:
                if self._best_swap(b, free, candidates):
                    changed = True
                    candidates = self._in_sets(free)
        free.sort(key=lambda i: (self.size[i], i), reverse=True)
        for i in free:
            best_b: _Bin | None = None
            for b in kept:
                if (best_b is None or b.fill > best_b.fill) and self._fits(b, (), (i,)):
                    best_b = b
            if best_b is None:
                best_b = self._new_bin()
                kept.append(best_b)
            self._put(best_b, i)
        return kept

    def _in_sets(self, free: list[int]) -> tuple[list[int], list[tuple[int, ...]]]:
        """Distinct singles and pairs of free pods, sorted by ascending normalised size."""
        sets: dict[tuple[int, ...], int] = {}
        for a, ia in enumerate(free):
            sets.setdefault((ia,), self.size[ia])
            for ib in free[a + 1 :]:
                key = (ia, ib) if ia <= ib else (ib, ia)
                sets.setdefault(key, self.size[ia] + self.size[ib])
        ordered = sorted(sets.items(), key=lambda kv: (kv[1], kv[0]))
        return [size for _, size in ordered], [key for key, _ in ordered]

    def _best_swap(
        self, b: _Bin, free: list[int], candidates: tuple[list[int], list[tuple[int, ...]]]
    ) -> bool:
        """Swap ≤2 pods of ``b`` for ≤2 free pods, the feasible swap that fills ``b`` most."""
        sizes, sets = candidates
        slack = self._slack(b)
        distinct = sorted(set(b.items))
        outs: list[tuple[int, ...]] = [(i,) for i in distinct]
        for a, ia in enumerate(distinct):
            if b.items.count(ia) >= 2:
                outs.append((ia, ia))
            outs.extend((ia, ib) for ib in distinct[a + 1 :])
        best: tuple[int, tuple[int, ...], tuple[int, ...]] | None = None
        for out in outs:
            out_size = sum(self.size[i] for i in out)
            # a feasible swap adds at most out_size + slack (normalised); scan down from there
            pos = bisect_right(sizes, out_size + slack) - 1
            floor = out_size + (best[0] if best else 0)
            scan = _SCAN_LIMIT
            while pos >= 0 and sizes[pos] > floor and scan:
                if self._fits(b, out, sets[pos]):
                    best = (sizes[pos] - out_size, out, sets[pos])
                    break
                pos -= 1
                scan -= 1
        if best is None:
            return False
        _, out, into = best
        for i in out:
            self._take(b, i)
            free.append(i)
        for i in into:
            self._put(b, i)
            free.remove(i)
        return True

    def _slack(self, b: _Bin) -> int:
        total = 0
        for d in range(self.width):
            total += (self.capacity[d] - b.load[d]) * self._weight(d)
        return total

    def _weight(self, d: int) -> int:
        return self._weights[d]
