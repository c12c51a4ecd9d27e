"""Scoring: the usage-dependent score plugins for one configuration, and the weighted score
sum of a full scan, both derived from the profile table (:mod:`podfit.scheduler.profile`).

A static score plugin (TaintToleration, NodeAffinity) is normalised over the feasible
nodes with ``DefaultNormalizeScore``; a per-node dynamic one (NodeResourcesFit with the
configured strategy, BalancedAllocation) is used as it is. Each is multiplied by its weight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.framework import Dynamism, ScoreFn
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.node_resources_fit import NODE_RESOURCES_FIT
from podfit.scheduler.profile import BALANCED_ALLOCATION, SCORING, USAGE_SCORES

if TYPE_CHECKING:
    from podfit.scheduler.topologyplugins import TopologyPlugins

from podfit.scheduler.scores import (
    STRATEGIES,
    balanced_allocation,
    normalize_one,
    requested_to_capacity_ratio,
    resource_inputs,
    scale_shape,
)

_INLINE_USAGE = ((NODE_RESOURCES_FIT, 1), (BALANCED_ALLOCATION, 1))
"""The usage scores :meth:`Scorer.for_pod` inlines: the default profile's, both weight 1."""


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
            and tuple((p.name, p.weight) for p in USAGE_SCORES) == _INLINE_USAGE
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
        """The weighted sum of the profile's usage scores (:data:`USAGE_SCORES`:
        NodeResourcesFit + BalancedAllocation): the part that changes with usage."""
        return self.for_pod(pod, skip_balanced)(node)

    def _active_usage(self, pod: PodInfo, skip_balanced: bool) -> tuple[tuple[int, ScoreFn], ...]:
        """(weight, score) of the usage scores that score ``pod``: BalancedAllocation's
        PreScore skip is the caller's ``skip_balanced``, the others ask their ``skip``."""
        out: list[tuple[int, ScoreFn]] = []
        for plugin in USAGE_SCORES:
            assert plugin.score is not None
            if plugin.name == BALANCED_ALLOCATION:
                skipped = skip_balanced
            else:
                skipped = plugin.skip is not None and plugin.skip(self, pod)
            if not skipped:
                out.append((plugin.weight, plugin.score))
        return tuple(out)

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
        active = self._active_usage(pod, skip_balanced)

        def general(node: NodeInfo) -> int:
            return sum(weight * score(self, pod, node) for weight, score in active)

        if not self._inline:
            return general
        wc, wm = self._weights
        ws = wc + wm
        pnc, pnm = pod.non_zero_cpu, pod.non_zero_memory
        pc, pm = pod.requests.get("cpu", 0), pod.requests.get("memory", 0)

        def least_allocated_and_balanced(node: NodeInfo) -> int:
            alloc = node.allocatable
            ac = alloc.get("cpu", 0)
            am = alloc.get("memory", 0)
            if not (ac and am and ws):
                return general(node)
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


def score_nodes(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    feasible: Sequence[int],
    scorer: Scorer,
    topology: TopologyPlugins | None = None,
) -> dict[int, dict[str, int]]:
    """Weighted scores of every feasible node, one entry per score plugin of the profile in
    table order plus ``total`` (static scores normalised over ``feasible``; a plugin whose
    PreScore skips the pod scores 0; the cluster-dynamic plugins' from ``topology``, 0 when
    it is None). Cost: O(feasible × score plugins), plus the cluster-dynamic PreScores."""
    columns: list[tuple[str, list[int]]] = []
    cluster = topology.scores(pod, nodes, feasible) if topology is not None else {}
    for plugin in SCORING:
        if plugin.cluster is not None:
            normalised = cluster.get(plugin.name)
            column = [0] * len(feasible) if normalised is None else normalised
            columns.append((plugin.name, [plugin.weight * r for r in column]))
            continue
        assert plugin.score is not None
        if (plugin.skip is not None and plugin.skip(scorer, pod)) or (
            plugin.applies is not None and not plugin.applies(pod)
        ):
            columns.append((plugin.name, [0] * len(feasible)))
            continue
        raw = [plugin.score(scorer, pod, nodes[i]) for i in feasible]
        if plugin.normalize_reverse is not None:
            top = max(raw, default=0)
            raw = [normalize_one(r, top, plugin.normalize_reverse) for r in raw]
        columns.append((plugin.name, [plugin.weight * r for r in raw]))
    out: dict[int, dict[str, int]] = {}
    for k, i in enumerate(feasible):
        entry = {name: column[k] for name, column in columns}
        entry["total"] = sum(entry.values())
        out[i] = entry
    return out


def score_totals(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    feasible: Sequence[int],
    scorer: Scorer,
    topology: TopologyPlugins | None = None,
) -> list[int]:
    """The ``total`` of :func:`score_nodes` for each feasible node, in order, without the
    per-plugin entries (the scheduling cycle needs only the totals): the usage scores come
    from :meth:`Scorer.for_pod` (the same integers), the static and cluster-dynamic ones as
    in :func:`score_nodes`. Cost: O(feasible × score plugins)."""
    usage = scorer.for_pod(pod, scorer.balanced_skipped(pod))
    totals = [usage(nodes[i]) for i in feasible]
    cluster = topology.scores(pod, nodes, feasible) if topology is not None else {}
    for plugin in SCORING:
        if plugin.cluster is not None:
            normalised = cluster.get(plugin.name)
            if normalised is not None:
                w = plugin.weight
                totals = [t + w * r for t, r in zip(totals, normalised, strict=True)]
            continue
        if plugin.dynamism is not Dynamism.STATIC:
            continue  # usage scores: in for_pod above
        assert plugin.score is not None and plugin.normalize_reverse is not None
        if plugin.skip is not None and plugin.skip(scorer, pod):
            continue
        raw = [plugin.score(scorer, pod, nodes[i]) for i in feasible]
        top = max(raw, default=0)
        w = plugin.weight
        reverse = plugin.normalize_reverse
        totals = [t + w * normalize_one(r, top, reverse) for t, r in zip(totals, raw, strict=True)]
    return totals
