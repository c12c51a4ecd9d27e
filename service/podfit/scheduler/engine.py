"""The engine: cluster state and the scheduling cycle, one pod at a time, like
kube-scheduler's ``scheduleOne``.

The fast path asks the pod's equivalence class (:mod:`podfit.scheduler.classes`) for the
best node; explain, pods restricted by NodeAffinity's PreFilter (DaemonSet pods) and pods a
cluster-dynamic plugin looks at take the full scan (:mod:`podfit.scheduler.scan`). No
feasible node → the ``FailedScheduling`` message with the PostFilter part
(DynamicResources when configured, then DefaultPreemption).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

from podfit.scheduler.classes import ClassIndex, StaticView
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.framework import UNRESOLVABLE, FilterStatus
from podfit.scheduler.messages import (
    NO_PREEMPTION_VICTIMS,
    PREEMPTION_NOT_HELPFUL,
    fit_error_message,
    not_eligible_message,
    postfilter_message,
    preemption_message,
)
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.node_affinity import prefilter_node_names
from podfit.scheduler.profile import (
    CLUSTER_PLUGINS,
    STATIC_KEY_FIELDS,
    STATIC_SCORES,
    cluster_dynamic,
    run_filters,
    static_filters,
)
from podfit.scheduler.scan import ABSENT_STATUS, Evaluation, evaluate
from podfit.scheduler.scoring import Scorer

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

    def __init__(self, nodes: Sequence[NodeInfo], cfg: SchedulerConfig, max_classes: int = 64):
        self.nodes = list(nodes)
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
        self._statics: dict[tuple[object, ...], StaticView] = {}
        self._last: tuple[tuple[object, ...], ClassIndex] | None = None
        self._failures: dict[
            tuple[object, ...], tuple[str, tuple[int, tuple[PodInfo, ...]] | None]
        ] = {}

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
        if explain or restricted or (CLUSTER_PLUGINS and cluster_dynamic(pod)):
            ev = evaluate(pod, self.nodes, self.cfg, self.by_name, self.scorer, explain)
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
        """DefaultPreemption's PostFilter message; a candidate (node, victims) if one exists.

        A node whose status is UnschedulableAndUnresolvable (or any node after a PreFilter
        rejection) → ``Preemption is not helpful for scheduling``; a node without pods of
        lower priority → ``No preemption victims found for incoming pod``; otherwise the
        node is filtered again without all lower-priority pods: still failing → that
        plugin's reasons, fitting → preemption would succeed (no PostFilter message).
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
        for i, st in enumerate(statuses):
            if st is None or st.code == UNRESOLVABLE:
                continue
            node = self.nodes[i]
            if node.min_priority is None or node.min_priority >= pod.priority:
                counts[NO_PREEMPTION_VICTIMS] += 1
                continue
            keep = [p for p in node.pods if p.priority >= pod.priority]
            again = run_filters(pod, node.without(keep), self.fcfg)
            if again is None:
                return "", (i, self.victims(pod, node, keep))
            counts.update(again.reasons)
        return preemption_message(n, counts), None

    def victims(self, pod: PodInfo, node: NodeInfo, keep: list[PodInfo]) -> tuple[PodInfo, ...]:
        """``SelectVictimsOnNode``'s reprieve: lower-priority pods are added back, most
        important first (higher priority, then older — earlier on the node), as long as
        ``pod`` still fits; the rest are the victims. PodDisruptionBudgets are not modelled.
        """
        order = sorted(
            (k for k, p in enumerate(node.pods) if p.priority < pod.priority),
            key=lambda k: (-node.pods[k].priority, k),
        )
        kept = list(keep)
        out: list[PodInfo] = []
        for k in order:
            candidate = node.pods[k]
            if run_filters(pod, node.without([*kept, candidate]), self.fcfg) is None:
                kept.append(candidate)
            else:
                out.append(candidate)
        return tuple(out)
