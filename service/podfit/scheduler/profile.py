"""The default profile as one table: kube-scheduler's in-tree registry plus its default
profile (``pkg/scheduler/framework/plugins/registry.go``, ``apis/config/v1/default_plugins.go``).

:data:`DEFAULT_PROFILE` lists the plugins in upstream order, one frozen
:class:`~podfit.scheduler.framework.Plugin` row each. Everything that composes plugins is
derived from it:

* the filter chains :data:`STATIC_FILTERS`, :data:`NODE_FILTERS`, :data:`CLUSTER_FILTERS`
  (first failing plugin wins, in table order; :func:`run_filters` runs them all);
* the equivalence-class keys: :data:`POD_KEY_FIELDS` (``PodInfo.scheduling_key``, the union
  of every plugin's pod reads) and :data:`STATIC_KEY_FIELDS` (``Engine.static_view``, the
  union of the static plugins' pod reads);
* the score sums: :data:`STATIC_SCORES` (normalised over the feasible nodes, constant for a
  node during a run) and :data:`USAGE_SCORES` (change as pods are bound on the node).

A new plugin is one module under :mod:`podfit.scheduler.plugins`, one row here and its tests.
Static filters must come before per-node dynamic ones and those before cluster-dynamic ones
(checked at import): the equivalence index keeps the static verdict of a node for a whole
run, which is only the first failing plugin's if no dynamic filter runs before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from podfit.scheduler.framework import (
    DEFAULT_FILTER_CONFIG,
    FILTER,
    NORMALIZE_SCORE,
    POST_ERROR,
    POST_FILTER,
    POST_SUCCESS,
    POST_UNSCHEDULABLE,
    PRE_FILTER,
    PRE_SCORE,
    SCORE,
    ClusterHooks,
    Dynamism,
    FilterConfig,
    FilterFn,
    FilterStatus,
    Plugin,
    PostFilterInput,
    PostFilterStatus,
)
from podfit.scheduler.messages import (
    DRA_NO_CLAIMS,
    DRA_STATE_NOT_FOUND,
    NO_PREEMPTION_VICTIMS,
    NOT_ELIGIBLE_NEVER,
    PREEMPTION_NOT_HELPFUL,
    absent_reason,
)
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.affinity_counts import affinity_counts
from podfit.scheduler.plugins.inter_pod_affinity import (
    INTER_POD_AFFINITY,
    INTER_POD_AFFINITY_WEIGHT,
    REASON_EXISTING_ANTI_AFFINITY,
    REASON_POD_AFFINITY,
    REASON_POD_ANTI_AFFINITY,
    has_any_terms,
)
from podfit.scheduler.plugins.inter_pod_affinity import filter_node as affinity_filter_node
from podfit.scheduler.plugins.inter_pod_affinity import prefilter as affinity_prefilter
from podfit.scheduler.plugins.inter_pod_affinity import scores as affinity_scores
from podfit.scheduler.plugins.node_affinity import (
    NODE_AFFINITY,
    REASON_AFFINITY,
    REASON_AFFINITY_CONFLICT,
    node_affinity,
    node_affinity_raw,
)
from podfit.scheduler.plugins.node_name import NODE_NAME, REASON_NODE_NAME, node_name
from podfit.scheduler.plugins.node_ports import NODE_PORTS, REASON_PORTS, node_ports
from podfit.scheduler.plugins.node_resources_fit import (
    NODE_RESOURCES_FIT,
    REASON_TOO_MANY_PODS,
    node_resources_fit_filter,
)
from podfit.scheduler.plugins.node_unschedulable import (
    NODE_UNSCHEDULABLE,
    REASON_UNSCHEDULABLE,
    node_unschedulable,
)
from podfit.scheduler.plugins.pod_topology_spread import (
    POD_TOPOLOGY_SPREAD,
    POD_TOPOLOGY_SPREAD_WEIGHT,
    REASON_CONSTRAINTS_NOT_MATCH,
    REASON_NODE_LABEL_NOT_MATCH,
)
from podfit.scheduler.plugins.pod_topology_spread import filter_node as spread_filter_node
from podfit.scheduler.plugins.pod_topology_spread import prefilter as spread_prefilter
from podfit.scheduler.plugins.pod_topology_spread import scores as spread_scores
from podfit.scheduler.plugins.spread_counts import spread_counts
from podfit.scheduler.plugins.taint_toleration import (
    REASON_TAINT_NOT_MATCH,
    REASON_TAINTS,
    TAINT_TOLERATION,
    taint_toleration_filter,
    taint_toleration_raw,
)
from podfit.scheduler.scores import (
    BALANCED_ALLOCATION_WEIGHT,
    NODE_AFFINITY_WEIGHT,
    NODE_RESOURCES_FIT_WEIGHT,
    TAINT_TOLERATION_WEIGHT,
)

if TYPE_CHECKING:
    from podfit.scheduler.scoring import Scorer

BALANCED_ALLOCATION = "NodeResourcesBalancedAllocation"
DYNAMIC_RESOURCES = "DynamicResources"
DEFAULT_PREEMPTION = "DefaultPreemption"


# --- score adapters: (scorer, pod, node) -> unweighted score --------------------------------


def _taint_score(scorer: Scorer, pod: PodInfo, node: NodeInfo) -> int:
    return taint_toleration_raw(node.taints, pod.tolerations) if node.taints else 0


def _affinity_score(scorer: Scorer, pod: PodInfo, node: NodeInfo) -> int:
    return node_affinity_raw(pod, node)


def _affinity_skip(scorer: Scorer, pod: PodInfo) -> bool:
    return not pod.preferred_terms


def _fit_score(scorer: Scorer, pod: PodInfo, node: NodeInfo) -> int:
    return scorer.fit(pod, node)


def _balanced_score(scorer: Scorer, pod: PodInfo, node: NodeInfo) -> int:
    return scorer.balanced(pod, node)


def _balanced_skip(scorer: Scorer, pod: PodInfo) -> bool:
    return scorer.balanced_skipped(pod)


# --- cluster-dynamic plugins: PreFilter over all nodes, Filter from its state, Score --------


def _spread_applies(pod: PodInfo) -> bool:
    return bool(pod.spread) or pod.default_spread is not None


def _spread_prefilter_hook(pod: PodInfo, nodes: Sequence[NodeInfo], context: Any) -> object:
    return spread_prefilter(pod, nodes)


def _spread_filter_hook(state: Any, pod: PodInfo, node: NodeInfo) -> FilterStatus | None:
    return spread_filter_node(state, pod, node)


def _spread_scores_hook(
    pod: PodInfo, nodes: Sequence[NodeInfo], feasible: Sequence[int], context: Any
) -> list[int] | None:
    return spread_scores(pod, nodes, feasible)


def _affinity_applies(pod: PodInfo) -> bool:
    return pod.pod_affinity is not None


def _affinity_prefilter_hook(pod: PodInfo, nodes: Sequence[NodeInfo], context: Any) -> object:
    if not context.affinity_bound and not has_any_terms(pod):
        return None  # no term anywhere: PreFilter Skip without visiting the nodes
    return affinity_prefilter(pod, nodes, context.namespaces)


def _affinity_filter_hook(state: Any, pod: PodInfo, node: NodeInfo) -> FilterStatus | None:
    return affinity_filter_node(state, node)


def _affinity_scores_hook(
    pod: PodInfo, nodes: Sequence[NodeInfo], feasible: Sequence[int], context: Any
) -> list[int] | None:
    if not context.affinity_bound and not has_any_terms(pod):
        return None  # no term anywhere: PreScore Skip without visiting the nodes
    return affinity_scores(pod, nodes, feasible, context.namespaces, context.hard_weight)


# --- PostFilter plugins: what each says about a failed cycle ------------------------------


def _dra_post_filter(cycle: PostFilterInput) -> PostFilterStatus | None:
    """DynamicResources for a pod without ResourceClaims: Unschedulable ``no new claims to
    deallocate``. After a PreFilter rejection ``RunPreFilterPlugins`` returned before its
    PreFilter wrote its cycle state, so its PostFilter fails reading it (``getStateData``
    → ``CycleState.Read``): an Error ``not found``. Not in the profile without the feature
    (``applyFeatureGates`` in pkg/scheduler/apis/config/v1/default_plugins.go inserts it
    before DefaultPreemption). Read from the scheduler framework sources."""
    if not cycle.dra:
        return None
    if cycle.prefilter_rejected:
        return PostFilterStatus(POST_ERROR, DRA_STATE_NOT_FOUND)
    return PostFilterStatus(POST_UNSCHEDULABLE, DRA_NO_CLAIMS)


def _preemption_post_filter(cycle: PostFilterInput) -> PostFilterStatus | None:
    """DefaultPreemption: Success when it found a candidate, else its message."""
    if not cycle.preemption:
        return PostFilterStatus(POST_SUCCESS, "")
    return PostFilterStatus(POST_UNSCHEDULABLE, cycle.preemption)


_STATIC = Dynamism.STATIC
_NODE = Dynamism.NODE
_CLUSTER = Dynamism.CLUSTER
_FIT_POD_READS = ("requests", "scalar_requests", "non_zero_cpu", "non_zero_memory")
_FIT_NODE_READS = ("allocatable", "requested", "pods", "non_zero_cpu", "non_zero_memory")

DEFAULT_PROFILE: tuple[Plugin, ...] = (
    Plugin(
        NODE_UNSCHEDULABLE,
        (FILTER,),
        _STATIC,
        pod_reads=("tolerations",),
        node_reads=("unschedulable",),
        reasons=(REASON_UNSCHEDULABLE,),
        filter=node_unschedulable,
    ),
    Plugin(
        NODE_NAME,
        (FILTER,),
        _STATIC,
        pod_reads=("node_name",),
        node_reads=("name",),
        reasons=(REASON_NODE_NAME,),
        filter=node_name,
    ),
    Plugin(
        TAINT_TOLERATION,
        (FILTER, PRE_SCORE, SCORE, NORMALIZE_SCORE),
        _STATIC,
        pod_reads=("tolerations",),
        node_reads=("taints",),
        reasons=(REASON_TAINTS, REASON_TAINT_NOT_MATCH),
        filter=taint_toleration_filter,
        score=_taint_score,
        weight=TAINT_TOLERATION_WEIGHT,
        normalize_reverse=True,
    ),
    Plugin(
        NODE_AFFINITY,
        (PRE_FILTER, FILTER, PRE_SCORE, SCORE, NORMALIZE_SCORE),
        _STATIC,
        pod_reads=("node_selector", "required_terms", "preferred_terms"),
        node_reads=("labels", "name"),
        reasons=(REASON_AFFINITY, REASON_AFFINITY_CONFLICT),
        filter=node_affinity,
        score=_affinity_score,
        weight=NODE_AFFINITY_WEIGHT,
        normalize_reverse=False,
        skip=_affinity_skip,
    ),
    Plugin(
        NODE_PORTS,
        (PRE_FILTER, FILTER),
        _NODE,
        pod_reads=("host_ports",),
        node_reads=("ports",),
        reasons=(REASON_PORTS,),
        filter=node_ports,
    ),
    Plugin(
        NODE_RESOURCES_FIT,
        (PRE_FILTER, FILTER, PRE_SCORE, SCORE),
        _NODE,
        pod_reads=_FIT_POD_READS,
        node_reads=_FIT_NODE_READS,
        reasons=(REASON_TOO_MANY_PODS,),
        filter=node_resources_fit_filter,
        score=_fit_score,
        weight=NODE_RESOURCES_FIT_WEIGHT,
    ),
    Plugin(
        POD_TOPOLOGY_SPREAD,
        (PRE_FILTER, FILTER, PRE_SCORE, SCORE, NORMALIZE_SCORE),
        _CLUSTER,
        pod_reads=(
            "spread",
            "default_spread",
            "namespace",
            "labels",
            "node_selector",
            "required_terms",
            "tolerations",
        ),
        node_reads=("labels",),
        reasons=(REASON_CONSTRAINTS_NOT_MATCH, REASON_NODE_LABEL_NOT_MATCH),
        weight=POD_TOPOLOGY_SPREAD_WEIGHT,
        applies=_spread_applies,
        cluster=ClusterHooks(
            _spread_prefilter_hook,
            _spread_filter_hook,
            _spread_scores_hook,
            spread_counts,
        ),
    ),
    Plugin(
        INTER_POD_AFFINITY,
        (PRE_FILTER, FILTER, PRE_SCORE, SCORE, NORMALIZE_SCORE),
        _CLUSTER,
        pod_reads=("pod_affinity", "namespace", "labels"),
        node_reads=("labels",),
        reasons=(REASON_POD_AFFINITY, REASON_POD_ANTI_AFFINITY, REASON_EXISTING_ANTI_AFFINITY),
        weight=INTER_POD_AFFINITY_WEIGHT,
        applies=_affinity_applies,
        cluster=ClusterHooks(
            _affinity_prefilter_hook,
            _affinity_filter_hook,
            _affinity_scores_hook,
            affinity_counts,
        ),
    ),
    Plugin(
        DYNAMIC_RESOURCES,
        (POST_FILTER,),
        _STATIC,
        reasons=(DRA_NO_CLAIMS,),
        post_filter=_dra_post_filter,
    ),
    Plugin(
        DEFAULT_PREEMPTION,
        (POST_FILTER,),
        _NODE,
        pod_reads=("priority", "preemption_policy"),
        node_reads=("pods", "min_priority"),
        reasons=(PREEMPTION_NOT_HELPFUL, NO_PREEMPTION_VICTIMS, NOT_ELIGIBLE_NEVER),
        post_filter=_preemption_post_filter,
    ),
    Plugin(
        BALANCED_ALLOCATION,
        (PRE_SCORE, SCORE),
        _NODE,
        pod_reads=("requests",),
        node_reads=("allocatable", "requested"),
        score=_balanced_score,
        weight=BALANCED_ALLOCATION_WEIGHT,
        skip=_balanced_skip,
    ),
)
"""The default profile, in upstream order. DynamicResources' PostFilter runs only when the
configuration's ``dra`` is on; DefaultPreemption's PostFilter reads the pod's priority,
which is why priority stays out of the equivalence key (the message is built per pod)."""


def _union(rows: tuple[Plugin, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(field for p in rows for field in p.pod_reads))


def _filters(dynamism: Dynamism) -> tuple[FilterFn, ...]:
    return tuple(p.filter for p in DEFAULT_PROFILE if p.filter and p.dynamism is dynamism)


def _check_filter_order(rows: tuple[Plugin, ...]) -> None:
    order = list(Dynamism)
    ranks = [order.index(p.dynamism) for p in rows if p.filter is not None]
    if ranks != sorted(ranks):
        raise ValueError("static filters must precede per-node ones, and those cluster ones")


_check_filter_order(DEFAULT_PROFILE)

_SCHEDULING = tuple(p for p in DEFAULT_PROFILE if POST_FILTER not in p.points)
STATIC_FILTERS = _filters(Dynamism.STATIC)
NODE_FILTERS = _filters(Dynamism.NODE)
CLUSTER_FILTERS = _filters(Dynamism.CLUSTER)
ALL_FILTERS = STATIC_FILTERS + NODE_FILTERS + CLUSTER_FILTERS
STATIC_SCORES = tuple(p for p in DEFAULT_PROFILE if p.score and p.dynamism is Dynamism.STATIC)
USAGE_SCORES = tuple(p for p in DEFAULT_PROFILE if p.score and p.dynamism is Dynamism.NODE)
CLUSTER_PLUGINS = tuple(p for p in DEFAULT_PROFILE if p.dynamism is Dynamism.CLUSTER)
SCORING = tuple(p for p in DEFAULT_PROFILE if SCORE in p.points)
"""Every score plugin in table order, cluster-dynamic ones included (their scores come
from their :class:`ClusterHooks`)."""
CLUSTER_FILTER_PLUGINS = tuple(p for p in CLUSTER_PLUGINS if FILTER in p.points)
POD_KEY_FIELDS = _union(_SCHEDULING)
"""Every pod field a filter or score reads: pods equal in all of them are interchangeable."""
REASON_ABSENT = absent_reason([NODE_AFFINITY])
"""The reason of nodes outside NodeAffinity's PreFilter result (its ``metadata.name`` terms,
the only PreFilter of the profile that narrows the candidate nodes)."""
STATIC_KEY_FIELDS = _union(tuple(p for p in _SCHEDULING if p.dynamism is Dynamism.STATIC))
"""The pod fields the static filters and scores read: the key of a node's static verdict."""


_pod_key_values = attrgetter(*POD_KEY_FIELDS)


def pod_key(pod: PodInfo) -> tuple[object, ...]:
    """The values of :data:`POD_KEY_FIELDS` of ``pod``, hashable (a dict as its sorted
    items): ``PodInfo.scheduling_key``. O(fields + requested resources)."""
    return tuple(
        tuple(sorted(v.items())) if isinstance(v, dict) else v for v in _pod_key_values(pod)
    )


POST_FILTERS = tuple(p for p in DEFAULT_PROFILE if POST_FILTER in p.points)
"""The PostFilter plugins in profile order."""


def postfilter_message(dra: bool, preemption: str, *, prefilter_rejected: bool = False) -> str:
    """``RunPostFilterPlugins``' message for a pod without ResourceClaims: the PostFilter
    rows in table order (:data:`POST_FILTERS`); a Success ends the phase with no message,
    an Error with its own; Unschedulable reasons are joined with ``", "``. ``preemption``
    is DefaultPreemption's message (``""``: it found a candidate).

    >>> from podfit.scheduler.messages import not_eligible_message
    >>> postfilter_message(True, not_eligible_message())
    'no new claims to deallocate, preemption: not eligible due to preemptionPolicy=Never.'
    >>> postfilter_message(False, not_eligible_message())
    'preemption: not eligible due to preemptionPolicy=Never.'
    >>> postfilter_message(True, "", prefilter_rejected=False)
    ''
    """
    cycle = PostFilterInput(dra, prefilter_rejected, preemption)
    reasons = []
    for plugin in POST_FILTERS:
        assert plugin.post_filter is not None
        status = plugin.post_filter(cycle)
        if status is None:
            continue
        if status.code == POST_SUCCESS:
            return ""
        if status.code == POST_ERROR:
            return status.message
        reasons.append(status.message)
    return ", ".join(reasons)


def cluster_dynamic(pod: PodInfo) -> bool:
    """Whether a cluster-dynamic plugin of the profile has something to check for ``pod``
    (then the engine places it through topology cells). O(cluster-dynamic plugins)."""
    return any(p.applies is None or p.applies(pod) for p in CLUSTER_PLUGINS)


def static_filters(pod: PodInfo, node: NodeInfo, cfg: FilterConfig) -> FilterStatus | None:
    """The filters that only look at the node object, not at what is placed on it."""
    for check in STATIC_FILTERS:
        status = check(pod, node, cfg)
        if status is not None:
            return status
    return None


def dynamic_filters(pod: PodInfo, node: NodeInfo, cfg: FilterConfig) -> FilterStatus | None:
    """The filters that depend on the pods already on the node (ports, resources)."""
    for check in NODE_FILTERS:
        status = check(pod, node, cfg)
        if status is not None:
            return status
    return None


def run_filters(
    pod: PodInfo, node: NodeInfo, cfg: FilterConfig = DEFAULT_FILTER_CONFIG
) -> FilterStatus | None:
    """All filters in upstream order; the first failing plugin's status, or None if it fits."""
    for check in ALL_FILTERS:
        status = check(pod, node, cfg)
        if status is not None:
            return status
    return None
