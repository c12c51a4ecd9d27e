"""PodTopologySpread: PreFilter/Filter and PreScore/Score/NormalizeScore (weight 2).

Facts U6–U36 of the topology notes, checked against upstream
``pkg/scheduler/framework/plugins/podtopologyspread/{common,filtering,scoring}.go``:

* Constraints keep spec order; Filter uses the ``DoNotSchedule`` ones, Score the
  ``ScheduleAnyway`` ones. A pod with **no** constraints of its own gets the system
  defaults (hostname maxSkew 3, zone maxSkew 5, both ScheduleAnyway) with its default
  selector (Services, ReplicaSet / ReplicationController / StatefulSet selecting it) —
  only if that selector is non-empty. Defaults never filter.
* Counting: pods on the node, in the **incoming pod's namespace**, not terminating, whose
  labels match the constraint's selector; an empty or nil selector counts no pod.
* Filter: ``count(domain of node) + selfMatch − globalMin > maxSkew`` → Unschedulable
  ``node(s) didn't match pod topology spread constraints``; a node lacking the key →
  UnschedulableAndUnresolvable ``… (missing required label)``. ``globalMin`` is 0 when
  fewer than ``minDomains`` domains are eligible.
* Score: ``Σ cnt·ln(size+2) + (maxSkew−1)`` in float64, ``math.Round``, then
  ``100·(max+min−raw)/max`` with int64 division (ignored nodes 0, ``max == 0`` → 100).

Counts are kept per constraint (v1.34's ``TpValueToMatchNum[constraintID]``), so two
constraints on the same key with different selectors do not mix; a constraint with no
eligible domain has the global minimum 0 (``len(domains) < minDomains``).

Everything is computed from the cluster as it is (:class:`NodeInfo` objects with their
pods); the engine keeps the results per equivalence class and recomputes after binds
that can change them. Costs are stated per function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from podfit.scheduler.framework import UNRESOLVABLE, UNSCHEDULABLE, FilterStatus
from podfit.scheduler.model import NO_EXECUTE, NO_SCHEDULE, NodeInfo, PodInfo
from podfit.scheduler.plugins.node_affinity import required_affinity_matches
from podfit.scheduler.plugins.taint_toleration import first_untolerated
from podfit.scheduler.scores import MAX_NODE_SCORE, go_round
from podfit.topology import (
    DO_NOT_SCHEDULE,
    HONOR,
    SCHEDULE_ANYWAY,
    LabelSelector,
    SpreadConstraint,
    selector_empty,
    selector_matches,
)

POD_TOPOLOGY_SPREAD = "PodTopologySpread"
POD_TOPOLOGY_SPREAD_WEIGHT = 2
HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"

REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
REASON_NODE_LABEL_NOT_MATCH = REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"

SYSTEM_DEFAULT_CONSTRAINTS = (
    SpreadConstraint(3, HOSTNAME, SCHEDULE_ANYWAY),
    SpreadConstraint(5, ZONE, SCHEDULE_ANYWAY),
)
"""``plugin.go:systemDefaultConstraints`` (``defaultingType: System``, the default)."""


def constraints_for(pod: PodInfo, action: str) -> tuple[SpreadConstraint, ...]:
    """The pod's constraints with ``whenUnsatisfiable == action``, in spec order; for a pod
    without constraints of its own the system defaults with its default selector (none
    when that selector is empty or absent). O(#constraints)."""
    if pod.spread:
        return tuple(c for c in pod.spread if c.when_unsatisfiable == action)
    selector = pod.default_spread
    if selector is None or selector_empty(selector):
        return ()
    return tuple(
        c._replace(selector=selector)
        for c in SYSTEM_DEFAULT_CONSTRAINTS
        if c.when_unsatisfiable == action
    )


def count_matching(pods: Sequence[PodInfo], selector: LabelSelector | None, namespace: str) -> int:
    """``countPodsMatchSelector``: pods in ``namespace``, not terminating, matching
    ``selector``; an empty (or nil) selector counts none. O(#pods)."""
    if selector is None or selector_empty(selector):
        return 0
    n = 0
    for p in pods:
        if p.namespace == namespace and not p.terminating and selector_matches(selector, p.labels):
            n += 1
    return n


def node_count(node: NodeInfo, selector: LabelSelector | None, namespace: str) -> int:
    """:func:`count_matching` over ``node``'s pods, kept in ``node.memo`` (emptied when a
    pod is bound to or removed from the node): a match group is counted once per node
    until the node's pods change. O(1) when known, else O(pods on the node)."""
    key = ("spread", namespace, selector)
    memo = node.memo
    n = memo.get(key)
    if n is None:
        n = memo[key] = count_matching(node.pods, selector, namespace)
    return n


def has_all_keys(labels: Mapping[str, str], constraints: Sequence[SpreadConstraint]) -> bool:
    """``nodeLabelsMatchSpreadConstraints``: the node carries every constraint's key."""
    return all(c.topology_key in labels for c in constraints)


def node_included(c: SpreadConstraint, pod: PodInfo, node: NodeInfo) -> bool:
    """``matchNodeInclusionPolicies``: nodeAffinityPolicy Honor → the pod's nodeSelector and
    required node affinity must match; nodeTaintsPolicy Honor → no untolerated
    NoSchedule/NoExecute taint."""
    if c.node_affinity_policy == HONOR and not required_affinity_matches(pod, node):
        return False
    return not (
        c.node_taints_policy == HONOR
        and node.taints
        and first_untolerated(node.taints, pod.tolerations, (NO_SCHEDULE, NO_EXECUTE)) is not None
    )


class FilterState(NamedTuple):
    """PreFilter result: the hard constraints and, per constraint (same index), the
    matching-pod count of each eligible domain (topology value) and the smallest count."""

    constraints: tuple[SpreadConstraint, ...]
    counts: tuple[dict[str, int], ...]
    minimum: tuple[int, ...]
    self_match: tuple[int, ...]
    """1 where the incoming pod matches the constraint's own selector, else 0."""


def prefilter(pod: PodInfo, nodes: Sequence[NodeInfo]) -> FilterState | None:
    """``calPreFilterState`` over **all** nodes; None when the pod has no hard constraint
    (PreFilter Skip: every node passes). O(nodes × constraints) lookups of the memoised
    per-node counts (:func:`node_count`)."""
    constraints = constraints_for(pod, DO_NOT_SCHEDULE)
    if not constraints:
        return None
    counts: tuple[dict[str, int], ...] = tuple({} for _ in constraints)
    ns = pod.namespace
    keys = [c.topology_key for c in constraints]
    terms = [
        (c, c.topology_key, counts[k], ("spread", ns, c.selector), inclusion_matters(c, pod))
        for k, c in enumerate(constraints)
    ]
    for node in nodes:
        labels = node.labels
        for key in keys:
            if key not in labels:
                break
        else:
            for c, key, domain, memo_key, check in terms:
                if check and not node_included(c, pod, node):
                    continue
                value = labels[key]
                n = node.memo.get(memo_key)
                if n is None:
                    n = node_count(node, c.selector, ns)
                domain[value] = domain.get(value, 0) + n
    minimum = tuple(min(domain.values(), default=0) for domain in counts)
    self_match = tuple(1 if selector_matches(c.selector, pod.labels) else 0 for c in constraints)
    return FilterState(constraints, counts, minimum, self_match)


def filter_node(state: FilterState | None, pod: PodInfo, node: NodeInfo) -> FilterStatus | None:
    """``Filter``: constraints in order, the first failure wins. The global minimum is 0
    when fewer than ``minDomains`` domains are eligible (also when none is).
    O(#constraints)."""
    if state is None:
        return None
    labels = node.labels
    for k, c in enumerate(state.constraints):
        value = labels.get(c.topology_key)
        if value is None:
            return FilterStatus(POD_TOPOLOGY_SPREAD, UNRESOLVABLE, (REASON_NODE_LABEL_NOT_MATCH,))
        domain = state.counts[k]
        minimum = 0 if len(domain) < c.min_domains else state.minimum[k]
        if domain.get(value, 0) + state.self_match[k] - minimum > c.max_skew:
            return FilterStatus(POD_TOPOLOGY_SPREAD, UNSCHEDULABLE, (REASON_CONSTRAINTS_NOT_MATCH,))
    return None


class ScoreState(NamedTuple):
    """PreScore result: the soft constraints (or system defaults), the ignored feasible
    nodes (indexes), matching-pod counts per non-hostname constraint and value, and the
    per-constraint weights ``ln(size + 2)``."""

    constraints: tuple[SpreadConstraint, ...]
    ignored: frozenset[int]
    counts: tuple[dict[str, int], ...]
    weights: tuple[float, ...]


def inclusion_matters(c: SpreadConstraint, pod: PodInfo) -> bool:
    """Whether :func:`node_included` can exclude a node for ``c`` and ``pod``: False when
    nodeAffinityPolicy is Ignore or the pod has no nodeSelector nor required terms, and
    nodeTaintsPolicy is Ignore (then every node is included)."""
    affinity = c.node_affinity_policy == HONOR and (
        bool(pod.node_selector) or pod.required_terms is not None
    )
    return affinity or c.node_taints_policy == HONOR


def prescore(pod: PodInfo, nodes: Sequence[NodeInfo], feasible: Sequence[int]) -> ScoreState | None:
    """``PreScore``; None for Skip (no soft constraint and no system default applies).

    Nodes lacking a key are ignored only for a pod's own constraints; with the system
    defaults such a node is a domain ``""`` of the zone constraint (a Go map lookup).
    Hostname constraints need no domain counts (Score reads the node's own count).
    O(nodes × constraints) lookups of the memoised per-node counts (:func:`node_count`).
    """
    if not nodes:
        return None
    constraints = constraints_for(pod, SCHEDULE_ANYWAY)
    if not constraints:
        return None
    require_all = bool(pod.spread)
    ignored: set[int] = set()
    counts: tuple[dict[str, int], ...] = tuple({} for _ in constraints)
    domains = [
        (k, c.topology_key, counts[k])
        for k, c in enumerate(constraints)
        if c.topology_key != HOSTNAME
    ]
    for i in feasible:
        labels = nodes[i].labels
        if require_all and not has_all_keys(labels, constraints):
            ignored.add(i)
            continue
        for _, key, domain in domains:
            domain.setdefault(labels.get(key, ""), 0)
    weights = []
    for k, c in enumerate(constraints):
        size = len(feasible) - len(ignored) if c.topology_key == HOSTNAME else len(counts[k])
        weights.append(math.log(float(size + 2)))
    ns = pod.namespace
    for k, key, domain in domains:
        c = constraints[k]
        memo_key = ("spread", ns, c.selector)
        check = inclusion_matters(c, pod)
        for node in nodes:
            labels = node.labels
            if require_all and not has_all_keys(labels, constraints):
                continue
            if check and not node_included(c, pod, node):
                continue
            value = labels.get(key, "")
            if value in domain:
                n = node.memo.get(memo_key)
                if n is None:
                    n = node_count(node, c.selector, ns)
                domain[value] += n
    return ScoreState(constraints, frozenset(ignored), counts, tuple(weights))


ScoreTerm = tuple[str, int, dict[str, int], float, float]
"""One soft constraint as Score reads it: topology key; for the hostname key the position
of the node's own count in the counts :func:`raw_score` is given (else -1); the domain
counts; the weight ``ln(size + 2)``; ``maxSkew − 1`` as a float."""


def score_terms(state: ScoreState) -> list[ScoreTerm]:
    """PreScore's state bound per constraint, in constraint order, for :func:`raw_score`
    with the node's own counts given per constraint (position k for constraint k)."""
    return [
        (
            c.topology_key,
            k if c.topology_key == HOSTNAME else -1,
            domain,
            weight,
            float(c.max_skew - 1),
        )
        for k, (c, domain, weight) in enumerate(
            zip(state.constraints, state.counts, state.weights, strict=True)
        )
    ]


def raw_score(
    terms: Sequence[ScoreTerm], labels: Mapping[str, str], own: Sequence[int | None]
) -> int:
    """``Score`` of a node (not ignored) with ``labels``: ``round(Σ cnt·weight + (maxSkew −
    1))`` over the constraints whose key the node has; ``cnt`` is the domain's count, or
    under the hostname key the node's own matching-pod count (``own[slot]``).
    Float64 additions in constraint order, Go ``math.Round`` (half away from zero)."""
    total = 0.0
    for key, slot, domain, weight, skew in terms:
        value = labels.get(key)
        if value is None:
            continue
        total += float(domain[value] if slot < 0 else (own[slot] or 0)) * weight + skew
    if total < 0:
        return go_round(total)
    whole = int(total)  # go_round for total >= 0: truncation, then up from .5
    return whole + 1 if total - whole >= 0.5 else whole


def score_node(state: ScoreState, pod: PodInfo, node: NodeInfo, i: int) -> int:
    """``Score`` of node ``i``: :func:`raw_score` with the node's own counts under the
    hostname key (:func:`node_count`); 0 for an ignored node."""
    if i in state.ignored:
        return 0
    own: list[int | None] = [
        node_count(node, c.selector, pod.namespace) if c.topology_key == HOSTNAME else None
        for c in state.constraints
    ]
    return raw_score(score_terms(state), node.labels, own)


def normalize(raw: Sequence[int], ignored: Sequence[bool] | None = None) -> list[int]:
    """``NormalizeScore`` over the feasible nodes' raw scores: ignored → 0; ``max == 0`` →
    100; else ``100·(max + min − raw) // max`` (int64, non-negative operands). ``max``
    starts at 0, ``min`` at MaxInt64, both over non-ignored nodes (``ignored`` None: no
    node is ignored).

    >>> normalize([4, 2, 0, 5])
    [20, 60, 100, 0]
    >>> normalize([4, 2, 0, 5], [False, True, False, False])
    [20, 0, 100, 0]
    """
    if ignored is None:
        if not raw:
            return []
        top = max(0, *raw)
        if top == 0:
            return [MAX_NODE_SCORE] * len(raw)
        base = top + min(raw)
        out = []
        for r in raw:  # a loop: few nodes per call from the cells, no comprehension call
            out.append(MAX_NODE_SCORE * (base - r) // top)
        return out
    top = 0
    low: int | None = None
    for s, skip in zip(raw, ignored, strict=True):
        if skip:
            continue
        top = max(top, s)
        low = s if low is None else min(low, s)
    out = []
    for s, skip in zip(raw, ignored, strict=True):
        if skip:
            out.append(0)
        elif top == 0:
            out.append(MAX_NODE_SCORE)
        else:
            assert low is not None
            out.append(MAX_NODE_SCORE * (top + low - s) // top)
    return out


def scores(pod: PodInfo, nodes: Sequence[NodeInfo], feasible: Sequence[int]) -> list[int] | None:
    """Normalised scores (0..100, before the weight) of the ``feasible`` nodes, in their
    order; None when PreScore skips (the plugin adds nothing). :func:`score_node` per
    node with the per-constraint terms bound once. O(feasible × constraints)."""
    state = prescore(pod, nodes, feasible)
    if state is None:
        return None
    ns = pod.namespace
    terms = score_terms(state)
    hosts = [(k, c.selector) for k, c in enumerate(state.constraints) if c.topology_key == HOSTNAME]
    own: list[int | None] = [0] * len(terms)
    ignored = state.ignored
    raw = []
    for i in feasible:
        if i in ignored:
            raw.append(0)
            continue
        node = nodes[i]
        for k, selector in hosts:
            own[k] = node_count(node, selector, ns)
        raw.append(raw_score(terms, node.labels, own))
    return normalize(raw, [i in ignored for i in feasible] if ignored else None)


__all__ = [
    "HOSTNAME",
    "POD_TOPOLOGY_SPREAD",
    "POD_TOPOLOGY_SPREAD_WEIGHT",
    "REASON_CONSTRAINTS_NOT_MATCH",
    "REASON_NODE_LABEL_NOT_MATCH",
    "SYSTEM_DEFAULT_CONSTRAINTS",
    "ZONE",
    "FilterState",
    "ScoreState",
    "constraints_for",
    "count_matching",
    "filter_node",
    "has_all_keys",
    "inclusion_matters",
    "node_count",
    "node_included",
    "normalize",
    "prefilter",
    "prescore",
    "raw_score",
    "score_node",
    "score_terms",
    "scores",
]
