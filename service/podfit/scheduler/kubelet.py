"""The kubelet's admission of a pod that names its node (it never reaches the scheduler)."""

from __future__ import annotations

from typing import NamedTuple

from podfit.resources import is_extended
from podfit.scheduler.messages import (
    KUBELET_REJECTED_PREFIX,
    kubelet_insufficient_message,
    kubelet_predicate_message,
)
from podfit.scheduler.model import NO_EXECUTE, NodeInfo, PodInfo
from podfit.scheduler.plugins.node_affinity import (
    NODE_AFFINITY,
    REASON_AFFINITY,
    required_affinity_matches,
)
from podfit.scheduler.plugins.node_ports import NODE_PORTS, REASON_PORTS, node_ports
from podfit.scheduler.plugins.node_resources_fit import insufficient_resources
from podfit.scheduler.plugins.taint_toleration import (
    REASON_TAINT_NOT_MATCH,
    TAINT_TOLERATION,
    first_untolerated,
)


class Admission(NamedTuple):
    """The kubelet's verdict on a pod that names its node: admitted, or reason and message."""

    admitted: bool
    reason: str = ""
    message: str = ""


def kubelet_admit(pod: PodInfo, node: NodeInfo, static: bool = False) -> Admission:
    """``canAdmitPod`` / ``generalFilter`` of the kubelet (``pkg/kubelet/lifecycle/predicate.go``).

    Extended resources the node does not advertise are dropped first
    (``removeMissingExtendedResources``); then resources (first shortfall wins:
    reason ``OutOf<resource>``), node selector/affinity, host ports and, for non-static
    pods, NoExecute taints. The status message is prefixed ``Pod was rejected: ``.
    """
    trimmed = pod
    if any(is_extended(r) and r not in node.allocatable for r in pod.requests):
        trimmed = PodInfo(
            pod.name,
            requests={
                r: v
                for r, v in pod.requests.items()
                if not (is_extended(r) and r not in node.allocatable)
            },
            non_zero=(pod.non_zero_cpu, pod.non_zero_memory),
        )
    short = insufficient_resources(trimmed, node)
    if short:
        s = short[0]
        message = kubelet_insufficient_message(s.resource, s.requested, s.used, s.capacity)
        return Admission(False, f"OutOf{s.resource}", KUBELET_REJECTED_PREFIX + message)
    if not required_affinity_matches(pod, node):
        message = kubelet_predicate_message(NODE_AFFINITY, REASON_AFFINITY)
        return Admission(False, NODE_AFFINITY, KUBELET_REJECTED_PREFIX + message)
    if node_ports(pod, node) is not None:
        message = kubelet_predicate_message(NODE_PORTS, REASON_PORTS)
        return Admission(False, NODE_PORTS, KUBELET_REJECTED_PREFIX + message)
    if not static and first_untolerated(node.taints, pod.tolerations, (NO_EXECUTE,)):
        message = kubelet_predicate_message(TAINT_TOLERATION, REASON_TAINT_NOT_MATCH)
        return Admission(False, TAINT_TOLERATION, KUBELET_REJECTED_PREFIX + message)
    return Admission(True)
