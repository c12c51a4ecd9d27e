"""Optional exact mode: the minimum number of nodes, proven by OR-tools CP-SAT.

Needs the ``optimal`` extra (``pip install 'podfit[optimal]'``, which brings
``ortools``); without it ``solve_exact`` raises a ``ConfigError`` that says so.

Model (one template, identical new nodes): node j is used (``y_j``) or not; ``n_gj``
copies of pod group g go on node j (an integer, so identical pods are not told apart —
that removes most symmetry). For every resource the pods on a node fit its free amount;
a group with host ports puts at most one pod on a node, and two groups whose ports
conflict never share one. Used nodes come first (``y_j ≥ y_{j+1}``); pods needing more
than half of one resource can never share a node, so the k-th of them is fixed to node
k (symmetry breaking); per-node loads add up to the total demand (a redundant constraint
that helps the solver), and the node count is at least the best lower bound.
The heuristic packing (``pack``) gives the number of candidate nodes and a hint.

The result says whether the count is proven optimal (``OPTIMAL``) or only the best
found within the time limit (``FEASIBLE``), with the best bound the solver proved. The
count is deterministic when proven; the placement may differ between runs when the
solver uses several workers.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from typing import Any

from podfit.errors import ConfigError
from podfit.planning.binpack import BinProblem, PackedNode, Packing, copies_that_fit, pack
from podfit.planning.bounds import lower_bounds

__all__ = ["ExactResult", "ortools_available", "solve_exact"]

INSTALL_HINT = "pip install 'podfit[optimal]'"


@dataclass(frozen=True, slots=True)
class ExactResult:
    """``status`` is OPTIMAL (proven), FEASIBLE (best found, not proven) or the heuristic's
    answer when the solver found nothing better in time (then FEASIBLE as well)."""

    status: str
    packing: Packing
    lower_bound: int
    wall_time_seconds: float

    @property
    def proven(self) -> bool:
        return self.status == "OPTIMAL"


def ortools_available() -> bool:
    """Whether ``ortools`` can be imported (the ``optimal`` extra is installed)."""
    try:
        importlib.import_module("ortools.sat.python.cp_model")
    except ImportError:
        return False
    return True


def _cp_model() -> Any:
    try:
        return importlib.import_module("ortools.sat.python.cp_model")
    except ImportError as exc:
        raise ConfigError(
            f"the exact mode needs OR-tools, which is not installed: {INSTALL_HINT}",
            "algorithm",
        ) from exc


def solve_exact(
    problem: BinProblem,
    *,
    time_limit: float = 10.0,
    workers: int = 8,
    seed: int = 0,
) -> ExactResult:
    """Minimum node count for ``problem`` within ``time_limit`` seconds (see module doc)."""
    if not 0 < time_limit <= 3600:
        raise ConfigError(f"must be in (0, 3600] seconds, got {time_limit}", "timeLimitSeconds")
    if not 1 <= workers <= 64:
        raise ConfigError(f"must be in [1, 64], got {workers}", "workers")
    cp_model = _cp_model()
    bounds = lower_bounds(problem)
    heuristic = pack(problem, lower_bound=bounds.best)
    free = problem.template.fresh_free()
    groups = [g for g in problem.groups if g.count and g.name not in bounds.unplaceable]
    if heuristic.node_count <= bounds.best or not groups:
        return ExactResult("OPTIMAL", _relabel(heuristic, "exact"), bounds.best, 0.0)

    model = cp_model.CpModel()
    nodes = heuristic.node_count
    used = [model.NewBoolVar(f"y{j}") for j in range(nodes)]
    caps = [copies_that_fit(free, problem.template.reserved_ports, g, g.count) for g in groups]
    count = {
        (gi, j): model.NewIntVar(0, caps[gi], f"n{gi}_{j}")
        for gi in range(len(groups))
        for j in range(nodes)
    }
    for gi, group in enumerate(groups):
        model.Add(sum(count[gi, j] for j in range(nodes)) == group.count)
        for j in range(nodes):
            model.Add(count[gi, j] <= caps[gi] * used[j])
    for d, amount in enumerate(free):
        demands = [(gi, g.requests[d]) for gi, g in enumerate(groups) if g.requests[d]]
        if not demands:
            continue
        for j in range(nodes):
            model.Add(sum(r * count[gi, j] for gi, r in demands) <= amount * used[j])
    conflicting = [
        (a, b)
        for a in range(len(groups))
        for b in range(a + 1, len(groups))
        if any(p.conflicts(q) for p in groups[a].host_ports for q in groups[b].host_ports)
    ]
    for a, b in conflicting:
        for j in range(nodes):
            model.Add(count[a, j] + count[b, j] <= 1)
    for j in range(nodes - 1):
        model.Add(used[j] >= used[j + 1])
    for d, amount in enumerate(free):  # redundant: the loads add up to the total demand
        demands = [(gi, g.requests[d]) for gi, g in enumerate(groups) if g.requests[d]]
        if demands:
            total = sum(groups[gi].count * r for gi, r in demands)
            loads = [model.NewIntVar(0, amount, f"load{d}_{j}") for j in range(nodes)]
            for j in range(nodes):
                model.Add(loads[j] == sum(r * count[gi, j] for gi, r in demands))
            model.Add(sum(loads) == total)
    _fix_large_pods(model, groups, free, count, nodes)
    model.Add(sum(used) >= bounds.best)
    model.Minimize(sum(used))
    _hint(model, heuristic, groups, count, used)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.Solve(model)
    wall = float(solver.WallTime())
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult("FEASIBLE", _relabel(heuristic, "exact"), bounds.best, wall)
    bound = max(bounds.best, math.ceil(solver.BestObjectiveBound() - 1e-6))
    placed: list[PackedNode] = []
    for j in range(nodes):
        if not solver.Value(used[j]):
            continue
        pods = tuple(
            (g.name, int(solver.Value(count[gi, j])))
            for gi, g in enumerate(groups)
            if solver.Value(count[gi, j])
        )
        if not pods:
            continue
        use = list(problem.template.reserved or (0,) * len(free))
        by_name = {g.name: g for g in groups}
        for name, c in pods:
            for d, r in enumerate(by_name[name].requests):
                use[d] += r * c
        placed.append(PackedNode(len(placed), problem.template.name, pods, tuple(use)))
    packing = Packing(
        algorithm="exact",
        resources=problem.resources,
        nodes=tuple(placed),
        unplaced=tuple(bounds.unplaceable.items()),
        nodes_added=len(placed),
    )
    proven = status == cp_model.OPTIMAL or len(placed) <= bound
    return ExactResult("OPTIMAL" if proven else "FEASIBLE", packing, bound, wall)


def _fix_large_pods(
    model: Any, groups: list[Any], free: tuple[int, ...], count: Any, nodes: int
) -> None:
    """Symmetry breaking: pods that need more than half of one resource never share a node,
    so (nodes being identical) the k-th such pod can be put on node k. Uses the resource
    with the most such pods; without any, the first pod of group 0 goes to node 0."""
    large: list[int] = []
    for d, c in enumerate(free):
        here = [gi for gi, g in enumerate(groups) if g.requests[d] and 2 * g.requests[d] > c]
        if sum(groups[gi].count for gi in here) > sum(groups[gi].count for gi in large):
            large = here
    j = 0
    for gi in large:
        for _ in range(groups[gi].count):
            if j < nodes:
                model.Add(count[gi, j] >= 1)
            j += 1
    if not large:
        model.Add(count[0, 0] >= 1)


def _hint(model: Any, heuristic: Packing, groups: list[Any], count: Any, used: Any) -> None:
    index = {g.name: gi for gi, g in enumerate(groups)}
    on_node: dict[tuple[int, int], int] = {}
    for j, node in enumerate(heuristic.nodes):
        for name, c in node.pods:
            on_node[index[name], j] = c
    for (gi, j), var in count.items():
        model.AddHint(var, on_node.get((gi, j), 0))
    for j, var in enumerate(used):
        model.AddHint(var, 1 if j < heuristic.node_count else 0)


def _relabel(packing: Packing, algorithm: str) -> Packing:
    return Packing(
        algorithm=algorithm,
        resources=packing.resources,
        nodes=packing.nodes,
        unplaced=packing.unplaced,
        nodes_added=packing.nodes_added,
        limited=packing.limited,
        notes=packing.notes,
    )
