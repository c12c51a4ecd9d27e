"""NodeUnschedulable: a cordoned node rejects pods that do not tolerate its
``node.kubernetes.io/unschedulable:NoSchedule`` taint (``nodeunschedulable`` upstream)."""

from __future__ import annotations

from podfit.scheduler.framework import (
    DEFAULT_FILTER_CONFIG,
    UNRESOLVABLE,
    FilterConfig,
    FilterStatus,
)
from podfit.scheduler.model import NO_SCHEDULE, NodeInfo, PodInfo, Taint
from podfit.scheduler.plugins.taint_toleration import tolerated

NODE_UNSCHEDULABLE = "NodeUnschedulable"
REASON_UNSCHEDULABLE = "node(s) were unschedulable"
TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


def node_unschedulable(
    pod: PodInfo, node: NodeInfo, cfg: FilterConfig = DEFAULT_FILTER_CONFIG
) -> FilterStatus | None:
    """A cordoned node rejects pods without a toleration for its ``unschedulable`` taint."""
    if not node.unschedulable:
        return None
    if tolerated(pod.tolerations, Taint(TAINT_UNSCHEDULABLE, "", NO_SCHEDULE)):
        return None
    return FilterStatus(NODE_UNSCHEDULABLE, UNRESOLVABLE, (REASON_UNSCHEDULABLE,))
