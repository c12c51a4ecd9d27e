"""The DaemonSet controller's side of scheduling: the pods it creates and where they run."""

from __future__ import annotations

from collections.abc import Sequence

from podfit import pods
from podfit.scheduler.model import (
    NO_EXECUTE,
    NO_SCHEDULE,
    NodeInfo,
    PodInfo,
    Requirement,
    Term,
    Toleration,
)
from podfit.scheduler.plugins.node_affinity import METADATA_NAME, required_affinity_matches
from podfit.scheduler.plugins.taint_toleration import first_untolerated


def daemonset_tolerations(
    tolerations: Sequence[Toleration], host_network: bool
) -> tuple[Toleration, ...]:
    """The template's tolerations plus the DaemonSet defaults
    (:data:`podfit.pods.DAEMONSET_TOLERATIONS`) not already present."""
    out = list(tolerations)
    extra = [
        *pods.DAEMONSET_TOLERATIONS,
        *([pods.NETWORK_UNAVAILABLE_TOLERATION] if host_network else []),
    ]
    for tol in extra:
        if tol not in out:
            out.append(tol)
    return tuple(out)


def daemonset_pod_for(template: PodInfo, name: str, node: NodeInfo) -> PodInfo:
    """The pod the DaemonSet controller creates for ``node`` (``NewPod``).

    Required node affinity becomes one term ``metadata.name In [node]``
    (``ReplaceDaemonSetPodNodeNameNodeAffinity``); tolerations as the template's (the
    caller has already added the DaemonSet defaults).
    """
    term = Term((), (Requirement(METADATA_NAME, "In", (node.name,)),))
    return template.respawn(name, required_terms=(term,), node_name=None, phase=None)


def daemonset_should_run(template: PodInfo, node: NodeInfo) -> bool:
    """``nodeShouldRunDaemonPod``: node selector/affinity match and no untolerated
    NoSchedule/NoExecute taint (cordoning does not matter: DaemonSet pods tolerate it)."""
    if template.node_name and template.node_name != node.name:
        return False
    if not required_affinity_matches(template, node):
        return False
    return first_untolerated(node.taints, template.tolerations, (NO_SCHEDULE, NO_EXECUTE)) is None
