"""Placement: the scheduling queue, the per-pod scheduling cycle and its fast indexes.

Semantics (one pod at a time, like kube-scheduler's ``scheduleOne``):

1. PreFilter: NodeAffinity's ``metadata.name`` terms may narrow the candidates (DaemonSet
   pods); the others are "absent" (``node(s) didn't satisfy plugin(s) [NodeAffinity]``).
2. Filter every candidate node in upstream plugin order, first failing plugin per node.
3. Exactly one feasible node → chosen without scoring. Otherwise score **every** feasible
   node (podfit does not sample ``numFeasibleNodesToFind`` nodes from a rotating start
   as kube-scheduler does in clusters of 100+ nodes: the answer is the best node by the
   default profile's scores, deterministic) and take the highest total.
4. Ties: kube-scheduler picks uniformly at random among the best; podfit takes the
   **first node in input order** and reports the whole tie set in the explanation.
5. No feasible node → the ``FailedScheduling`` message with the DefaultPreemption part.

Fast path: pods with the same :meth:`PodInfo.scheduling_key` form an equivalence class.
Each class keeps (:class:`ClassIndex`) every node's current filter status, the reason
histogram, and for the feasible nodes, per static score group, buckets by dynamic score
holding min-heaps of node indexes (best = smallest index in the highest bucket). Placing
a pod appends the node to a change log; a class catches up lazily (only the nodes that
changed since it was last used are re-filtered and re-scored), so a node that did not
change is never rescored. Decisions are identical to a full scan (:func:`evaluate`); the
tests check this on seeded random clusters.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple
from heapq import heappop, heappush
from typing import NamedTuple

from podfit import pods
from podfit.resources import is_extended
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.filters import (
    NODE_AFFINITY,
    NODE_PORTS,
    REASON_ABSENT,
    REASON_AFFINITY,
    REASON_AFFINITY_CONFLICT,
    REASON_PORTS,
    TAINT_TOLERATION,
    UNRESOLVABLE,
    FilterStatus,
    dynamic_filters,
    first_untolerated,
    insufficient_resources,
    node_ports,
    prefilter_node_names,
    required_affinity_matches,
    run_filters,
    static_filters,
)
from podfit.scheduler.interpodaffinity import INTER_POD_AFFINITY, INTER_POD_AFFINITY_WEIGHT
from podfit.scheduler.messages import (
    KUBELET_REJECTED_PREFIX,
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    fit_error_message,
    kubelet_insufficient_message,
    kubelet_predicate_message,
    not_eligible_message,
    postfilter_message,
    preemption_message,
)
from podfit.scheduler.model import (
    NO_EXECUTE,
    NO_SCHEDULE,
    NodeInfo,
    PodInfo,
    Requirement,
    Term,
    Toleration,
)
from podfit.scheduler.podtopologyspread import POD_TOPOLOGY_SPREAD, POD_TOPOLOGY_SPREAD_WEIGHT
from podfit.scheduler.preemption import (
    BudgetSpec,
    Candidate,
    budget_now,
    candidates_to_try,
    importance_order,
    pick_one_node,
    split_by_budgets,
)
from podfit.scheduler.scores import (
    BALANCED_ALLOCATION_WEIGHT,
    NODE_AFFINITY_WEIGHT,
    NODE_RESOURCES_FIT_WEIGHT,
    STRATEGIES,
    TAINT_TOLERATION_WEIGHT,
    balanced_allocation,
    node_affinity_raw,
    normalize_one,
    requested_to_capacity_ratio,
    resource_inputs,
    scale_shape,
    taint_toleration_raw,
)
from podfit.scheduler.topologyplugins import TopologyPlugins
from podfit.topology import Namespaces

NO_NODES_AVAILABLE = "no nodes available to schedule pods"
ABSENT_STATUS = FilterStatus(NODE_AFFINITY, UNRESOLVABLE, (REASON_ABSENT,))

PLUGIN_TAINT = "TaintToleration"
PLUGIN_AFFINITY = "NodeAffinity"
PLUGIN_FIT = "NodeResourcesFit"
PLUGIN_BALANCED = "NodeResourcesBalancedAllocation"


class Scorer:
    """NodeResourcesFit (the configured strategy) and BalancedAllocation for one profile."""

    __slots__ = ("_fit", "_inline", "_shape", "_weights", "balanced_resources", "resources")

    def __init__(self, cfg: SchedulerConfig) -> None:
        self.resources = cfg.resources
        self.balanced_resources = cfg.balanced_resources
        self._shape = scale_shape(cfg.shape)
        fn = STRATEGIES.get(cfg.strategy)
        self._fit = fn
        names = tuple(r.name for r in cfg.resources)
        cpu_mem = (
            names == ("cpu", "memory")
            and tuple(r.name for r in cfg.balanced_resources) == ("cpu", "memory")
            and cfg.strategy == "LeastAllocated"
        )
        weights = [r.weight for r in cfg.resources]
        self._weights = (weights[0], weights[1]) if cpu_mem else (0, 0)
        self._inline = cpu_mem

    def fit(self, pod: PodInfo, node: NodeInfo) -> int:
        """NodeResourcesFit score (0..100) of ``pod`` on ``node`` as it is now."""
        req, alloc, weights = resource_inputs(
            self.resources,
            pod.requests,
            (pod.non_zero_cpu, pod.non_zero_memory),
            node.allocatable,
            node.requested,
            (node.non_zero_cpu, node.non_zero_memory),
            False,
        )
        if self._fit is None:
            return requested_to_capacity_ratio(req, alloc, weights, self._shape)
        return self._fit(req, alloc, weights)

    def balanced_skipped(self, pod: PodInfo) -> bool:
        """PreScore Skip for best-effort pods: no raw request for any balanced resource."""
        return all(pod.requests.get(r.name, 0) == 0 for r in self.balanced_resources)

    def balanced(self, pod: PodInfo, node: NodeInfo) -> int:
        """BalancedAllocation score (raw requests, node ``Requested``)."""
        req, alloc, _ = resource_inputs(
            self.balanced_resources,
            pod.requests,
            (0, 0),
            node.allocatable,
            node.requested,
            (0, 0),
            True,
        )
        return balanced_allocation(req, alloc)

    def dynamic(self, pod: PodInfo, node: NodeInfo, skip_balanced: bool) -> int:
        """Weighted NodeResourcesFit + BalancedAllocation: the part that changes with usage."""
        return self.for_pod(pod, skip_balanced)(node)

    def _dynamic_general(self, pod: PodInfo, node: NodeInfo, skip_balanced: bool) -> int:
        total = NODE_RESOURCES_FIT_WEIGHT * self.fit(pod, node)
        if not skip_balanced:
            total += BALANCED_ALLOCATION_WEIGHT * self.balanced(pod, node)
        return total

    def for_pod(self, pod: PodInfo, skip_balanced: bool) -> Callable[[NodeInfo], int]:
        """:meth:`dynamic` for one pod, as a function of the node (a class index scores
        its pod on every node, then again after every bind on a node).

        The default profile (LeastAllocated on cpu and memory) gets the two plugins
        inlined with the pod's numbers bound once: for a node with both cpu and memory
        allocatable, the same integer operations in the same order as the plugins (the
        tests compare them bit for bit), usage fractions converted int64 → float64 before
        dividing as upstream does (differs above 2**53). Other nodes and profiles take the
        general code.
        """
        general = self._dynamic_general
        if not self._inline:
            return lambda node: general(pod, node, skip_balanced)
        wc, wm = self._weights
        ws = wc + wm
        pnc, pnm = pod.non_zero_cpu, pod.non_zero_memory
        pc, pm = pod.requests.get("cpu", 0), pod.requests.get("memory", 0)

        def least_allocated_and_balanced(node: NodeInfo) -> int:
            alloc = node.allocatable
            ac = alloc.get("cpu", 0)
            am = alloc.get("memory", 0)
            if not (ac and am and ws):
                return general(pod, node, skip_balanced)
            rc = node.non_zero_cpu + pnc
            rm = node.non_zero_memory + pnm
            total = (
                (0 if rc > ac else (ac - rc) * 100 // ac) * wc
                + (0 if rm > am else (am - rm) * 100 // am) * wm
            ) // ws
            if skip_balanced:
                return total
            requested = node.requested
            fc = float(requested.get("cpu", 0) + pc) / float(ac)
            fm = float(requested.get("memory", 0) + pm) / float(am)
            std = abs(((1.0 if fc > 1 else fc) - (1.0 if fm > 1 else fm)) / 2)
            return total + int((1 - std) * 100)

        return least_allocated_and_balanced


class Evaluation(NamedTuple):
    """A full scan of one pod over the cluster (what ``--explain`` shows).

    ``statuses`` holds every node that failed (index → status), absent nodes included;
    ``scores`` maps each feasible node to its weighted plugin scores and ``total`` (empty
    when at most one node is feasible: no scoring happens then); ``ties`` lists the nodes
    sharing the best total, in input order; ``best`` is the first of them.
    """

    statuses: dict[int, FilterStatus]
    feasible: list[int]
    scores: dict[int, dict[str, int]]
    ties: list[int]
    best: int | None
    prefilter_message: str


def candidate_indexes(pod: PodInfo, by_name: dict[str, int]) -> tuple[list[int] | None, str]:
    """NodeAffinity PreFilter: candidate node indexes (None = all) and a rejection message."""
    names = prefilter_node_names(pod)
    if names is None:
        return None, ""
    if not names:
        return [], REASON_AFFINITY_CONFLICT
    return sorted(by_name[n] for n in names if n in by_name), ""


def score_nodes(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    feasible: Sequence[int],
    scorer: Scorer,
    topology: TopologyPlugins | None = None,
) -> dict[int, dict[str, int]]:
    """Weighted scores of every feasible node (TaintToleration, NodeAffinity,
    PodTopologySpread and InterPodAffinity normalised; the last two 0 when ``topology`` is
    None or their PreScore skips)."""
    taint_raw = [taint_toleration_raw(nodes[i].taints, pod.tolerations) for i in feasible]
    top_taint = max(taint_raw, default=0)
    prefer = bool(pod.preferred_terms)
    aff_raw = [node_affinity_raw(pod, nodes[i]) for i in feasible] if prefer else []
    top_aff = max(aff_raw, default=0)
    skip_balanced = scorer.balanced_skipped(pod)
    spread, affinity = (
        topology.scores(pod, nodes, feasible) if topology is not None else (None, None)
    )
    out: dict[int, dict[str, int]] = {}
    for k, i in enumerate(feasible):
        node = nodes[i]
        entry = {
            PLUGIN_TAINT: TAINT_TOLERATION_WEIGHT * normalize_one(taint_raw[k], top_taint, True),
            PLUGIN_AFFINITY: (
                NODE_AFFINITY_WEIGHT * normalize_one(aff_raw[k], top_aff) if prefer else 0
            ),
            PLUGIN_FIT: NODE_RESOURCES_FIT_WEIGHT * scorer.fit(pod, node),
            PLUGIN_BALANCED: (
                0 if skip_balanced else BALANCED_ALLOCATION_WEIGHT * scorer.balanced(pod, node)
            ),
            POD_TOPOLOGY_SPREAD: 0 if spread is None else POD_TOPOLOGY_SPREAD_WEIGHT * spread[k],
            INTER_POD_AFFINITY: 0 if affinity is None else INTER_POD_AFFINITY_WEIGHT * affinity[k],
        }
        entry["total"] = sum(entry.values())
        out[i] = entry
    return out


def evaluate(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    cfg: SchedulerConfig,
    by_name: dict[str, int],
    scorer: Scorer | None = None,
    include_absent: bool = True,
    topology: TopologyPlugins | None = None,
) -> Evaluation:
    """Filter every candidate node and score every feasible one (the plain full scan).

    With ``include_absent`` False, nodes outside the PreFilter result get no status entry
    (callers that only need the decision avoid an O(nodes) loop per DaemonSet pod). With
    ``topology``, PodTopologySpread and InterPodAffinity filter (after the node-local
    filters) and score too.
    """
    scorer = scorer or Scorer(cfg)
    fcfg = cfg.filter_config
    candidates, prefilter = candidate_indexes(pod, by_name)
    statuses: dict[int, FilterStatus] = {}
    if prefilter:
        return Evaluation(statuses, [], {}, [], None, prefilter)
    indexes: Iterable[int] = range(len(nodes)) if candidates is None else candidates
    if candidates is not None and include_absent:
        wanted = set(candidates)
        for i in range(len(nodes)):
            if i not in wanted:
                statuses[i] = ABSENT_STATUS
    feasible: list[int] = []
    state = topology.prefilter(pod, nodes) if topology is not None else None
    for i in indexes:
        status = run_filters(pod, nodes[i], fcfg)
        if status is None and topology is not None and state is not None:
            status = topology.filter(state, pod, nodes[i])
        if status is None:
            feasible.append(i)
        else:
            statuses[i] = status
    if not feasible:
        return Evaluation(statuses, feasible, {}, [], None, "")
    if len(feasible) == 1:
        return Evaluation(statuses, feasible, {}, feasible[:], feasible[0], "")
    scores = score_nodes(pod, nodes, feasible, scorer, topology)
    best_total = max(s["total"] for s in scores.values())
    ties = [i for i in feasible if scores[i]["total"] == best_total]
    return Evaluation(statuses, feasible, scores, ties, ties[0], "")


class _Group:
    """Feasible nodes sharing the static score inputs (taint and affinity raw scores).

    Nodes are bucketed by their dynamic score (NodeResourcesFit + BalancedAllocation, an
    int in 0..200); each bucket is a min-heap of node indexes, so the best node of the
    group is the smallest index in the highest non-empty bucket. A node whose score
    changes is pushed into its new bucket and its old entry goes stale (it no longer
    matches ``ClassIndex.score``); stale entries are dropped when they reach a heap top.
    Push and peek are C-level ``heapq`` calls: O(log n), amortised.
    """

    __slots__ = ("affinity_raw", "count", "heaps", "taint_raw", "top")

    def __init__(self, taint_raw: int, affinity_raw: int) -> None:
        self.taint_raw = taint_raw
        self.affinity_raw = affinity_raw
        self.heaps: dict[int, list[int]] = {}
        self.top = -1
        self.count = 0

    def push(self, score: int, i: int) -> None:
        """File node ``i`` under ``score``."""
        heap = self.heaps.get(score)
        if heap is None:
            self.heaps[score] = [i]
        else:
            heappush(heap, i)
        if score > self.top:
            self.top = score

    def peek(self, current: list[int]) -> tuple[int, int]:
        """(score, index) of the best live node; ``current[i]`` is node i's live score."""
        heaps = self.heaps
        while True:
            heap = heaps.get(self.top)
            while heap:
                i = heap[0]
                if current[i] == self.top:
                    return self.top, i
                heappop(heap)
            self.top -= 1


class ClassIndex:
    """Per equivalence class: node statuses, reason histogram, and feasible nodes by score."""

    __slots__ = (
        "dyn",
        "engine",
        "feasible",
        "fixed",
        "group_of",
        "groups",
        "hist",
        "pod",
        "prefer",
        "score",
        "simple",
        "single",
        "skip_balanced",
        "status",
        "synced",
        "unresolvable",
    )

    def __init__(self, engine: Engine, pod: PodInfo) -> None:
        self.engine = engine
        self.pod = pod
        self.prefer = bool(pod.preferred_terms)
        self.skip_balanced = engine.scorer.balanced_skipped(pod)
        self.dyn = dynamic = engine.scorer.for_pod(pod, self.skip_balanced)
        nodes = engine.nodes
        n = len(nodes)
        fcfg = engine.fcfg
        self.status: list[FilterStatus | None] = [None] * n
        self.group_of: list[_Group | None] = [None] * n
        self.score: list[int] = [-1] * n  # live dynamic score, -1 = not feasible
        self.groups: dict[tuple[int, int], _Group] = {}
        self.hist: Counter[str] = Counter()
        self.unresolvable = 0
        self.feasible = 0
        self.simple = simple = not pod.host_ports and not pod.scalar_requests
        self.fixed = tuple((n, v) for n, v in pod.requests.items() if v > 0 and n != "pods")
        # the loop below runs once per node per class: attribute lookups hoisted
        fits = self._fits_simple
        groups, group_of, scores = self.groups, self.group_of, self.score
        statics, group_keys = engine.static_view(pod)
        feasible = 0
        for i, node in enumerate(nodes):
            st = statics[i]
            if st is not None:
                self._set_status(i, st)
                continue
            key = group_keys[i]
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(*key)
            group_of[i] = group
            if not (simple and fits(node)):
                dyn = dynamic_filters(pod, node, fcfg)
                if dyn is not None:
                    self._set_status(i, dyn)
                    continue
            score = dynamic(node)
            scores[i] = score
            group.push(score, i)
            group.count += 1
            feasible += 1
        self.feasible = feasible
        self.synced = len(engine.changes)
        self.single = next(iter(self.groups.values())) if len(self.groups) == 1 else None

    def _set_status(self, i: int, status: FilterStatus | None) -> None:
        old = self.status[i]
        if old is not None:
            self.hist.subtract(old.reasons)
            if old.code == UNRESOLVABLE:
                self.unresolvable -= 1
        if status is not None:
            self.hist.update(status.reasons)
            if status.code == UNRESOLVABLE:
                self.unresolvable += 1
        self.status[i] = status

    def sync(self) -> None:
        """Re-filter and re-score the nodes that changed since this class was last used."""
        changes = self.engine.changes
        behind = len(changes) - self.synced
        if behind == 0:
            return
        if behind == 1:  # the usual case: one bind since this class was last used
            self.synced += 1
            self.refresh(changes[-1])
            return
        todo: Iterable[int] = dict.fromkeys(changes[self.synced :])
        self.synced = len(changes)
        for i in todo:
            self.refresh(i)

    def refresh(self, i: int) -> None:
        """Recompute node ``i``'s status and score for this class."""
        group = self.group_of[i]
        if group is None:
            return  # statically infeasible: never changes
        engine = self.engine
        pod = self.pod
        node = engine.nodes[i]
        old_status = self.status[i]
        if self.simple and old_status is None and self._fits_simple(node):
            dyn = None  # common case: still fits, nothing to record
        else:
            dyn = dynamic_filters(pod, node, engine.fcfg)
            if dyn != old_status:
                self._set_status(i, dyn)
        old_score = self.score[i]
        if dyn is None:
            score = self.dyn(node)
            if score == old_score:
                return
            if old_score < 0:
                self.feasible += 1
                group.count += 1
            self.score[i] = score
            group.push(score, i)
        elif old_score >= 0:
            self.score[i] = -1
            self.feasible -= 1
            group.count -= 1

    def _fits_simple(self, node: NodeInfo) -> bool:
        """NodeResourcesFit for a pod without host ports or scalar requests, inlined."""
        if len(node.pods) + 1 > node.allocatable.get("pods", 0):
            return False
        alloc = node.allocatable
        used = node.requested
        for name, want in self.fixed:  # noqa: SIM110 (a plain loop beats all() here)
            if want > alloc.get(name, 0) - used.get(name, 0):
                return False
        return True

    def best(self) -> int | None:
        """The chosen node: highest total, then lowest input index; None if none is feasible."""
        if self.feasible == 0:
            return None
        if self.single is not None:
            return self.single.peek(self.score)[1]
        live = [g for g in self.groups.values() if g.count]
        if len(live) == 1:
            return live[0].peek(self.score)[1]
        top_taint = max(g.taint_raw for g in live)
        top_aff = max(g.affinity_raw for g in live)
        best_rank: tuple[int, int] | None = None
        best_index = -1
        for g in live:
            total, i = g.peek(self.score)
            total += TAINT_TOLERATION_WEIGHT * normalize_one(g.taint_raw, top_taint, True)
            if self.prefer:
                total += NODE_AFFINITY_WEIGHT * normalize_one(g.affinity_raw, top_aff)
            rank = (total, -i)
            if best_rank is None or rank > best_rank:
                best_rank = rank
                best_index = i
        return best_index


class Decision(NamedTuple):
    """The outcome of one scheduling cycle.

    ``statuses`` is every node's failure status (None = feasible), for the shortfall;
    ``preemption`` names a node and its victims when preemption would succeed.
    """

    node: int | None
    message: str | None
    statuses: Sequence[FilterStatus | None]
    evaluation: Evaluation | None
    preemption: tuple[int, tuple[PodInfo, ...]] | None
    hist: Counter[str] | None = None


class Engine:
    """The cluster state and the scheduling cycle (fast path plus the explain full scan)."""

    def __init__(
        self,
        nodes: Sequence[NodeInfo],
        cfg: SchedulerConfig,
        max_classes: int = 64,
        namespaces: Namespaces | None = None,
        budgets: Sequence[BudgetSpec] = (),
    ):
        self.nodes = list(nodes)
        self.topology = TopologyPlugins(namespaces)
        self.budgets = tuple(budgets)
        self.start: dict[int, int] = {}
        """``id(pod)`` → start order (bind order; the input's bound pods first)."""
        self.by_name = {n.name: i for i, n in enumerate(self.nodes)}
        self.cfg = cfg
        self.fcfg = cfg.filter_config
        self.scorer = Scorer(cfg)
        self.changes: list[int] = []
        # a placement's Decision depends only on the node: one immutable tuple per node
        self._placed = [Decision(i, None, (), None, None) for i in range(len(self.nodes))]
        self.classes: OrderedDict[tuple[object, ...], ClassIndex] = OrderedDict()
        self.max_classes = max_classes
        self.min_priority: int | None = None
        self._statics: dict[
            tuple[object, ...], tuple[list[FilterStatus | None], list[tuple[int, int]]]
        ] = {}
        self._last: tuple[tuple[object, ...], ClassIndex] | None = None
        self._failures: dict[
            tuple[object, ...], tuple[str, tuple[int, tuple[PodInfo, ...]] | None]
        ] = {}

    def static_view(self, pod: PodInfo) -> tuple[list[FilterStatus | None], list[tuple[int, int]]]:
        """Per node: the static filters' status for ``pod`` (None = passes) and, where
        it passes, the raw (TaintToleration, NodeAffinity) scores that group feasible
        nodes ((0, 0), unused, where it fails). Both depend only on the node objects and
        on the pod's node name, selector, affinity and tolerations, so classes differing
        only in requests or ports share one computation. Cost: O(nodes) per distinct
        view; at most ``max_classes`` views kept.
        """
        key = (
            pod.node_name,
            pod.node_selector,
            pod.required_terms,
            pod.preferred_terms,
            pod.tolerations,
        )
        view = self._statics.get(key)
        if view is not None:
            return view
        fcfg = self.fcfg
        tolerations = pod.tolerations
        prefer = bool(pod.preferred_terms)
        statuses: list[FilterStatus | None] = []
        groups: list[tuple[int, int]] = []
        for node in self.nodes:
            st = static_filters(pod, node, fcfg)
            statuses.append(st)
            if st is not None:
                groups.append((0, 0))
                continue
            traw = taint_toleration_raw(node.taints, tolerations) if node.taints else 0
            araw = node_affinity_raw(pod, node) if prefer else 0
            groups.append((traw, araw))
        if len(self._statics) >= self.max_classes:
            self._statics.clear()
        view = self._statics[key] = (statuses, groups)
        return view

    def bind(self, pod: PodInfo, i: int) -> None:
        """Count ``pod`` on node ``i`` and log the change for the class indexes."""
        self.nodes[i].add_pod(pod)
        self.topology.bound(pod)
        self.start.setdefault(id(pod), len(self.start))
        self.changes.append(i)
        if self.min_priority is None or pod.priority < self.min_priority:
            self.min_priority = pod.priority

    def class_index(self, pod: PodInfo) -> ClassIndex:
        """The (synced) index of ``pod``'s equivalence class, built on first use (LRU)."""
        key = pod.scheduling_key()
        last = self._last
        if last is not None and (last[0] is key or last[0] == key):
            last[1].sync()
            return last[1]
        index = self.classes.get(key)
        if index is None:
            index = ClassIndex(self, pod)
            self.classes[key] = index
            if len(self.classes) > self.max_classes:
                self.classes.popitem(last=False)
        else:
            self.classes.move_to_end(key)
            index.sync()
        self._last = (key, index)
        return index

    def schedule(self, pod: PodInfo, explain: bool = False) -> Decision:
        """One scheduling cycle for ``pod``; binds it when a node is found."""
        restricted = bool(pod.required_terms) and prefilter_node_names(pod) is not None
        topology = (
            self.topology
            if (
                pod.spread
                or pod.default_spread is not None
                or pod.pod_affinity is not None
                or self.topology.affinity_bound
            )
            else None
        )  # TopologyPlugins.concerns, inlined: checked once per pod
        if explain or restricted or topology is not None:
            ev = evaluate(pod, self.nodes, self.cfg, self.by_name, self.scorer, explain, topology)
            if ev.best is not None:
                self.bind(pod, ev.best)
                return Decision(ev.best, None, (), ev, None)
            n = len(self.nodes)
            if ev.prefilter_message:
                statuses: list[FilterStatus | None] = [None] * n
            else:
                statuses = [ABSENT_STATUS] * n if restricted else [None] * n
                for i in ev.feasible:
                    statuses[i] = None
                for i, st in ev.statuses.items():
                    statuses[i] = st
            message, pre = self.failure_message(pod, statuses, ev.prefilter_message)
            return Decision(None, message, statuses, ev, pre)
        index = self.class_index(pod)
        best = index.best()
        if best is not None:
            self.bind(pod, best)
            return self._placed[best]
        key = (pod.scheduling_key(), pod.priority, pod.preemption_policy, len(self.changes))
        cached = self._failures.get(key)
        if cached is None:
            cached = self.failure_message(pod, index.status, "", index.hist, index.unresolvable)
            self._failures = {key: cached}  # valid until the next bind
        message, pre = cached
        return Decision(None, message, index.status, None, pre, index.hist)

    def failure_message(
        self,
        pod: PodInfo,
        statuses: Sequence[FilterStatus | None],
        prefilter: str,
        hist: Counter[str] | None = None,
        unresolvable: int | None = None,
    ) -> tuple[str, tuple[int, tuple[PodInfo, ...]] | None]:
        """The FailedScheduling message (filter histogram + PostFilter part: DynamicResources'
        when ``cfg.dra``, then DefaultPreemption's).

        With no node at all kube-scheduler fails before filtering (``ErrNoNodesAvailable``)
        and runs no preemption: the message is ``no nodes available to schedule pods``.
        """
        n = len(self.nodes)
        if n == 0:
            return NO_NODES_AVAILABLE, None
        if hist is None:
            hist = Counter()
            for st in statuses:
                if st is not None:
                    hist.update(st.reasons)
        post, candidate = self.preemption(pod, statuses, prefilter, unresolvable)
        post = postfilter_message(self.cfg.dra, post, prefilter_rejected=bool(prefilter))
        text = fit_error_message(n, hist, prefilter_message=prefilter, postfilter_message=post)
        return text, candidate

    def preemption(
        self,
        pod: PodInfo,
        statuses: Sequence[FilterStatus | None],
        prefilter: str,
        unresolvable: int | None,
    ) -> tuple[str, tuple[int, tuple[PodInfo, ...]] | None]:
        """DefaultPreemption's PostFilter message; the chosen candidate (node, victims) if
        there is one (then no PostFilter message).

        A node whose status is UnschedulableAndUnresolvable (or any node after a PreFilter
        rejection) → ``Preemption is not helpful for scheduling``; a node without pods of
        lower priority → ``No preemption victims found for incoming pod``; otherwise the
        node is filtered again without all lower-priority pods: still failing → that
        plugin's reasons; fitting → a candidate (:meth:`select_victims`). Potential nodes
        are tried in input order until :func:`candidates_to_try` candidates (one without
        PDB violations among them) are found; :func:`pick_one_node` chooses.
        """
        n = len(self.nodes)
        if pod.preemption_policy == "Never":
            return not_eligible_message(), None
        counts: Counter[str] = Counter()
        if prefilter or n == 0:
            counts[PREEMPTION_NOT_HELPFUL] = n
            return preemption_message(n, counts), None
        if unresolvable is None:
            unresolvable = sum(1 for st in statuses if st is not None and st.code == UNRESOLVABLE)
        if unresolvable:
            counts[PREEMPTION_NOT_HELPFUL] = unresolvable
        if self.min_priority is None or pod.priority <= self.min_priority:
            if n - unresolvable:
                counts[NO_PREEMPTION_VICTIMS] = n - unresolvable
            return preemption_message(n, counts), None
        limit = candidates_to_try(n - unresolvable)
        found: list[Candidate] = []
        clean = 0
        for i, st in enumerate(statuses):
            if st is None or st.code == UNRESOLVABLE:
                continue
            node = self.nodes[i]
            if node.min_priority is None or node.min_priority >= pod.priority:
                counts[NO_PREEMPTION_VICTIMS] += 1
                continue
            keep = [p for p in node.pods if p.priority >= pod.priority]
            again = self.refilter(pod, i, keep)
            if again is not None:
                counts.update(again.reasons)
                continue
            candidate = self.select_victims(pod, i, keep)
            if candidate is None:
                continue
            found.append(candidate)
            clean += candidate.violations == 0
            if clean and len(found) >= limit:
                break
        if found:
            best = pick_one_node(found, self.start_of)
            return "", (best.node, best.victims)
        return preemption_message(n, counts), None

    def start_of(self, pod: PodInfo) -> int:
        """When ``pod`` started, as an order: bound pods in bind order (the input's first);
        a pod never bound counts as starting last."""
        return self.start.get(id(pod), len(self.start))

    def refilter(self, pod: PodInfo, i: int, keep: list[PodInfo]) -> FilterStatus | None:
        """Every filter for ``pod`` on node ``i`` holding only the pods ``keep`` (the rest
        removed, as preemption would): the node-local filters, then PodTopologySpread and
        InterPodAffinity on the cluster with that node changed."""
        clone = self.nodes[i].without(keep)
        status = run_filters(pod, clone, self.fcfg)
        if status is None and self.topology.concerns(pod):
            status = self.topology.filter_replaced(pod, self.nodes, i, clone)
        return status

    def select_victims(self, pod: PodInfo, i: int, keep: list[PodInfo]) -> Candidate | None:
        """``SelectVictimsOnNode`` once ``pod`` fits node ``i`` without its lower-priority
        pods: those pods, most important first, split by the PodDisruptionBudgets; then each
        is added back — PDB-violating ones first — and stays when ``pod`` still fits, else
        becomes a victim (counting a violation if it broke a budget). None when every pod
        could stay (upstream's "expected at least one victim" error). Cost: one re-filter
        per lower-priority pod."""
        node = self.nodes[i]
        lower = importance_order([p for p in node.pods if p.priority < pod.priority], self.start)
        bound = [p for nd in self.nodes for p in nd.pods] if self.budgets else []
        budgets = [budget_now(b, bound) for b in self.budgets]
        violating, fine = split_by_budgets(lower, budgets)
        kept = list(keep)
        victims: list[PodInfo] = []
        violations = 0
        for group, breaks in ((violating, 1), (fine, 0)):
            for candidate in group:
                if self.refilter(pod, i, [*kept, candidate]) is None:
                    kept.append(candidate)
                else:
                    victims.append(candidate)
                    violations += breaks
        if not victims:
            return None
        if violating and fine:
            victims = importance_order(victims, self.start)
        return Candidate(i, tuple(victims), violations)

    def evict(self, pod: PodInfo, i: int) -> None:
        """Remove preemption victim ``pod`` from node ``i`` and log the change."""
        self.nodes[i].remove_pod(pod)
        self.topology.unbound(pod)
        self.changes.append(i)

    def fits_nominated(self, pod: PodInfo, i: int) -> bool:
        """``evaluateNominatedNode``: whether ``pod`` passes every filter on node ``i`` (its
        nominated node, after preemption), without looking at any other node."""
        if run_filters(pod, self.nodes[i], self.fcfg) is not None:
            return False
        if not self.topology.concerns(pod):
            return True
        state = self.topology.prefilter(pod, self.nodes)
        return self.topology.filter(state, pod, self.nodes[i]) is None


# --- DaemonSets and the kubelet ------------------------------------------------------------

_DAEMONSET_DEFAULTS = tuple(Toleration(*astuple(t)) for t in pods.DAEMONSET_TOLERATIONS)
_NETWORK_UNAVAILABLE = Toleration(*astuple(pods.NETWORK_UNAVAILABLE_TOLERATION))


def daemonset_tolerations(
    tolerations: Sequence[Toleration], host_network: bool
) -> tuple[Toleration, ...]:
    """The template's tolerations plus the DaemonSet defaults
    (:data:`podfit.pods.DAEMONSET_TOLERATIONS`) not already present."""
    out = list(tolerations)
    extra = [*_DAEMONSET_DEFAULTS, *([_NETWORK_UNAVAILABLE] if host_network else [])]
    for tol in extra:
        if tol not in out:
            out.append(tol)
    return tuple(out)


def daemonset_pod_for(template: PodInfo, name: str, node: NodeInfo) -> PodInfo:
    """The pod the DaemonSet controller creates for ``node`` (``NewPod``).

    Required node affinity becomes one term ``metadata.name In [node]``
    (``ReplaceDaemonSetPodNodeNameNodeAffinity``); tolerations as the template's (the
    caller has already added the DaemonSet defaults).
    """
    term = Term((), (Requirement("metadata.name", "In", (node.name,)),))
    return template.respawn(name, required_terms=(term,), node_name=None, phase=None)


def daemonset_should_run(template: PodInfo, node: NodeInfo) -> bool:
    """``nodeShouldRunDaemonPod``: node selector/affinity match and no untolerated
    NoSchedule/NoExecute taint (cordoning does not matter: DaemonSet pods tolerate it)."""
    if template.node_name and template.node_name != node.name:
        return False
    if not required_affinity_matches(template, node):
        return False
    return first_untolerated(node.taints, template.tolerations, (NO_SCHEDULE, NO_EXECUTE)) is None


class Admission(NamedTuple):
    """The kubelet's verdict on a pod that names its node: admitted, or reason and message."""

    admitted: bool
    reason: str = ""
    message: str = ""


REASON_TAINT_NOT_MATCH = "node(s) had taints that the pod didn't tolerate"


def kubelet_admit(pod: PodInfo, node: NodeInfo, static: bool = False) -> Admission:
    """``canAdmitPod`` / ``generalFilter`` of the kubelet (``pkg/kubelet/lifecycle/predicate.go``).

    Extended resources the node does not advertise are dropped first
    (``removeMissingExtendedResources``); then resources (first shortfall wins:
    reason ``OutOf<resource>``), node selector/affinity, host ports and, for non-static
    pods, NoExecute taints. The status message is prefixed ``Pod was rejected: ``.
    """
    trimmed = pod
    if any(is_extended(r) and r not in node.allocatable for r in pod.requests):
        trimmed = PodInfo(
            pod.name,
            requests={
                r: v
                for r, v in pod.requests.items()
                if not (is_extended(r) and r not in node.allocatable)
            },
            non_zero=(pod.non_zero_cpu, pod.non_zero_memory),
        )
    short = insufficient_resources(trimmed, node)
    if short:
        s = short[0]
        message = kubelet_insufficient_message(s.resource, s.requested, s.used, s.capacity)
        return Admission(False, f"OutOf{s.resource}", KUBELET_REJECTED_PREFIX + message)
    if not required_affinity_matches(pod, node):
        message = kubelet_predicate_message(NODE_AFFINITY, REASON_AFFINITY)
        return Admission(False, NODE_AFFINITY, KUBELET_REJECTED_PREFIX + message)
    if node_ports(pod, node) is not None:
        message = kubelet_predicate_message(NODE_PORTS, REASON_PORTS)
        return Admission(False, NODE_PORTS, KUBELET_REJECTED_PREFIX + message)
    if not static and first_untolerated(node.taints, pod.tolerations, (NO_EXECUTE,)):
        message = kubelet_predicate_message(TAINT_TOLERATION, REASON_TAINT_NOT_MATCH)
        return Admission(False, TAINT_TOLERATION, KUBELET_REJECTED_PREFIX + message)
    return Admission(True)


__all__ = [
    "Admission",
    "ClassIndex",
    "Decision",
    "Engine",
    "Evaluation",
    "Scorer",
    "daemonset_pod_for",
    "daemonset_should_run",
    "daemonset_tolerations",
    "evaluate",
    "kubelet_admit",
    "score_nodes",
]
