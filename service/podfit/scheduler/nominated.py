"""Nominated pods hold room: kube-scheduler's ``RunFilterPluginsWithNominatedPods``.

While a pod nominated to a node (``status.nominatedNodeName``) is still Pending, every
other pod P filtered on that node (pkg/scheduler/framework/runtime/framework.go,
``addGENominatedPods``) sees the pods nominated there with priority **≥ P's** (P itself
excepted) as if they were running there — the PreFilter extensions ``AddPod`` update
PodTopologySpread's and InterPodAffinity's counts, as recomputing them on the changed
cluster does — and the node passes only if P fits both **with** them and (when any was
added) **without** them; the status is the first failing pass's. It applies in the normal
cycle, on a pod's own nominated node (``evaluateNominatedNode``) and in preemption's
victim selection (``SelectVictimsOnNode``).

:class:`Nominations` is the run's record (the scheduling queue's nominator): node index →
the Pending pods nominated there, in queue order. A cycle asks :meth:`Nominations.for_pod`
for what concerns its pod; an empty answer leaves the engine's usual paths untouched.
"""

from __future__ import annotations

from collections.abc import Sequence

from podfit.scheduler.framework import FilterConfig, FilterStatus
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.inter_pod_affinity import has_any_terms
from podfit.scheduler.profile import run_filters
from podfit.scheduler.topologyplugins import TopologyPlugins

__all__ = ["NominatedFilter", "Nominations"]


class Nominations:
    """Pending pods nominated to nodes (by node index), and a version that changes with
    every nomination added or cleared (part of cache keys)."""

    __slots__ = ("by_node", "node_of", "version")

    def __init__(self) -> None:
        self.by_node: dict[int, list[PodInfo]] = {}
        self.node_of: dict[int, int] = {}  # id(pod) → node index
        self.version = 0

    def __bool__(self) -> bool:
        return bool(self.node_of)

    def add(self, pod: PodInfo, i: int) -> None:
        """Nominate ``pod`` to node ``i`` (replacing a nomination it had). O(pods there)."""
        self.clear(pod)
        self.by_node.setdefault(i, []).append(pod)
        self.node_of[id(pod)] = i
        self.version += 1

    def clear(self, pod: PodInfo) -> None:
        """Drop ``pod``'s nomination, if any (bound, or cleared by preemption). O(1) for a
        pod without one; O(pods nominated to its node) otherwise."""
        i = self.node_of.pop(id(pod), None)
        if i is None:
            return
        pods = self.by_node[i]
        pods[:] = [p for p in pods if p is not pod]
        if not pods:
            del self.by_node[i]
        self.version += 1

    def clear_lower(self, i: int, priority: int) -> None:
        """``prepareCandidate``: the pods nominated to node ``i`` with priority below
        ``priority`` (a preemptor's, nominated there) lose their nomination."""
        for pod in [p for p in self.by_node.get(i, ()) if p.priority < priority]:
            self.clear(pod)

    def for_pod(self, pod: PodInfo) -> dict[int, list[PodInfo]]:
        """Per node, the pods nominated there that ``pod`` must make room for: priority
        ≥ ``pod``'s, ``pod`` itself excepted. Empty when none. O(nominated pods)."""
        out: dict[int, list[PodInfo]] = {}
        for i, pods in self.by_node.items():
            chosen = [p for p in pods if p is not pod and p.priority >= pod.priority]
            if chosen:
                out[i] = chosen
        return out


class NominatedFilter:
    """The two-pass filter of one pod on the nodes that have nominated pods for it."""

    __slots__ = ("fcfg", "nodes", "pod", "pods", "terms", "topology")

    def __init__(
        self,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        pods: dict[int, list[PodInfo]],
        fcfg: FilterConfig,
        topology: TopologyPlugins,
        concerned: bool,
    ) -> None:
        self.pod = pod
        self.nodes = nodes
        self.pods = pods
        self.fcfg = fcfg
        self.terms = any(has_any_terms(p) for ps in pods.values() for p in ps)
        """Whether a nominated pod has pod (anti-)affinity terms: then InterPodAffinity
        must look at every pod even while no bound pod has terms."""
        self.topology = topology if concerned or self.terms else None
        """The cluster-dynamic plugins when they concern the pod (``concerned``) or a
        nominated pod brings affinity terms; None: they pass every node."""

    def blocks(self, i: int) -> bool:
        """Whether node ``i``'s nominated pods make it fail the first pass (the pod's
        filters with them added), so that a node passing as it is fails the two passes.
        Cost: the filters once, plus the topology PreFilter over the changed cluster when
        the topology plugins apply."""
        node = self.nodes[i]
        added = self.pods[i]
        return self._filter(i, node.without([*node.pods, *added]), added) is not None

    def filter(
        self, i: int, state: tuple[object, ...], keep: Sequence[PodInfo] | None = None
    ) -> FilterStatus | None:
        """Filter the pod on node ``i`` (holding ``keep`` instead of its pods when given,
        as preemption asks) with the nominated pods added, then — when that passes — as
        it is; ``state`` is the topology PreFilter of the cluster as it is (unused when
        ``keep`` is given: it is then recomputed). Cost: the filters twice, plus the
        topology PreFilter over the changed cluster."""
        node = self.nodes[i]
        held = list(node.pods if keep is None else keep)
        added = self.pods.get(i, [])
        status = self._filter(i, node.without([*held, *added]), added)
        if status is not None or not added:
            return status
        if keep is None:
            status = run_filters(self.pod, node, self.fcfg)
            if status is None and self.topology is not None:
                status = self.topology.filter(state, self.pod, node)
            return status
        return self._filter(i, node.without(held), ())

    def _filter(self, i: int, clone: NodeInfo, added: Sequence[PodInfo]) -> FilterStatus | None:
        """Every filter on ``clone`` standing for node ``i``; the topology plugins' PreFilter
        recomputed on the cluster with that node replaced (their ``AddPod``/``RemovePod``
        extensions), counting ``added`` pods' affinity terms."""
        status = run_filters(self.pod, clone, self.fcfg)
        if status is not None or self.topology is None:
            return status
        context = self.topology
        extra = sum(1 for p in added if has_any_terms(p))
        if extra:
            context = TopologyPlugins(self.topology.namespaces, self.topology.hard_weight)
            context.affinity_bound = self.topology.affinity_bound + extra
        return context.filter_replaced(self.pod, self.nodes, i, clone)
