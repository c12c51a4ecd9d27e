"""The pods a plan has to place: what stays Pending after the existing nodes are filled.

With existing nodes this is ``podfit.schedule``'s run (``Cluster.run``) and its Pending
pods. Without any node the run is known in advance — no pod can be placed — so the
scheduler is skipped and replicas are never converted one by one: pods equal but for
their name (a workload's replicas, next to each other in the input) are counted as a
*run*, one ``PodInfo`` per run. The answer is the one the scheduler's run gives with no
node (``scheduler.run.schedule_infos``):

* a pod in a terminal phase (Succeeded, Failed) is not Pending;
* a pod bound to a node (``nodeName`` and phase Running, Pending or Unknown) counts
  nowhere and keeps its phase: it is Pending only if its phase says so;
* a pod that names a node with no phase waits for a kubelet that is not there: Pending;
* every other pod finds no node: Pending.

DaemonSet pods belong to their node and are never pods to plan for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from podfit.manifests.replicas import PodRuns, spec_of
from podfit.planning.cluster import Cluster
from podfit.pods import Pod
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.result import PENDING
from podfit.scheduler.run import BOUND, TERMINAL

__all__ = ["Pending", "pending", "runs"]


@dataclass(slots=True)
class Pending:
    """What stays Pending: ``runs`` of interchangeable pods as (exemplar, count) in input
    order (a pod's run may be split where the input interleaves other pods), how many
    pods the existing nodes took, and those nodes after the run (empty without nodes)."""

    runs: list[tuple[PodInfo, int]]
    scheduled_on_existing: int
    nodes: list[NodeInfo] = field(default_factory=list)


def runs(pods: Sequence[Pod]) -> Iterator[tuple[int, int]]:
    """(index of the first pod, length) of each run of consecutive pods equal but for
    their name, in input order; a pod without an owner is a run of its own (planners
    group bare pods by name). Cost: one tuple of fields per pod, compared mostly by
    identity (replicas share their template's objects); for :class:`PodRuns` (the
    reader's runs of templates) one per run, no pod made (:meth:`PodRuns.runs`)."""
    if isinstance(pods, PodRuns):
        yield from pods.runs()
        return
    start = 0
    previous: object = None
    for index, spec in enumerate(map(spec_of, pods)):
        if index and (spec != previous or pods[index].owner is None):
            yield start, index - start
            start = index
        previous = spec
    if pods:
        yield start, len(pods) - start


def _waits_without_nodes(pod: Pod) -> bool:
    """Whether the scheduler's run with no node reports ``pod`` Pending (module doc)."""
    if pod.phase in TERMINAL:
        return False
    if pod.node_name and pod.phase in BOUND:
        return pod.phase == PENDING
    return True


def pending(cluster: Cluster) -> Pending:
    """The pods of ``cluster`` the existing nodes leave Pending, DaemonSet pods left out.

    With nodes: the scheduler's run. Without: one conversion per run of replicas (the
    same conversion errors, in the same order, as converting every pod), no scheduling.
    Cost without nodes: O(pods) field comparisons plus O(runs) conversions.
    """
    if cluster.nodes:
        baseline = cluster.run()
        return Pending(
            [(p.pod, 1) for p in baseline.pending if p.pod.daemonset is None],
            sum(1 for p in baseline.pods if p.scheduled),
            baseline.nodes,
        )
    out: list[tuple[PodInfo, int]] = []
    for start, count in runs(cluster.pods):
        pod = cluster.pods[start]
        info = cluster.convert(pod, f"pods[{start}]")
        cluster.exemplars[pod.namespace, pod.name] = pod
        if pod.daemonset is None and _waits_without_nodes(pod):
            out.append((info, count))
    return Pending(out, 0)
