"""What the reader returns: :class:`Workload` (pods, DaemonSet templates, nodes, warnings)
and :class:`Skipped` (an object that creates no pods, and why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict

from podfit.manifests.objects import (
    Controller,
    HorizontalPodAutoscaler,
    Namespace,
    PodDisruptionBudget,
    ResourceQuota,
    Service,
)
from podfit.manifests.replicas import PodRuns
from podfit.manifests.snapshot import Reconciliation
from podfit.nodes import Node
from podfit.pods import Pod


@dataclass(frozen=True, slots=True)
class Skipped:
    """An object that creates no pods here, and why."""

    kind: str
    name: str
    namespace: str = ""
    source: str = ""
    reason: str = "creates no pods"

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "source": self.source,
            "reason": self.reason,
        }

    @property
    def general_reason(self) -> str:
        """:attr:`reason` without what was read from this one object (``creates no pods;
        read: selects pods app=web (…)`` → ``creates no pods; read``): the same for every
        Service, HPA or PDB of a namespace dump, so they group into one line per kind."""
        general, read, _ = self.reason.partition("; read: ")
        return f"{general}; read" if read else general

    def warning(self) -> str:
        """One line naming the object, where it was read and why it creates no pods:
        ``Deploymnet default/web (app.yaml document 1) skipped: creates no pods``."""
        name = f"{self.namespace}/{self.name}" if self.namespace else self.name
        source = f" ({self.source})" if self.source else ""
        return f"{self.kind} {name}{source} skipped: {self.reason}"


class ClusterObjects(TypedDict):
    """What the scheduler and the planners read of a workload besides its pods and nodes
    (:meth:`Workload.cluster_objects`), passed on as keyword arguments: the DaemonSets'
    template pods, Services and controllers (default topology spreading), Namespaces
    (affinity's namespaceSelector) and PodDisruptionBudgets (preemption, drains)."""

    daemonsets: list[Pod]
    services: list[Service]
    namespaces: list[Namespace]
    controllers: list[Controller]
    disruption_budgets: list[PodDisruptionBudget]


@dataclass(slots=True)
class Workload:
    """Everything read from the inputs, in input order.

    ``pods``: pods to place (plus bound and terminal pods, which keep ``node_name`` and
    ``phase``); ``daemonsets``: one template pod per DaemonSet; ``nodes``; ``skipped``:
    objects that create no pods; ``warnings``: things assumed (e.g. an unknown
    ``priorityClassName`` counted as priority 0); ``objects``: how many objects were read
    (a ``List`` counts, its items too), so that an empty ``List`` — ``kubectl get pods -o
    json`` in an empty namespace — is told apart from an input holding nothing.

    Objects that create no pods but matter to them (:mod:`podfit.manifests.objects`):
    ``disruption_budgets``, ``autoscalers``, ``services``, ``namespaces`` (only those in
    the input; :meth:`namespace` answers for any name), ``resource_quotas`` and
    ``controllers`` (the selectors of the workload controllers), each in input order.
    ``reconciled``: how each workload's existing pods were counted and how many pods it
    made (:mod:`podfit.manifests.snapshot`); ``unscheduled_terminating``: the ``ns/name``
    of the pods with a ``deletionTimestamp`` and no node, left out of ``pods`` (the
    scheduler skips pods being deleted). ``refused``: ``(pod key, message)`` of the
    pods ResourceQuota admission refused (:mod:`podfit.manifests.quota`).
    """

    pods: list[Pod] = field(default_factory=list)
    daemonsets: list[Pod] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    objects: int = 0
    disruption_budgets: list[PodDisruptionBudget] = field(default_factory=list)
    autoscalers: list[HorizontalPodAutoscaler] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    namespaces: list[Namespace] = field(default_factory=list)
    resource_quotas: list[ResourceQuota] = field(default_factory=list)
    controllers: list[Controller] = field(default_factory=list)
    reconciled: list[Reconciliation] = field(default_factory=list)
    unscheduled_terminating: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    runs: PodRuns | None = field(default=None, init=False, repr=False, compare=False)

    def keep_runs(self, runs: PodRuns) -> None:
        """Hold the pods as ``runs``: ``pods`` is made from them when first read."""
        del self.pods
        self.runs = runs

    def pod_source(self) -> Sequence[Pod]:
        """The pods as a sequence: the :class:`PodRuns` while ``pods`` was never read
        (runs counted without a Pod per replica: :func:`podfit.planning.pending.runs`),
        else ``pods``."""
        return self.runs if self.runs is not None else self.pods

    def namespace(self, name: str) -> Namespace:
        """The Namespace ``name`` of the input, else :meth:`Namespace.implicit` (labelled
        only ``kubernetes.io/metadata.name``). Cost O(namespaces)."""
        for ns in self.namespaces:
            if ns.name == name:
                return ns
        return Namespace.implicit(name)

    def extend(self, other: Workload) -> None:
        """Append ``other``'s content."""
        self.objects += other.objects
        self.pods.extend(other.pods)
        self.daemonsets.extend(other.daemonsets)
        self.nodes.extend(other.nodes)
        self.skipped.extend(other.skipped)
        self.warnings.extend(other.warnings)
        self.disruption_budgets.extend(other.disruption_budgets)
        self.autoscalers.extend(other.autoscalers)
        self.services.extend(other.services)
        self.namespaces.extend(other.namespaces)
        self.resource_quotas.extend(other.resource_quotas)
        self.controllers.extend(other.controllers)
        self.reconciled.extend(other.reconciled)
        self.unscheduled_terminating.extend(other.unscheduled_terminating)
        self.refused.extend(other.refused)

    def cluster_objects(self) -> ClusterObjects:
        """The keyword arguments that give ``schedule()`` and the planners this workload's
        :class:`ClusterObjects`."""
        return ClusterObjects(
            daemonsets=self.daemonsets,
            services=self.services,
            namespaces=self.namespaces,
            controllers=self.controllers,
            disruption_budgets=self.disruption_budgets,
        )

    def snapshot(self) -> dict[str, Any] | None:
        """The ``snapshot`` section of the ScheduleResult and requests documents, or None
        when the input held no existing pods of its workloads and no terminating pod was
        left out: ``{"workloads": [Reconciliation.to_dict() of each reported workload,
        input order], "unscheduledTerminating": [ns/name, input order]}``. Cost
        O(workloads + pods listed)."""
        reported = [r.to_dict() for r in self.reconciled if r.reported]
        if not reported and not self.unscheduled_terminating:
            return None
        return {
            "workloads": reported,
            "unscheduledTerminating": list(self.unscheduled_terminating),
        }

    def skipped_warnings(self) -> list[str]:
        """One warning per skipped object, in input order: a result that lists only the pods
        (``podfit schedule``, ``POST /v1/schedule``) must still show that a misspelt
        ``kind: Deploymnet`` was read and placed nothing."""
        return [s.warning() for s in self.skipped]


class _PodsSlot:
    """``Workload.pods``: the slot, filled from ``Workload.runs`` on the first read when
    :meth:`Workload.keep_runs` left it empty (the runs are dropped then: the list may be
    changed in place); setting it drops the runs."""

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, obj: Workload | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        try:
            return self.slot.__get__(obj, owner)
        except AttributeError:
            if obj.runs is None:
                raise
            pods = obj.runs.materialise()
            self.slot.__set__(obj, pods)
            obj.runs = None
            return pods

    def __set__(self, obj: Workload, value: list[Pod]) -> None:
        self.slot.__set__(obj, value)
        obj.runs = None

    def __delete__(self, obj: Workload) -> None:
        self.slot.__delete__(obj)


setattr(Workload, "pods", _PodsSlot(Workload.__dict__["pods"]))  # noqa: B010


class Warned(Protocol):
    """A result with ``warnings`` (ScheduleResult, FitReport, NodesPlan, DrainReport) and
    its versioned document."""

    warnings: list[str]

    def to_dict(self) -> dict[str, Any]: ...


def add_input_warnings(report: Warned, *workloads: Workload) -> None:
    """Complete a result's ``warnings`` with what only the inputs know, as the API and the
    CLI answer it: each warning once, in this order — the loader's assumptions
    (``Workload.warnings`` that the result does not already hold: the reader also notes
    each template's unmodelled constraints, which stay in the result's own place), the
    scheduler's or planner's own (unmodelled constraints, default spreading), then one per
    object that created no pods (``Workload.skipped_warnings``). ``workloads`` in input
    order (``plan fit``: the cluster's, then the templates'). Cost: O(warnings)."""
    own = report.warnings
    mentioned = set(own)
    loaded = [w for workload in workloads for w in workload.warnings if w not in mentioned]
    skipped = [w for workload in workloads for w in workload.skipped_warnings()]
    report.warnings = list(dict.fromkeys([*loaded, *own, *skipped]))
