"""InterPodAffinity's PreFilter counts and PreScore sums for one pod class, kept from bind
to bind (U76).

:func:`~podfit.scheduler.plugins.inter_pod_affinity.prefilter` and ``prescore`` add, node
by node, what the node's pods contribute under ``(topologyKey, node's value)``: matches of
the incoming pod's required and anti-affinity terms, existing pods' anti-affinity terms
the incoming pod matches, and the weights of every term that scores. A node's part
changes only when its pods change, so each node's part is kept and the sums corrected by
its difference after a bind or an eviction; Filter and Score read the sums unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.inter_pod_affinity import (
    HARD_POD_AFFINITY_WEIGHT,
    FilterState,
    TopologyScore,
    count_all,
    count_one,
    has_any_terms,
    matches_all,
    normalize,
    score_node,
    term_summary,
)
from podfit.scheduler.plugins.pod_topology_spread import HOSTNAME
from podfit.topology import AffinityTerm, Namespaces, PodAffinity, term_matches_pod

AFFINITY, ANTI, EXISTING, SCORE = range(4)
"""The sums a node contributes to: PreFilter's three count maps and PreScore's weights."""

Part = dict[tuple[int, str, str], int]
"""What one node adds: ``(sum, topologyKey, value)`` → amount."""

_EMPTY: Part = {}
_NONE = PodAffinity()


class AffinityCounts:
    """PreFilter's ``affinity`` / ``anti`` / ``existing`` maps (pairs with a count of 0
    are dropped: Filter only asks for counts above 0) and PreScore's ``topologyScore``
    (entries summing to 0 dropped: they add 0), for the pods of one class.
    Building: O(nodes × terms); a node change: O(its pods × terms)."""

    __slots__ = (
        "affinity",
        "anti",
        "existing",
        "hard_weight",
        "hits",
        "keys",
        "mine",
        "namespaces",
        "own",
        "pod",
        "score",
        "self_match",
    )

    def __init__(
        self,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        namespaces: Namespaces,
        hard_weight: int = HARD_POD_AFFINITY_WEIGHT,
    ) -> None:
        self.pod = pod
        self.mine = mine = pod.pod_affinity or _NONE
        self.namespaces = namespaces
        self.hard_weight = hard_weight
        self.self_match = matches_all(mine.required, pod, namespaces)
        self.hits: dict[int, tuple[AffinityTerm, bool]] = {}
        self.affinity: dict[tuple[str, str], int] = {}
        self.anti: dict[tuple[str, str], int] = {}
        self.existing: dict[tuple[str, str], int] = {}
        self.score: TopologyScore = {}
        own_terms = (*mine.required, *mine.required_anti)
        weighted = (*mine.preferred, *mine.preferred_anti)
        self.keys = dict.fromkeys(
            [t.topology_key for t in own_terms] + [w.term.topology_key for w in weighted]
        )
        """Every key an answer reads: the pod's own terms' and every key met in the sums."""
        self.own: list[Part] = []
        for node in nodes:
            part = self._part(node)
            self.own.append(part)
            self._add(part, 1)

    def _hit(self, term: AffinityTerm) -> bool:
        """Whether an existing pod's ``term`` selects the class's pod (cached per term)."""
        known = self.hits.get(id(term))
        if known is not None and known[0] is term:
            return known[1]
        pod = self.pod
        hit = term_matches_pod(term, pod.namespace, pod.labels, self.namespaces)
        self.hits[id(term)] = (term, hit)  # the term is kept alive: its id is not reused
        return hit

    def _part(self, node: NodeInfo) -> Part:
        """What ``node`` adds to each sum, as ``prefilter`` and ``prescore`` add it."""
        labels = node.labels
        if not labels:
            return _EMPTY  # no key: nothing counts anywhere
        mine, ns = self.mine, self.namespaces
        part: Part = {}

        def add(which: int, key: str, amount: int) -> None:
            value = labels.get(key)
            if value is not None:
                entry = (which, key, value)
                part[entry] = part.get(entry, 0) + amount

        summary = term_summary(node)
        for t, n in summary.required_anti:
            if self._hit(t):
                add(EXISTING, t.topology_key, n)
        if mine.required:
            n = count_all(node, mine.required, ns)
            if n:
                for t in mine.required:
                    add(AFFINITY, t.topology_key, n)
        for t in mine.required_anti:
            n = count_one(node, t, ns)
            if n:
                add(ANTI, t.topology_key, n)
        for w in mine.preferred:
            n = count_one(node, w.term, ns)
            if n:
                add(SCORE, w.term.topology_key, w.weight * n)
        for w in mine.preferred_anti:
            n = count_one(node, w.term, ns)
            if n:
                add(SCORE, w.term.topology_key, -w.weight * n)
        if self.hard_weight > 0:
            for t, n in summary.required:
                if self._hit(t):
                    add(SCORE, t.topology_key, self.hard_weight * n)
        for t, weight, n in summary.preferred:
            if self._hit(t):
                add(SCORE, t.topology_key, weight * n)
        for t, weight, n in summary.preferred_anti:
            if self._hit(t):
                add(SCORE, t.topology_key, -weight * n)
        return part or _EMPTY

    def _add(self, part: Part, sign: int) -> None:
        maps = (self.affinity, self.anti, self.existing)
        for (which, key, value), amount in part.items():
            if which == SCORE:
                by_value = self.score.get(key)
                if by_value is None:
                    by_value = self.score[key] = {}
                    self.keys.setdefault(key)
                total = by_value.get(value, 0) + sign * amount
                if total:
                    by_value[value] = total
                else:
                    by_value.pop(value, None)
                    if not by_value:
                        del self.score[key]
                continue
            counts = maps[which]
            pair = (key, value)
            total = counts.get(pair, 0) + sign * amount
            if total:
                counts[pair] = total
                self.keys.setdefault(key)
            else:
                counts.pop(pair, None)

    def node_changed(self, i: int, node: NodeInfo) -> None:
        """Recount node ``i``: take its old part out of the sums and put the new one in."""
        new = self._part(node)
        old = self.own[i]
        if new == old:
            return
        self._add(old, -1)
        self._add(new, 1)
        self.own[i] = new

    fixed_keys = False
    """Terms of pods bound later bring their keys."""
    may_filter = True
    """Pods bound later may bring required terms."""

    def value_keys(self) -> Collection[str]:
        """The pod's own terms' keys and every key the sums have met (never shrinks)."""
        return self.keys

    def own_part(self, i: int) -> tuple[object, ...]:
        """Node ``i``'s own entries under the hostname key, without the hostname itself."""
        part = self.own[i]
        if not part:
            return ()
        return tuple(sorted((w, a) for (w, key, _), a in part.items() if key == HOSTNAME))

    def filter_state(self) -> FilterState | None:
        """:func:`prefilter`'s state from the kept sums (None: Skip)."""
        mine = self.mine
        if not self.existing and not mine.required and not mine.required_anti:
            return None
        return FilterState(
            mine.required,
            mine.required_anti,
            self.affinity,
            self.anti,
            self.existing,
            self.self_match,
        )

    def scores(
        self, pod: PodInfo, nodes: Sequence[NodeInfo], reps: Sequence[int], sizes: Sequence[int]
    ) -> list[int] | None:
        """``Score`` + ``NormalizeScore`` of the representatives (min and max over the
        feasible nodes are min and max over their representatives); None: nothing scores."""
        if not self.score:
            return None
        return normalize([score_node(self.score, nodes[i]) for i in reps])


def affinity_counts(
    pod: PodInfo, nodes: Sequence[NodeInfo], context: object
) -> AffinityCounts | None:
    """The ``counts`` hook of the profile row (``context``: the run's
    :class:`~podfit.scheduler.topologyplugins.TopologyPlugins`); None while neither the
    pod nor any bound pod has affinity terms (PreFilter and PreScore skip)."""
    if not has_any_terms(pod) and not getattr(context, "affinity_bound"):  # noqa: B009
        return None
    namespaces: Namespaces = getattr(context, "namespaces")  # noqa: B009
    hard_weight: int = getattr(context, "hard_weight")  # noqa: B009
    return AffinityCounts(pod, nodes, namespaces, hard_weight)


__all__ = ["AffinityCounts", "affinity_counts"]
