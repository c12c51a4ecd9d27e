"""NodePorts: every host port the pod wants must be free on the node (``nodeports``)."""

from __future__ import annotations

from collections.abc import Iterable

from podfit.scheduler.framework import (
    DEFAULT_FILTER_CONFIG,
    UNSCHEDULABLE,
    FilterConfig,
    FilterStatus,
)
from podfit.scheduler.model import HostPort, NodeInfo, PodInfo

NODE_PORTS = "NodePorts"
REASON_PORTS = "node(s) didn't have free ports for the requested pod ports"


def ports_conflict(wanted: HostPort, used: Iterable[HostPort]) -> bool:
    """``HostPortInfo.CheckConflict``: ``wanted`` conflicts with one of ``used``
    (:meth:`~podfit.pods.HostPort.conflicts`: same protocol and port, either IP 0.0.0.0
    or both equal)."""
    return any(wanted.conflicts(other) for other in used)


def node_ports(
    pod: PodInfo, node: NodeInfo, cfg: FilterConfig = DEFAULT_FILTER_CONFIG
) -> FilterStatus | None:
    """Every wanted host port must be free on the node (the pod's own ports are not compared)."""
    if not pod.host_ports or not node.ports:
        return None
    for wanted in pod.host_ports:
        if ports_conflict(wanted, node.ports):
            return FilterStatus(NODE_PORTS, UNSCHEDULABLE, (REASON_PORTS,))
    return None
