"""PodTopologySpread and InterPodAffinity bound to one run: what the engine calls.

Both plugins read the **whole cluster** (a bind on one node changes the answer on every
node of the same topology domain, and the "first pod of a group" exception on every
node), so every pod they can concern (:meth:`TopologyPlugins.concerns`: a pod with
spread constraints, a default spread selector or pod (anti-)affinity terms, and every pod
once some pod with affinity terms is bound) is placed through its class's topology cells
(:mod:`podfit.scheduler.cells`, which keep the plugins' sums from bind to bind), and the
full scan (``--explain``, Pending pods' messages, preemption) runs the functions here over
all nodes. Other pods keep the engine's equivalence-class fast path, whose answers these
plugins cannot change.

Filter order after the node-local filters: PodTopologySpread, then InterPodAffinity
(``default_plugins.go``); weights 2 and 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from podfit.scheduler.framework import SCORE, FilterStatus
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins import inter_pod_affinity as ipa
from podfit.scheduler.profile import CLUSTER_FILTER_PLUGINS, CLUSTER_PLUGINS, cluster_dynamic
from podfit.topology import Namespaces


class TopologyPlugins:
    """The two plugins with the run's Namespace labels and ``hardPodAffinityWeight``."""

    __slots__ = ("affinity_bound", "hard_weight", "label_sets", "namespaces")

    def __init__(
        self,
        namespaces: Namespaces | None = None,
        hard_weight: int = ipa.HARD_POD_AFFINITY_WEIGHT,
    ) -> None:
        self.namespaces = namespaces or Namespaces()
        self.hard_weight = hard_weight
        self.affinity_bound = 0
        """Bound pods with pod (anti-)affinity terms: while > 0 every pod is concerned; while
        0 InterPodAffinity skips every pod without terms of its own (nothing can repel,
        attract or score it)."""
        self.label_sets: dict[int, Mapping[str, str]] = {}
        """Every labels object a pod bound in this run carries or carried, by ``id`` (the
        object is kept, so its id is not reused): a selector matching none of them counts
        no pod on any node. Filled by :meth:`bound_already` and :meth:`bound`."""

    def bound_already(self, nodes: Sequence[NodeInfo]) -> None:
        """Count the pods with terms that ``nodes`` already hold (nodes handed over with
        their pods, as ``plan fit`` and ``check`` do). O(pods on the nodes)."""
        for node in nodes:
            for pod in node.pods:
                self.bound(pod)

    def bound(self, pod: PodInfo) -> None:
        """Note that ``pod`` was bound (the engine calls this on every bind; it may note
        the pod's labels itself, with :meth:`note_labels`, and skip this for a pod
        without pod affinity). O(1)."""
        self.note_labels(pod.labels)
        if pod.pod_affinity is not None and ipa.has_any_terms(pod):
            self.affinity_bound += 1

    def note_labels(self, labels: Mapping[str, str]) -> None:
        """Add a bound pod's labels object to :attr:`label_sets`. O(1)."""
        self.label_sets.setdefault(id(labels), labels)

    def unbound(self, pod: PodInfo) -> None:
        """Note that ``pod`` left its node (preemption). O(1)."""
        if ipa.has_any_terms(pod):
            self.affinity_bound -= 1

    def concerns(self, pod: PodInfo) -> bool:
        """Whether either plugin can filter or score ``pod`` differently from "pass, 0"."""
        return self.affinity_bound > 0 or cluster_dynamic(pod)

    def prefilter(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> tuple[object, ...]:
        """The cluster-dynamic plugins' PreFilters over all ``nodes``, in table order.
        O(pods in the cluster × terms)."""
        return tuple(
            p.cluster.prefilter(pod, nodes, self) for p in CLUSTER_FILTER_PLUGINS if p.cluster
        )

    def filter(
        self, state: tuple[object, ...], pod: PodInfo, node: NodeInfo
    ) -> FilterStatus | None:
        """Their Filters on ``node`` in table order (PodTopologySpread, InterPodAffinity);
        the first failure."""
        for plugin, own in zip(CLUSTER_FILTER_PLUGINS, state, strict=True):
            assert plugin.cluster is not None
            status = plugin.cluster.filter(own, pod, node)
            if status is not None:
                return status
        return None

    def filter_replaced(
        self, pod: PodInfo, nodes: Sequence[NodeInfo], i: int, replacement: NodeInfo
    ) -> FilterStatus | None:
        """Filter ``pod`` on ``replacement`` as node ``i`` of ``nodes`` (a copy without some
        pods, for preemption): PreFilter recomputed on the modified cluster, as upstream's
        RemovePod extensions would update it. O(pods in the cluster)."""
        changed = list(nodes)
        changed[i] = replacement
        return self.filter(self.prefilter(pod, changed), pod, replacement)

    def scores(
        self, pod: PodInfo, nodes: Sequence[NodeInfo], feasible: Sequence[int]
    ) -> dict[str, list[int] | None]:
        """Plugin name → normalised (0..100, unweighted) scores of the ``feasible`` nodes of
        each cluster-dynamic score plugin (None when its PreScore skips)."""
        return {
            p.name: p.cluster.scores(pod, nodes, feasible, self)
            for p in CLUSTER_PLUGINS
            if p.cluster is not None and SCORE in p.points
        }


__all__ = ["TopologyPlugins"]
