"""The JSON of ``podfit requests`` and ``podfit nodes`` (and the matching API answers).

Shapes::

    {"pods": [{"namespace", "name", "owner", "requests": {res: canonical}, "limits": {…},
               "qosClass", "explain": {res: {…}}, "containers": [{"name", "type", "env",
               "unresolved"}], "nodeName"?, "phase"?, "counted"}],
     "daemonsets": [... same, one template per DaemonSet, counted once per eligible node ...],
     "total": {"requests": {…}, "limits": {…}, "pods": N},
     "skipped": [{"kind", "namespace", "name", "source", "reason"}], "warnings": [...]}

    {"nodes": [{"name", "allocatable", "capacity", "labels", "taints", "unschedulable"}],
     "presets": [{"name", "provider", "maxPods", "capacityBasis", "source",
                  "calculation": [{"resource", "term", "amount", "rule"}]}]}

Quantities print in canonical form; ``total`` sums the exact quantities of the pods that
use resources (Succeeded/Failed pods are listed with ``"counted": false`` and add
nothing; DaemonSet pods depend on the node count and are not in the total).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import Schema, fields

from podfit.downward import resolve_env
from podfit.manifests import Workload
from podfit.nodes import Node, Preset
from podfit.pods import (
    Pod,
    explain_requests,
    pod_limits,
    pod_requests,
    qos_class,
    resource_key,
)
from podfit.quantity import Quantity
from podfit.resources import ResourceList, add, canonical


class ContainerEnvSchema(Schema):
    """One container's resolved downward-API env."""

    name = fields.String(required=True)
    type = fields.String(required=True)  # container | init | sidecar
    env = fields.Dict(keys=fields.String(), values=fields.String())
    unresolved = fields.Dict(keys=fields.String(), values=fields.String())


class PodSummarySchema(Schema):
    """One pod: effective requests and limits, QoS, explanation, env."""

    namespace = fields.String(required=True)
    name = fields.String(required=True)
    owner = fields.String(allow_none=True)
    nodeName = fields.String()
    phase = fields.String()
    counted = fields.Boolean()
    requests = fields.Dict(keys=fields.String(), values=fields.String())
    limits = fields.Dict(keys=fields.String(), values=fields.String())
    qosClass = fields.String()
    explain = fields.Dict(keys=fields.String(), values=fields.Dict())
    containers = fields.List(fields.Nested(ContainerEnvSchema))


class TotalSchema(Schema):
    """Sum over the counted pods."""

    requests = fields.Dict(keys=fields.String(), values=fields.String())
    limits = fields.Dict(keys=fields.String(), values=fields.String())
    pods = fields.Integer()


class SkippedSchema(Schema):
    """An object that creates no pods."""

    kind = fields.String()
    namespace = fields.String()
    name = fields.String()
    source = fields.String()
    reason = fields.String()


class RequestsResultSchema(Schema):
    """The whole ``podfit requests`` answer."""

    pods = fields.List(fields.Nested(PodSummarySchema))
    daemonsets = fields.List(fields.Nested(PodSummarySchema))
    total = fields.Nested(TotalSchema)
    skipped = fields.List(fields.Nested(SkippedSchema))
    warnings = fields.List(fields.String())


class NodeSummarySchema(Schema):
    """One node with allocatable and capacity."""

    name = fields.String(required=True)
    allocatable = fields.Dict(keys=fields.String(), values=fields.String())
    capacity = fields.Dict(keys=fields.String(), values=fields.String())
    labels = fields.Dict(keys=fields.String(), values=fields.String())
    taints = fields.List(fields.String())
    unschedulable = fields.Boolean()


class CalculationRowSchema(Schema):
    """One term of the allocatable calculation."""

    resource = fields.String()
    term = fields.String()
    amount = fields.String()
    rule = fields.String()


class PresetSchema(Schema):
    """A node preset and its allocatable calculation, term by term."""

    name = fields.String()
    provider = fields.String()
    maxPods = fields.Integer()
    capacityBasis = fields.String()
    source = fields.String()
    calculation = fields.List(fields.Nested(CalculationRowSchema))


class NodesResultSchema(Schema):
    """The whole ``podfit nodes`` answer."""

    nodes = fields.List(fields.Nested(NodeSummarySchema))
    presets = fields.List(fields.Nested(PresetSchema))


# ---------------------------------------------------------------------------------------------


def _container_rows(pod: Pod, node_allocatable: Mapping[str, Quantity] | None) -> list[Any]:
    rows = []
    typed = [("sidecar" if c.is_sidecar else "init", c) for c in pod.init_containers]
    typed += [("container", c) for c in pod.containers]
    for kind, c in typed:
        env = resolve_env(pod, c, node_allocatable)
        row: dict[str, Any] = {"name": c.name, "type": kind, "env": env.values}
        if env.unresolved:
            row["unresolved"] = env.unresolved
        rows.append(row)
    return rows


def _numbers(pod: Pod) -> dict[str, Any]:
    return {
        "requests": canonical(pod_requests(pod)),
        "limits": canonical(pod_limits(pod)),
        "qosClass": qos_class(pod),
        "explain": explain_requests(pod),
    }


def pod_summary(
    pod: Pod,
    node_allocatable: Mapping[str, Quantity] | None = None,
    _cache: dict[tuple[object, ...], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON of one pod (see the module doc) as plain data. ``node_allocatable``
    resolves limits that fall back to the node in the downward API."""
    numbers: dict[str, Any] | None = None
    if _cache is not None:
        try:
            key = resource_key(pod)
            numbers = _cache.get(key)
        except TypeError:  # unhashable content (a pod built by hand): no sharing
            key = None
        if numbers is None:
            numbers = _numbers(pod)
            if key is not None:
                _cache[key] = numbers
    else:
        numbers = _numbers(pod)
    data: dict[str, Any] = {
        "namespace": pod.namespace,
        "name": pod.name,
        "owner": pod.owner,
        "counted": not pod.is_terminal,
        **numbers,
        "containers": _container_rows(pod, node_allocatable),
    }
    if pod.node_name:
        data["nodeName"] = pod.node_name
    if pod.phase:
        data["phase"] = pod.phase
    return data


def totals(pods: Iterable[Pod]) -> dict[str, Any]:
    """Exact sums of requests and limits over the non-terminal pods."""
    req: ResourceList = {}
    lim: ResourceList = {}
    n = 0
    for pod in pods:
        if pod.is_terminal:
            continue
        n += 1
        req = add(req, pod_requests(pod))
        lim = add(lim, pod_limits(pod))
    return {"requests": canonical(req), "limits": canonical(lim), "pods": n}


def requests_result(workload: Workload) -> dict[str, Any]:
    """The ``podfit requests`` answer for a loaded workload."""
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}
    data = {
        "pods": [pod_summary(p, None, cache) for p in workload.pods],
        "daemonsets": [pod_summary(p, None, cache) for p in workload.daemonsets],
        "total": totals(workload.pods),
        "skipped": [s.to_dict() for s in workload.skipped],
        "warnings": list(workload.warnings),
    }
    return dict(RequestsResultSchema().dump(data))


def _node_data(node: Node) -> dict[str, Any]:
    return {
        "name": node.name,
        "allocatable": canonical(node.allocatable),
        "capacity": canonical(node.capacity),
        "labels": dict(sorted(node.labels.items())),
        "taints": [str(t) for t in node.taints],
        "unschedulable": node.unschedulable,
    }


def _preset_data(preset: Preset) -> dict[str, Any]:
    return {
        "name": preset.name,
        "provider": preset.provider,
        "maxPods": preset.max_pods,
        "capacityBasis": preset.capacity_basis,
        "source": preset.source,
        "calculation": preset.explain(),
    }


def nodes_result(nodes: Iterable[Node], presets: Iterable[Preset] = ()) -> dict[str, Any]:
    """The ``podfit nodes`` answer."""
    data = {
        "nodes": [_node_data(n) for n in nodes],
        "presets": [_preset_data(p) for p in presets],
    }
    return dict(NodesResultSchema().dump(data))
