"""Pods as the scheduler sees them: effective requests and limits, QoS class, host ports.

The request math follows ``k8s.io/component-helpers/resource`` (``PodRequests``,
``PodLimits``, ``AggregateContainerRequests``):

1. sum the requests of the regular containers;
2. walk the init containers **in order**: a native sidecar (``restartPolicy: Always``) is
   added to the regular sum and to the running sidecar sum, and its footprint is that
   sidecar sum; a classic init container's footprint is its own requests plus the sidecars
   started *before* it; the init peak is the per-resource maximum footprint;
3. take the per-resource maximum of (1+sidecars) and the init peak;
4. pod-level ``spec.resources`` replaces the aggregate for ``cpu``, ``memory`` and
   ``hugepages-*`` only;
5. add ``spec.overhead``: to requests always; to limits only where a non-zero limit exists.

Everything is exact (``Quantity`` arithmetic); integers are produced once at the end
(:func:`pod_request_amounts`, cpu in millicores, others in base units, rounded up).

API-server defaulting (a limit without a request copies the limit into the request) is
*not* applied here — the helper functions, like upstream's, see the pod as stored. The
manifest reader (:mod:`podfit.manifests`) applies it with :func:`default_container`, as the
API server would before the scheduler ever sees the pod.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from typing import Any, NamedTuple

from podfit.errors import FieldError
from podfit.nodes import NO_EXECUTE, NO_SCHEDULE
from podfit.quantity import Quantity
from podfit.resources import (
    CPU,
    MEMORY,
    ResourceList,
    add,
    is_extended,
    is_hugepages,
    is_overcommit_allowed,
    maximum,
    to_amount,
    to_amounts,
)
from podfit.topology import LabelSelector, PodAffinity, SpreadConstraint
from podfit.units import human_quantity

RESTART_ALWAYS = "Always"

GUARANTEED = "Guaranteed"
BURSTABLE = "Burstable"
BEST_EFFORT = "BestEffort"

#: ``DefaultMilliCPURequest`` / ``DefaultMemoryRequest`` of ``pkg/scheduler/util``.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

_QOS_RESOURCES = (CPU, MEMORY)


def _items(mapping: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(mapping.items()))


# ---------------------------------------------------------------------------------------------
# Data model (frozen but for Pod, see there; Mapping fields are plain dicts that must be
# treated as read-only). The values the scheduler reads (tolerations, node selector terms,
# host ports) are NamedTuples: it hashes and compares them in its equivalence caches.


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """``containers[].ports[]``: ``host_port`` 0 means "no host port"; ``host_ip`` "" = any."""

    container_port: int
    host_port: int = 0
    protocol: str = "TCP"
    host_ip: str = ""

    def binding(self) -> HostPort:
        """The host port this port claims (protocol defaulted to TCP, IP as given)."""
        return HostPort(self.protocol or "TCP", self.host_ip, self.host_port)


ANY_IP = "0.0.0.0"


class HostPort(NamedTuple):
    """A host port a pod binds on its node: ``protocol`` (empty means TCP), host ``ip``
    (empty or ``0.0.0.0`` means every address) and ``port``. The one host-port value of
    the scheduler (NodePorts) and the planners."""

    protocol: str
    ip: str
    port: int

    @staticmethod
    def of(port: int, protocol: str = "TCP", ip: str = "") -> HostPort:
        """Normalised: empty protocol is TCP, empty IP is ``0.0.0.0``."""
        return HostPort(protocol or "TCP", ip or ANY_IP, port)

    def conflicts(self, other: HostPort) -> bool:
        """NodePorts' rule (``HostPortInfo.CheckConflict``): a port > 0 conflicts with another
        of the same protocol and port when either IP is ``0.0.0.0`` or both are equal."""
        if self.port <= 0 or other.port != self.port:
            return False
        if (other.protocol or "TCP") != (self.protocol or "TCP"):
            return False
        ip = self.ip or ANY_IP
        other_ip = other.ip or ANY_IP
        return ip == ANY_IP or other_ip in (ANY_IP, ip)


@dataclass(frozen=True, slots=True)
class ResourceFieldRef:
    """``valueFrom.resourceFieldRef``: ``resource`` is e.g. ``limits.cpu``."""

    resource: str
    container_name: str = ""
    divisor: Quantity | None = None


@dataclass(frozen=True, slots=True)
class EnvVar:
    """One ``env[]`` entry: a literal ``value``, a ``fieldRef`` path, or a resourceFieldRef.

    Other sources (secrets, config maps) are kept with ``other_source`` naming their kind,
    so they can be listed as unresolved rather than dropped.
    """

    name: str
    value: str | None = None
    field_path: str | None = None
    resource_field_ref: ResourceFieldRef | None = None
    other_source: str | None = None


@dataclass(frozen=True, slots=True)
class Container:
    """A regular or init container. ``restart_policy == "Always"`` on an init container
    makes it a native sidecar. ``defaulted_requests`` lists resources whose request the
    API server copied from the limit (for explanations). Hashable by content, so pods built
    from one template can share converted numbers."""

    name: str
    requests: Mapping[str, Quantity] = field(default_factory=dict)
    limits: Mapping[str, Quantity] = field(default_factory=dict)
    restart_policy: str | None = None
    ports: tuple[ContainerPort, ...] = ()
    env: tuple[EnvVar, ...] = ()
    defaulted_requests: tuple[str, ...] = ()

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                _items(self.requests),
                _items(self.limits),
                self.restart_policy,
                self.ports,
                self.env,
            )
        )

    @property
    def is_sidecar(self) -> bool:
        """A restartable init container (``restartPolicy: Always``)."""
        return self.restart_policy == RESTART_ALWAYS


class Toleration(NamedTuple):
    """``spec.tolerations[]``. Empty key with ``Exists`` tolerates everything."""

    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""


DAEMONSET_TOLERATIONS = (
    Toleration("node.kubernetes.io/not-ready", "Exists", "", NO_EXECUTE),
    Toleration("node.kubernetes.io/unreachable", "Exists", "", NO_EXECUTE),
    Toleration("node.kubernetes.io/disk-pressure", "Exists", "", NO_SCHEDULE),
    Toleration("node.kubernetes.io/memory-pressure", "Exists", "", NO_SCHEDULE),
    Toleration("node.kubernetes.io/pid-pressure", "Exists", "", NO_SCHEDULE),
    Toleration("node.kubernetes.io/unschedulable", "Exists", "", NO_SCHEDULE),
)
"""Tolerations the DaemonSet controller adds to every daemon pod
(``AddOrUpdateDaemonPodTolerations``); hostNetwork pods also get
:data:`NETWORK_UNAVAILABLE_TOLERATION`."""
NETWORK_UNAVAILABLE_TOLERATION = Toleration(
    "node.kubernetes.io/network-unavailable", "Exists", "", NO_SCHEDULE
)


class NodeSelectorRequirement(NamedTuple):
    """``matchExpressions[]`` / ``matchFields[]`` entry: In, NotIn, Exists, DoesNotExist, Gt, Lt."""

    key: str
    operator: str
    values: tuple[str, ...] = ()


class NodeSelectorTerm(NamedTuple):
    """One term of ``requiredDuringSchedulingIgnoredDuringExecution`` (terms are ORed)."""

    match_expressions: tuple[NodeSelectorRequirement, ...] = ()
    match_fields: tuple[NodeSelectorRequirement, ...] = ()


class PreferredSchedulingTerm(NamedTuple):
    """``preferredDuringSchedulingIgnoredDuringExecution[]``: weight 1..100."""

    weight: int
    preference: NodeSelectorTerm


@dataclass(slots=True)
class Pod:
    """A pod as stored by the API server (after defaulting). Hashable (by namespace, name
    and containers) although its mappings are plain dicts; equality compares every field.

    Read-only by contract like every class here, but not ``frozen``: a frozen dataclass
    sets each of its fields through ``object.__setattr__``, and :func:`replicas` builds
    one Pod per replica. Change a pod with ``dataclasses.replace``.

    ``pod_requests`` / ``pod_limits`` are pod-level ``spec.resources``; ``overhead`` is
    ``spec.overhead``. ``required_node_affinity`` is ``None`` when absent (an empty tuple
    would match nothing). ``owner`` is ``"Kind/name"`` of the workload that made it;
    ``daemonset`` names the DaemonSet for a per-node template; ``phase`` and ``node_name``
    come from ``kubectl get pods -o json``; ``source`` says which file/document it came from.
    ``spread`` and ``pod_affinity`` are ``spec.topologySpreadConstraints`` and the pod
    (anti-)affinity terms, selectors already merged with matchLabelKeys as the API server
    does; ``owner_selector`` is the selector of the ReplicaSet / StatefulSet /
    ReplicationController that controls the pod (a Deployment's: its ReplicaSet's, with
    ``pod-template-hash``), which kube-scheduler's default spreading reads.
    ``unmodelled`` lists the field paths of the pod's affinity and topology spread
    constraints as written (the scheduler and the plans model them; ``plan nodes`` warns
    for the terms its packer cannot honour). ``terminating``: the
    object has a ``deletionTimestamp``; it holds its node's resources until gone but counts
    toward no controller's replicas nor topology spreading. ``start_time``: a bound pod's
    ``status.startTime`` in microseconds since the Unix epoch (None when absent).
    ``nominated_node``: ``status.nominatedNodeName`` (a preemptor of an earlier cycle);
    ``preempted``: terminating because the scheduler preempted it (``terminating`` and a
    ``DisruptionTarget`` condition with status True and reason PreemptionByScheduler).
    """

    name: str
    namespace: str = "default"
    owner: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    containers: tuple[Container, ...] = ()
    init_containers: tuple[Container, ...] = ()
    overhead: Mapping[str, Quantity] = field(default_factory=dict)
    pod_requests: Mapping[str, Quantity] = field(default_factory=dict)
    pod_limits: Mapping[str, Quantity] = field(default_factory=dict)
    priority: int = 0
    preemption_policy: str = "PreemptLowerPriority"
    node_name: str | None = None
    phase: str | None = None
    node_selector: Mapping[str, str] = field(default_factory=dict)
    required_node_affinity: tuple[NodeSelectorTerm, ...] | None = None
    preferred_node_affinity: tuple[PreferredSchedulingTerm, ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    host_network: bool = False
    daemonset: str | None = None
    status_qos_class: str | None = None
    source: str = ""
    unmodelled: tuple[str, ...] = ()
    spread: tuple[SpreadConstraint, ...] = ()
    pod_affinity: PodAffinity | None = None
    owner_selector: LabelSelector | None = None
    terminating: bool = False
    start_time: int | None = None
    nominated_node: str | None = None
    preempted: bool = False

    def __hash__(self) -> int:
        return hash((self.namespace, self.name, self.containers, self.init_containers))

    @property
    def key(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    @property
    def is_terminal(self) -> bool:
        """Phase Succeeded or Failed: the pod uses no resources on its node."""
        return self.phase in ("Succeeded", "Failed")


_FIELDS = tuple(f.name for f in fields(Pod))
_REPLICA_FIELDS = (
    "namespace",
    "owner",
    "labels",
    "containers",
    "init_containers",
    "overhead",
    "pod_requests",
    "pod_limits",
    "priority",
    "preemption_policy",
    "node_name",
    "phase",
    "node_selector",
    "required_node_affinity",
    "preferred_node_affinity",
    "tolerations",
    "host_network",
    "daemonset",
    "status_qos_class",
    "source",
    "unmodelled",
    "spread",
    "pod_affinity",
    "owner_selector",
    "terminating",
    "start_time",
    "nominated_node",
    "preempted",
)
"""Every field of a ``Pod`` but its name, in :func:`replicas`' order."""
assert ("name", *_REPLICA_FIELDS) == _FIELDS, "replicas() must copy every field of Pod"
_ALL_BUT_NAME = attrgetter(*_REPLICA_FIELDS)


def replicas(template: Pod, names: Iterable[str]) -> list[Pod]:
    """Pods of one template called ``names`` (a Deployment's replicas), ``template`` itself
    where the name is its own. Every other field is the template's very object (read-only
    by contract), so a replica costs one small object; equal to ``replace(template,
    name=n)``. Each replica's slots are set directly (no ``__init__`` call with 29
    arguments): about 0.2 µs a pod."""
    names = list(names)
    (
        namespace,
        owner,
        labels,
        containers,
        init_containers,
        overhead,
        pod_requests,
        pod_limits,
        priority,
        preemption_policy,
        node_name,
        phase,
        node_selector,
        required_node_affinity,
        preferred_node_affinity,
        tolerations,
        host_network,
        daemonset,
        status_qos_class,
        source,
        unmodelled,
        spread,
        pod_affinity,
        owner_selector,
        terminating,
        start_time,
        nominated_node,
        preempted,
    ) = _ALL_BUT_NAME(template)
    new = object.__new__
    pods: list[Pod] = []
    append = pods.append
    for name in names:
        if name == template.name:
            append(template)
            continue
        pod = new(Pod)
        pod.name = name
        pod.namespace = namespace
        pod.owner = owner
        pod.labels = labels
        pod.containers = containers
        pod.init_containers = init_containers
        pod.overhead = overhead
        pod.pod_requests = pod_requests
        pod.pod_limits = pod_limits
        pod.priority = priority
        pod.preemption_policy = preemption_policy
        pod.node_name = node_name
        pod.phase = phase
        pod.node_selector = node_selector
        pod.required_node_affinity = required_node_affinity
        pod.preferred_node_affinity = preferred_node_affinity
        pod.tolerations = tolerations
        pod.host_network = host_network
        pod.daemonset = daemonset
        pod.status_qos_class = status_qos_class
        pod.source = source
        pod.unmodelled = unmodelled
        pod.spread = spread
        pod.pod_affinity = pod_affinity
        pod.owner_selector = owner_selector
        pod.terminating = terminating
        pod.start_time = start_time
        pod.nominated_node = nominated_node
        pod.preempted = preempted
        append(pod)
    return pods


# ---------------------------------------------------------------------------------------------
# API defaulting and validation (what the API server does before storing a pod)


def default_container(container: Container) -> Container:
    """``SetDefaults_Pod``: where only a limit is set, the request defaults to the limit.

    >>> from podfit.quantity import parse_quantity as q
    >>> c = default_container(Container("c", limits={"cpu": q("500m")}))
    >>> str(c.requests["cpu"]), c.defaulted_requests
    ('500m', ('cpu',))
    """
    requests = container.requests
    missing = [name for name in container.limits if name not in requests]
    if not missing:
        return container
    missing.sort()
    requests = dict(requests)
    for name in missing:
        requests[name] = container.limits[name]
    return replace(
        container,
        requests=requests,
        defaulted_requests=tuple(sorted({*container.defaulted_requests, *missing})),
    )


def validate_resources(
    requests: Mapping[str, Quantity], limits: Mapping[str, Quantity], path: str
) -> list[FieldError]:
    """The API server's checks of one ``resources`` block (``path`` ends in ``.resources``).

    Negative values (``must be greater than or equal to 0``), request above limit
    (``must be less than or equal to cpu limit of 500m``), and for non-overcommitable
    resources (extended, hugepages) integer values, request equal to limit and a limit
    being set. Every problem is returned, in sorted resource order.
    """
    errors: list[FieldError] = []
    for kind, rl in (("limits", limits), ("requests", requests)):
        for name in sorted(rl):
            q = rl[name]
            if q.sign() < 0:
                message = f"{q}: must be greater than or equal to 0"
            elif is_extended(name) and q.as_fraction().denominator != 1:
                message = f"{q}: must be an integer"
            else:
                continue
            errors.append(FieldError(f"{path}.{kind}.{name}", message))
    for name in sorted(requests):
        req = requests[name]
        lim = limits.get(name)
        if lim is not None:
            if req != lim and not is_overcommit_allowed(name):
                message = f"{req}: must be equal to {name} limit of {lim}"
            elif req > lim:
                message = f"{req}: must be less than or equal to {name} limit of {lim}"
            else:
                continue
            errors.append(FieldError(f"{path}.requests.{name}", message))
        elif not is_overcommit_allowed(name):
            errors.append(
                FieldError(
                    f"{path}.limits.{name}", "Limit must be set for non overcommitable resources"
                )
            )
    return errors


# ---------------------------------------------------------------------------------------------
# Aggregation


@dataclass(frozen=True, slots=True)
class _Walk:
    """Result of the sidecar-aware walk for one of requests/limits."""

    total: ResourceList  # max(containers+sidecars, init peak)
    containers: ResourceList  # regular containers + sidecars
    sidecars: ResourceList  # all sidecars
    init_peak: ResourceList
    peak_at: dict[str, str]  # resource -> init container name where the peak was reached
    peak_sidecars: dict[str, Quantity]  # resource -> sidecar share of that peak footprint


def _walk(
    regular: Iterable[Container],
    init: Iterable[Container],
    pick: str,
    defaults: bool = False,
) -> _Walk:
    def rl(c: Container) -> ResourceList:
        values: Mapping[str, Quantity] = c.requests if pick == "requests" else c.limits
        out = dict(values)
        if defaults:
            if CPU not in out:
                out[CPU] = Quantity.from_milli(DEFAULT_MILLI_CPU_REQUEST)
            if MEMORY not in out:
                out[MEMORY] = Quantity.from_int(DEFAULT_MEMORY_REQUEST)
        return out

    containers: ResourceList = {}
    for c in regular:
        containers = add(containers, rl(c))
    sidecars: ResourceList = {}
    peak: ResourceList = {}
    peak_at: dict[str, str] = {}
    peak_sidecars: dict[str, Quantity] = {}
    for c in init:
        own = rl(c)
        if c.is_sidecar:
            containers = add(containers, own)
            sidecars = add(sidecars, own)
            footprint = sidecars
        else:
            footprint = add(own, sidecars)
        for name, q in footprint.items():
            if name not in peak or q > peak[name]:
                peak[name] = q
                peak_at[name] = c.name
                share = sidecars.get(name, Quantity.ZERO) if not c.is_sidecar else q
                if share.is_zero():
                    peak_sidecars.pop(name, None)
                else:
                    peak_sidecars[name] = share
    return _Walk(maximum(containers, peak), containers, sidecars, peak, peak_at, peak_sidecars)


def is_supported_pod_level_resource(name: str) -> bool:
    """Pod-level ``spec.resources`` keys honoured by the scheduler: cpu, memory, hugepages-*."""
    return name in (CPU, MEMORY) or is_hugepages(name)


def default_pod_level_requests(
    requests: Mapping[str, Quantity],
    limits: Mapping[str, Quantity],
    containers: Iterable[Container],
    init_containers: Iterable[Container],
) -> ResourceList:
    """Pod-level ``spec.resources.requests`` after the API server's defaulting
    (``defaultPodRequests`` in pkg/apis/core/v1/defaults.go, PodLevelResources on).

    Only when pod-level limits are set: a supported pod-level resource without a pod-level
    request gets the containers' aggregated request (``AggregateContainerRequests``, the
    sidecar-aware walk, no overhead) if it is overcommittable (cpu, memory) and some
    container requests it; otherwise, if it has a pod-level limit, that limit. Container
    requests must already be defaulted from their limits (``SetDefaults_Pod`` does that
    first); LimitRange defaults come later (admission) and do not count. Cost: one walk.

    >>> from podfit.quantity import parse_quantity as q
    >>> c = Container("c", requests={"cpu": q("500m")}, limits={})
    >>> got = default_pod_level_requests({}, {"cpu": q("2"), "memory": q("1Gi")}, [c], [])
    >>> {k: str(v) for k, v in sorted(got.items())}
    {'cpu': '500m', 'memory': '1Gi'}
    """
    out: ResourceList = dict(requests)
    if not limits:
        return out
    aggregate = _walk(containers, init_containers, "requests").total
    for name, q in aggregate.items():
        supported = is_supported_pod_level_resource(name) and is_overcommit_allowed(name)
        if supported and name not in out:
            out[name] = q
    for name, q in limits.items():
        if name not in out and is_supported_pod_level_resource(name):
            out[name] = q
    return out


def _pod_level(values: Mapping[str, Quantity]) -> ResourceList:
    return {n: q for n, q in values.items() if is_supported_pod_level_resource(n)}


def aggregate_container_limits(pod: Pod) -> ResourceList:
    """Step 1–3 of the module doc for limits (``AggregateContainerLimits``)."""
    return _walk(pod.containers, pod.init_containers, "limits").total


def _requests(pod: Pod, defaults: bool, exclude_overhead: bool = False) -> ResourceList:
    reqs = _walk(pod.containers, pod.init_containers, "requests", defaults).total
    reqs.update(_pod_level(pod.pod_requests))
    return reqs if exclude_overhead else add(reqs, pod.overhead)


def resource_key(pod: Pod) -> tuple[object, ...]:
    """Everything a pod's requests, limits and QoS class depend on (containers, init
    containers, overhead, pod-level resources, a QoS class given in its status): pods of
    one template share it, so it keys caches of those numbers. Raises ``TypeError`` when a
    field holds something unhashable (possible only for pods built by hand)."""
    return (
        pod.containers,
        pod.init_containers,
        tuple(sorted(pod.overhead.items())),
        tuple(sorted(pod.pod_requests.items())),
        tuple(sorted(pod.pod_limits.items())),
        pod.status_qos_class,
    )


def pod_requests(pod: Pod, *, exclude_overhead: bool = False) -> ResourceList:
    """The pod's effective raw requests as exact quantities (``PodRequests``).

    Only resources some term mentions appear. Used by the fit filter and ``Requested``.
    """
    return _requests(pod, defaults=False, exclude_overhead=exclude_overhead)


def pod_limits(pod: Pod) -> ResourceList:
    """The pod's effective limits (``PodLimits``): overhead only on present non-zero limits."""
    limits = aggregate_container_limits(pod)
    limits.update(_pod_level(pod.pod_limits))
    for name, q in pod.overhead.items():
        if name in limits and not limits[name].is_zero():
            limits[name] = limits[name] + q
    return limits


def pod_request_amounts(pod: Pod) -> dict[str, int]:
    """:func:`pod_requests` as scheduler integers (cpu millicores, others base units, ceil).

    Raises ``QuantityError`` if a value exceeds int64.
    """
    return to_amounts(pod_requests(pod))


def non_zero_requests(pod: Pod) -> tuple[int, int]:
    """(cpu millicores, memory bytes) with the scoring defaults (incoming-pod flavour).

    Every container (regular, init, sidecar) lacking a ``cpu`` key counts 100m and lacking
    a ``memory`` key counts 200Mi (an explicit 0 stays 0); then the same aggregation,
    pod-level override and overhead as :func:`pod_requests`. A pod with no containers at
    all is (0, 0).
    """
    reqs = _requests(pod, defaults=True)
    cpu = to_amount(CPU, reqs[CPU]) if CPU in reqs else 0
    memory = to_amount(MEMORY, reqs[MEMORY]) if MEMORY in reqs else 0
    return cpu, memory


# ---------------------------------------------------------------------------------------------
# Explanation


def _said(resource: str, quantity: Quantity) -> str:
    """A quantity in an explanation sentence, by :mod:`podfit.units`' rule (``143.36Mi``,
    not ``150331648``); the entry's other keys keep the exact canonical strings."""
    return human_quantity(resource, str(quantity))


def explain_requests(pod: Pod) -> dict[str, dict[str, Any]]:
    """Per resource: which term decided the effective request, and every term's value.

    Keys of each entry: ``value`` (canonical), ``from`` (``containers``, ``init container
    "<name>"``, ``pod-level``), ``containers`` (regular + sidecars), ``sidecars``,
    ``initPeak`` and ``initPeakAt``, ``podLevel``, ``overhead``, ``defaultedFromLimit``
    (containers whose request was copied from their limit), and ``text`` — one sentence for
    people, its amounts by :mod:`podfit.units`' rule.
    Absent terms are omitted.
    """
    walk = _walk(pod.containers, pod.init_containers, "requests")
    final = pod_requests(pod)
    pod_level = _pod_level(pod.pod_requests)
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(final):
        entry: dict[str, Any] = {"value": str(final[name])}
        parts: list[str] = []
        cont = walk.containers.get(name)
        peak = walk.init_peak.get(name)
        if cont is not None:
            entry["containers"] = str(cont)
        if name in walk.sidecars:
            entry["sidecars"] = str(walk.sidecars[name])
        if peak is not None:
            entry["initPeak"] = str(peak)
            entry["initPeakAt"] = walk.peak_at[name]
        if name in pod_level:
            entry["from"] = "pod-level"
            entry["podLevel"] = str(pod_level[name])
            level = _said(name, pod_level[name])
            parts.append(f"pod-level spec.resources {level} replaces the containers")
        elif peak is not None and (cont is None or peak > cont):
            at = walk.peak_at[name]
            entry["from"] = f'init container "{at}"'
            share = walk.peak_sidecars.get(name)
            with_sidecars = ""
            if share is not None and share != peak:
                with_sidecars = f" (incl. {_said(name, share)} of sidecars started before it)"
            elif share is not None:
                with_sidecars = " (the sidecars started so far)"
            parts.append(
                f'init container "{at}"{with_sidecars} peaks at {_said(name, peak)}'
                + (f", above the containers' {_said(name, cont)}" if cont is not None else "")
            )
        elif cont is not None:
            entry["from"] = "containers"
            side = ""
            if name in walk.sidecars:
                side = f" incl. sidecars {_said(name, walk.sidecars[name])}"
            parts.append(
                f"containers sum to {_said(name, cont)}{side}"
                + (f", not below the init peak {_said(name, peak)}" if peak is not None else "")
            )
        else:
            entry["from"] = "overhead"
        if name in pod.overhead:
            entry["overhead"] = str(pod.overhead[name])
            parts.append(f"plus overhead {_said(name, pod.overhead[name])}")
        defaulted = [
            c.name for c in (*pod.init_containers, *pod.containers) if name in c.defaulted_requests
        ]
        if defaulted:
            entry["defaultedFromLimit"] = defaulted
            parts.append("request copied from the limit for " + ", ".join(defaulted))
        entry["text"] = f"{name} {_said(name, final[name])}: " + "; ".join(parts)
        out[name] = entry
    return out


# ---------------------------------------------------------------------------------------------
# QoS


def _container_qos(requests: Mapping[str, Quantity], limits: Mapping[str, Quantity]) -> str:
    req = {n: requests.get(n, Quantity.ZERO) for n in _QOS_RESOURCES}
    lim = {n: limits.get(n, Quantity.ZERO) for n in _QOS_RESOURCES}
    if any(req[n] != lim[n] for n in _QOS_RESOURCES):
        return BURSTABLE
    zero = [req[n].is_zero() for n in _QOS_RESOURCES]
    if all(zero):
        return BEST_EFFORT
    if not any(zero):
        return GUARANTEED
    return BURSTABLE


def qos_class(pod: Pod) -> str:
    """``Guaranteed``, ``Burstable`` or ``BestEffort`` (``GetPodQOS``).

    A recorded ``status.qosClass`` wins. Only cpu and memory count. With pod-level
    resources the pod-level values alone decide; otherwise every container (init,
    sidecar, regular) is classed — request ≠ limit for cpu or memory → Burstable; both
    0 → BestEffort; both equal and non-zero → Guaranteed; otherwise Burstable — and the
    pod is that class if all agree, else Burstable.

    An empty pod-level ``spec.resources`` counts as absent here (upstream's newest code
    would classify such a pod by the empty pod-level block, i.e. BestEffort).
    """
    if pod.status_qos_class:
        return pod.status_qos_class
    if pod.pod_requests or pod.pod_limits:
        return _container_qos(pod.pod_requests, pod.pod_limits)
    classes = {
        _container_qos(c.requests, c.limits) for c in (*pod.init_containers, *pod.containers)
    }
    if not classes:
        return BEST_EFFORT
    if len(classes) == 1:
        return classes.pop()
    return BURSTABLE


# ---------------------------------------------------------------------------------------------
# Host ports


def host_ports(pod: Pod) -> tuple[ContainerPort, ...]:
    """Ports claiming a host port: sidecars' first, then regular containers', in spec order.

    With ``hostNetwork: true`` a port without a host port gets ``hostPort = containerPort``
    (API defaulting). Ports with host port 0 are not included.
    """
    ports: list[ContainerPort] = []
    sidecars = tuple(c for c in pod.init_containers if c.is_sidecar)
    for c in (*sidecars, *pod.containers):
        for p in c.ports:
            port = p
            if pod.host_network and port.host_port == 0:
                port = replace(port, host_port=port.container_port)
            if port.host_port > 0:
                ports.append(port)
    return tuple(ports)
