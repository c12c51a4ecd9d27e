"""TaintToleration: untolerated NoSchedule/NoExecute taints reject a node; PreferNoSchedule
taints lower its score (``tainttoleration`` upstream)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from podfit.scheduler.features import DEFAULT_VERSION, features
from podfit.scheduler.framework import UNRESOLVABLE, FilterConfig, FilterStatus
from podfit.scheduler.model import (
    NO_EXECUTE,
    NO_SCHEDULE,
    PREFER_NO_SCHEDULE,
    NodeInfo,
    PodInfo,
    Taint,
    Toleration,
)

TAINT_TOLERATION = "TaintToleration"
REASON_TAINTS = "node(s) had untolerated taint(s)"
REASON_TAINT_NOT_MATCH = "node(s) had taints that the pod didn't tolerate"
"""``ErrReasonNotMatch``: the reason the kubelet gives when it rejects a pod for a NoExecute
taint (its admission names this plugin)."""


def taint_reason(taint: Taint, version: str) -> str:
    """The TaintToleration reason for ``taint`` in Kubernetes ``version``: the taint's key
    and value (``node(s) had untolerated taint {dedicated: user1}``) where the version's
    :class:`~podfit.scheduler.features.Features` say so, else :data:`REASON_TAINTS`."""
    if features(version).taint_reason_names_taint:
        return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
    return REASON_TAINTS


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """``Toleration.ToleratesTaint``: empty effect/key match any; Exists ignores the value.

    >>> tolerates(Toleration("gpu", "Exists"), Taint("gpu", "a100", "NoSchedule"))
    True
    >>> tolerates(Toleration("gpu", "Equal", "t4", "NoSchedule"), Taint("gpu", "a100"))
    False
    """
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator in ("", "Equal"):
        return toleration.value == taint.value
    return toleration.operator == "Exists"


def tolerated(tolerations: Iterable[Toleration], taint: Taint) -> bool:
    """True when any of ``tolerations`` tolerates ``taint``."""
    return any(tolerates(t, taint) for t in tolerations)


def first_untolerated(
    taints: Iterable[Taint], tolerations: Collection[Toleration], effects: Collection[str]
) -> Taint | None:
    """``FindMatchingUntoleratedTaint``: first taint with an effect in ``effects`` not tolerated."""
    for taint in taints:
        if taint.effect in effects and not tolerated(tolerations, taint):
            return taint
    return None


def taint_toleration(
    pod: PodInfo, node: NodeInfo, version: str = DEFAULT_VERSION
) -> FilterStatus | None:
    """The first NoSchedule/NoExecute taint (node order) that no toleration tolerates rejects."""
    if not node.taints:
        return None
    taint = first_untolerated(node.taints, pod.tolerations, (NO_SCHEDULE, NO_EXECUTE))
    if taint is None:
        return None
    return FilterStatus(TAINT_TOLERATION, UNRESOLVABLE, (taint_reason(taint, version),))


def taint_toleration_filter(pod: PodInfo, node: NodeInfo, cfg: FilterConfig) -> FilterStatus | None:
    """:func:`taint_toleration` with the configured version (the profile's filter)."""
    if not node.taints:
        return None
    return taint_toleration(pod, node, cfg.version)


def taint_toleration_raw(taints: Sequence[Taint], tolerations: Sequence[Toleration]) -> int:
    """TaintToleration raw score: the node's PreferNoSchedule taints not tolerated by the
    pod's tolerations whose effect is empty or PreferNoSchedule (normalised reversed)."""
    tols = [t for t in tolerations if t.effect in ("", PREFER_NO_SCHEDULE)]
    return sum(
        1 for taint in taints if taint.effect == PREFER_NO_SCHEDULE and not tolerated(tols, taint)
    )
