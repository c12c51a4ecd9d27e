"""InterPodAffinity: PreFilter/Filter and PreScore/Score/NormalizeScore (weight 2).

Facts U37–U58 of the topology notes, checked against upstream
``pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring}.go``:

* PreFilter counts, per ``(topologyKey, value)`` of the existing pods' nodes (all nodes):
  ``affinity`` — pods matching **all** of the incoming pod's required affinity terms, one
  count per term; ``anti`` — per required anti-affinity term of the incoming pod, pods
  matching it; ``existing`` — per required anti-affinity term of an existing pod that the
  incoming pod matches (namespaceSelector evaluated on the incoming pod's namespace).
  Only nodes carrying the term's key count.
* Filter, first failure wins: affinity (UnschedulableAndUnresolvable ``node(s) didn't
  match pod affinity rules``; a node lacking a term's key fails at once; the first pod of a
  group passes when no pod matches anywhere and it matches its own terms), anti-affinity
  (Unschedulable ``node(s) didn't match pod anti-affinity rules``), existing pods'
  anti-affinity (Unschedulable ``node(s) didn't satisfy existing pods anti-affinity
  rules``, any node label pair with a count).
* Score: per ``(key, value)`` the sum of the incoming pod's preferred weights (anti
  negative) over matching existing pods, plus for each existing pod its required affinity
  terms the incoming pod matches (``hardPodAffinityWeight``, default 1) and its preferred
  terms (anti negative). A node's raw score sums its label pairs' entries; normalisation
  ``int64(100 · (float64(raw − min) / float64(max − min)))`` in that float order, all 0
  when ``max == min``.

Terminating pods count here (only PodTopologySpread skips them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from podfit.scheduler.framework import UNRESOLVABLE, UNSCHEDULABLE, FilterStatus
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.scores import MAX_NODE_SCORE
from podfit.topology import AffinityTerm, Namespaces, PodAffinity, term_matches_pod

INTER_POD_AFFINITY = "InterPodAffinity"
INTER_POD_AFFINITY_WEIGHT = 2
HARD_POD_AFFINITY_WEIGHT = 1
"""``InterPodAffinityArgs.hardPodAffinityWeight`` default (range 0..100, 0 disables)."""

REASON_POD_AFFINITY = "node(s) didn't match pod affinity rules"
REASON_POD_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"

_NONE = PodAffinity()


def _matches(term: AffinityTerm, pod: PodInfo, namespaces: Namespaces) -> bool:
    return term_matches_pod(term, pod.namespace, pod.labels, namespaces)


def matches_all(terms: Sequence[AffinityTerm], pod: PodInfo, namespaces: Namespaces) -> bool:
    """``podMatchesAllAffinityTerms``: non-empty ``terms``, every one matching ``pod``."""
    return bool(terms) and all(_matches(t, pod, namespaces) for t in terms)


def has_required_anti(pod: PodInfo) -> bool:
    """Whether ``pod`` has required anti-affinity terms (it then repels other pods)."""
    return pod.pod_affinity is not None and bool(pod.pod_affinity.required_anti)


def has_any_terms(pod: PodInfo) -> bool:
    """Whether ``pod`` has any pod (anti-)affinity term (``PodsWithAffinity``)."""
    a = pod.pod_affinity
    return a is not None and bool(a.required or a.required_anti or a.preferred or a.preferred_anti)


class FilterState(NamedTuple):
    """PreFilter result: the incoming pod's required terms and the three count maps."""

    required: tuple[AffinityTerm, ...]
    required_anti: tuple[AffinityTerm, ...]
    affinity: dict[tuple[str, str], int]
    anti: dict[tuple[str, str], int]
    existing: dict[tuple[str, str], int]
    self_match: bool


def _add(counts: dict[tuple[str, str], int], node: NodeInfo, key: str) -> None:
    value = node.labels.get(key)
    if value is not None:
        pair = (key, value)
        counts[pair] = counts.get(pair, 0) + 1


def prefilter(
    pod: PodInfo, nodes: Iterable[NodeInfo], namespaces: Namespaces
) -> FilterState | None:
    """``PreFilter`` over **all** nodes; None for Skip (no required term of the pod and no
    existing pod's required anti-affinity matching it). O(pods in the cluster × terms)."""
    affinity = pod.pod_affinity or _NONE
    required, required_anti = affinity.required, affinity.required_anti
    counts_aff: dict[tuple[str, str], int] = {}
    counts_anti: dict[tuple[str, str], int] = {}
    existing: dict[tuple[str, str], int] = {}
    for node in nodes:
        for other in node.pods:
            theirs = other.pod_affinity
            if theirs is not None:
                for t in theirs.required_anti:
                    if _matches(t, pod, namespaces):
                        _add(existing, node, t.topology_key)
            if required and matches_all(required, other, namespaces):
                for t in required:
                    _add(counts_aff, node, t.topology_key)
            for t in required_anti:
                if _matches(t, other, namespaces):
                    _add(counts_anti, node, t.topology_key)
    if not existing and not required and not required_anti:
        return None
    return FilterState(
        required,
        required_anti,
        counts_aff,
        counts_anti,
        existing,
        matches_all(required, pod, namespaces),
    )


def filter_node(state: FilterState | None, node: NodeInfo) -> FilterStatus | None:
    """``Filter``: affinity, then anti-affinity, then existing pods' anti-affinity. O(terms
    + node labels)."""
    if state is None:
        return None
    labels = node.labels
    missing = False
    for t in state.required:
        value = labels.get(t.topology_key)
        if value is None:
            return FilterStatus(INTER_POD_AFFINITY, UNRESOLVABLE, (REASON_POD_AFFINITY,))
        if state.affinity.get((t.topology_key, value), 0) <= 0:
            missing = True
    if missing and not (not state.affinity and state.self_match):
        return FilterStatus(INTER_POD_AFFINITY, UNRESOLVABLE, (REASON_POD_AFFINITY,))
    if state.anti:
        for t in state.required_anti:
            value = labels.get(t.topology_key)
            if value is not None and state.anti.get((t.topology_key, value), 0) > 0:
                return FilterStatus(INTER_POD_AFFINITY, UNSCHEDULABLE, (REASON_POD_ANTI_AFFINITY,))
    if state.existing:
        existing = state.existing
        for pair in labels.items():
            if existing.get(pair, 0) > 0:
                return FilterStatus(
                    INTER_POD_AFFINITY, UNSCHEDULABLE, (REASON_EXISTING_ANTI_AFFINITY,)
                )
    return None


TopologyScore = dict[str, dict[str, int]]
"""``topologyScore``: key → value → summed weight."""


def _score(scores: TopologyScore, node: NodeInfo, key: str, weight: int) -> None:
    value = node.labels.get(key)
    if value is not None:
        by_value = scores.setdefault(key, {})
        by_value[value] = by_value.get(value, 0) + weight


def prescore(
    pod: PodInfo,
    nodes: Iterable[NodeInfo],
    namespaces: Namespaces,
    hard_weight: int = HARD_POD_AFFINITY_WEIGHT,
) -> TopologyScore | None:
    """``PreScore`` over all nodes; None for Skip (no term contributed anywhere). An entry
    summing to 0 still exists. O(pods in the cluster × terms)."""
    mine = pod.pod_affinity or _NONE
    scores: TopologyScore = {}
    for node in nodes:
        if not node.labels:
            continue
        for other in node.pods:
            for w in mine.preferred:
                if _matches(w.term, other, namespaces):
                    _score(scores, node, w.term.topology_key, w.weight)
            for w in mine.preferred_anti:
                if _matches(w.term, other, namespaces):
                    _score(scores, node, w.term.topology_key, -w.weight)
            theirs = other.pod_affinity
            if theirs is None:
                continue
            if hard_weight > 0:
                for t in theirs.required:
                    if _matches(t, pod, namespaces):
                        _score(scores, node, t.topology_key, hard_weight)
            for w in theirs.preferred:
                if _matches(w.term, pod, namespaces):
                    _score(scores, node, w.term.topology_key, w.weight)
            for w in theirs.preferred_anti:
                if _matches(w.term, pod, namespaces):
                    _score(scores, node, w.term.topology_key, -w.weight)
    return scores or None


def score_node(scores: TopologyScore, node: NodeInfo) -> int:
    """``Score``: Σ over keys the node has of ``scores[key][node's value]`` (may be < 0)."""
    labels = node.labels
    total = 0
    for key, by_value in scores.items():
        value = labels.get(key)
        if value is not None:
            total += by_value.get(value, 0)
    return total


def normalize(raw: Sequence[int]) -> list[int]:
    """``NormalizeScore``: ``int64(float64(100) * (float64(s − min) / float64(max − min)))``
    (division first, then the product, truncation toward zero); all 0 when max == min.

    >>> normalize([29, 0, 100])
    [28, 0, 100]
    """
    if not raw:
        return []
    low, top = min(raw), max(raw)
    diff = top - low
    if diff <= 0:
        return [0] * len(raw)
    return [int(float(MAX_NODE_SCORE) * (float(s - low) / float(diff))) for s in raw]


def scores(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    feasible: Sequence[int],
    namespaces: Namespaces,
    hard_weight: int = HARD_POD_AFFINITY_WEIGHT,
) -> list[int] | None:
    """Normalised scores (0..100, before the weight) of the ``feasible`` nodes, in their
    order; None when PreScore skips."""
    topology = prescore(pod, nodes, namespaces, hard_weight)
    if topology is None:
        return None
    return normalize([score_node(topology, nodes[i]) for i in feasible])


__all__ = [
    "HARD_POD_AFFINITY_WEIGHT",
    "INTER_POD_AFFINITY",
    "INTER_POD_AFFINITY_WEIGHT",
    "REASON_EXISTING_ANTI_AFFINITY",
    "REASON_POD_AFFINITY",
    "REASON_POD_ANTI_AFFINITY",
    "FilterState",
    "TopologyScore",
    "filter_node",
    "has_any_terms",
    "has_required_anti",
    "matches_all",
    "normalize",
    "prefilter",
    "prescore",
    "score_node",
    "scores",
]
