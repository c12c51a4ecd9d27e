"""The integer-level pod and node the scheduler works on (kube-scheduler's framework types).

Everything here is already converted: cpu in **millicores**, every other resource in **base
units** (bytes, counts), the pod count under ``"pods"``. The scheduler never sees a
``Quantity`` and never uses a float for a fit decision.

* :class:`PodInfo` — one pod to place (or already placed): its raw request (§1.2–1.4 of the
  scheduling notes), its non-zero cpu/memory (100m / 200Mi defaults, §1.5), tolerations,
  node selector and affinity, host ports and priority.
* :class:`NodeInfo` — one node: allocatable, labels, taints, ``unschedulable``, and the
  running totals of what is placed on it (``requested``, ``non_zero_*``, pod count, ports).

Both are plain mutable objects with ``__slots__`` so 100,000 of them stay small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

# The non-zero defaults, the taint effects and the pod's value types (tolerations, node
# selector requirements and terms, preferred terms, host ports) have one definition each in
# the core; the scheduler's modules import them from here (explicit re-exports).
from podfit.nodes import NO_EXECUTE as NO_EXECUTE
from podfit.nodes import NO_SCHEDULE as NO_SCHEDULE
from podfit.nodes import PREFER_NO_SCHEDULE as PREFER_NO_SCHEDULE
from podfit.pods import DEFAULT_MEMORY_REQUEST as DEFAULT_MEMORY_REQUEST
from podfit.pods import DEFAULT_MILLI_CPU_REQUEST as DEFAULT_MILLI_CPU_REQUEST
from podfit.pods import HostPort as HostPort
from podfit.pods import NodeSelectorRequirement as NodeSelectorRequirement
from podfit.pods import NodeSelectorTerm as NodeSelectorTerm
from podfit.pods import PreferredSchedulingTerm as PreferredSchedulingTerm
from podfit.pods import Toleration as Toleration
from podfit.resources import CPU, EPHEMERAL_STORAGE, MEMORY, PODS

if TYPE_CHECKING:
    from podfit.topology import LabelSelector, PodAffinity, SpreadConstraint

Requirement = NodeSelectorRequirement
"""The scheduler's short name for a node selector requirement (the pod's own type)."""
Term = NodeSelectorTerm
"""The scheduler's short name for a node selector term (the pod's own type)."""
PreferredTerm = PreferredSchedulingTerm
"""The scheduler's short name for a preferred scheduling term (the pod's own type)."""

_NOT_SCALAR = frozenset({CPU, MEMORY, EPHEMERAL_STORAGE, PODS})


class Taint(NamedTuple):
    """A node taint; ``effect`` is NoSchedule, PreferNoSchedule or NoExecute."""

    key: str
    value: str = ""
    effect: str = NO_SCHEDULE


def _same(value: Any) -> Any:
    return value


_CHANGEABLE: dict[str, Callable[[Any], Any]] = {
    "namespace": _same,
    "owner": _same,
    "priority": _same,
    "preemption_policy": _same,
    "node_name": _same,
    "node_selector": lambda v: tuple(sorted((v or {}).items())),
    "required_terms": lambda v: None if v is None else tuple(v),
    "preferred_terms": tuple,
    "tolerations": tuple,
    "host_ports": tuple,
    "qos_class": _same,
    "daemonset": _same,
    "phase": _same,
    "index": _same,
    "labels": lambda v: dict(v or {}),
    "spread": tuple,
    "default_spread": _same,
    "pod_affinity": _same,
    "terminating": _same,
    "start_time": _same,
    "nominated_node": _same,
    "preempted": _same,
}
"""Fields :meth:`PodInfo.respawn` may change, each with the constructor's normalisation."""


class PodInfo:
    """One pod, at the scheduler's integer level.

    ``requests`` holds the raw effective request per resource (only resources the pod
    actually requests, value > 0 or explicitly 0); ``non_zero_cpu`` / ``non_zero_memory``
    are the §1.5 flavour used by the NodeResourcesFit score strategies.
    """

    __slots__ = (
        "_key",
        "daemonset",
        "default_spread",
        "host_ports",
        "index",
        "labels",
        "name",
        "namespace",
        "node_name",
        "node_selector",
        "nominated_node",
        "non_zero_cpu",
        "non_zero_memory",
        "owner",
        "phase",
        "pod_affinity",
        "preempted",
        "preemption_policy",
        "preferred_terms",
        "priority",
        "qos_class",
        "requests",
        "required_terms",
        "scalar_requests",
        "spread",
        "start_time",
        "terminating",
        "tolerations",
    )

    def __init__(
        self,
        name: str,
        *,
        namespace: str = "default",
        owner: str | None = None,
        requests: Mapping[str, int] | None = None,
        non_zero: tuple[int, int] | None = None,
        priority: int = 0,
        preemption_policy: str = "PreemptLowerPriority",
        node_name: str | None = None,
        node_selector: Mapping[str, str] | None = None,
        required_terms: Iterable[Term] | None = None,
        preferred_terms: Iterable[PreferredTerm] = (),
        tolerations: Iterable[Toleration] = (),
        host_ports: Iterable[HostPort] = (),
        qos_class: str = "BestEffort",
        daemonset: str | None = None,
        phase: str | None = None,
        index: int = 0,
        labels: Mapping[str, str] | None = None,
        spread: Iterable[SpreadConstraint] = (),
        default_spread: LabelSelector | None = None,
        pod_affinity: PodAffinity | None = None,
        terminating: bool = False,
        start_time: int | None = None,
        nominated_node: str | None = None,
        preempted: bool = False,
    ) -> None:
        self.name = name
        self.phase = phase
        self.namespace = namespace
        self.owner = owner
        self.requests: dict[str, int] = dict(requests or {})
        self.scalar_requests: tuple[tuple[str, int], ...] = tuple(
            sorted((n, v) for n, v in self.requests.items() if n not in _NOT_SCALAR)
        )
        self._key: tuple[object, ...] | None = None
        if non_zero is None:
            cpu = self.requests.get("cpu")
            mem = self.requests.get("memory")
            non_zero = (
                DEFAULT_MILLI_CPU_REQUEST if cpu is None else cpu,
                DEFAULT_MEMORY_REQUEST if mem is None else mem,
            )
        self.non_zero_cpu, self.non_zero_memory = non_zero
        self.priority = priority
        self.preemption_policy = preemption_policy
        self.node_name = node_name
        self.node_selector: tuple[tuple[str, str], ...] = tuple(
            sorted((node_selector or {}).items())
        )
        self.required_terms: tuple[Term, ...] | None = (
            None if required_terms is None else tuple(required_terms)
        )
        self.preferred_terms: tuple[PreferredTerm, ...] = tuple(preferred_terms)
        self.tolerations: tuple[Toleration, ...] = tuple(tolerations)
        self.host_ports: tuple[HostPort, ...] = tuple(host_ports)
        self.qos_class = qos_class
        self.daemonset = daemonset
        self.index = index
        self.labels: dict[str, str] = dict(labels or {})
        self.spread: tuple[SpreadConstraint, ...] = tuple(spread)
        self.default_spread = default_spread
        self.pod_affinity = pod_affinity
        self.terminating = terminating
        self.start_time = start_time  # status.startTime, µs since the epoch; None: not started
        # status.nominatedNodeName of an input pod (a preemptor of an earlier cycle)
        self.nominated_node = nominated_node
        # terminating because the scheduler preempted it: a deletionTimestamp and a
        # DisruptionTarget condition (True, PreemptionByScheduler)
        self.preempted = preempted

    def replica(self, name: str) -> PodInfo:
        """Another pod of the same template, called ``name``: every other field is shared
        (the objects are read-only once built), so a replica costs one small copy."""
        clone = object.__new__(PodInfo)
        clone.name = name
        key = self._key
        clone._key = self.scheduling_key() if key is None else key  # once for all replicas
        clone.daemonset = self.daemonset
        clone.host_ports = self.host_ports
        clone.index = self.index
        clone.namespace = self.namespace
        clone.node_name = self.node_name
        clone.node_selector = self.node_selector
        clone.non_zero_cpu = self.non_zero_cpu
        clone.non_zero_memory = self.non_zero_memory
        clone.owner = self.owner
        clone.phase = self.phase
        clone.preemption_policy = self.preemption_policy
        clone.preferred_terms = self.preferred_terms
        clone.priority = self.priority
        clone.qos_class = self.qos_class
        clone.requests = self.requests
        clone.required_terms = self.required_terms
        clone.scalar_requests = self.scalar_requests
        clone.tolerations = self.tolerations
        clone.labels = self.labels
        clone.spread = self.spread
        clone.default_spread = self.default_spread
        clone.pod_affinity = self.pod_affinity
        clone.terminating = self.terminating
        clone.start_time = self.start_time
        clone.nominated_node = self.nominated_node
        clone.preempted = self.preempted
        return clone

    def respawn(self, name: str | None = None, **changes: Any) -> PodInfo:
        """A pod with this pod's spec, called ``name`` (default: the same name), with
        ``changes`` applied: keywords are the constructor's (``node_name``, ``phase``,
        ``daemonset``, ``owner``, ``priority``, ``required_terms``, ``tolerations``, ...;
        not ``requests`` / ``non_zero``, which are shared). Fields not named are the very
        objects of this pod (read-only once built). The scheduling key is reused when
        nothing changes, else recomputed on first use. Cost: one small copy plus the
        changed fields.

        Raises ``TypeError`` for a keyword that is not a changeable field.
        """
        clone = self.replica(self.name if name is None else name)
        unknown = changes.keys() - _CHANGEABLE
        if unknown:
            raise TypeError(f"PodInfo.respawn() got unknown field(s): {', '.join(sorted(unknown))}")
        for field_name, value in changes.items():
            setattr(clone, field_name, _CHANGEABLE[field_name](value))
        if changes:
            clone._key = None
        return clone

    def scheduling_key(self) -> tuple[object, ...]:
        """Everything filters and scores look at: pods with equal keys are interchangeable.

        The fields are those the profile's plugins declare they read
        (:data:`podfit.scheduler.profile.POD_KEY_FIELDS`); name, namespace, owner and
        priority are not among them (priority only changes the preemption part of the
        message, which is computed per pod). Computed once: a PodInfo must not change
        after it is handed to the scheduler.
        """
        if self._key is not None:
            return self._key
        from podfit.scheduler.profile import pod_key  # the profile imports this module

        self._key = pod_key(self)
        return self._key

    def __repr__(self) -> str:
        return f"PodInfo({self.namespace}/{self.name}, requests={self.requests})"


class NodeInfo:
    """One node and what is placed on it (kube-scheduler's ``NodeInfo``).

    ``allocatable`` includes ``"pods"`` (max pods; missing means 0 — such a node admits
    nothing). ``requested`` sums the raw requests of the pods on the node (per-pod
    integers, §1.1); ``non_zero_cpu`` / ``non_zero_memory`` sum their non-zero flavour.
    """

    __slots__ = (
        "allocatable",
        "index",
        "labels",
        "memo",
        "min_priority",
        "name",
        "non_zero_cpu",
        "non_zero_memory",
        "pods",
        "ports",
        "removals",
        "requested",
        "taints",
        "unschedulable",
    )

    def __init__(
        self,
        name: str,
        allocatable: Mapping[str, int],
        *,
        labels: Mapping[str, str] | None = None,
        taints: Iterable[Taint] = (),
        unschedulable: bool = False,
        index: int = 0,
    ) -> None:
        self.name = name
        self.allocatable: dict[str, int] = dict(allocatable)
        self.labels: dict[str, str] = dict(labels or {})
        self.taints: tuple[Taint, ...] = tuple(taints)
        self.unschedulable = unschedulable
        self.index = index
        self.requested: dict[str, int] = {}
        self.non_zero_cpu = 0
        self.non_zero_memory = 0
        self.pods: list[PodInfo] = []
        self.ports: list[HostPort] = []
        self.min_priority: int | None = None
        self.removals = 0
        """How many pods were ever removed: while it stays the same, :attr:`pods` only
        grew at its end, so a count kept from an earlier length needs only the new tail."""
        self.memo: dict[object, Any] = {}
        """Facts derived from :attr:`pods` alone (matching-pod counts per selector, the pods
        with affinity terms), filled lazily by the topology plugins and emptied whenever a
        pod is added or removed: valid exactly while the pods stay the same."""

    @property
    def pod_count(self) -> int:
        """Number of pods counted on this node (the ``Too many pods`` check)."""
        return len(self.pods)

    @property
    def max_pods(self) -> int:
        """Allocatable ``pods``; 0 when the node does not declare it."""
        return self.allocatable.get(PODS, 0)

    def add_pod(self, pod: PodInfo) -> None:
        """Count ``pod`` on this node (``NodeInfo.AddPod``). Cost: O(#resources of the pod)."""
        requested = self.requested
        for name, amount in pod.requests.items():
            requested[name] = requested.get(name, 0) + amount
        self.non_zero_cpu += pod.non_zero_cpu
        self.non_zero_memory += pod.non_zero_memory
        self.pods.append(pod)
        if self.memo:
            self.memo = {}
        if pod.host_ports:
            self.ports.extend(pod.host_ports)
        if self.min_priority is None or pod.priority < self.min_priority:
            self.min_priority = pod.priority

    def remove_pod(self, pod: PodInfo) -> None:
        """Stop counting ``pod`` (the very object) on this node (``NodeInfo.RemovePod``, a
        preemption victim). Cost: O(pods on the node)."""
        for k, placed in enumerate(self.pods):
            if placed is pod:
                del self.pods[k]
                break
        else:
            raise ValueError(f"{pod.name} is not on node {self.name}")
        self.removals += 1
        if self.memo:
            self.memo = {}
        requested = self.requested
        for name, amount in pod.requests.items():
            requested[name] = requested.get(name, 0) - amount
        self.non_zero_cpu -= pod.non_zero_cpu
        self.non_zero_memory -= pod.non_zero_memory
        for port in pod.host_ports:
            self.ports.remove(port)
        self.min_priority = min((p.priority for p in self.pods), default=None)

    def without(self, keep: Iterable[PodInfo]) -> NodeInfo:
        """A copy of this node holding only the pods in ``keep`` (for preemption checks)."""
        clone = NodeInfo(
            self.name,
            self.allocatable,
            labels=self.labels,
            taints=self.taints,
            unschedulable=self.unschedulable,
            index=self.index,
        )
        for pod in keep:
            clone.add_pod(pod)
        return clone

    def free(self, resource: str) -> int:
        """``allocatable - requested`` for ``resource`` (may be negative when overcommitted)."""
        if resource == PODS:
            return self.max_pods - len(self.pods)
        return self.allocatable.get(resource, 0) - self.requested.get(resource, 0)

    def __repr__(self) -> str:
        return f"NodeInfo({self.name}, pods={len(self.pods)}, requested={self.requested})"
