"""ResourceQuota admission (``plugin/pkg/admission/resourcequota``, the pod evaluator of
``pkg/quota/v1/evaluator/core/pods.go``): each new pod of a namespace, in input order, is
charged to the namespace's quotas; a pod that would push a tracked resource over ``hard``
is refused with the API server's ``exceeded quota`` message, the rest goes on.

A pod's usage (``podComputeUsageHelper`` over ``PodRequests`` / ``PodLimits``, overhead
included): ``pods`` and ``count/pods`` 1; ``cpu`` / ``requests.cpu``, ``memory`` /
``requests.memory``, ``ephemeral-storage`` / ``requests.ephemeral-storage`` from requests;
``limits.*`` from limits; ``hugepages-*`` / ``requests.hugepages-*``; extended resources as
``requests.<name>``. A quota that tracks cpu or memory (requests or limits) requires every
container to set them (``failed quota: <name>: must specify …``).

Usage starts from the quota's ``status.used`` when the input carries it (``kubectl get
resourcequota -o json``), else from the input's pods that already run (read with a status).
Scopes ``BestEffort`` / ``NotBestEffort`` select pods by QoS class; quotas with other scopes
or a ``scopeSelector`` are not enforced (a warning says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from podfit.manifests.apivalidation import is_extended_resource_name
from podfit.manifests.objects import ResourceQuota
from podfit.pods import Container, Pod, pod_limits, pod_requests, qos_class
from podfit.quantity import Quantity, parse_quantity
from podfit.resources import add

ONE = parse_quantity("1")
VALIDATION_SET = frozenset(
    {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
)
"""Resources whose quota makes every container state them (upstream's ``validationSet``)."""
ENFORCED_SCOPES = frozenset({"BestEffort", "NotBestEffort"})


def compute_usage(
    requests: Mapping[str, Quantity], limits: Mapping[str, Quantity]
) -> dict[str, Quantity]:
    """``podComputeUsageHelper``."""
    out: dict[str, Quantity] = {"pods": ONE}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            out[name] = requests[name]
            out[f"requests.{name}"] = requests[name]
        if name in limits:
            out[f"limits.{name}"] = limits[name]
    for name, q in requests.items():
        if name.startswith("hugepages-"):
            out[name] = q
            out[f"requests.{name}"] = q
        if is_extended_resource_name(name):
            out[f"requests.{name}"] = q
    return out


def pod_usage(pod: Pod) -> dict[str, Quantity]:
    """A pod's quota usage (``PodUsageFunc``): terminal pods count only ``count/pods``."""
    if pod.is_terminal:
        return {"count/pods": ONE}
    usage = compute_usage(pod_requests(pod), pod_limits(pod))
    usage["count/pods"] = ONE
    return usage


def missing_requirements(containers: Iterable[Container], tracked: Iterable[str]) -> str:
    """The pod evaluator's ``Constraints``: ``"must specify limits.cpu for: a,b; …"`` for
    tracked cpu/memory resources some container does not set, else ``""``."""
    required = VALIDATION_SET.intersection(tracked)
    if not required:
        return ""
    missing: dict[str, set[str]] = {}
    for c in containers:
        have = set(compute_usage(c.requests, c.limits))
        for name in required - have:
            missing.setdefault(name, set()).add(c.name)
    if not missing:
        return ""
    parts = [f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing)]
    return "must specify " + "; ".join(parts)


def pretty(values: Mapping[str, Quantity]) -> str:
    """``prettyPrint``: ``name=value`` sorted by name, joined with ``,``."""
    return ",".join(f"{k}={values[k]}" for k in sorted(values))


@dataclass(slots=True)
class QuotaState:
    """One enforced quota and its running usage."""

    quota: ResourceQuota
    used: dict[str, Quantity] = field(default_factory=dict)

    def matches(self, pod: Pod) -> bool:
        """Scopes: BestEffort / NotBestEffort by the pod's QoS class."""
        best_effort = qos_class(pod) == "BestEffort"
        for scope in self.quota.scopes:
            if scope == "BestEffort" and not best_effort:
                return False
            if scope == "NotBestEffort" and best_effort:
                return False
        return True


class QuotaAdmission:
    """The quotas of the input, by namespace; :meth:`admit` charges one new pod."""

    def __init__(self, quotas: Sequence[ResourceQuota], existing: Iterable[Pod]) -> None:
        self.states: dict[str, list[QuotaState]] = {}
        self.not_enforced: list[ResourceQuota] = []
        for q in quotas:
            if set(q.scopes) - ENFORCED_SCOPES or q.has_scope_selector:
                self.not_enforced.append(q)
                continue
            self.states.setdefault(q.namespace, []).append(QuotaState(q, dict(q.used)))
        for pod in existing:  # pods already running count where the status gives no usage
            for state in self.states.get(pod.namespace, ()):
                if not state.quota.used and state.matches(pod):
                    hard = state.quota.hard_map
                    usage = {k: v for k, v in pod_usage(pod).items() if k in hard}
                    state.used = add(state.used, usage)

    def admit(self, pod: Pod) -> str:
        """Charge ``pod`` to every matching quota of its namespace; the refusal message
        (``exceeded quota: …`` / ``failed quota: …``) when one would be exceeded (then
        nothing is charged), else ``""``."""
        states = [s for s in self.states.get(pod.namespace, ()) if s.matches(pod)]
        if not states:
            return ""
        usage = pod_usage(pod)
        charged: list[tuple[QuotaState, dict[str, Quantity]]] = []
        for state in states:
            hard = state.quota.hard_map
            tracked = set(hard)
            missing = missing_requirements((*pod.init_containers, *pod.containers), tracked)
            if missing:
                return f"failed quota: {state.quota.name}: {missing}"
            requested = {k: v for k, v in usage.items() if k in tracked and not v.is_zero()}
            if not requested:
                continue
            new = add({k: v for k, v in state.used.items() if k in requested}, requested)
            exceeded = sorted(k for k, v in new.items() if v > hard[k])
            if exceeded:
                return (
                    f"exceeded quota: {state.quota.name}, "
                    f"requested: {pretty({k: requested[k] for k in exceeded})}, "
                    f"used: {pretty({k: state.used[k] for k in exceeded if k in state.used})}, "
                    f"limited: {pretty({k: hard[k] for k in exceeded})}"
                )
            charged.append((state, requested))
        for state, requested in charged:
            state.used = add(state.used, requested)
        return ""
