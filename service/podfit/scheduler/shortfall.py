"""Why a Pending pod does not fit, in numbers, and the smallest change that would fix it.

:func:`shortfall` returns a JSON-ready dict:

* ``resources``: for every resource the pod requests (and ``pods``, one slot), the request,
  the **largest free amount on any node** and the first node (input order) having it;
* ``reasons``: how many nodes failed for each reason (the FailedScheduling histogram);
* ``unavailable``: resources whose request exceeds every node's whole allocatable (no
  freeing helps; only a different node shape does);
* ``fix``: three candidate changes, each null when it cannot help:

  - ``shrinkRequest``: the node where the pod fits if only its short requests shrink to
    that node's free amounts, choosing the smallest relative cut (Σ cut/request);
  - ``freeOnNode``: the node where freeing the least (Σ deficit/allocatable, pod slots
    included) lets the pod in; only nodes that fail nothing but NodeResourcesFit, and
    whose allocatable could hold the request, count;
  - ``addNode``: one more node shaped like the largest node (cpu, then memory) on which
    the pod fits when that node is empty (same labels and taints);

* ``constraints`` (only when PodTopologySpread or InterPodAffinity rejected nodes): per
  such reason, the plugin, the reason, how many nodes gave it, the topology keys of the
  pod's terms or constraints behind it, and what would fix it in words — a node in
  another topology domain (for ``kubernetes.io/hostname``: another node), one whose
  domain runs a matching pod (affinity), one with fewer matching pods (spreading) or
  nodes carrying the key (spreading's missing label). Resources are not the problem
  there: a line built from the shortfall names these first.

Ties go to the first node in input order. Costs are screened in floating point and the
near-best candidates compared again as exact fractions, so the choice is exact.
Cost: one pass over the nodes, O(nodes × requested resources), plus O(node shapes) filter
runs for ``addNode``; a :class:`ShortfallTracker` kept per pod template redoes only the
nodes that changed since its previous Pending pod.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from podfit.resources import CPU, MEMORY, PODS, format_amount
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.filters import NODE_RESOURCES_FIT, FilterStatus, run_filters
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.inter_pod_affinity import (
    INTER_POD_AFFINITY,
    REASON_EXISTING_ANTI_AFFINITY,
    REASON_POD_AFFINITY,
    REASON_POD_ANTI_AFFINITY,
)
from podfit.scheduler.plugins.pod_topology_spread import (
    HOSTNAME,
    POD_TOPOLOGY_SPREAD,
    REASON_CONSTRAINTS_NOT_MATCH,
    REASON_NODE_LABEL_NOT_MATCH,
    constraints_for,
)
from podfit.topology import DO_NOT_SCHEDULE

_SLACK = 1e-9  # relative float error far above what a handful of divisions can produce
_INF = float("inf")


def node_shapes(nodes: Sequence[NodeInfo]) -> list[int]:
    """One representative node index per distinct shape (allocatable, labels, taints,
    cordon), largest first (cpu, then memory, then input order)."""
    order = sorted(
        range(len(nodes)),
        key=lambda i: (-nodes[i].allocatable.get(CPU, 0), -nodes[i].allocatable.get(MEMORY, 0), i),
    )
    seen: set[tuple[object, ...]] = set()
    out: list[int] = []
    for i in order:
        node = nodes[i]
        shape = (
            tuple(sorted(node.allocatable.items())),
            tuple(sorted(node.labels.items())),
            node.taints,
            node.unschedulable,
        )
        if shape not in seen:
            seen.add(shape)
            out.append(i)
    return out


def _pick(
    costs: list[float],
    details: list[dict[str, int] | None],
    exact: Callable[[dict[str, int], int], Fraction],
    signature: Callable[[dict[str, int], int], object],
    signatures: list[object],
) -> tuple[int, dict[str, int]] | None:
    """The node with the smallest exact cost (first index on ties), screened by float.

    ``costs[i]`` is node i's float cost (``inf``: not a candidate). Nodes within a
    relative 1e-9 of the float minimum are compared exactly; equal ``signature`` means
    equal exact cost, so identical nodes cost one Fraction sum. A node's signature is kept
    in ``signatures[i]`` (None: not built since the node last changed).
    """
    best = min(costs, default=_INF)
    if best == _INF:
        return None
    limit = best + abs(best) * _SLACK + 1e-300
    memo: dict[object, Fraction] = {}
    winner: tuple[Fraction, int, dict[str, int]] | None = None
    winner_key: object = None
    for i, cost in enumerate(costs):  # node order: the first of equal costs wins
        if cost > limit:
            continue
        detail = details[i]
        assert detail is not None
        key = signatures[i]
        if key is None:
            key = signatures[i] = signature(detail, i)
        if key == winner_key:
            continue  # same exact cost as the current winner, which comes first
        value = memo.get(key)
        if value is None:
            value = memo[key] = exact(detail, i)
        if winner is None or value < winner[0]:
            winner = (value, i, detail)
            winner_key = key
    assert winner is not None
    return winner[1], winner[2]


class ShortfallTracker:
    """The per-node inputs of :func:`shortfall` for one pod template, kept up to date.

    :meth:`result` first refreshes the nodes that changed since the last call (the
    scheduler's change log), then aggregates with C-level ``max``/``min`` over the
    per-node lists, so repeated Pending replicas cost O(changed nodes) plus a cheap pass.
    Node shapes, allocatable and labels never change during a run.
    """

    def __init__(
        self,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        cfg: SchedulerConfig,
        shapes: Sequence[int] | None = None,
    ) -> None:
        self.pod = pod
        self.nodes = nodes
        self.wanted = [(PODS, 1), *((r, v) for r, v in sorted(pod.requests.items()) if v > 0)]
        n = len(nodes)
        self.free: list[list[int]] = [[0] * n for _ in self.wanted]
        self.free_cost: list[float] = [_INF] * n
        self.free_detail: list[dict[str, int] | None] = [None] * n
        self.shrink_cost: list[float] = [_INF] * n
        self.shrink_detail: list[dict[str, int] | None] = [None] * n
        self.free_key: list[object] = [None] * n
        """Per candidate node, what its exact freeing cost depends on (its shortfall and
        the allocatable of the resources short), built by the first pick that needs it."""
        self.shrink_key: list[object] = [None] * n
        """Per candidate node, what its exact shrinking cost depends on (the cut), built
        by the first pick that needs it."""
        self.unavailable = [
            name
            for name, want in self.wanted
            if name != PODS and all(want > node.allocatable.get(name, 0) for node in nodes)
        ]
        self.add = _add_node(pod, nodes, cfg, shapes)
        self.synced = -1  # nothing computed yet

    def update(self, i: int, status: FilterStatus | None) -> None:
        """Recompute node ``i``'s free amounts and fix candidacy (O(requested resources))."""
        node = self.nodes[i]
        alloc = node.allocatable
        used = node.requested
        pod_requests = self.pod.requests
        fit_only = status is not None and status.plugin == NODE_RESOURCES_FIT
        short: dict[str, int] = {}
        frees: dict[str, int] = {}
        holdable = True
        for k, (name, want) in enumerate(self.wanted):
            cap = alloc.get(name, 0)
            free = cap - (len(node.pods) if name == PODS else used.get(name, 0))
            self.free[k][i] = free
            frees[name] = free
            if want > cap and name != PODS:
                holdable = False
            if fit_only and want > free:
                short[name] = want - free
        self.free_cost[i] = self.shrink_cost[i] = _INF
        self.free_detail[i] = self.shrink_detail[i] = None
        self.free_key[i] = self.shrink_key[i] = None
        if not short:
            return
        if holdable:  # freeing cannot help where a request exceeds the whole allocatable
            cost = 0.0
            for name, d in short.items():
                cost += d / (alloc.get(name, 0) or 1)
            self.free_cost[i] = cost
            self.free_detail[i] = short
        if PODS not in short and all(frees[r] > 0 for r in short):
            cut = {r: frees[r] for r in short}
            shrink = 0.0
            for name, v in cut.items():
                shrink += (pod_requests[name] - v) / pod_requests[name]
            self.shrink_cost[i] = shrink
            self.shrink_detail[i] = cut

    def result(
        self,
        statuses: Sequence[FilterStatus | None],
        changes: Sequence[int] = (),
        hist: Mapping[str, int] | None = None,
        preemption: tuple[int, tuple[PodInfo, ...]] | None = None,
    ) -> dict[str, Any]:
        """The shortfall document, after refreshing the nodes in ``changes[synced:]``."""
        self.refresh(statuses, changes)
        out: dict[str, Any] = {
            "resources": self.largest_free(),
            "reasons": {r: c for r, c in sorted(_histogram(statuses, hist).items()) if c > 0},
            "unavailable": list(self.unavailable),
            "fix": self.fixes(),
        }
        blocked = constraints(self.pod, out["reasons"])
        if blocked:
            out["constraints"] = blocked
        if preemption is not None:
            node_index, victims = preemption
            out["preemption"] = {
                "node": self.nodes[node_index].name,
                "victims": [f"{v.namespace}/{v.name}" for v in victims],
            }
        return out

    def refresh(self, statuses: Sequence[FilterStatus | None], changes: Sequence[int]) -> None:
        """Recompute every node on the first call, then the nodes in ``changes[synced:]``."""
        n_status = len(statuses)
        first = self.synced < 0
        todo: Iterable[int] = (
            range(len(self.nodes)) if first else dict.fromkeys(changes[self.synced :])
        )
        for i in todo:
            self.update(i, statuses[i] if i < n_status else None)
        self.synced = len(changes)

    def largest_free(self) -> dict[str, Any]:
        """Per wanted resource: the request, the largest free amount and its first node."""
        nodes = self.nodes
        resources: dict[str, Any] = {}
        for k, (name, want) in enumerate(self.wanted):
            column = self.free[k]
            top = max(column) if column else None
            resources[name] = {
                "request": format_amount(name, want),
                "largestFree": None if top is None else format_amount(name, top),
                "largestFreeNode": None if top is None else nodes[column.index(top)].name,
            }
        return resources

    def fixes(self) -> dict[str, Any]:
        """The three candidate fixes (module docstring), each None when it cannot help."""
        nodes = self.nodes
        pod_requests = self.pod.requests
        free_pick = _pick(
            self.free_cost,
            self.free_detail,
            lambda short, i: sum(
                (Fraction(d, nodes[i].allocatable.get(r, 0) or 1) for r, d in short.items()),
                Fraction(0),
            ),
            lambda short, i: (
                tuple(short.items()),
                tuple(nodes[i].allocatable.get(r, 0) for r in short),
            ),
            self.free_key,
        )
        shrink_pick = _pick(
            self.shrink_cost,
            self.shrink_detail,
            lambda cut, i: sum(
                (Fraction(pod_requests[r] - v, pod_requests[r]) for r, v in cut.items()),
                Fraction(0),
            ),
            lambda cut, i: tuple(cut.items()),
            self.shrink_key,
        )
        return {
            "shrinkRequest": None
            if shrink_pick is None
            else {
                "node": nodes[shrink_pick[0]].name,
                "requests": {r: format_amount(r, v) for r, v in sorted(shrink_pick[1].items())},
            },
            "freeOnNode": None
            if free_pick is None
            else {
                "node": nodes[free_pick[0]].name,
                "free": {r: format_amount(r, v) for r, v in sorted(free_pick[1].items())},
            },
            "addNode": None if self.add is None else {"like": self.add},
        }


_TOPOLOGY_REASONS = (
    REASON_POD_ANTI_AFFINITY,
    REASON_EXISTING_ANTI_AFFINITY,
    REASON_POD_AFFINITY,
    REASON_CONSTRAINTS_NOT_MATCH,
    REASON_NODE_LABEL_NOT_MATCH,
)
"""The reasons of the two cluster-dynamic plugins, in the order ``constraints`` lists them."""


def _keys(pod: PodInfo, reason: str) -> list[str]:
    """The topology keys of ``pod``'s terms or constraints behind ``reason``, first-seen
    order (none for existing pods' anti-affinity: those are the other pods' terms)."""
    aff = pod.pod_affinity
    if reason == REASON_POD_ANTI_AFFINITY:
        keys = [t.topology_key for t in aff.required_anti] if aff is not None else []
    elif reason == REASON_POD_AFFINITY:
        keys = [t.topology_key for t in aff.required] if aff is not None else []
    elif reason in (REASON_CONSTRAINTS_NOT_MATCH, REASON_NODE_LABEL_NOT_MATCH):
        keys = [c.topology_key for c in constraints_for(pod, DO_NOT_SCHEDULE)]
    else:
        keys = []
    return list(dict.fromkeys(keys))


def _domain(keys: Sequence[str]) -> str:
    """``another node`` for the hostname key alone, else ``a node in another <keys>
    domain``."""
    if list(keys) == [HOSTNAME]:
        return "another node (each node is its own kubernetes.io/hostname domain)"
    return f"a node in another {' / '.join(keys) or 'topology'} domain"


def _fix(reason: str, keys: Sequence[str]) -> str:
    """What would let the pod in past ``reason`` (module doc), in words."""
    if reason == REASON_POD_ANTI_AFFINITY:
        return f"{_domain(keys)} without a pod its anti-affinity matches"
    if reason == REASON_EXISTING_ANTI_AFFINITY:
        return (
            "a node in a topology domain where no running pod's required anti-affinity "
            "matches this pod"
        )
    if reason == REASON_POD_AFFINITY:
        return f"a node in a {' / '.join(keys)} domain that runs a pod its affinity matches"
    if reason == REASON_NODE_LABEL_NOT_MATCH:
        return f"nodes labelled {' and '.join(keys)} (nodes without the key are not counted)"
    return f"{_domain(keys)} with fewer matching pods (within maxSkew)"


def constraints(pod: PodInfo, reasons: Mapping[str, int]) -> list[dict[str, Any]]:
    """The ``constraints`` entries of the shortfall (module doc) for the reasons in
    ``reasons`` (reason → nodes) that PodTopologySpread or InterPodAffinity gave; empty
    when neither rejected a node. O(reasons + terms)."""
    out: list[dict[str, Any]] = []
    for reason in _TOPOLOGY_REASONS:
        count = reasons.get(reason, 0)
        if not count:
            continue
        keys = _keys(pod, reason)
        spread = reason in (REASON_CONSTRAINTS_NOT_MATCH, REASON_NODE_LABEL_NOT_MATCH)
        out.append(
            {
                "plugin": POD_TOPOLOGY_SPREAD if spread else INTER_POD_AFFINITY,
                "reason": reason,
                "nodes": count,
                "topologyKeys": keys,
                "fix": _fix(reason, keys),
            }
        )
    return out


def _histogram(
    statuses: Sequence[FilterStatus | None], hist: Mapping[str, int] | None
) -> Mapping[str, int]:
    """``hist`` if given, else how many nodes reported each reason in ``statuses``."""
    if hist is not None:
        return hist
    counts: Counter[str] = Counter()
    for st in statuses:
        if st is not None:
            counts.update(st.reasons)
    return counts


def shortfall(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    statuses: Sequence[FilterStatus | None],
    cfg: SchedulerConfig,
    preemption: tuple[int, tuple[PodInfo, ...]] | None = None,
    *,
    shapes: Sequence[int] | None = None,
    hist: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The structured shortfall of an unschedulable ``pod`` (see the module docstring),
    computed from scratch (:class:`ShortfallTracker` keeps it between replicas)."""
    tracker = ShortfallTracker(pod, nodes, cfg, shapes)
    return tracker.result(statuses, hist=hist, preemption=preemption)


def _add_node(
    pod: PodInfo, nodes: Sequence[NodeInfo], cfg: SchedulerConfig, shapes: Sequence[int] | None
) -> str | None:
    """The largest node shape whose empty copy admits ``pod`` (None if pinned to names)."""
    if pod.required_terms is not None and any(t.match_fields for t in pod.required_terms):
        return None  # pinned to named nodes: a new node cannot help
    fcfg = cfg.filter_config
    for i in node_shapes(nodes) if shapes is None else shapes:
        if run_filters(pod, nodes[i].without(()), fcfg) is None:
            return nodes[i].name
    return None
