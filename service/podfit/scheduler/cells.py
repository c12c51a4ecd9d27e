"""Topology cells: the equivalence index for pods that PodTopologySpread or InterPodAffinity
concern, so that a cycle costs O(cells) instead of O(nodes).

Both plugins read the whole cluster, but their answer for a node is a function of few
things: the node's values for the topology keys they read, and — under the hostname key,
whose domain is the node itself — the node's own counts. Nodes agreeing on all of these
(and on the static raw scores) form a **cell**: they pass or fail both Filters together
and get the same topology scores, so the best node of a cell is its best by the usage
score, then input order — what the class index's groups already keep
(:class:`podfit.scheduler.classes.ClassIndex` with a :class:`TopologyClass`).

Per cycle: each plugin's sums (:class:`~podfit.scheduler.framework.ClusterCounts`) are
corrected by the nodes that changed since the class was last used; the nodes that changed
move to their new cell; every non-empty cell is filtered and scored once, through its best
node, by the plugins' own Filter, Score and NormalizeScore functions (a cell's answers
are its nodes' answers, and min and max over the feasible nodes are min and max over the
feasible cells). The hostname is treated as a per-node domain only when no two nodes
share a hostname value; otherwise it is a key like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from podfit.scheduler.framework import ClusterCounts
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.pod_topology_spread import HOSTNAME
from podfit.scheduler.profile import CLUSTER_FILTER_PLUGINS, CLUSTER_PLUGINS, SCORING

if TYPE_CHECKING:
    from podfit.scheduler.classes import ClassIndex, _Group
    from podfit.scheduler.engine import Engine


def unique_hostnames(nodes: Sequence[NodeInfo]) -> bool:
    """Whether no two nodes carry the same ``kubernetes.io/hostname`` value (then a
    hostname domain holds one node). O(nodes)."""
    values = [n.labels[HOSTNAME] for n in nodes if HOSTNAME in n.labels]
    return len(set(values)) == len(values)


class TopologyClass:
    """The cluster-dynamic plugins' kept sums for one pod class and the cell of a node."""

    __slots__ = (
        "count_list",
        "counts",
        "engine",
        "filters",
        "growing",
        "host",
        "key_sizes",
        "keys",
        "one",
        "places",
        "raw_keys",
        "scorers",
        "skipped",
        "synced",
    )

    def __init__(self, engine: Engine, pod: PodInfo) -> None:
        self.engine = engine
        context = engine.topology
        self.counts: dict[str, ClusterCounts] = {}
        for p in CLUSTER_PLUGINS:
            if p.cluster is not None:
                counts = p.cluster.counts(pod, engine.nodes, context)
                if counts is not None:
                    self.counts[p.name] = counts
        self.count_list = tuple(self.counts.values())
        self.growing = tuple(c for c in self.count_list if not c.fixed_keys)
        """The sums whose keys may grow (the others' never change the cells' keys)."""
        self.skipped = len(self.counts) < sum(1 for p in CLUSTER_PLUGINS if p.cluster)
        """A plugin skips the class while no bound pod has affinity terms."""
        self.filters = [
            (p.cluster.filter, self.counts[p.name])
            for p in CLUSTER_FILTER_PLUGINS
            if p.cluster is not None and p.name in self.counts and self.counts[p.name].may_filter
        ]
        """Filter hook and sums per plugin that may filter, in profile order."""
        self.scorers = [
            (p.weight, self.counts[p.name])
            for p in SCORING
            if p.cluster is not None and p.name in self.counts
        ]
        """Score weight and sums per plugin, in profile order."""
        self.synced = len(engine.changes)
        self.raw_keys = self._read_keys()
        self.key_sizes = self._key_sizes()
        self.host = HOSTNAME in self.raw_keys
        """The node's own counts enter the cell (Score reads a node's own count under the
        hostname key even when hostnames are shared)."""
        per_node = self.host and engine.unique_hostnames
        self.keys = keys = tuple(k for k in self.raw_keys if not (per_node and k == HOSTNAME))
        """The keys whose values enter the cell: the hostname only when it is shared (a
        unique hostname's domain answers are the node's own counts)."""
        self.places = engine.places(keys, self.host)
        """Per node, the part of its cell its labels fix: its values for :attr:`keys` and,
        when an answer reads the hostname key, whether it has one."""
        self.one = self.count_list[0] if len(self.count_list) == 1 else None
        """The sums when only one plugin keeps any (the usual case: spreading without
        affinity): a cell's own part is that plugin's alone."""

    def _read_keys(self) -> tuple[str, ...]:
        return tuple(sorted({k for c in self.counts.values() for k in c.value_keys()}))

    def _key_sizes(self) -> tuple[int, ...]:
        """How many keys each plugin whose keys may grow reads: key sets only grow, so
        equal sizes mean equal sets (O(plugins) instead of a union per cycle)."""
        return tuple([len(c.value_keys()) for c in self.growing])

    def sync(self) -> bool:
        """Correct the sums by the nodes that changed since the last cycle of this class.
        False when an answer now reads a key the cells were not built on (a bind brought
        a term with a new topology key), or a skipped plugin no longer skips (a pod with
        affinity terms was bound): the caller rebuilds the class index."""
        engine = self.engine
        changes = engine.changes
        behind = len(changes) - self.synced
        if not behind:
            return True
        if self.skipped and engine.topology.affinity_bound:
            return False
        nodes = engine.nodes
        counts = self.count_list
        if behind == 1:
            i = changes[-1]
            for c in counts:
                c.node_changed(i, nodes[i])
        else:
            for i in dict.fromkeys(changes[self.synced :]):
                node = nodes[i]
                for c in counts:
                    c.node_changed(i, node)
        self.synced = len(changes)
        if not self.growing:
            return True
        sizes = self._key_sizes()
        if sizes == self.key_sizes:
            return True
        if self._read_keys() != self.raw_keys:
            return False
        self.key_sizes = sizes
        return True

    def cell(self, i: int) -> tuple[object, ...]:
        """Node ``i``'s topology part of its cell key: its values for :attr:`keys` and,
        when an answer reads the hostname key, whether it has one and its own counts."""
        if not self.host:
            return self.places[i]
        one = self.one
        if one is not None:
            return self.places[i], one.own_part(i)
        return self.places[i], tuple([c.own_part(i) for c in self.count_list])

    def cells(self) -> list[object]:
        """:meth:`cell` of every node, in node order. O(nodes)."""
        if not self.host:
            return list(self.places)
        one = self.one
        if one is not None:
            return [(p, one.own_part(i)) for i, p in enumerate(self.places)]
        return [self.cell(i) for i in range(len(self.places))]

    def best(self, index: ClassIndex, pod: PodInfo) -> int | None:
        """The node the full scan would choose for ``pod`` (highest total, then lowest
        input index), None when no node passes every filter. ``index`` is the class's
        synced index built on this object. Cost: O(cells × (constraints + terms))."""
        # plain loops: the lists hold a few cells, and in CPython 3.11 a comprehension
        # costs a function call
        score, owner = index.score, index.group_of
        checks = None
        for check, counts in self.filters:
            state = counts.filter_state()
            if state is not None:
                checks = [] if checks is None else checks
                checks.append((check, state))
        nodes = self.engine.nodes
        cells: list[_Group] = []
        reps: list[int] = []
        totals: list[int] = []
        sizes: list[int] = []
        for g in index.groups.values():
            if not g.count:
                continue
            usage, i = g.peek(score, owner)
            if checks is not None:
                node = nodes[i]
                if any(check(state, pod, node) is not None for check, state in checks):
                    continue
            cells.append(g)
            reps.append(i)
            totals.append(usage)
            sizes.append(g.count)
        if len(reps) <= 1:
            return reps[0] if reps else None
        if index.terms:
            first = cells[0].raws
            for g in cells:
                if g.raws != first:  # else the static scores are the same for every cell
                    for k, b in enumerate(index.static_bonus(cells)):
                        totals[k] += b
                    break
        for w, counts in self.scorers:
            normalised = counts.scores(pod, nodes, reps, sizes)
            if normalised is not None:
                for k, r in enumerate(normalised):
                    totals[k] += w * r
        best, best_i = totals[0], reps[0]
        for k in range(1, len(reps)):
            t = totals[k]
            if t > best or (t == best and reps[k] < best_i):
                best, best_i = t, reps[k]
        return best_i


__all__ = ["TopologyClass", "unique_hostnames"]
