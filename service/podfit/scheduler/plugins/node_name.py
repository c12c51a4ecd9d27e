"""NodeName: a pod with ``spec.nodeName`` fits only the node of that name (``nodename``)."""

from __future__ import annotations

from podfit.scheduler.framework import (
    DEFAULT_FILTER_CONFIG,
    UNRESOLVABLE,
    FilterConfig,
    FilterStatus,
)
from podfit.scheduler.model import NodeInfo, PodInfo

NODE_NAME = "NodeName"
REASON_NODE_NAME = "node(s) didn't match the requested node name"


def node_name(
    pod: PodInfo, node: NodeInfo, cfg: FilterConfig = DEFAULT_FILTER_CONFIG
) -> FilterStatus | None:
    """A pod with ``spec.nodeName`` fits only the node of that name."""
    if not pod.node_name or pod.node_name == node.name:
        return None
    return FilterStatus(NODE_NAME, UNRESOLVABLE, (REASON_NODE_NAME,))
