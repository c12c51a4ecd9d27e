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


def _add(counts: dict[tuple[str, str], int], node: NodeInfo, key: str, n: int = 1) -> None:
    value = node.labels.get(key)
    if value is not None:
        pair = (key, value)
        counts[pair] = counts.get(pair, 0) + n


class TermSummary(NamedTuple):
    """The terms of the pods on one node, each with how many pods carry it (replicas
    share their term objects): required affinity, required anti-affinity, and preferred
    affinity / anti-affinity as ``(term, weight, pods)``."""

    required: tuple[tuple[AffinityTerm, int], ...]
    required_anti: tuple[tuple[AffinityTerm, int], ...]
    preferred: tuple[tuple[AffinityTerm, int, int], ...]
    preferred_anti: tuple[tuple[AffinityTerm, int, int], ...]


_NO_TERMS = TermSummary((), (), (), ())


def term_summary(node: NodeInfo) -> TermSummary:
    """The node's pods' terms (:class:`TermSummary`), kept in ``node.memo`` until the
    node's pods change. O(1) when known, else O(pods on the node × terms)."""
    memo = node.memo
    found: TermSummary | None = memo.get("term-summary")
    if found is not None:
        return found
    required: dict[AffinityTerm, int] = {}
    anti: dict[AffinityTerm, int] = {}
    preferred: dict[tuple[AffinityTerm, int], int] = {}
    preferred_anti: dict[tuple[AffinityTerm, int], int] = {}
    for p in node.pods:
        a = p.pod_affinity
        if a is None:
            continue
        for t in a.required:
            required[t] = required.get(t, 0) + 1
        for t in a.required_anti:
            anti[t] = anti.get(t, 0) + 1
        for w in a.preferred:
            preferred[w.term, w.weight] = preferred.get((w.term, w.weight), 0) + 1
        for w in a.preferred_anti:
            pair = (w.term, w.weight)
            preferred_anti[pair] = preferred_anti.get(pair, 0) + 1
    if not (required or anti or preferred or preferred_anti):
        found = _NO_TERMS
    else:
        found = TermSummary(
            tuple(required.items()),
            tuple(anti.items()),
            tuple((t, w, n) for (t, w), n in preferred.items()),
            tuple((t, w, n) for (t, w), n in preferred_anti.items()),
        )
    memo["term-summary"] = found
    return found


def _plain(terms: Sequence[AffinityTerm]) -> bool:
    """Whether no term has a namespaceSelector (its match then ignores Namespace labels)."""
    return all(t.namespace_selector is None for t in terms)


def count_all(node: NodeInfo, terms: tuple[AffinityTerm, ...], namespaces: Namespaces) -> int:
    """Pods on ``node`` (terminating ones included) matching every one of ``terms``
    (:func:`matches_all`), kept in ``node.memo`` until the node's pods change when no term
    has a namespaceSelector. O(1) when known, else O(pods on the node × terms)."""
    if not _plain(terms):
        return sum(1 for p in node.pods if matches_all(terms, p, namespaces))
    key = ("affinity-all", terms)
    memo = node.memo
    n: int | None = memo.get(key)
    if n is None:
        n = memo[key] = sum(1 for p in node.pods if matches_all(terms, p, namespaces))
    return n


def count_one(node: NodeInfo, term: AffinityTerm, namespaces: Namespaces) -> int:
    """Pods on ``node`` (terminating ones included) matching ``term``; memoised as
    :func:`count_all`."""
    return count_all(node, (term,), namespaces)


def prefilter(
    pod: PodInfo, nodes: Iterable[NodeInfo], namespaces: Namespaces
) -> FilterState | None:
    """``PreFilter`` over **all** nodes; None for Skip (no required term of the pod and no
    existing pod's required anti-affinity matching it). Per node: the pods with terms, and
    the memoised match counts of the pod's terms (:func:`count_all`); O(nodes × terms)
    once the counts are known."""
    affinity = pod.pod_affinity or _NONE
    required, required_anti = affinity.required, affinity.required_anti
    counts_aff: dict[tuple[str, str], int] = {}
    counts_anti: dict[tuple[str, str], int] = {}
    existing: dict[tuple[str, str], int] = {}
    repels: dict[int, bool] = {}  # id of an existing pod's term → it matches ``pod``
    for node in nodes:
        for t, n in term_summary(node).required_anti:
            hit = repels.get(id(t))
            if hit is None:
                hit = repels[id(t)] = _matches(t, pod, namespaces)
            if hit:
                _add(existing, node, t.topology_key, n)
        if required:
            n = count_all(node, required, namespaces)
            if n:
                for t in required:
                    _add(counts_aff, node, t.topology_key, n)
        for t in required_anti:
            n = count_one(node, t, namespaces)
            if n:
                _add(counts_anti, node, t.topology_key, n)
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
    summing to 0 still exists. Per node: the memoised match counts of the pod's preferred
    terms and the node's pods with terms; O(nodes × terms) once the counts are known."""
    mine = pod.pod_affinity or _NONE
    scores: TopologyScore = {}
    hits: dict[int, bool] = {}  # id of an existing pod's term → it matches ``pod``

    def _hit(term: AffinityTerm) -> bool:
        hit = hits.get(id(term))
        if hit is None:
            hit = hits[id(term)] = _matches(term, pod, namespaces)
        return hit

    for node in nodes:
        if not node.labels:
            continue
        for w in mine.preferred:
            n = count_one(node, w.term, namespaces)
            if n:
                _score(scores, node, w.term.topology_key, w.weight * n)
        for w in mine.preferred_anti:
            n = count_one(node, w.term, namespaces)
            if n:
                _score(scores, node, w.term.topology_key, -w.weight * n)
        summary = term_summary(node)
        if summary is _NO_TERMS:
            continue
        if hard_weight > 0:
            for t, n in summary.required:
                if _hit(t):
                    _score(scores, node, t.topology_key, hard_weight * n)
        for t, weight, n in summary.preferred:
            if _hit(t):
                _score(scores, node, t.topology_key, weight * n)
        for t, weight, n in summary.preferred_anti:
            if _hit(t):
                _score(scores, node, t.topology_key, -weight * n)
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
    "count_all",
    "count_one",
    "filter_node",
    "has_any_terms",
    "has_required_anti",
    "matches_all",
    "normalize",
    "prefilter",
    "prescore",
    "score_node",
    "scores",
    "term_summary",
]
