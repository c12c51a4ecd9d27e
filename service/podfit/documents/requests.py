"""The documents of ``podfit requests`` and ``podfit nodes`` (and the matching API answers).

Shapes::

    {"pods": [{"namespace", "name", "owner", "nodeName"?, "phase"?, "terminating"?, "counted",
               "requests": {res: canonical}, "limits": {…}, "qosClass",
               "explain": {res: {…}}, "containers": [{"name", "type", "env",
               "unresolved"?}]}],
     "daemonsets": [... same, one template per DaemonSet, counted once per eligible node ...],
     "total": {"requests": {…}, "limits": {…}, "pods": N},
     "skipped": [{"kind", "namespace", "name", "source", "reason"}],
     "snapshot"?: {"workloads": [{"kind", "namespace", "name", "desired", "existing",
                                  "created", "removed", "terminating", "finished", "note"}],
                   "unscheduledTerminating": [ns/name]},
     "warnings": [...]}

    {"nodes": [{"name", "allocatable", "capacity", "labels", "taints", "unschedulable"}],
     "presets": [{"name", "provider", "maxPods", "capacityBasis", "source",
                  "calculation": [{"resource", "term", "amount", "rule"}]}]}

Keys come in the order shown (the order of the describing schemas,
:class:`~podfit.schemas.requests.RequestsResultSchema` and
:class:`~podfit.schemas.requests.NodesResultSchema`). Quantities print in canonical form;
``total`` sums the exact quantities of the pods that use resources (Succeeded/Failed pods
are listed with ``"counted": false`` and add nothing; terminating pods bound to a node,
``"terminating": true``, are counted: they hold their node's resources; DaemonSet pods
depend on the node count and are not in the total). ``snapshot``: how existing pods were
taken (``Workload.snapshot``), only when the input had some. Pods with equal resources
share one computation of their numbers (``resource_key``), but every pod gets its own
copies of the mappings, so YAML output holds no anchors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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

__all__ = ["nodes_result", "pod_summary", "requests_result", "totals"]


def _container_rows(pod: Pod, node_allocatable: Mapping[str, Quantity] | None) -> list[Any]:
    rows = []
    typed = [("sidecar" if c.is_sidecar else "init", c) for c in pod.init_containers]
    typed += [("container", c) for c in pod.containers]
    for kind, c in typed:
        env = resolve_env(pod, c, node_allocatable)
        row: dict[str, Any] = {"name": c.name, "type": kind, "env": dict(env.values)}
        if env.unresolved:
            row["unresolved"] = dict(env.unresolved)
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
    """The document of one pod (see the module doc). ``node_allocatable`` resolves limits
    that fall back to the node in the downward API; ``_cache`` shares the numbers of
    pods with equal resources (key: ``resource_key``)."""
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
    data: dict[str, Any] = {"namespace": pod.namespace, "name": pod.name, "owner": pod.owner}
    if pod.node_name:
        data["nodeName"] = pod.node_name
    if pod.phase:
        data["phase"] = pod.phase
    if pod.terminating:
        data["terminating"] = True
    data["counted"] = not pod.is_terminal
    data["requests"] = dict(numbers["requests"])
    data["limits"] = dict(numbers["limits"])
    data["qosClass"] = numbers["qosClass"]
    data["explain"] = {res: dict(entry) for res, entry in numbers["explain"].items()}
    data["containers"] = _container_rows(pod, node_allocatable)
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
    """The ``podfit requests`` document for a loaded workload."""
    cache: dict[tuple[Any, ...], dict[str, Any]] = {}
    snapshot = workload.snapshot()
    return {
        "pods": [pod_summary(p, None, cache) for p in workload.pods],
        "daemonsets": [pod_summary(p, None, cache) for p in workload.daemonsets],
        "total": totals(workload.pods),
        "skipped": [s.to_dict() for s in workload.skipped],
        **({} if snapshot is None else {"snapshot": snapshot}),
        "warnings": list(workload.warnings),
    }


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
    """The ``podfit nodes`` document."""
    return {
        "nodes": [_node_data(n) for n in nodes],
        "presets": [_preset_data(p) for p in presets],
    }
