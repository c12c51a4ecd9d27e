"""The cheapest mix of node shapes for the pending pods, with a proven lower bound.

Input: a ``NodesPlan`` whose shapes all have a price (per node and hour). Each shape's
``BinProblem`` already holds what podfit models for a new node of that shape: the
groups that pass the scheduler's node-level filters there (taints, selectors, node
affinity), the free room after the DaemonSet pods and the headroom, the max-pods count
(``pods`` is a resource every pod takes 1 of) and host ports. A group no shape can take
stays out of the mix and is listed.

**Lower bound** — the linear relaxation: ``x[g,s]`` pods of group g on shape s (any
fraction), ``y[s]`` nodes of shape s (any fraction); every pod placed, per shape and
resource the pods' requests within ``y[s]`` × the free room, pods of groups whose host
ports conflict at most one per node; minimise Σ price × ``y``. It is solved with GLOP
(OR-tools, the ``optimal`` extra); the bound is then *certified* in exact arithmetic from
the dual values (weak duality: any non-negative dual vector, scaled to be feasible, gives
a bound), so floating point cannot overstate it. Without OR-tools (or as a floor), the
dual "one resource at its cheapest price per unit" gives a bound in closed form. Last,
as any mix costs a sum of whole node prices, the bound is raised to the least such sum
that is not below it.

A stronger bound comes from column generation (Gilmore–Gomory): the covering LP over
candidate nodes gives every group a price, and per shape the node worth most at those
prices (CP-SAT) joins the candidates while it is worth more than the shape's price.
Farley's bound is certified exactly from the last prices: with integer weights W, every
node of shape s is worth at most M_s (CP-SAT's proven bound), so any mix costs at least
W·demand / max_s(M_s / price_s). The better of the two bounds is kept.

**The mix** — candidate nodes ("patterns": a shape and how many pods of each group)
come from every shape's own packing, from re-homing each node of the cheapest single-
shape plan onto the cheapest shape that holds it, from the LP's prices (per shape, a
greedy fill by the dual value per unit of room) and from the column generation. An
integer program (CP-SAT) picks how many of each pattern cover every pod at the lowest
price; surplus places are dropped, and each node is finally re-homed on the cheapest
shape that holds its pods. Without OR-tools the cheapest of the single-shape plans, the
re-homed plans and a greedy set cover is taken. The solvers run with one worker, a
fixed seed and a deterministic time limit: the same input gives the same mix.

**Exact mode** (``exact=True``, small inputs): CP-SAT over candidate nodes of every
shape (as many as that shape's own packing used — an optimal mix never needs more of a
shape than an optimal packing of all pods on it), minimising the price; ``OPTIMAL``
proves the mix is the cheapest (the lower bound is then the cost itself).

All prices are exact (``Fraction``); the solver sees them scaled to integers.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import ConfigError
from podfit.planning.binpack import HostPort, NodeTemplate, PodGroup, copies_that_fit
from podfit.planning.nodes_needed import NodesPlan, ShapePlan

__all__ = ["MAX_EXACT_VARIABLES", "CheapestMix", "MixNode", "cheapest_mix"]

MAX_EXACT_VARIABLES = 20_000
"""Exact mode is skipped (bound and heuristic only) above this many solver variables."""


@dataclass(frozen=True, slots=True)
class MixNode:
    """One new node of the mix: its shape and pods per group."""

    shape: str
    pods: tuple[tuple[str, int], ...]


@dataclass(slots=True)
class CheapestMix:
    """The cheapest mix found and its proven lower bound (prices per hour, exact)."""

    nodes: list[MixNode]
    cost: Fraction
    lower_bound: Fraction
    bound_method: str
    proven: bool
    method: str
    unplaceable: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    relaxation: Fraction = Fraction(0)
    """The certified relaxation bound before rounding to a sum of node prices."""

    @property
    def counts(self) -> dict[str, int]:
        """Nodes per shape, shapes in name order."""
        out: dict[str, int] = {}
        for node in self.nodes:
            out[node.shape] = out.get(node.shape, 0) + 1
        return dict(sorted(out.items()))

    @property
    def gap(self) -> Fraction:
        return self.cost - self.lower_bound

    def to_dict(self) -> dict[str, Any]:
        """``{"nodes": {shape: count}, "costPerHour", "lowerBound", "gap", ...}``: numbers
        with at most 6 decimals — the bound rounded down, the cost exact (a sum of the
        given prices), the gap rounded up — plus the exact values as text."""
        return {
            "nodes": self.counts,
            "costPerHour": _number(self.cost, down=False),
            "lowerBound": _number(self.lower_bound, down=True),
            "gap": _number(self.gap, down=False),
            "proven": self.proven,
            "method": self.method,
            "boundMethod": self.bound_method,
            "exact": {
                "costPerHour": _text(self.cost),
                "lowerBound": _text(self.lower_bound),
                "relaxation": _text(self.relaxation),
            },
            "unplaceable": dict(sorted(self.unplaceable.items())),
            "placement": [
                {"node": f"{n.shape}-{i + 1}", "shape": n.shape, "pods": dict(n.pods)}
                for i, n in enumerate(self.nodes)
            ],
            "notes": list(self.notes),
        }


def _number(value: Fraction, *, down: bool) -> float | int:
    """``value`` at 6 decimals (floor or ceiling) as a JSON number."""
    scaled = value * 10**6
    whole = math.floor(scaled) if down else math.ceil(scaled)
    if whole % 10**6 == 0:
        return whole // 10**6
    return float(Fraction(whole, 10**6))


def _text(value: Fraction) -> str:
    from podfit.planning.nodes_needed import _price_text

    return _price_text(value)


# ------------------------------------------------------------------------------- model


@dataclass(slots=True)
class _Shape:
    name: str
    price: Fraction
    template: NodeTemplate
    free: tuple[int, ...]
    groups: dict[str, PodGroup]  # placeable groups, by name
    packing: list[dict[str, int]]  # the shape's own packing, pods per group per node


def _shapes(plan: NodesPlan) -> list[_Shape]:
    out = []
    for p in plan.plans:
        if p.shape.price is None:
            raise ConfigError(
                f"the cheapest mix needs a price for every shape; {p.shape.name} has none "
                "(give SHAPE@PRICE or a region)",
                "shapes",
            )
        if p.shape.price <= 0:
            # the bound divides by each price; a free node makes "cheapest" meaningless
            raise ConfigError(
                f"the cheapest mix needs a price above 0 for every shape; {p.shape.name} "
                f"costs {_text(p.shape.price)}",
                "shapes",
            )
        groups = {
            g.name: g
            for g in p.problem.groups
            if g.count and g.name not in p.unplaceable and g.name not in _empty_misfits(p)
        }
        out.append(
            _Shape(
                p.shape.name,
                p.shape.price,
                p.problem.template,
                p.problem.template.fresh_free(),
                groups,
                [dict(n.pods) for n in p.packing.nodes],
            )
        )
    return out


def _empty_misfits(plan: ShapePlan) -> set[str]:
    free = plan.problem.template.fresh_free()
    ports = plan.problem.template.reserved_ports
    return {g.name for g in plan.problem.groups if not copies_that_fit(free, ports, g, 1)}


def _fits(shape: _Shape, pods: dict[str, int]) -> bool:
    """Whether one new node of ``shape`` takes ``pods`` (the packers' fit rule)."""
    free = list(shape.free)
    ports: list[HostPort] = list(shape.template.reserved_ports)
    for name, count in pods.items():
        group = shape.groups.get(name)
        if group is None or copies_that_fit(free, ports, group, count) < count:
            return False
        for d, r in enumerate(group.requests):
            free[d] -= r * count
        ports.extend(group.host_ports * count)
    return True


def _conflicts(groups: Sequence[PodGroup]) -> list[tuple[str, ...]]:
    """Groups that bind host ports, each with every group it conflicts with (itself
    included: two pods of one group never share a node)."""
    out = []
    for a in groups:
        if not a.host_ports:
            continue
        clique = tuple(
            b.name
            for b in groups
            if b.host_ports and any(p.conflicts(q) for p in a.host_ports for q in b.host_ports)
        )
        out.append(clique)
    return sorted(set(out))


# ------------------------------------------------------------------------- lower bound


@dataclass(slots=True)
class _Dual:
    """Dual prices: per shape and resource (``v``), per shape and port clique (``w``)."""

    v: dict[tuple[str, int], Fraction]
    w: dict[tuple[str, tuple[str, ...]], Fraction]


def _certified_bound(
    shapes: Sequence[_Shape],
    demand: dict[str, int],
    cliques: list[tuple[str, ...]],
    dual: _Dual,
) -> Fraction:
    """The exact bound of a dual vector: clipped at 0, scaled per shape until a node's
    priced room costs at most its price, then Σ pods × the cheapest way to hold a pod."""
    width = len(shapes[0].free) if shapes else 0
    scaled_v: dict[tuple[str, int], Fraction] = {}
    scaled_w: dict[tuple[str, tuple[str, ...]], Fraction] = {}
    for s in shapes:
        v = [max(Fraction(0), dual.v.get((s.name, d), Fraction(0))) for d in range(width)]
        w = {c: max(Fraction(0), dual.w.get((s.name, c), Fraction(0))) for c in cliques}
        load = sum((max(0, f) * x for f, x in zip(s.free, v, strict=True)), Fraction(0))
        load += sum(w.values(), Fraction(0))
        factor = s.price / load if load > s.price else Fraction(1)
        for d in range(width):
            scaled_v[s.name, d] = v[d] * factor
        for c in cliques:
            scaled_w[s.name, c] = w[c] * factor
    total = Fraction(0)
    for name, count in demand.items():
        best: Fraction | None = None
        for s in shapes:
            group = s.groups.get(name)
            if group is None:
                continue
            value = sum(
                (r * scaled_v[s.name, d] for d, r in enumerate(group.requests)), Fraction(0)
            )
            value += sum((scaled_w[s.name, c] for c in cliques if name in c), Fraction(0))
            best = value if best is None or value < best else best
        total += count * (best or Fraction(0))
    return total


def _resource_duals(shapes: Sequence[_Shape]) -> list[_Dual]:
    """Per resource: every shape prices a unit at the cheapest price per unit of any
    shape (a closed-form dual vector: feasible by construction)."""
    width = len(shapes[0].free) if shapes else 0
    out = []
    for d in range(width):
        rates = [s.price / s.free[d] for s in shapes if s.free[d] > 0]
        if not rates:
            continue
        rate = min(rates)
        out.append(_Dual({(s.name, d): rate for s in shapes}, {}))
    return out


def _ortools(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _lp_dual(
    shapes: Sequence[_Shape], demand: dict[str, int], cliques: list[tuple[str, ...]]
) -> _Dual | None:
    """The LP relaxation's dual values (GLOP), or None without OR-tools or a solution."""
    pywraplp = _ortools("ortools.linear_solver.pywraplp")
    if pywraplp is None:
        return None
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    inf = solver.infinity()
    y = {s.name: solver.NumVar(0, inf, f"y[{s.name}]") for s in shapes}
    x = {
        (g, s.name): solver.NumVar(0, inf, f"x[{g},{s.name}]")
        for s in shapes
        for g in s.groups
        if g in demand
    }
    for g, count in demand.items():
        solver.Add(sum(x[g, s.name] for s in shapes if (g, s.name) in x) >= count)
    rows: dict[tuple[str, int], Any] = {}
    clique_rows: dict[tuple[str, tuple[str, ...]], Any] = {}
    for s in shapes:
        for d, free in enumerate(s.free):
            users = [(g, grp.requests[d]) for g, grp in s.groups.items() if grp.requests[d]]
            users = [(g, r) for g, r in users if (g, s.name) in x]
            if users:
                rows[s.name, d] = solver.Add(
                    max(0, free) * y[s.name] - sum(r * x[g, s.name] for g, r in users) >= 0
                )
        for c in cliques:
            members = [g for g in c if (g, s.name) in x]
            if members:
                clique_rows[s.name, c] = solver.Add(
                    y[s.name] - sum(x[g, s.name] for g in members) >= 0
                )
    solver.Minimize(sum(float(s.price) * y[s.name] for s in shapes))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return _Dual(
        {k: Fraction(row.dual_value()).limit_denominator(10**9) for k, row in rows.items()},
        {k: Fraction(row.dual_value()).limit_denominator(10**9) for k, row in clique_rows.items()},
    )


# ------------------------------------------------------------------------ the mix itself


def _rehome(shapes: Sequence[_Shape], pods: dict[str, int], current: _Shape) -> _Shape:
    """The cheapest shape (then name order) whose new node holds ``pods``."""
    for s in sorted(shapes, key=lambda s: (s.price, s.name)):
        if s.price >= current.price:
            break
        if _fits(s, pods):
            return s
    return current


def _greedy_pattern(
    shape: _Shape, value: dict[str, Fraction], left: dict[str, int]
) -> dict[str, int]:
    """A node of ``shape`` filled greedily with the pods worth most per unit of room."""

    def density(g: PodGroup) -> Fraction:
        room = sum(
            (Fraction(r, f) for r, f in zip(g.requests, shape.free, strict=True) if f > 0 and r),
            Fraction(0),
        )
        return value.get(g.name, Fraction(0)) / room if room else Fraction(0)

    pods: dict[str, int] = {}
    free = list(shape.free)
    ports: list[HostPort] = list(shape.template.reserved_ports)
    for g in sorted(shape.groups.values(), key=lambda g: (-density(g), g.name)):
        if not left.get(g.name):
            continue
        k = copies_that_fit(free, ports, g, left[g.name])
        if k:
            pods[g.name] = k
            for d, r in enumerate(g.requests):
                free[d] -= r * k
            ports.extend(g.host_ports * k)
    return pods


def _patterns(
    shapes: Sequence[_Shape], demand: dict[str, int], value: dict[str, Fraction]
) -> list[tuple[_Shape, dict[str, int]]]:
    """Candidate nodes: every shape's own packing, re-homed nodes, LP-guided fills."""
    seen: set[tuple[str, tuple[tuple[str, int], ...]]] = set()
    out: list[tuple[_Shape, dict[str, int]]] = []

    def add(shape: _Shape, pods: dict[str, int]) -> None:
        pods = {g: c for g, c in pods.items() if c}
        key = (shape.name, tuple(sorted(pods.items())))
        if pods and key not in seen and _fits(shape, pods):
            seen.add(key)
            out.append((shape, pods))

    for s in shapes:
        for pods in s.packing:
            add(s, pods)
            add(_rehome(shapes, pods, s), pods)
        if value:
            add(s, _greedy_pattern(s, value, demand))
    return out


MAX_ROUNDING_STEPS = 1_000_000
"""The rounding of the bound to an achievable price sums at most this many amounts."""


def _round_up_to_prices(bound: Fraction, prices: Sequence[Fraction]) -> Fraction:
    """The least total price of whole nodes that is at least ``bound``: every mix costs a
    sum of node prices, so none costs less (a valid, stronger bound). Exact: prices scaled
    to integers; the sums reachable up to bound + the dearest price are marked (unbounded
    knapsack) when that is at most ``MAX_ROUNDING_STEPS`` amounts, else the bound is
    rounded up to a multiple of the prices' greatest common divisor."""
    positive = sorted({p for p in prices if p > 0})
    if bound <= 0 or not positive:
        return max(bound, Fraction(0))
    scale = _scale(positive)
    units = [int(p * scale) for p in positive]
    target = math.ceil(bound * scale)
    step = math.gcd(*units)
    limit = target + max(units)
    if limit // step > MAX_ROUNDING_STEPS:
        return Fraction(-(-target // step) * step, scale)
    reachable = bytearray(limit // step + 1)
    reachable[0] = 1
    small = [u // step for u in units]
    for amount in range(1, len(reachable)):
        if any(amount >= u and reachable[amount - u] for u in small):
            reachable[amount] = 1
            if amount * step >= target:
                return Fraction(amount * step, scale)
    return Fraction(-(-target // step) * step, scale)  # not reached: a single price suffices


#: Seconds a solver may run past the caller's deadline: a solve stopped by its wall-clock
#: limit has then certainly passed the deadline, which the next check turns into the
#: caller's error, so a plan never depends on the machine's speed.
WALL_MARGIN = 0.05

#: The phase the deadline names while the cheapest mix is computed.
PHASE = "the cheapest mix"


def _wall_limit(deadline: Deadline) -> float | None:
    """Seconds of wall time a solver may use: what is left of ``deadline`` plus
    :data:`WALL_MARGIN` (``None`` without a deadline)."""
    if deadline.at is None:
        return None
    return max(deadline.left(), 0.0) + WALL_MARGIN


def _solver(cp_model: Any, time_limit: float, deadline: Deadline = NO_DEADLINE) -> Any:
    """A CP-SAT solver whose answer depends only on its input: one worker, a fixed seed
    and a *deterministic* time limit (the solver's own work units, about seconds), so the
    same plan comes back on any machine and under any load. With a ``deadline``, a
    wall-clock limit just past it too (:func:`_wall_limit`): the callers check the
    deadline after each solve, so such a stop ends the work instead of changing it."""
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = float(time_limit)
    wall = _wall_limit(deadline)
    if wall is not None:
        solver.parameters.max_time_in_seconds = wall
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    return solver


def _pricing(
    shape: _Shape,
    weights: dict[str, int],
    demand: dict[str, int],
    cliques: list[tuple[str, ...]],
    time_limit: float,
    spent: list[float],
    deadline: Deadline = NO_DEADLINE,
) -> tuple[dict[str, int], int] | None:
    """The node of ``shape`` worth most at integer ``weights`` per pod (at most the
    demand of each group): (pods, a proven upper bound on that worth), by CP-SAT;
    ``spent[0]`` grows by the solver's deterministic time."""
    cp_model = _ortools("ortools.sat.python.cp_model")
    if cp_model is None:
        return None
    model = cp_model.CpModel()
    take = {}
    for g, grp in shape.groups.items():
        if weights.get(g, 0) <= 0:
            continue
        cap = copies_that_fit(shape.free, shape.template.reserved_ports, grp, demand.get(g, 0))
        if cap:
            take[g] = model.NewIntVar(0, cap, f"k[{g}]")
    if not take:
        return {}, 0
    for d, free in enumerate(shape.free):
        users = [(g, shape.groups[g].requests[d]) for g in take if shape.groups[g].requests[d]]
        if users:
            model.Add(sum(r * take[g] for g, r in users) <= max(0, free))
    for c in cliques:
        members = [take[g] for g in c if g in take]
        if len(members) > 1:
            model.Add(sum(members) <= 1)
    model.Maximize(sum(weights[g] * v for g, v in take.items()))
    solver = _solver(cp_model, time_limit, deadline)
    status = solver.Solve(model)
    deadline.check(PHASE)
    spent[0] += float(solver.deterministic_time)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    pods = {g: int(solver.Value(v)) for g, v in take.items() if solver.Value(v)}
    return pods, math.floor(solver.BestObjectiveBound() + 1e-6)


def _column_generation(
    shapes: Sequence[_Shape],
    demand: dict[str, int],
    cliques: list[tuple[str, ...]],
    patterns: list[tuple[_Shape, dict[str, int]]],
    time_limit: float,
    rounds: int = 30,
    deadline: Deadline = NO_DEADLINE,
) -> tuple[Fraction, list[float]]:
    """Gilmore–Gomory column generation: the covering LP over ``patterns`` (GLOP) gives
    each group a dual price; per shape, the node worth most at those prices (CP-SAT) is
    added while it beats the shape's price. ``patterns`` grows in place. Returns Farley's
    bound, certified exactly: with integer weights W (the duals scaled), every node of
    shape s is worth at most M_s (the pricing's proven bound), so any mix costs at least
    W·demand / max_s(M_s / price_s). Stops after ``rounds``, when no node beats its price
    or when the pricing has used ``time_limit`` (deterministic seconds). Returns the
    bound (0 without OR-tools) and the last LP's value of each pattern (how many nodes)."""
    pywraplp = _ortools("ortools.linear_solver.pywraplp")
    if pywraplp is None or not demand:
        return Fraction(0), []
    best = Fraction(0)
    values: list[float] = []
    spent = [0.0]
    per_solve = max(0.05, time_limit / (4 * rounds * max(1, len(shapes))))
    for _ in range(rounds):
        deadline.check(PHASE)
        solver = pywraplp.Solver.CreateSolver("GLOP")
        wall = _wall_limit(deadline)
        if wall is not None:
            solver.SetTimeLimit(math.ceil(wall * 1000))
        z = [solver.NumVar(0, solver.infinity(), f"z{i}") for i in range(len(patterns))]
        rows = {}
        for g, count in demand.items():
            users = [(i, pods[g]) for i, (_, pods) in enumerate(patterns) if pods.get(g)]
            rows[g] = solver.Add(sum(c * z[i] for i, c in users) >= count)
        solver.Minimize(sum(float(s.price) * z[i] for i, (s, _) in enumerate(patterns)))
        status = solver.Solve()
        deadline.check(PHASE)
        if status != pywraplp.Solver.OPTIMAL:
            return best, values
        values = [v.solution_value() for v in z]
        weights = {g: max(0, round(row.dual_value() * 10**6)) for g, row in rows.items()}
        added = False
        ratios: list[Fraction] = []
        known = {(p.name, tuple(sorted(q.items()))) for p, q in patterns}
        for s in shapes:
            priced = _pricing(s, weights, demand, cliques, per_solve, spent, deadline)
            if priced is None:
                return best, values
            pods, upper = priced
            ratios.append(Fraction(upper, 1) / s.price)
            worth = sum(weights[g] * c for g, c in pods.items())
            key = (s.name, tuple(sorted(pods.items())))
            if pods and worth > s.price * 10**6 * (1 + Fraction(1, 10**6)) and key not in known:
                known.add(key)
                patterns.append((s, pods))
                added = True
        top = max(ratios, default=Fraction(0))
        if top > 0:
            best = max(best, sum((weights[g] * n for g, n in demand.items()), Fraction(0)) / top)
        if not added or spent[0] >= time_limit:
            break
    return best, values


def _scale(prices: Sequence[Fraction]) -> int:
    return math.lcm(*(p.denominator for p in prices)) if prices else 1


def _lp_rounding(
    patterns: list[tuple[_Shape, dict[str, int]]], demand: dict[str, int], values: list[float]
) -> list[int] | None:
    """Copies of each pattern: the LP's values rounded down, the pods they leave covered
    by the greedy cover (None when the greedy cover cannot)."""
    if len(values) != len(patterns):
        return None
    counts = [math.floor(v + 1e-9) for v in values]
    left = dict(demand)
    for (_, pods), k in zip(patterns, counts, strict=True):
        for g, c in pods.items():
            if g in left:
                left[g] = max(0, left[g] - c * k)
    rest = _greedy_cover(patterns, left)
    if rest is None:
        return None
    index = {id(p[1]): i for i, p in enumerate(patterns)}
    for _, pods in rest:
        counts[index[id(pods)]] += 1
    return counts


def _cover(
    patterns: list[tuple[_Shape, dict[str, int]]],
    demand: dict[str, int],
    time_limit: float,
    hint: list[int] | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> list[int] | None:
    """How many of each pattern cover ``demand`` at the lowest price (CP-SAT), starting
    from ``hint`` (copies per pattern) when given."""
    cp_model = _ortools("ortools.sat.python.cp_model")
    if cp_model is None or not patterns:
        return None
    scale = _scale([s.price for s, _ in patterns])
    model = cp_model.CpModel()
    upper = max(demand.values(), default=0)
    z = [model.NewIntVar(0, upper, f"z{i}") for i in range(len(patterns))]
    for g, count in demand.items():
        users = [(i, pods[g]) for i, (_, pods) in enumerate(patterns) if pods.get(g)]
        if not users:
            return None
        model.Add(sum(c * z[i] for i, c in users) >= count)
    model.Minimize(sum(int(s.price * scale) * z[i] for i, (s, _) in enumerate(patterns)))
    if hint is not None:
        for var, value in zip(z, hint, strict=True):
            model.AddHint(var, min(value, upper))
    solver = _solver(cp_model, time_limit, deadline)
    status = solver.Solve(model)
    deadline.check(PHASE)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [int(solver.Value(v)) for v in z]


def _greedy_cover(
    patterns: list[tuple[_Shape, dict[str, int]]], demand: dict[str, int]
) -> list[tuple[_Shape, dict[str, int]]] | None:
    """Chvátal's greedy set cover: repeatedly the pattern with the lowest price per pod
    it still covers (ties: first candidate); None if some pods no pattern holds."""
    left = dict(demand)
    chosen: list[tuple[_Shape, dict[str, int]]] = []
    while any(left.values()):
        best: tuple[Fraction, int] | None = None
        for i, (shape, pods) in enumerate(patterns):
            covered = sum(min(c, left.get(g, 0)) for g, c in pods.items())
            if covered and (best is None or shape.price / covered < best[0]):
                best = (shape.price / covered, i)
        if best is None:
            return None
        shape, pods = patterns[best[1]]
        # while every place of the pattern is still wanted its price per pod stays the
        # same, so it stays the best: take those copies at once
        full = min((left.get(g, 0) // c for g, c in pods.items()), default=0)
        for _ in range(max(1, full)):
            chosen.append((shape, pods))
            for g, c in pods.items():
                if g in left:
                    left[g] = max(0, left[g] - c)
    return chosen


def _trim(
    chosen: list[tuple[_Shape, dict[str, int]]], demand: dict[str, int]
) -> list[tuple[_Shape, dict[str, int]]]:
    """Drop the surplus places of a cover (from the last nodes first) and empty nodes."""
    placed: dict[str, int] = {}
    for _, pods in chosen:
        for g, c in pods.items():
            placed[g] = placed.get(g, 0) + c
    surplus = {g: placed.get(g, 0) - demand.get(g, 0) for g in placed}
    out: list[tuple[_Shape, dict[str, int]]] = []
    for shape, pods in reversed(chosen):
        kept = dict(pods)
        for g, c in pods.items():
            cut = min(c, surplus.get(g, 0))
            if cut:
                kept[g] = c - cut
                surplus[g] -= cut
        kept = {g: c for g, c in kept.items() if c}
        if kept:
            out.append((shape, kept))
    out.reverse()
    return out


def _price_of(nodes: Sequence[tuple[_Shape, dict[str, int]]]) -> Fraction:
    return sum((s.price for s, _ in nodes), Fraction(0))


def _exact(
    shapes: Sequence[_Shape],
    demand: dict[str, int],
    cliques: list[tuple[str, ...]],
    hint: Sequence[tuple[_Shape, dict[str, int]]],
    time_limit: float,
    deadline: Deadline = NO_DEADLINE,
) -> tuple[list[tuple[_Shape, dict[str, int]]] | None, Fraction | None, bool, str]:
    """CP-SAT over candidate nodes of every shape: (nodes, proven bound, optimal, note)."""
    cp_model = _ortools("ortools.sat.python.cp_model")
    if cp_model is None:
        return None, None, False, "exact mode needs OR-tools: pip install 'podfit[optimal]'"
    slots = {
        s.name: max(len(s.packing), sum(1 for h, _ in hint if h.name == s.name)) for s in shapes
    }
    size = sum(slots[s.name] * (len(s.groups) + 1) for s in shapes)
    if size > MAX_EXACT_VARIABLES:
        return None, None, False, f"exact mode skipped: {size} variables > {MAX_EXACT_VARIABLES}"
    scale = _scale([s.price for s in shapes])
    model = cp_model.CpModel()
    used: dict[tuple[str, int], Any] = {}
    count: dict[tuple[str, int, str], Any] = {}
    for s in shapes:
        for j in range(slots[s.name]):
            used[s.name, j] = model.NewBoolVar(f"y[{s.name},{j}]")
            for g, grp in s.groups.items():
                cap = copies_that_fit(s.free, s.template.reserved_ports, grp, demand.get(g, 0))
                count[s.name, j, g] = model.NewIntVar(0, cap, f"n[{s.name},{j},{g}]")
                model.Add(count[s.name, j, g] <= cap * used[s.name, j])
            for d, free in enumerate(s.free):
                users = [(g, grp.requests[d]) for g, grp in s.groups.items() if grp.requests[d]]
                if users:
                    model.Add(
                        sum(r * count[s.name, j, g] for g, r in users)
                        <= max(0, free) * used[s.name, j]
                    )
            for c in cliques:
                members = [count[s.name, j, g] for g in c if g in s.groups]
                if len(members) > 1:
                    model.Add(sum(members) <= 1)
            if j:
                model.Add(used[s.name, j - 1] >= used[s.name, j])
    for g, total in demand.items():
        model.Add(sum(v for (_, _, gg), v in count.items() if gg == g) == total)
    model.Minimize(
        sum(int(s.price * scale) * used[s.name, j] for s in shapes for j in range(slots[s.name]))
    )
    position: dict[str, int] = {}
    for shape, pods in hint:
        j = position.get(shape.name, 0)
        position[shape.name] = j + 1
        model.AddHint(used[shape.name, j], 1)
        for g in shape.groups:
            model.AddHint(count[shape.name, j, g], pods.get(g, 0))
    deadline.check(PHASE)
    solver = _solver(cp_model, time_limit, deadline)
    status = solver.Solve(model)
    deadline.check(PHASE)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, None, False, "exact mode found no solution in the time limit"
    nodes = []
    for s in shapes:
        for j in range(slots[s.name]):
            if solver.Value(used[s.name, j]):
                pods = {g: int(solver.Value(count[s.name, j, g])) for g in s.groups}
                pods = {g: c for g, c in pods.items() if c}
                if pods:
                    nodes.append((s, pods))
    bound = Fraction(math.ceil(solver.BestObjectiveBound() - 1e-6), scale)
    return nodes, bound, status == cp_model.OPTIMAL, ""


def cheapest_mix(
    plan: NodesPlan,
    *,
    exact: bool = False,
    time_limit: float = 10.0,
    deadline: Deadline = NO_DEADLINE,
) -> CheapestMix:
    """The cheapest mix of the plan's shapes for its pending pods (module doc).

    ``deadline`` is checked between the steps and after every solve, and caps each
    solver's wall time (:func:`_solver`): past it, its ``expired`` raises. Without one
    the answer depends only on the input (deterministic solver limits).

    Raises ``ConfigError`` when a shape has no price, or when the plan has zones (its
    nodes are the scheduler's run on zoned nodes; a mix is packed as bins, and would not
    honour zone spreading). Cost: one LP of groups × shapes
    variables, one covering IP over the candidate nodes (both bounded by ``time_limit``
    seconds), O(nodes × shapes) re-homing; exact mode adds a CP-SAT model of candidate
    nodes × groups variables.
    """
    if plan.zones:
        raise ConfigError(
            "the cheapest mix does not model zones: its nodes are packed as bins, which "
            "would not honour zone spreading or affinity; plan without zones for a mix",
            "mix",
        )
    shapes = _shapes(plan)
    wanted = {g.name: g.count for g, _ in plan.groups if g.count}
    demand = {g: c for g, c in wanted.items() if any(g in s.groups for s in shapes)}
    unplaceable = {g: c for g, c in wanted.items() if g not in demand}
    notes: list[str] = []
    all_groups = {g: grp for s in shapes for g, grp in s.groups.items()}
    cliques = _conflicts(list(all_groups.values()))

    dual = _lp_dual(shapes, demand, cliques)
    candidates = _resource_duals(shapes) + ([dual] if dual is not None else [])
    bound = max(
        (_certified_bound(shapes, demand, cliques, d) for d in candidates), default=Fraction(0)
    )
    bound_method = "lp-relaxation" if dual is not None else "cheapest-resource"
    if dual is None:
        notes.append("lower bound without OR-tools: cheapest price per unit of one resource")

    value: dict[str, Fraction] = {}
    if dual is not None:
        for g in demand:
            value[g] = min(
                sum(
                    (
                        r * dual.v.get((s.name, d), Fraction(0))
                        for d, r in enumerate(s.groups[g].requests)
                    ),
                    Fraction(0),
                )
                for s in shapes
                if g in s.groups
            )
    deadline.check(PHASE)
    patterns = _patterns(shapes, demand, value)
    farley, lp_values = _column_generation(
        shapes, demand, cliques, patterns, time_limit / 4, deadline=deadline
    )
    if farley > bound:
        bound, bound_method = farley, "column-generation"
    relaxation = bound
    if demand:
        bound = _round_up_to_prices(bound, [s.price for s in shapes])
    best: list[tuple[_Shape, dict[str, int]]] | None = None
    method = "single-shape"
    for s in shapes:  # every complete single-shape plan is a mix, re-homed or not
        own = [(s, pods) for pods in s.packing]
        if not _covers(own, demand):
            continue
        rehomed = [(_rehome(shapes, pods, s), pods) for pods in s.packing]
        for label, nodes in (("single-shape", own), ("re-homed", rehomed)):
            if best is None or _price_of(nodes) < _price_of(best):
                best, method = nodes, label
    rounded = _lp_rounding(patterns, demand, lp_values)
    counts = _cover(patterns, demand, time_limit / 2, rounded, deadline)
    covers = [("greedy-cover", _greedy_cover(patterns, demand))]
    if rounded is not None:
        covers.append(
            ("lp-rounding", [patterns[i] for i, k in enumerate(rounded) for _ in range(k)])
        )
    if counts is not None:
        covers.append(
            ("pattern-cover", [patterns[i] for i, k in enumerate(counts) for _ in range(k)])
        )
    for label, chosen in covers:
        if chosen is None:
            continue
        chosen = [(_rehome(shapes, pods, s), pods) for s, pods in _trim(chosen, demand)]
        if best is None or _price_of(chosen) < _price_of(best):
            best, method = chosen, label
    proven = False
    if exact and best is not None:
        found, exact_bound, optimal, note = _exact(
            shapes, demand, cliques, best, time_limit, deadline
        )
        if note:
            notes.append(note)
        if found is not None and _covers(found, demand) and _price_of(found) <= _price_of(best):
            best, method = found, "exact"
        if exact_bound is not None:
            bound = max(bound, exact_bound)
        proven = optimal and method == "exact"
    if best is None:
        raise ConfigError("no shape can take all the pending pods of any group", "shapes")
    cost = _price_of(best)
    if proven:
        bound = cost
    assert bound <= cost, (bound, cost)  # weak duality: a certified bound never exceeds a mix
    mix_nodes = [
        MixNode(s.name, tuple(sorted(p.items()))) for s, p in sorted(best, key=lambda n: n[0].name)
    ]
    return CheapestMix(
        mix_nodes,
        cost,
        bound,
        bound_method if not proven else "exact",
        proven or bound == cost,
        method,
        unplaceable,
        notes,
        relaxation,
    )


def _covers(nodes: Sequence[tuple[_Shape, dict[str, int]]], demand: dict[str, int]) -> bool:
    placed: dict[str, int] = {}
    for _, pods in nodes:
        for g, c in pods.items():
            placed[g] = placed.get(g, 0) + c
    return all(placed.get(g, 0) >= c for g, c in demand.items())
