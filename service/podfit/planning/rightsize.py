"""Right-sizing input: recommended requests from krr or VPA replace the pods' requests, so
every planner answers "after right-sizing".

Two sources, read from the same files (JSON or YAML; several documents; ``List`` items):

* **krr** (robusta-dev/krr ``-f json``): a document with ``scans``; each scan has
  ``object`` (``kind``, ``namespace``, ``name``, ``container``) and
  ``recommended.requests.cpu|memory.value`` — a number of cores / bytes (krr computes
  in floating point), or ``"?"`` / null when it has none. podfit reads the number's
  JSON text exactly and rounds it *up* to 1m (cpu) or 1 byte (memory).
* **VPA** (what Goldilocks shows): ``VerticalPodAutoscaler`` objects with
  ``spec.targetRef`` (``kind``, ``name``) and
  ``status.recommendation.containerRecommendations[]`` (``containerName``, ``target``
  as quantities). The ``target`` is used (what VPA's updater would set).

A recommendation applies to the pods of its workload: a pod whose owner is that
``Kind/name`` in that namespace, or whose owner's controlling owner is (a ReplicaSet of
a Deployment, a Job of a CronJob, from the input's controllers), and to DaemonSet
templates. Only the cpu and memory requests of the named container change (init
containers are matched by name too); a limit below the new request is raised to it (a
request above its limit is invalid). Of two recommendations for one container the later
one wins (files in the order given). Recommendations that match no pod are named in the
warnings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from podfit.errors import ConfigError, PodfitError
from podfit.manifests.workload import Workload
from podfit.pods import Container, Pod
from podfit.quantity import Format, Quantity, parse_quantity
from podfit.resources import CPU, MEMORY
from podfit.yamlsafe import Number

__all__ = ["Recommendation", "RightSizing", "read_recommendations", "rightsize"]


@dataclass(frozen=True, slots=True)
class Recommendation:
    """Recommended requests for one container of one workload."""

    namespace: str
    kind: str
    name: str
    container: str
    requests: Mapping[str, Quantity]
    source: str  # "krr" or "vpa"

    @property
    def workload(self) -> tuple[str, str]:
        return self.namespace, f"{self.kind}/{self.name}"


@dataclass(slots=True)
class RightSizing:
    """What right-sizing changed: containers (per template) and pods, and leftovers."""

    recommendations: int
    containers: int = 0
    pods: int = 0
    unmatched: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "recommendations": self.recommendations,
            "containersChanged": self.containers,
            "podsChanged": self.pods,
            "unmatched": list(self.unmatched),
        }

    def warnings(self) -> list[str]:
        return [f"right-sizing: {u} matches no pod of the input" for u in self.unmatched]


def _objects(docs: Iterable[Any]) -> Iterable[Mapping[str, Any]]:
    for doc in docs:
        if isinstance(doc, Mapping):
            if isinstance(doc.get("items"), list) and "scans" not in doc:
                yield from _objects(doc["items"])
            else:
                yield doc


_MAX_BYTES = Decimal((1 << 63) - 1)
_MAX_MILLICORES = Decimal((1 << 63) - 1)
"""krr amounts above int64 (bytes, or millicores) are refused: no node holds them."""


def _mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one (an absent or malformed section)."""
    return value if isinstance(value, Mapping) else {}


def _krr_value(value: Any, resource: str, path: str) -> Quantity | None:
    """krr's number (cores or bytes) rounded up to 1m or 1 byte; None for ``?``/null."""
    if value is None or value == "?":
        return None
    if isinstance(value, Number):  # the decoder keeps the number's JSON text: exact
        text = value.text
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        raise ConfigError(f"a recommendation must be a number, not {value!r}", path)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ConfigError(f"a recommendation must be a number, not {text}", path) from None
    if not amount.is_finite() or amount < 0:
        raise ConfigError(f"a recommendation must be a number >= 0, not {text}", path)
    limit = _MAX_MILLICORES / 1000 if resource == CPU else _MAX_BYTES
    if amount > limit:  # compared before scaling: "1e99999999" would overflow or hang
        raise ConfigError(f"a recommendation must be at most {limit}, not {text}", path)
    if resource == CPU:
        return Quantity.from_milli(math.ceil(amount * 1000), Format.DECIMAL_SI)
    return Quantity.from_int(math.ceil(amount), Format.BINARY_SI)


def _krr(doc: Mapping[str, Any], name: str) -> list[Recommendation]:
    out = []
    scans = doc.get("scans")
    if not isinstance(scans, list):
        raise ConfigError("krr output: scans must be a list", f"{name}.scans")
    for i, scan in enumerate(scans):
        path = f"{name}.scans[{i}]"
        obj = scan.get("object") if isinstance(scan, Mapping) else None
        if not isinstance(obj, Mapping):
            raise ConfigError("a krr scan needs an object", f"{path}.object")
        requests = _mapping(_mapping(scan.get("recommended")).get("requests"))
        values: dict[str, Quantity] = {}
        for resource in (CPU, MEMORY):
            entry = requests.get(resource)
            raw = entry.get("value") if isinstance(entry, Mapping) else entry
            found = _krr_value(raw, resource, f"{path}.recommended.requests.{resource}.value")
            if found is not None:
                values[resource] = found
        missing = [k for k in ("kind", "namespace", "name", "container") if not obj.get(k)]
        if missing:
            raise ConfigError(f"a krr scan object needs {', '.join(missing)}", f"{path}.object")
        if values:
            out.append(
                Recommendation(
                    str(obj["namespace"]),
                    str(obj["kind"]),
                    str(obj["name"]),
                    str(obj["container"]),
                    values,
                    "krr",
                )
            )
    return out


def _vpa(obj: Mapping[str, Any], path: str) -> list[Recommendation]:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
    assert isinstance(meta, Mapping)
    spec = obj.get("spec") if isinstance(obj.get("spec"), Mapping) else {}
    assert isinstance(spec, Mapping)
    target = spec.get("targetRef")
    if not isinstance(target, Mapping) or not target.get("kind") or not target.get("name"):
        raise ConfigError("a VerticalPodAutoscaler needs spec.targetRef kind and name", path)
    status = obj.get("status") if isinstance(obj.get("status"), Mapping) else {}
    assert isinstance(status, Mapping)
    recommendation = status.get("recommendation")
    items = (
        recommendation.get("containerRecommendations")
        if isinstance(recommendation, Mapping)
        else None
    )
    out = []
    for i, item in enumerate(items if isinstance(items, list) else ()):
        where = f"{path}.status.recommendation.containerRecommendations[{i}]"
        if not isinstance(item, Mapping) or not item.get("containerName"):
            raise ConfigError("a container recommendation needs containerName", where)
        values: dict[str, Quantity] = {}
        for resource in (CPU, MEMORY):
            text = _mapping(item.get("target")).get(resource)
            if text is None:
                continue
            try:
                values[resource] = parse_quantity(str(text))
            except PodfitError as exc:
                raise exc.at(f"{where}.target.{resource}") from None
        if values:
            out.append(
                Recommendation(
                    str(meta.get("namespace") or "default"),
                    str(target["kind"]),
                    str(target["name"]),
                    str(item["containerName"]),
                    values,
                    "vpa",
                )
            )
    return out


def read_recommendations(docs: Sequence[Any], name: str) -> list[Recommendation]:
    """Recommendations from decoded documents: krr results and VPA objects (module doc);
    other objects are ignored. Errors name ``name`` and the field."""
    out: list[Recommendation] = []
    for k, obj in enumerate(_objects(docs)):
        if "scans" in obj:
            out.extend(_krr(obj, name))
        elif obj.get("kind") == "VerticalPodAutoscaler":
            out.extend(_vpa(obj, f"{name}[{k}]"))
    if not out:
        raise ConfigError(
            "no recommendation found (krr JSON output or VerticalPodAutoscaler objects with "
            "status.recommendation)",
            name,
        )
    return out


def _owners(workload: Workload) -> dict[tuple[str, str], str]:
    """Controller ``Kind/name`` → its controlling owner's ``Kind/name``, per namespace."""
    return {
        (c.namespace, c.ref): f"{c.owner.kind}/{c.owner.name}"
        for c in workload.controllers
        if c.owner is not None
    }


def _resize(container: Container, values: Mapping[str, Quantity]) -> Container:
    requests = {**container.requests, **values}
    limits = dict(container.limits)
    for resource, amount in values.items():
        if resource in limits and limits[resource] < amount:
            limits[resource] = amount
    defaulted = tuple(r for r in container.defaulted_requests if r not in values)
    return replace(container, requests=requests, limits=limits, defaulted_requests=defaulted)


def rightsize(
    workload: Workload, recommendations: Sequence[Recommendation]
) -> tuple[Workload, RightSizing]:
    """``workload`` with the recommended requests (module doc) and what changed.

    Replicas keep sharing one template: each distinct container tuple is resized once.
    Cost: O(pods + recommendations).
    """
    by_workload: dict[tuple[str, str], dict[str, Recommendation]] = {}
    for rec in recommendations:
        by_workload.setdefault(rec.workload, {})[rec.container] = rec
    owners = _owners(workload)
    used: set[tuple[str, str, str]] = set()
    report = RightSizing(len(recommendations))
    # replicas share their template's container tuple: resize each tuple once (the
    # tuples stay alive in the pods, so their ids are not reused meanwhile)
    cache: dict[tuple[int, tuple[str, str]], tuple[Container, ...] | None] = {}

    def resized(
        templates: tuple[Container, ...], key: tuple[str, str]
    ) -> tuple[Container, ...] | None:
        memo = (id(templates), key)
        if memo in cache:
            return cache[memo]
        recs = by_workload[key]
        changed = False
        out = []
        for c in templates:
            rec = recs.get(c.name)
            if rec is None:
                out.append(c)
                continue
            used.add((*key, c.name))
            out.append(_resize(c, rec.requests))
            report.containers += 1
            changed = True
        result = tuple(out) if changed else None
        cache[memo] = result
        return result

    def apply(pod: Pod) -> Pod:
        owner = pod.owner or (f"DaemonSet/{pod.daemonset}" if pod.daemonset else None)
        if owner is None:
            return pod
        key = (pod.namespace, owner)
        if key not in by_workload:
            parent = owners.get(key)
            key = (pod.namespace, parent) if parent else key
            if key not in by_workload:
                return pod
        containers = resized(pod.containers, key)
        init = resized(pod.init_containers, key)
        if containers is None and init is None:
            return pod
        report.pods += 1
        return replace(
            pod,
            containers=containers if containers is not None else pod.containers,
            init_containers=init if init is not None else pod.init_containers,
        )

    out = replace(
        workload,
        pods=[apply(p) for p in workload.pods],
        daemonsets=[apply(p) for p in workload.daemonsets],
    )
    for rec in recommendations:
        if (*rec.workload, rec.container) not in used:
            report.unmatched.append(
                f"{rec.source} {rec.namespace}/{rec.kind}/{rec.name} container {rec.container}"
            )
    return out, report
