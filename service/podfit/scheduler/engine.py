"""The engine: cluster state and the scheduling cycle, one pod at a time, like
kube-scheduler's ``scheduleOne``.

The fast path asks the pod's equivalence class (:mod:`podfit.scheduler.classes`) for the
best node; pods a cluster-dynamic plugin looks at ask their class's topology cells
(:mod:`podfit.scheduler.cells`); explain, pods restricted by NodeAffinity's PreFilter
(DaemonSet pods), pods that nominated pods hold room against
(:mod:`podfit.scheduler.nominated`) and pods no node can take get the full scan
(:mod:`podfit.scheduler.scan`). No
feasible node → the ``FailedScheduling`` message with the PostFilter part
(DynamicResources when configured, then DefaultPreemption).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import NamedTuple

from podfit.scheduler.cells import TopologyClass, unique_hostnames
from podfit.scheduler.classes import ClassIndex, StaticView
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.framework import UNRESOLVABLE, FilterStatus
from podfit.scheduler.messages import (
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    fit_error_message,
    not_eligible_message,
    preemption_message,
)
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.nominated import NominatedFilter, Nominations
from podfit.scheduler.plugins.node_affinity import prefilter_node_names
from podfit.scheduler.plugins.pod_topology_spread import HOSTNAME
from podfit.scheduler.preemption import (
    Budget,
    BudgetSpec,
    Candidate,
    budget_now,
    candidates_to_try,
    importance_order,
    pick_one_node,
    split_by_budgets,
    start_key,
    terminating_on_nominated,
)
from podfit.scheduler.profile import (
    CLUSTER_PLUGINS,
    STATIC_KEY_FIELDS,
    STATIC_SCORES,
    cluster_dynamic,
    postfilter_message,
    run_filters,
    static_filters,
)
from podfit.scheduler.scan import ABSENT_STATUS, Evaluation, evaluate
from podfit.scheduler.scoring import Scorer
from podfit.scheduler.topologyplugins import TopologyPlugins
from podfit.topology import Namespaces

NO_NODES_AVAILABLE = "no nodes available to schedule pods"

_static_key = attrgetter(*STATIC_KEY_FIELDS)
"""The pod fields the static plugins read, as a tuple: the key of :meth:`Engine.static_view`."""


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
        scales: Mapping[str, int] | None = None,
    ):
        self.nodes = list(nodes)
        self.topology = TopologyPlugins(namespaces)
        self.topology.bound_already(self.nodes)
        self.budgets = tuple(budgets)
        self.scales = scales
        """Pods per controller in the run (:func:`podfit.disruption.controller_scales`): the
        budgets' expected counts; None: each budget's healthy count stands in."""
        self._last_concern: tuple[tuple[object, ...], bool] | None = None
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
        self.topo_classes: OrderedDict[tuple[object, ...], ClassIndex] = OrderedDict()
        """Classes the cluster-dynamic plugins concern, indexed by topology cells."""
        self.unique_hostnames = unique_hostnames(self.nodes)
        self.max_classes = max_classes
        self.min_priority: int | None = None
        self._statics: dict[tuple[object, ...], StaticView] = {}
        self._places: dict[tuple[tuple[str, ...], bool], list[tuple[object, ...]]] = {}
        self._last: tuple[tuple[object, ...], ClassIndex] | None = None
        self._last_labels: Mapping[str, str] | None = None
        """The labels object last noted in ``topology.label_sets`` by :meth:`bind`."""
        self._last_topo: tuple[tuple[object, ...], ClassIndex] | None = None
        """The class of the last :meth:`topology_index` (replicas of a run share one key
        object: it is the most recently used without an LRU lookup)."""
        self._failures: dict[
            tuple[object, ...], tuple[str, tuple[int, tuple[PodInfo, ...]] | None]
        ] = {}
        self.nominations = Nominations()
        """Pending pods nominated to nodes (:mod:`podfit.scheduler.nominated`): the run
        records them; pods of lower or equal priority make room for them."""
        self._held: NominatedFilter | None = None
        """The current cycle's nominated-pods filter (None: no nominated pod concerns it)."""

    def places(self, keys: tuple[str, ...], host: bool) -> list[tuple[object, ...]]:
        """Per node, its values for ``keys`` (None where it has no such label) and, with
        ``host``, whether it has a hostname label: the part of a topology cell its labels
        fix (:class:`podfit.scheduler.cells.TopologyClass`). Node labels do not change in
        a run, so classes reading the same keys share one list (read-only). O(nodes ×
        keys) the first time."""
        found = self._places.get((keys, host))
        if found is None:
            found = self._places[keys, host] = [
                (tuple(map(n.labels.get, keys)), HOSTNAME in n.labels)
                if host
                else tuple(map(n.labels.get, keys))
                for n in self.nodes
            ]
        return found

    def release_classes(self) -> None:
        """Drop the class indexes once the run is over. Each index refers back to the
        engine, a cycle that would keep the engine, its nodes and every pod bound on them
        alive until the cyclic garbage collector found them (in the HTTP service, a
        collection every few requests walking one answer's objects); without it reference
        counting frees them as soon as the run's caller lets go (``tests/test_no_cycles.py``
        fails when an attribute added later keeps an index). O(classes)."""
        self.classes.clear()
        self.topo_classes.clear()
        self._last = None
        self._last_topo = None

    def static_view(self, pod: PodInfo) -> StaticView:
        """Per node: the static filters' status for ``pod`` (None = passes) and, where it
        passes, the raw scores of the profile's static score plugins (``STATIC_SCORES``,
        table order; 0 for a plugin whose PreScore skips the pod), which group the feasible
        nodes (all 0, unused, where it fails). Both depend only on the node objects and on
        the pod fields the static plugins declare they read (``STATIC_KEY_FIELDS``), so
        classes differing only in requests or ports share one computation. Cost: O(nodes)
        per distinct view; at most ``max_classes`` views kept.
        """
        key = _static_key(pod)
        view = self._statics.get(key)
        if view is not None:
            return view
        fcfg = self.fcfg
        scorer = self.scorer
        scores = [
            None if p.skip is not None and p.skip(scorer, pod) else p.score for p in STATIC_SCORES
        ]
        statuses = [static_filters(pod, node, fcfg) for node in self.nodes]
        groups: list[tuple[int, ...]] = [(0,) * len(scores)] * len(statuses)
        feasible = [node for node, st in zip(self.nodes, statuses, strict=True) if st is None]
        columns = [
            [0] * len(feasible) if f is None else [f(scorer, pod, node) for node in feasible]
            for f in scores
        ]
        passing = (i for i, st in enumerate(statuses) if st is None)
        for i, row in zip(passing, zip(*columns, strict=True), strict=False):
            groups[i] = row
        if len(self._statics) >= self.max_classes:
            self._statics.clear()
        view = self._statics[key] = (statuses, groups)
        return view

    def bind(self, pod: PodInfo, i: int) -> None:
        """Count ``pod`` on node ``i`` and log the change for the class indexes."""
        self.nodes[i].add_pod(pod)
        if self.nominations.node_of:
            self.nominations.clear(pod)
        if pod.pod_affinity is not None:
            self.topology.bound(pod)
        elif pod.labels is not self._last_labels:  # replicas share their labels object
            self._last_labels = pod.labels
            self.topology.note_labels(pod.labels)
        self.start[id(pod)] = len(self.start)  # a pod is bound once per run
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
        # a cluster-dynamic row applies to the pod (decided once per run of one class:
        # replicas share their key object), or a bound pod's affinity terms may concern it
        key = pod.scheduling_key()
        last = self._last_concern
        if last is not None and last[0] is key:
            applies = last[1]
        else:
            applies = bool(CLUSTER_PLUGINS) and cluster_dynamic(pod)
            self._last_concern = (key, applies)
        concerned = applies or self.topology.affinity_bound
        held = self._held = (
            self.nominated_filter(pod, bool(concerned)) if self.nominations.node_of else None
        )
        if held is not None:  # nominated pods hold room: two passes on their nodes
            if not (explain or restricted):
                best = self._best_held(pod, held, bool(concerned))
                if best is not None:
                    self.bind(pod, best)
                    return self._placed[best]
            return self._scan(pod, explain, restricted, held.topology is not None, held)
        if concerned and not (explain or restricted):
            index = self.topology_index(pod)
            assert index.topo is not None
            best = index.topo.best(index, pod)
            if best is not None:
                self.bind(pod, best)
                return self._placed[best]
        if explain or restricted or concerned:
            return self._scan(pod, explain, restricted, bool(concerned))
        index = self.class_index(pod)
        best = index.best()
        if best is not None:
            self.bind(pod, best)
            return self._placed[best]
        key = (
            pod.scheduling_key(),
            pod.priority,
            pod.preemption_policy,
            pod.nominated_node,
            len(self.changes),
            self.nominations.version,
        )
        cached = self._failures.get(key)
        if cached is None:
            cached = self.failure_message(pod, index.status, "", index.hist, index.unresolvable)
            self._failures = {key: cached}  # valid until the next bind
        message, pre = cached
        return Decision(None, message, index.status, None, pre, index.hist)

    def _scan(
        self,
        pod: PodInfo,
        explain: bool,
        restricted: bool,
        concerned: bool,
        held: NominatedFilter | None = None,
    ) -> Decision:
        """The full-scan cycle (:func:`~podfit.scheduler.scan.evaluate`; ``held``: with the
        nominated pods that hold room for it); binds the pod when a node is found."""
        topology = self.topology if concerned else None
        ev = evaluate(
            pod,
            self.nodes,
            self.cfg,
            self.by_name,
            self.scorer,
            explain,
            topology,
            totals_only=not explain,
            nominated=held,
        )
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

    def _best_held(self, pod: PodInfo, held: NominatedFilter, concerned: bool) -> int | None:
        """The class path's choice while nominated pods hold room (``held``): nominated
        pods only add pods to their own nodes' first pass, so they can only take such a
        node out of the feasible set, never add one, and scores do not see them. The
        nodes they block are hidden from the class index for this cycle. Cost: the
        blocking check per node with nominated pods (the topology PreFilter over the
        cluster for each, when the topology plugins apply), then the class path."""
        index = self.topology_index(pod) if concerned else self.class_index(pod)
        hidden = [(i, index.hide(i)) for i in held.pods if index.score[i] >= 0 and held.blocks(i)]
        try:
            return index.best() if index.topo is None else index.topo.best(index, pod)
        finally:
            for i, score in hidden:
                index.restore(i, score)

    def nominated_filter(self, pod: PodInfo, concerned: bool) -> NominatedFilter | None:
        """The two-pass filter for ``pod`` when pods nominated to some node hold room for
        it (priority ≥ its own), else None. O(1) while nothing is nominated."""
        if not self.nominations.node_of:
            return None
        held = self.nominations.for_pod(pod)
        if not held:
            return None
        return NominatedFilter(pod, self.nodes, held, self.fcfg, self.topology, concerned)

    def topology_index(self, pod: PodInfo) -> ClassIndex:
        """The synced index of ``pod``'s class with topology cells (:mod:`podfit.scheduler.
        cells`), built on first use and rebuilt when a bind brought a topology key its
        cells do not separate (LRU, ``max_classes``). Building: O(nodes × terms)."""
        key = pod.scheduling_key()
        last = self._last_topo
        repeat = last is not None and last[0] is key  # already the most recently used
        index = last[1] if last is not None and repeat else self.topo_classes.get(key)
        if index is not None:
            assert index.topo is not None
            if index.topo.sync():
                index.sync()
                if not repeat:
                    self.topo_classes.move_to_end(key)
                    self._last_topo = (key, index)
                return index
        index = ClassIndex(self, pod, TopologyClass(self, pod))
        self._last_topo = (key, index)
        self.topo_classes[key] = index
        self.topo_classes.move_to_end(key)  # a rebuilt class is the most recently used
        if len(self.topo_classes) > self.max_classes:
            self.topo_classes.popitem(last=False)
        return index

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
        if pod.nominated_node is not None:  # PodEligibleToPreemptOthers' second rule
            blocked = terminating_on_nominated(pod, self.nodes, self.by_name, statuses, prefilter)
            if blocked:
                return blocked, None
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
        # the budgets read the pods bound now, which no candidate changes: computed once,
        # when the first node gets to victim selection
        budgets: list[Budget] | None = None
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
            if budgets is None:
                bound = [p for nd in self.nodes for p in nd.pods] if self.budgets else []
                budgets = [budget_now(b, bound, self.scales) for b in self.budgets]
            candidate = self.select_victims(pod, i, keep, budgets)
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
        """When ``pod`` started, as an order (:func:`start_key`: ``status.startTime``, else
        bind order after every known time)."""
        return start_key(pod, self.start)

    def refilter(self, pod: PodInfo, i: int, keep: list[PodInfo]) -> FilterStatus | None:
        """Every filter for ``pod`` on node ``i`` holding only the pods ``keep`` (the rest
        removed, as preemption would): the node-local filters, then PodTopologySpread and
        InterPodAffinity on the cluster with that node changed."""
        held = self._held
        if held is not None and held.pod is pod and i in held.pods:
            return held.filter(i, (), keep)  # SelectVictimsOnNode: with nominated pods
        clone = self.nodes[i].without(keep)
        status = run_filters(pod, clone, self.fcfg)
        if status is None and self.topology.concerns(pod):
            status = self.topology.filter_replaced(pod, self.nodes, i, clone)
        return status

    def select_victims(
        self, pod: PodInfo, i: int, keep: list[PodInfo], budgets: Sequence[Budget]
    ) -> Candidate | None:
        """``SelectVictimsOnNode`` once ``pod`` fits node ``i`` without its lower-priority
        pods: those pods, most important first, split by the PodDisruptionBudgets; then each
        is added back — PDB-violating ones first — and stays when ``pod`` still fits, else
        becomes a victim (counting a violation if it broke a budget). None when every pod
        could stay (upstream's "expected at least one victim" error). Cost: one re-filter
        per lower-priority pod. ``budgets``: the run's budgets as they stand
        (:func:`budget_now`, computed once per preemption cycle by the caller)."""
        node = self.nodes[i]
        lower = importance_order([p for p in node.pods if p.priority < pod.priority], self.start)
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
        nominated node), without looking at any other node; pods nominated there that hold
        room for it count as in every cycle."""
        held = self.nominated_filter(pod, self.topology.concerns(pod))
        if held is not None and i in held.pods:
            topology = held.topology
            state = topology.prefilter(pod, self.nodes) if topology is not None else ()
            return held.filter(i, state) is None
        if run_filters(pod, self.nodes[i], self.fcfg) is not None:
            return False
        if not self.topology.concerns(pod):
            return True
        state = self.topology.prefilter(pod, self.nodes)
        return self.topology.filter(state, pod, self.nodes[i]) is None
