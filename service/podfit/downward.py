"""Downward API: the values the kubelet puts into ``env`` from ``resourceFieldRef`` and
simple ``fieldRef`` paths.

``resourceFieldRef`` (``ExtractContainerResourceValue`` in ``pkg/api/v1/resource``, the
same formula in kubectl): the divisor defaults to ``1`` when unset or zero; cpu →
``ceil(MilliValue(q) / MilliValue(divisor))``, everything else →
``ceil(Value(q) / Value(divisor))``, **computed in float64** and printed as an integer —
so a 100m cpu request shows ``1`` with the default divisor and ``100`` with ``1m``.
A missing request is 0. A missing or zero ``limits.cpu|memory|ephemeral-storage`` is
replaced by the node's allocatable (``MergeContainerResourceLimits``), so it is known only
once the pod is placed; without a node it is reported as unresolved. The kubelet
(``defaultPodLimitsForDownwardAPI``) merges the node's allocatable into the env's own
container and into the pod's *regular* containers only: a ``containerName`` that names an
init container reads that container's limits as stored, so a missing limit prints ``0``.

>>> from podfit.quantity import parse_quantity as q
>>> format_resource_value("cpu", q("100m"), None)
'1'
>>> format_resource_value("cpu", q("100m"), q("1m"))
'100'
>>> format_resource_value("memory", q("100M"), q("1Mi"))
'96'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from podfit.errors import FieldError, ManifestError
from podfit.pods import Container, Pod
from podfit.quantity import Quantity
from podfit.resources import CPU, EPHEMERAL_STORAGE, HUGEPAGES_PREFIX, MEMORY

CPU_DIVISORS = ("1m", "1")
SIZE_DIVISORS = ("1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei")

#: ``validEnvDownwardAPIResourceFieldPathExpressions`` (plus the hugepages prefixes)
RESOURCE_FIELD_PATHS = (
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
)
_HUGEPAGES_PATHS = ("limits." + HUGEPAGES_PREFIX, "requests." + HUGEPAGES_PREFIX)

#: fieldRef paths valid in env; those podfit can resolve before the pod runs are marked True.
FIELD_PATHS: Mapping[str, bool] = {
    "metadata.name": True,
    "metadata.namespace": True,
    "spec.nodeName": True,
    "metadata.uid": False,
    "spec.serviceAccountName": False,
    "status.hostIP": False,
    "status.hostIPs": False,
    "status.podIP": False,
    "status.podIPs": False,
}
_NODE_FILLED = (CPU, MEMORY, EPHEMERAL_STORAGE)


def is_supported_resource_path(resource: str) -> bool:
    """Whether ``resource`` is a valid ``resourceFieldRef.resource`` for env."""
    return resource in RESOURCE_FIELD_PATHS or resource.startswith(_HUGEPAGES_PATHS)


def is_supported_field_path(path: str) -> bool:
    """Whether ``path`` is a valid env ``fieldRef.fieldPath``."""
    if path in FIELD_PATHS:
        return True
    return path.startswith(("metadata.labels['", "metadata.annotations['")) and path.endswith("']")


def validate_divisor(resource: str, divisor: Quantity | None, path: str) -> list[FieldError]:
    """``validateContainerResourceDivisor``: a non-zero divisor must print as one of the
    allowed values (cpu: 1m, 1; sizes: 1, 1k … 1Ei). ``path`` is the resourceFieldRef path.

    podfit compares the canonical form (``01`` prints ``1`` here; Kubernetes would echo
    ``01`` and refuse it — see kubernetes-quantities.md §6.1 and the pinned choice (a)).
    """
    if divisor is None or divisor.is_zero():
        return []
    text = str(divisor)
    where = f"{path}.divisor"
    if resource in ("limits.cpu", "requests.cpu"):
        if text not in CPU_DIVISORS:
            return [
                FieldError(
                    where,
                    f'Invalid value: "{resource}": '
                    "only divisor's values 1m and 1 are supported with the cpu resource",
                )
            ]
        return []
    names = {
        "limits.memory": "memory",
        "requests.memory": "memory",
        "limits.ephemeral-storage": "local ephemeral storage",
        "requests.ephemeral-storage": "local ephemeral storage",
    }
    label = names.get(resource)
    if label is None and resource.startswith(_HUGEPAGES_PATHS):
        label = "hugepages"
    if label is not None and text not in SIZE_DIVISORS:
        allowed = ", ".join(SIZE_DIVISORS)
        return [
            FieldError(
                where,
                f'Invalid value: "{resource}": '
                f"only divisor's values {allowed} are supported with the {label} resource",
            )
        ]
    return []


def format_resource_value(resource_name: str, quantity: Quantity, divisor: Quantity | None) -> str:
    """Upstream's float64 formula: ``ceil(q / divisor)`` in milli-units for cpu, else units.

    Very large values lose precision exactly as upstream's float64 does
    (9007199254740993 → 9007199254740992).
    """
    if divisor is None or divisor.is_zero():
        divisor = Quantity.from_int(1)
    if resource_name == CPU:
        num, den = quantity.milli_value(), divisor.milli_value()
    else:
        num, den = quantity.value(), divisor.value()
    return str(math.ceil(float(num) / float(den)))


@dataclass(frozen=True, slots=True)
class ResolvedEnv:
    """Env values known before the pod runs (``values``) and the rest with a reason."""

    values: dict[str, str] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)


def find_container(pod: Pod, name: str) -> Container | None:
    """The regular or init container called ``name``."""
    for c in (*pod.containers, *pod.init_containers):
        if c.name == name:
            return c
    return None


def resource_field_value(
    pod: Pod,
    container_name: str,
    resource: str,
    divisor: Quantity | None = None,
    node_allocatable: Mapping[str, Quantity] | None = None,
    *,
    by_name: bool = False,
) -> str | None:
    """The text of ``resourceFieldRef`` ``resource`` of container ``container_name``.

    ``by_name`` says the reference names the container (``containerName`` set) instead of
    meaning the env's own container; then an *init* container's missing limit is not
    filled from the node and prints ``0`` (``containerResourceRuntimeValue`` →
    ``ExtractResourceValueByContainerName`` on a pod whose init containers were not merged).
    Returns ``None`` when the value depends on the node (a missing or zero cpu, memory or
    ephemeral-storage limit that the node fills) and ``node_allocatable`` is not given.
    Raises ``ManifestError`` for an unknown container or resource.
    """
    container = find_container(pod, container_name)
    if container is None:
        raise ManifestError(f'container "{container_name}" not found', path="resourceFieldRef")
    kind, _, name = resource.partition(".")
    if not is_supported_resource_path(resource):
        raise ManifestError(f"unsupported container resource: {resource}", path="resource")
    node_fills = not by_name or any(c.name == container_name for c in pod.containers)
    if kind == "requests":
        q = container.requests.get(name, Quantity.ZERO)
    else:
        q = container.limits.get(name, Quantity.ZERO)
        if node_fills and name in _NODE_FILLED and q.is_zero():
            if node_allocatable is None:
                return None
            q = node_allocatable.get(name, Quantity.ZERO)
    return format_resource_value(name, q, divisor)


def resolve_env(
    pod: Pod, container: Container, node_allocatable: Mapping[str, Quantity] | None = None
) -> ResolvedEnv:
    """Resolve ``container.env`` for ``pod`` (placed on a node with ``node_allocatable``,
    if known). Literal values are kept; ``fieldRef`` metadata.name / metadata.namespace /
    metadata.labels['k'] / spec.nodeName (once placed) and every ``resourceFieldRef`` are
    computed; the rest is listed in ``unresolved`` with the reason."""
    values: dict[str, str] = {}
    unresolved: dict[str, str] = {}
    for env in container.env:
        if env.value is not None:
            values[env.name] = env.value
        elif env.resource_field_ref is not None:
            ref = env.resource_field_ref
            value = resource_field_value(
                pod,
                ref.container_name or container.name,
                ref.resource,
                ref.divisor,
                node_allocatable,
                by_name=bool(ref.container_name),
            )
            if value is None:
                unresolved[env.name] = (
                    f"{ref.resource} has no limit: the kubelet uses the node's allocatable "
                    "(known once the pod is placed)"
                )
            else:
                values[env.name] = value
        elif env.field_path is not None:
            value = _field_value(pod, env.field_path)
            if value is None and env.field_path == "spec.nodeName":
                unresolved[env.name] = "spec.nodeName is known once the pod is placed"
            elif value is None:
                unresolved[env.name] = f"fieldRef {env.field_path} is known only at run time"
            else:
                values[env.name] = value
        elif env.other_source is not None:
            unresolved[env.name] = f"from {env.other_source}"
        else:
            values[env.name] = ""
    return ResolvedEnv(values, unresolved)


def _field_value(pod: Pod, path: str) -> str | None:
    if path == "metadata.name":
        return pod.name
    if path == "metadata.namespace":
        return pod.namespace
    if path == "spec.nodeName":
        return pod.node_name
    if path.startswith("metadata.labels['") and path.endswith("']"):
        return pod.labels.get(path[len("metadata.labels['") : -2], "")
    return None
