"""One check variant, evaluated through the scheduler that ``podfit schedule`` and
``plan drain`` use (``schedule_infos``: same FailedScheduling messages, same shortfall).

A **base** is the cluster scheduled once per replicas mode (as-is, ``hpaMax``,
``hpaMin``), exactly as :func:`podfit.schedule` would: running pods stay, DaemonSets
first, then the queue. A **variant** removes nodes from a base, with ``kubectl drain``
semantics, as ``plan drain`` does:

* pods on the other nodes stay where the base put them (DaemonSet pods included);
* pods on a removed node: DaemonSet pods and static (mirror) pods go with the node;
  controller-owned pods are recreated unbound and scheduled again on the remaining
  nodes; bare pods (no owner) are not recreated by anything — they are **lost** and
  reported as a violation;
* pods Pending in the base wait again (DaemonSet pods of a removed node excepted), and
  the queue runs in PrioritySort order: priority, then Pending-before ones in base
  order, then the evicted ones in base order.

Only the removed nodes' pods (and the Pending ones) are scheduled again: the remaining
nodes are copies of the base placement (the same pods, in the order a from-scratch drain
binds them), so a variant costs O(nodes) to copy plus the scheduling of the evicted
pods, not a whole schedule. ``tests/test_check_reuse.py`` proves the variants equal to
``podfit.planning.whatif.what_if`` drains from scratch on seeded random clusters.

A variant passes when no pod is Pending and it has no violation: a lost pod, a pod the
kubelet rejects, a node above ``maxRequested``, or (``respectPDB``) a PodDisruptionBudget
the drain would violate.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from podfit.check.inputs import from_workload, scale
from podfit.check.policy import Scenario
from podfit.deadline import NO_DEADLINE, Deadline
from podfit.manifests import Workload
from podfit.manifests.objects import (
    Controller,
    HorizontalPodAutoscaler,
    Namespace,
    PodDisruptionBudget,
    Service,
)
from podfit.nodes import Node
from podfit.planning.cluster import Cluster
from podfit.planning.drain import (
    Budget,
    budget_findings,
    drain_pods,
    healthy_counts,
)
from podfit.pods import Pod
from podfit.resources import PODS, format_amount
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.result import FAILED, PENDING, RUNNING, PodOutcome, ScheduleResult
from podfit.scheduler.run import TERMINAL, schedule_infos

__all__ = ["Base", "ClusterInput", "evaluate"]


@dataclass(slots=True)
class ClusterInput:
    """One cluster to check: what the manifests hold. Picklable (sent to workers)."""

    name: str
    pods: list[Pod]
    nodes: list[Node]
    daemonsets: list[Pod] = field(default_factory=list)
    autoscalers: list[HorizontalPodAutoscaler] = field(default_factory=list)
    budgets: list[PodDisruptionBudget] = field(default_factory=list)
    config: SchedulerConfig | None = None
    """The scheduler configuration (default: the default profile of the default version)."""
    owners: dict[str, str] = field(default_factory=dict)
    """``namespace/ReplicaSet/name`` → its owner ``Deployment/name`` (HPA targets)."""
    refused: list[tuple[str, str]] = field(default_factory=list)
    """``(namespace/name, message)`` of the pods ResourceQuota admission refused
    (``Workload.refused``): they never run, a ``QuotaRefused`` violation in every variant."""
    services: list[Service] = field(default_factory=list)
    namespaces: list[Namespace] = field(default_factory=list)
    controllers: list[Controller] = field(default_factory=list)
    """The workload's Services, Namespaces and controllers: they reach the scheduler as in
    ``plan drain`` (default topology spreading, pod affinity's namespaceSelector)."""

    @classmethod
    def of(cls, name: str, workload: Workload, config: SchedulerConfig) -> ClusterInput:
        """What the manifest loader read (``workload``) as one cluster to check, named
        ``name`` ("" for a single cluster): the CLI and the HTTP service build it alike."""
        autoscalers, budgets, owners = from_workload(workload)
        return cls(
            name,
            workload.pods,
            workload.nodes,
            workload.daemonsets,
            autoscalers,
            budgets,
            config,
            owners,
            list(workload.refused),
            list(workload.services),
            list(workload.namespaces),
            list(workload.controllers),
        )

    def plan(self, pods: Sequence[Pod] | None = None) -> Cluster:
        """This cluster's pods (or ``pods``: the HPA-scaled ones) as ``plan drain``'s
        :class:`Cluster` converts them: with the Services, Namespaces, controllers and
        PodDisruptionBudgets. Cost: O(DaemonSets + Services + controllers)."""
        return Cluster(
            self.pods if pods is None else pods,
            self.nodes,
            self.daemonsets,
            self.config,
            services=self.services,
            namespaces=self.namespaces,
            controllers=self.controllers,
            disruption_budgets=self.budgets,
        )


def _pinned_node(info: PodInfo) -> str | None:
    """The node a DaemonSet pod is made for (its ``metadata.name In [node]`` term)."""
    for term in info.required_terms or ():
        for req in term.match_fields:
            if req.key == "metadata.name" and req.operator == "In" and len(req.values) == 1:
                return req.values[0]
    return None


def pending_entry(outcome: PodOutcome) -> dict[str, Any]:
    """A Pending pod as a report shows it: who, the FailedScheduling message (the
    PodScheduled condition's), and the shortfall when computed."""
    pod = outcome.pod
    message = (
        outcome.condition[2] if outcome.condition and outcome.condition[2] else outcome.message
    )
    entry: dict[str, Any] = {
        "namespace": pod.namespace,
        "name": pod.name,
        "owner": pod.owner,
        "message": message,
    }
    if outcome.reason is not None:
        entry["reason"] = outcome.reason
    if outcome.shortfall is not None:
        entry["shortfall"] = outcome.shortfall
    return entry


class Base:
    """A cluster scheduled once (``replicas`` None, hpaMax or hpaMin), and what its
    variants reuse: per node the pods it keeps, bound, in base order; the Pending pods;
    the PDBs' budgets and healthy counts. Cost: one scheduling run plus O(pods).
    ``deadline`` is checked inside that run (not kept: a base outlives a request)."""

    def __init__(
        self, cluster: ClusterInput, replicas: str | None, deadline: Deadline = NO_DEADLINE
    ) -> None:
        pods = (
            scale(cluster.pods, cluster.autoscalers, replicas, cluster.owners)[0]
            if replicas
            else cluster.pods
        )
        plan = cluster.plan(pods)
        self.cfg = plan.cfg
        self.namespaces = plan.namespaces
        self.specs = plan.budgets
        """The Namespaces' labels and the PDBs as the scheduler reads them: every run of a
        variant uses them, as ``Cluster.schedule`` does."""
        self.node_infos = plan.node_infos()
        self.result: ScheduleResult = schedule_infos(
            plan.pod_infos(),
            self.node_infos,
            plan.cfg,
            daemonsets=plan.daemonsets,
            namespaces=self.namespaces,
            budgets=self.specs,
            deadline=deadline,
        )
        self.kept: dict[str, list[PodInfo]] = {n.name: [] for n in self.node_infos}
        """Per node, the bound copies of the pods the base counts there, in base order."""
        self.placed: dict[str, list[tuple[int, str, PodInfo]]] = {
            n.name: [] for n in self.node_infos
        }
        """Per node, ``(base index, node, pod)`` of those pods (what a drain of the node
        evicts), in base order."""
        self.waiting: list[PodInfo] = []
        """The pods Pending in the base (copies), in base order."""
        self.rejected: list[dict[str, Any]] = []
        for index, outcome in enumerate(self.result.pods):
            info = outcome.pod
            if outcome.counted and outcome.node is not None:
                self.kept[outcome.node].append(info.respawn(node_name=outcome.node, phase=RUNNING))
                self.placed[outcome.node].append((index, outcome.node, info))
            elif outcome.phase == PENDING:
                self.waiting.append(info.respawn())  # as it was: DaemonSet pods stay pinned
            elif outcome.phase == FAILED and info.phase not in TERMINAL:
                self.rejected.append(
                    {
                        "type": "KubeletRejected",
                        "pod": f"{info.namespace}/{info.name}",
                        "node": outcome.node,
                        "message": f"{outcome.reason}: {outcome.message}",
                    }
                )
        self.rejected.extend(
            {"type": "QuotaRefused", "pod": key, "node": None, "message": message}
            for key, message in cluster.refused
        )
        self.filled: list[NodeInfo] = []
        """Every node holding its :attr:`kept` pods (added in base order): copied per
        variant."""
        for node in self.node_infos:
            self.filled.append(node.without(self.kept[node.name]))
        self.budgets = [Budget.of(pdb, pods) for pdb in cluster.budgets]
        self.terminating = {p.key for p in pods if p.terminating}
        """Pods being deleted: they hold their node until gone, but a drain neither
        recreates them (their replacements exist) nor needs a PDB's leave to evict them
        (the eviction API's ``canIgnorePDB``), and they are not healthy for a PDB
        (the disruption controller's ``countHealthyPods``)."""
        self.healthy = healthy_counts(self.budgets, self.result.pods, self.terminating)

    def variant(
        self,
        scenario: Scenario,
        name: str,
        removed: Sequence[str],
        deadline: Deadline = NO_DEADLINE,
    ) -> dict[str, Any]:
        """The report entry of variant ``name`` of ``scenario``: ``removed`` nodes gone
        (``deadline`` checked inside the drain's scheduling run)."""
        if not removed:
            pending = [pending_entry(o) for o in self.result.pending]
            return _entry(
                name,
                [],
                0,
                pending,
                [*self.rejected, *_over(self.result.nodes, scenario.max_requested)],
                [],
            )
        gone = set(removed)
        drain = self.drain(removed, deadline)
        violations = list(drain.lost)
        outcomes = drain.result.pods
        pending_outcomes = [o for o in outcomes if o.phase == PENDING and not o.counted]
        pending = [pending_entry(o) for o in pending_outcomes]
        unplaced = {f"{o.pod.namespace}/{o.pod.name}" for o in pending_outcomes}
        lost = {v["pod"] for v in drain.lost}
        notes: list[str] = []
        for finding in budget_findings(self.budgets, self.healthy, drain.drained, unplaced | lost):
            if scenario.respect_pdb:
                violations.append(finding)
            else:
                notes.append(finding["message"])
        rejected = [r for r in self.rejected if r["node"] not in gone]
        violations = [*rejected, *violations, *_over(drain.result.nodes, scenario.max_requested)]
        return _entry(name, list(removed), len(drain.drained), pending, violations, notes)

    def _remaining(self, gone: set[str]) -> tuple[list[NodeInfo], list[PodInfo]]:
        """The nodes not in ``gone``, re-indexed, holding the base placement, and the few
        kept pods still to bind through the scheduler.

        A from-scratch drain binds every kept pod through the scheduling run; here the
        nodes are copies of :attr:`filled` (pods already counted, in base order), which
        costs O(nodes) instead of O(pods). The run also tracks the lowest priority bound
        (preemption looks for victims only above it), so the pods of one node from its
        first lowest-priority pod on are left to bind in the run, that node's copy holding
        the pods before it: the same nodes, pod order and run state as binding them all.
        """
        nodes: list[NodeInfo] = []
        low: tuple[int, int] | None = None  # (priority, index in nodes)
        for filled in self.filled:
            if filled.name in gone:
                continue
            clone = NodeInfo(
                filled.name,
                filled.allocatable,
                labels=filled.labels,
                taints=filled.taints,
                unschedulable=filled.unschedulable,
                index=len(nodes),
            )
            clone.requested = dict(filled.requested)
            clone.non_zero_cpu = filled.non_zero_cpu
            clone.non_zero_memory = filled.non_zero_memory
            clone.pods = list(filled.pods)
            clone.ports = list(filled.ports)
            clone.min_priority = filled.min_priority
            if filled.min_priority is not None and (low is None or filled.min_priority < low[0]):
                low = (filled.min_priority, len(nodes))
            nodes.append(clone)
        if low is None:
            return nodes, []
        priority, i = low
        full = nodes[i]
        pods = full.pods
        first = next(k for k, p in enumerate(pods) if p.priority == priority)
        node = nodes[i] = NodeInfo(
            full.name,
            full.allocatable,
            labels=full.labels,
            taints=full.taints,
            unschedulable=full.unschedulable,
            index=i,
        )
        for p in pods[:first]:
            node.add_pod(p)
        return nodes, pods[first:]

    def drain(self, removed: Sequence[str], deadline: Deadline = NO_DEADLINE) -> Drain:
        """``removed`` nodes drained: the remaining nodes (re-indexed) hold the base's
        placement (:meth:`_remaining`: nothing scheduled again), the removed nodes' pods
        are sorted into evicted / lost / gone with the node in base order
        (:func:`podfit.planning.drain.drain_pods`), and the evicted pods are scheduled
        after the base's Pending ones (module doc), checking ``deadline`` in that run.
        Cost: O(nodes) plus the scheduling of the evicted and Pending pods."""
        gone = set(removed)
        nodes, bound = self._remaining(gone)
        on_removed = heapq.merge(
            *(self.placed[n] for n in dict.fromkeys(removed)), key=lambda t: t[0]
        )
        drained = drain_pods(((n, info) for _, n, info in on_removed), self.terminating)
        waiting = [p for p in self.waiting if p.daemonset is None or _pinned_node(p) not in gone]
        result = schedule_infos(
            [*bound, *waiting, *drained.evicted],
            nodes,
            self.cfg,
            namespaces=self.namespaces,
            budgets=self.specs,
            deadline=deadline,
        )
        return Drain(result, drained.drained, drained.lost)


@dataclass(slots=True)
class Drain:
    """A drain's outcome: the run of the waiting and evicted pods on the remaining nodes
    (``result.nodes`` hold every pod kept or placed), the pods the drain evicts or deletes
    (``namespace/name``) and the PodLost violations of the bare ones."""

    result: ScheduleResult
    drained: list[str]
    lost: list[dict[str, Any]]


def _entry(
    name: str,
    removed: list[str],
    evicted: int,
    pending: list[dict[str, Any]],
    violations: list[dict[str, Any]],
    notes: list[str],
) -> dict[str, Any]:
    return {
        "name": name,
        "passed": not pending and not violations,
        "removedNodes": removed,
        "evicted": evicted,
        "pending": pending,
        "violations": violations,
        "notes": notes,
    }


def _over(
    nodes: Sequence[NodeInfo], limits: Mapping[str, tuple[Fraction, str]]
) -> list[dict[str, Any]]:
    """A violation per (node, resource) whose requests exceed the limit's fraction of
    allocatable, exactly (``requested × den > num × allocatable``); node order, then
    resource order. ``pods`` counts the pods on the node."""
    out: list[dict[str, Any]] = []
    if not limits:
        return out
    for node in nodes:
        for resource, (limit, text) in sorted(limits.items()):
            requested = len(node.pods) if resource == PODS else node.requested.get(resource, 0)
            allocatable = node.allocatable.get(resource, 0)
            if requested * limit.denominator <= limit.numerator * allocatable:
                continue
            share = "" if not allocatable else f" ({requested * 100 / allocatable:.1f}%)"
            out.append(
                {
                    "type": "MaxRequested",
                    "node": node.name,
                    "resource": resource,
                    "requested": format_amount(resource, requested),
                    "allocatable": format_amount(resource, allocatable),
                    "limit": text,
                    "message": f"node {node.name}: {resource} requests "
                    f"{format_amount(resource, requested)} of "
                    f"{format_amount(resource, allocatable)} allocatable{share}, above {text}",
                }
            )
    return out


def evaluate(
    cluster: ClusterInput,
    scenarios: Sequence[Scenario],
    variants: Sequence[tuple[int, str, tuple[str, ...]]],
    bases: dict[str | None, Base] | None = None,
    deadline: Deadline = NO_DEADLINE,
) -> list[dict[str, Any]]:
    """The report entries of ``variants`` (scenario index, variant name, removed nodes),
    in the order given. ``bases`` caches one :class:`Base` per replicas mode; ``deadline``
    is checked inside every scheduling run (a base's, each variant's)."""
    cache = {} if bases is None else bases
    out = []
    for index, name, removed in variants:
        scenario = scenarios[index]
        base = cache.get(scenario.replicas)
        if base is None:
            base = cache[scenario.replicas] = Base(cluster, scenario.replicas, deadline)
        out.append(base.variant(scenario, name, removed, deadline))
    return out
