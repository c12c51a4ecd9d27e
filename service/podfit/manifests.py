"""Kubernetes objects (and compact node JSON) → pods, DaemonSet templates and nodes.

Accepted input: multi-document YAML, JSON (one object, a stream, or an array), ``v1
List`` / ``*List`` objects (``kubectl get … -o json``), and plain dicts. Kinds:

========================= ==================================================================
Pod                       one pod; ``spec.nodeName`` and ``status.phase`` are kept (bound /
                          terminal pods from ``kubectl get pods -o json``)
Deployment, ReplicaSet,   ``spec.replicas`` pods (default 1); names ``<name>-<i>``
ReplicationController,    (Deployment: ``<name>-<template-hash>-<i>``, StatefulSet ordinal
StatefulSet               style ``web-0``, ``web-1`` …)
Job                       ``min(parallelism, completions)`` pods (parallelism default 1)
CronJob                   one run of its job template
DaemonSet                 one template in ``Workload.daemonsets`` (expanded per eligible node
                          by the scheduler) with the tolerations the controller adds
Node                      a node; ``status.allocatable`` defaults to ``status.capacity``
PriorityClass             its value resolves ``priorityClassName`` (anywhere in the input)
LimitRange                its Container defaults / min / max apply to pods of its namespace
========================= ==================================================================

Other kinds (Service, ConfigMap, …) create no pods: they are listed in
``Workload.skipped``, never errors. Compact nodes: a document ``{"nodes": [...]}`` or an
array of entries ``{"name", "allocatable"|"capacity"|"preset", "labels", "taints",
"unschedulable", "count"}``; ``count`` makes a pool ``<name>-0`` … ``<name>-<count-1>``.

Pods go through API-server defaulting (request := limit where only a limit is set) and
validation; every error of a document is reported at once, naming the field path.
Bounds (:class:`Limits`) are checked before anything is expanded.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from podfit.downward import (
    is_supported_field_path,
    is_supported_resource_path,
    validate_divisor,
)
from podfit.errors import FieldError, LimitExceeded, ManifestError, PodfitError, QuantityError
from podfit.nodes import TAINT_EFFECTS, Node, Taint, node_preset
from podfit.pods import (
    DAEMONSET_TOLERATIONS,
    NETWORK_UNAVAILABLE_TOLERATION,
    Container,
    ContainerPort,
    EnvVar,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Pod,
    PreferredSchedulingTerm,
    ResourceFieldRef,
    Toleration,
    default_container,
    default_pod_level_requests,
    replicas,
    unmodelled_warning,
    validate_resources,
)
from podfit.quantity import Quantity, parse_quantity
from podfit.resources import to_amount
from podfit.yamlsafe import DEFAULT_LIMITS, Limits, Number, go_json_float, load_all

__all__ = [
    "Limits",
    "Skipped",
    "Workload",
    "load",
    "load_objects",
    "load_text",
    "quantity_value",
]

INT32_MAX = 2**31 - 1

#: Built-in PriorityClasses (``pkg/apis/scheduling``).
SYSTEM_PRIORITIES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}

#: ``unicode.IsSpace`` — what the JSON decoder trims around a quantity string.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

POD_KINDS = (
    "Pod",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "Job",
    "CronJob",
    "DaemonSet",
)


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

    def warning(self) -> str:
        """One line naming the object, where it was read and why it creates no pods:
        ``Deploymnet default/web (app.yaml document 1) skipped: creates no pods``."""
        name = f"{self.namespace}/{self.name}" if self.namespace else self.name
        source = f" ({self.source})" if self.source else ""
        return f"{self.kind} {name}{source} skipped: {self.reason}"


@dataclass(slots=True)
class Workload:
    """Everything read from the inputs, in input order.

    ``pods``: pods to place (plus bound and terminal pods, which keep ``node_name`` and
    ``phase``); ``daemonsets``: one template pod per DaemonSet; ``nodes``; ``skipped``:
    objects that create no pods; ``warnings``: things assumed (e.g. an unknown
    ``priorityClassName`` counted as priority 0); ``objects``: how many objects were read
    (a ``List`` counts, its items too), so that an empty ``List`` — ``kubectl get pods -o
    json`` in an empty namespace — is told apart from an input holding nothing.
    """

    pods: list[Pod] = field(default_factory=list)
    daemonsets: list[Pod] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    objects: int = 0

    def extend(self, other: Workload) -> None:
        """Append ``other``'s content."""
        self.objects += other.objects
        self.pods.extend(other.pods)
        self.daemonsets.extend(other.daemonsets)
        self.nodes.extend(other.nodes)
        self.skipped.extend(other.skipped)
        self.warnings.extend(other.warnings)

    def skipped_warnings(self) -> list[str]:
        """One warning per skipped object, in input order: a result that lists only the pods
        (``podfit schedule``, ``POST /v1/schedule``) must still show that a misspelt
        ``kind: Deploymnet`` was read and placed nothing."""
        return [s.warning() for s in self.skipped]


# ---------------------------------------------------------------------------------------------
# Entry points


def load(*sources: Any, limits: Limits | None = None) -> Workload:
    """Read every source into one :class:`Workload`.

    A source is a ``Path``; a ``str`` path (``"-"`` = stdin) or, if it contains a newline
    or starts with ``{``/``[``, manifest text; ``bytes`` text; a dict (one object) or a
    list of dicts. A directory means its ``*.yaml``, ``*.yml`` and ``*.json`` files in name
    order (not recursive, like ``kubectl -f DIR``). Limits apply to the whole set, except
    ``max_bytes``, which bounds each source.
    """
    lim = limits or DEFAULT_LIMITS
    reader = _Reader(lim)
    for source in sources:
        if isinstance(source, Path):
            for path in _manifest_paths(source):
                reader.read_text(_read_path(path, lim), str(path))
        elif isinstance(source, bytes):
            reader.read_text(source, "<input>")
        elif isinstance(source, str):
            stripped = source.lstrip()
            if "\n" in source or stripped.startswith(("{", "[")):
                reader.read_text(source, "<input>")
            elif source == "-":
                reader.read_text(sys.stdin.buffer.read(lim.max_bytes + 1), "<stdin>")
            else:
                for path in _manifest_paths(Path(source)):
                    reader.read_text(_read_path(path, lim), str(path))
        elif isinstance(source, Mapping):
            reader.read_documents([source], "<object>")
        elif isinstance(source, list | tuple):
            reader.read_documents(list(source), "<objects>")
        else:
            raise ManifestError(f"cannot read a {type(source).__name__} as manifests")
    return reader.finish()


def load_text(text: str | bytes, name: str = "<input>", limits: Limits | None = None) -> Workload:
    """Read YAML or JSON manifest text (kubectl's sniff decides)."""
    reader = _Reader(limits or DEFAULT_LIMITS)
    reader.read_text(text, name)
    return reader.finish()


def load_objects(
    objs: Iterable[Any], limits: Limits | None = None, names: Sequence[str] | None = None
) -> Workload:
    """Read already-decoded objects (dicts as from ``json.loads``). ``names`` says where
    each object came from in messages and warnings (the HTTP API passes the body's field
    paths, ``pods[3]``); by default ``<objects> document N``."""
    reader = _Reader(limits or DEFAULT_LIMITS)
    if names is None:
        reader.read_documents(list(objs), "<objects>")
    else:
        for obj, name in zip(objs, names, strict=True):
            reader.read_documents([obj], name)
    return reader.finish()


MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def _manifest_paths(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in MANIFEST_SUFFIXES and p.is_file())
    return [path]


def _read_path(path: Path, limits: Limits) -> bytes:
    """The bytes of ``path``, at most ``limits.max_bytes`` of them (read one past, so an
    endless file such as /dev/zero stops there). Errors carry the file as their ``path``
    and leave it out of the message, which is shown as ``<path>: <message>``."""
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_bytes + 1)
    except OSError as exc:
        raise ManifestError(f"cannot read the file: {exc.strerror}", path=str(path)) from None
    if len(data) > limits.max_bytes:
        raise LimitExceeded(
            f"larger than {limits.max_bytes} bytes", path=str(path), limit="max_bytes"
        )
    return data


# ---------------------------------------------------------------------------------------------
# Field conversion helpers (each reports the field path and value)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Number | int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, Number):
        return value.text
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def quantity_text(value: Any) -> str:
    """The text the API server's quantity decoder sees for a decoded JSON/YAML value.

    Numbers use their JSON text (YAML numbers as kubectl re-encodes them), strings are
    trimmed of Go ``unicode.IsSpace`` whitespace, ``null`` is ``0``.
    """
    if value is None:
        return "0"
    if isinstance(value, Number):
        if isinstance(value.value, float) and not math.isfinite(value.value):
            raise QuantityError(f"json: unsupported value: {value.text}")
        return value.text
    if isinstance(value, bool):
        raise QuantityError(f"a quantity must be a string or a number, not {_show(value)}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        try:
            return go_json_float(value)
        except ValueError as exc:
            raise QuantityError(str(exc)) from None
    if isinstance(value, str):
        return value.strip(GO_SPACE)
    raise QuantityError(f"a quantity must be a string or a number, not {_type_name(value)}")


def quantity_value(value: Any) -> Quantity:
    """``parse_quantity(quantity_text(value))``."""
    if isinstance(value, Quantity):
        return value
    return parse_quantity(quantity_text(value))


class _Doc:
    """Collects the FieldErrors of one document."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str) -> None:
        error = FieldError(path, f"{message} (in {self.label})")
        if error not in self.errors:  # two checks may find the same problem
            self.errors.append(error)

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.error(path, f"must be an object, not {_type_name(value)} {_show(value)}")
            return {}
        return value

    def seq(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"must be an array, not {_type_name(value)} {_show(value)}")
            return []
        return value

    def string(self, value: Any, path: str, default: str = "") -> str:
        if value is None:
            return default
        if not isinstance(value, str):
            self.error(path, f"must be a string, not {_type_name(value)} {_show(value)}")
            return default
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(path, f"must be a boolean, not {_type_name(value)} {_show(value)}")
            return False
        return value

    def integer(self, value: Any, path: str, default: int, lo: int = 0, hi: int = INT32_MAX) -> int:
        if value is None:
            return default
        n: int | None = None
        if isinstance(value, Number):
            text = value.text.lstrip("-")
            if text.isdigit():
                n = int(value.value)
        elif isinstance(value, int) and not isinstance(value, bool):
            n = value
        elif isinstance(value, float) and value.is_integer():
            n = int(value)
        if n is None:
            self.error(path, f"must be an integer, not {_type_name(value)} {_show(value)}")
            return default
        if n < lo:
            self.error(path, f"{n}: must be greater than or equal to {lo}")
            return default
        if n > hi:
            self.error(path, f"{n}: must be less than or equal to {hi}")
            return default
        return n

    def str_map(self, value: Any, path: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.mapping(value, path).items():
            out[k] = self.string(v, f"{path}.{k}")
        return out

    def resources(self, value: Any, path: str) -> dict[str, Quantity]:
        out: dict[str, Quantity] = {}
        for name, raw in self.mapping(value, path).items():
            where = f"{path}.{name}"
            try:
                q = quantity_value(raw)
                # the scheduler's integer must exist: refuse values past int64, never wrap
                to_amount(name, q)
            except QuantityError as exc:
                self.error(where, str(exc))
                continue
            if q.sign() < 0:  # every resource list Kubernetes validates is non-negative
                self.error(where, f"{q}: must be greater than or equal to 0")
                continue
            out[name] = q
        return out


# ---------------------------------------------------------------------------------------------
# Reader


class _Reader:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.workload = Workload()
        self.errors: list[FieldError] = []
        self.reserved = {"pods": 0, "nodes": 0}  # counted before anything is built
        self.priority_classes: dict[str, int] = {}
        self.global_default: int | None = None
        # (pods of one template, priorityClassName, path) for templates without
        # spec.priority: resolved once every PriorityClass is known (finish)
        self.deferred: list[tuple[list[Pod], str, str]] = []
        self.limit_ranges: dict[str, list[LimitRangeItem]] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.generated: dict[tuple[str, str], int] = {}  # (namespace, generateName) -> next

    # -- input ----------------------------------------------------------------------------
    def read_text(self, text: str | bytes, name: str) -> None:
        docs = load_all(text, self.limits, name)
        self.read_documents(docs, name)

    def read_documents(self, docs: list[Any], name: str) -> None:
        multi = len(docs) > 1
        for i, doc in enumerate(docs):
            label = f"{name} document {i + 1}" if multi else name
            self._document(doc, label)

    def _document(self, doc: Any, label: str) -> None:
        if doc is None:
            return
        if isinstance(doc, list):
            for i, item in enumerate(doc):
                self._document(item, f"{label} [{i}]")
            return
        if not isinstance(doc, Mapping):
            self.errors.append(
                FieldError(
                    "", f"expected an object, got {_type_name(doc)} {_show(doc)} (in {label})"
                )
            )
            return
        self.workload.objects += 1
        kind = doc.get("kind")
        if kind is None:
            if "nodes" in doc and isinstance(doc.get("nodes"), list):
                for i, entry in enumerate(doc["nodes"]):
                    self._compact_node(entry, f"nodes[{i}]", label)
                return
            if "name" in doc and any(k in doc for k in ("allocatable", "capacity", "preset")):
                self._compact_node(doc, "", label)
                return
            self.errors.append(
                FieldError(
                    "kind", f"Required value: an object needs apiVersion and kind (in {label})"
                )
            )
            return
        if not isinstance(kind, str):
            self.errors.append(FieldError("kind", f"must be a string (in {label})"))
            return
        if kind == "List" or (kind.endswith("List") and isinstance(doc.get("items"), list)):
            items = doc.get("items") or []
            if not isinstance(items, list):
                self.errors.append(FieldError("items", f"must be an array (in {label})"))
                return
            for i, item in enumerate(items):
                self._document(item, f"{label} items[{i}]")
            return
        raw_meta = doc.get("metadata")
        meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, Mapping) else {}
        name = meta.get("name") if isinstance(meta.get("name"), str) else ""
        namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
        generate = meta.get("generateName")
        if not name and isinstance(generate, str) and generate:
            name = f"(generateName {generate})"
        what = f"{kind} {namespace + '/' if namespace else ''}{name or '(no name)'}, {label}"
        d = _Doc(what)
        try:
            self._object(kind, doc, d, label)
        except PodfitError as exc:
            if isinstance(exc, LimitExceeded):
                raise
            for e in exc.errors:
                d.error(e.path, e.message)
        self.errors.extend(d.errors)

    def _object(self, kind: str, doc: Mapping[str, Any], d: _Doc, source: str) -> None:
        meta = d.mapping(doc.get("metadata"), "metadata")
        name = d.string(meta.get("name"), "metadata.name")
        namespace = d.string(meta.get("namespace"), "metadata.namespace") or "default"
        spec = d.mapping(doc.get("spec"), "spec")
        if kind == "Node":
            self._node_object(doc, d, name)
            return
        if kind == "PriorityClass":
            value = d.integer(doc.get("value"), "value", 0, lo=-(2**31), hi=1_000_000_000)
            self.priority_classes[name] = value
            if doc.get("globalDefault") is True:
                self.global_default = value
            self.workload.skipped.append(
                Skipped(kind, name, "", source, "creates no pods; its value sets pod priorities")
            )
            return
        if kind == "LimitRange":
            item = _limit_range(spec, d, f"{namespace}/{name}")
            if item is not None:
                self.limit_ranges.setdefault(namespace, []).append(item)
            self.workload.skipped.append(
                Skipped(
                    kind,
                    name,
                    namespace,
                    source,
                    "creates no pods; its container defaults and bounds apply to the "
                    f"pods of namespace {namespace}",
                )
            )
            return
        if kind not in POD_KINDS:
            self.workload.skipped.append(
                Skipped(kind, name, namespace if namespace else "", source)
            )
            return
        if not name and not (kind == "Pod" and meta.get("generateName")):
            d.error("metadata.name", "Required value: name or generateName is required")
            return
        if kind == "Pod":
            pod_name = name or self._generate_name(
                d.string(meta.get("generateName"), "metadata.generateName"), namespace
            )
            owner = _owner_reference(meta)
            self._pods(doc, "", d, [pod_name], namespace, owner, source, bound=True)
            return
        owner = f"{kind}/{name}"
        if kind == "CronJob":
            job = d.mapping(spec.get("jobTemplate"), "spec.jobTemplate")
            self._job(
                d.mapping(job.get("spec"), "spec.jobTemplate.spec"),
                "spec.jobTemplate.spec",
                d,
                name,
                namespace,
                owner,
                source,
            )
            return
        if kind == "Job":
            self._job(spec, "spec", d, name, namespace, owner, source)
            return
        template = d.mapping(spec.get("template"), "spec.template")
        if kind == "DaemonSet":
            pods = self._build(template, "spec.template", d, [name], namespace, owner, source)
            if pods:
                pod = pods[0]
                ds = _as_daemonset_template(pod, name)
                if self.deferred and self.deferred[-1][0] is pods:
                    # the stored template is the copy: its priorityClassName is resolved
                    self.deferred[-1] = ([ds], *self.deferred[-1][1:])
                self.workload.daemonsets.append(ds)
            return
        replicas = d.integer(spec.get("replicas"), "spec.replicas", 1)
        if replicas == 0:
            self.workload.skipped.append(
                Skipped(kind, name, namespace, source, "spec.replicas is 0: no pods")
            )
            return
        self._reserve("pods", replicas, "spec.replicas")
        if kind == "Deployment":
            h = _template_hash(template)
            names = [f"{name}-{h}-{i}" for i in range(replicas)]
        else:
            names = [f"{name}-{i}" for i in range(replicas)]
        self._add_pods(
            self._build(template, "spec.template", d, names, namespace, owner, source), d
        )

    def _job(
        self,
        spec: Mapping[str, Any],
        path: str,
        d: _Doc,
        name: str,
        namespace: str,
        owner: str,
        source: str,
    ) -> None:
        parallelism = d.integer(spec.get("parallelism"), f"{path}.parallelism", 1)
        completions = d.integer(spec.get("completions"), f"{path}.completions", parallelism)
        count = min(parallelism, completions)
        kind = owner.split("/", 1)[0]
        if spec.get("suspend") is True:
            self.workload.skipped.append(
                Skipped(kind, name, namespace, source, f"{path}.suspend is true: no pods")
            )
            return
        if count == 0:
            reason = f"no pods (parallelism {parallelism}, completions {completions})"
            self.workload.skipped.append(Skipped(kind, name, namespace, source, reason))
            return
        self._reserve("pods", count, f"{path}.parallelism")
        template = d.mapping(spec.get("template"), f"{path}.template")
        names = [f"{name}-{i}" for i in range(count)]
        self._add_pods(
            self._build(template, f"{path}.template", d, names, namespace, owner, source), d
        )

    def _pods(
        self,
        doc: Mapping[str, Any],
        path: str,
        d: _Doc,
        names: list[str],
        namespace: str,
        owner: str | None,
        source: str,
        bound: bool,
    ) -> None:
        self._reserve("pods", len(names), "metadata.name")
        pods = self._build(doc, path, d, names, namespace, owner, source, bound=bound)
        self._add_pods(pods, d)

    def _generate_name(self, base: str, namespace: str) -> str:
        """A name for a pod given only ``generateName``: :func:`generated_name`, skipping
        any already taken in the namespace."""
        ordinal = self.generated.get((namespace, base), 0)
        while True:
            name = generated_name(base, namespace, ordinal)
            ordinal += 1
            if (namespace, name) not in self.names:
                self.generated[namespace, base] = ordinal
                return name

    def _reserve(self, what: Literal["pods", "nodes"], count: int, path: str) -> None:
        """Count ``count`` more pods or nodes, refusing past ``Limits.max_<what>`` before any
        of them is built (``replicas: 1000000000`` costs nothing)."""
        total = self.reserved[what] + count
        limit: int = getattr(self.limits, f"max_{what}")
        if total > limit:
            raise LimitExceeded(
                f"{count} {what} would bring the total to {total}, "
                f"above the limit of {limit} {what}",
                path=path,
                limit=f"max_{what}",
            )
        self.reserved[what] = total

    def _add_pods(self, pods: list[Pod], d: _Doc) -> None:
        for pod in pods:
            key = (pod.namespace, pod.name)
            if key in self.names:
                d.error("metadata.name", f'duplicate pod "{pod.key}" (also from {self.names[key]})')
                continue
            self.names[key] = pod.owner or pod.source
            self.workload.pods.append(pod)

    # -- pod template -> pods ---------------------------------------------------------------
    def _build(
        self,
        template: Mapping[str, Any],
        path: str,
        d: _Doc,
        names: list[str],
        namespace: str,
        owner: str | None,
        source: str,
        bound: bool = False,
    ) -> list[Pod]:
        prefix = f"{path}." if path else ""
        before = len(d.errors)
        meta = d.mapping(template.get("metadata"), f"{prefix}metadata")
        labels = d.str_map(meta.get("labels"), f"{prefix}metadata.labels")
        spec = d.mapping(template.get("spec"), f"{prefix}spec")
        sp = f"{prefix}spec"
        containers = self._containers(spec.get("containers"), f"{sp}.containers", d, init=False)
        if not template.get("spec"):
            d.error(sp, "Required value")
        elif not d.seq(spec.get("containers"), f"{sp}.containers") and len(d.errors) == before:
            d.error(f"{sp}.containers", "Required value")
        init = self._containers(spec.get("initContainers"), f"{sp}.initContainers", d, init=True)
        seen: dict[str, str] = {}
        for group, items in (("initContainers", init), ("containers", containers)):
            for i, c in enumerate(items):
                if c.name in seen:
                    d.error(f"{sp}.{group}[{i}].name", f'Duplicate value: "{c.name}"')
                else:
                    seen[c.name] = group
        for group, items in (("initContainers", init), ("containers", containers)):
            for i, c in enumerate(items):
                self._check_env(c, f"{sp}.{group}[{i}].env", seen, d)
        overhead = d.resources(spec.get("overhead"), f"{sp}.overhead")
        pres = d.mapping(spec.get("resources"), f"{sp}.resources")
        pod_requests = d.resources(pres.get("requests"), f"{sp}.resources.requests")
        pod_limits = d.resources(pres.get("limits"), f"{sp}.resources.limits")
        if pod_requests or pod_limits:
            # defaulting (containers' aggregated requests, else the pod-level limit) comes
            # before validation, as in the API server
            pod_requests = default_pod_level_requests(pod_requests, pod_limits, containers, init)
            for e in validate_resources(pod_requests, pod_limits, f"{sp}.resources"):
                d.error(e.path, e.message)
        priority_name = d.string(spec.get("priorityClassName"), f"{sp}.priorityClassName")
        priority = d.integer(spec.get("priority"), f"{sp}.priority", 0, lo=-(2**31))
        deferred_class = spec.get("priority") is None
        node_name = d.string(spec.get("nodeName"), f"{sp}.nodeName") or None
        phase = None
        qos = None
        if bound:
            status = d.mapping(template.get("status"), "status")
            phase = d.string(status.get("phase"), "status.phase") or None
            if phase is not None and phase not in POD_PHASES:
                d.error("status.phase", _unsupported(phase, POD_PHASES))
            qos = d.string(status.get("qosClass"), "status.qosClass") or None
        host_network = d.boolean(spec.get("hostNetwork"), f"{sp}.hostNetwork")
        if host_network:
            for group, items in (("initContainers", init), ("containers", containers)):
                for i, c in enumerate(items):
                    for j, port in enumerate(c.ports):
                        if port.host_port not in (0, port.container_port):
                            d.error(
                                f"{sp}.{group}[{i}].ports[{j}].hostPort",
                                f"Invalid value: {port.host_port}: must match `containerPort` "
                                "when `hostNetwork` is true",
                            )
        preemption_policy = d.string(
            spec.get("preemptionPolicy"), f"{sp}.preemptionPolicy", "PreemptLowerPriority"
        )
        if preemption_policy not in PREEMPTION_POLICIES:
            d.error(f"{sp}.preemptionPolicy", _unsupported(preemption_policy, PREEMPTION_POLICIES))
        required, preferred = self._affinity(spec.get("affinity"), f"{sp}.affinity", d)
        tolerations = self._tolerations(spec.get("tolerations"), f"{sp}.tolerations", d)
        unmodelled = _unmodelled_fields(spec, sp)
        if len(d.errors) > before:
            return []
        who = f"{namespace}/{owner or 'Pod/' + names[0]}"
        for field_path in unmodelled:  # once per template, not per replica
            warning = unmodelled_warning(who, field_path)
            if warning not in self.workload.warnings:
                self.workload.warnings.append(warning)
        base = Pod(
            name=names[0],
            namespace=namespace,
            owner=owner,
            labels=labels,
            containers=tuple(containers),
            init_containers=tuple(init),
            overhead=overhead,
            pod_requests=pod_requests,
            pod_limits=pod_limits,
            priority=priority,
            preemption_policy=preemption_policy,
            node_name=node_name,
            phase=phase,
            node_selector=d.str_map(spec.get("nodeSelector"), f"{sp}.nodeSelector"),
            required_node_affinity=required,
            preferred_node_affinity=preferred,
            tolerations=tolerations,
            host_network=host_network,
            status_qos_class=qos,
            source=source,
            unmodelled=unmodelled,
        )
        pods = replicas(base, names)
        if deferred_class:
            self.deferred.append((pods, priority_name, sp))
        return pods

    def _priority(self, name: str, sp: str, who: str) -> int:
        """The priority of a template with ``priorityClassName`` ``name`` (``who``:
        ``namespace/Kind/name`` for the warning when the class is not in the input)."""
        if not name:
            return self.global_default or 0
        if name in SYSTEM_PRIORITIES:
            return SYSTEM_PRIORITIES[name]
        if name in self.priority_classes:
            return self.priority_classes[name]
        warning = (
            f'{who}: {sp}.priorityClassName: PriorityClass "{name}" not in the input; '
            "priority 0 assumed"
        )
        if warning not in self.workload.warnings:
            self.workload.warnings.append(warning)
        return 0

    def _containers(self, value: Any, path: str, d: _Doc, init: bool) -> list[Container]:
        out: list[Container] = []
        for i, raw in enumerate(d.seq(value, path)):
            cp = f"{path}[{i}]"
            c = d.mapping(raw, cp)
            name = d.string(c.get("name"), f"{cp}.name")
            if not name:
                d.error(f"{cp}.name", "Required value")
            res = d.mapping(c.get("resources"), f"{cp}.resources")
            requests = d.resources(res.get("requests"), f"{cp}.resources.requests")
            limits = d.resources(res.get("limits"), f"{cp}.resources.limits")
            for e in validate_resources(requests, limits, f"{cp}.resources"):
                d.error(e.path, e.message)
            restart = d.string(c.get("restartPolicy"), f"{cp}.restartPolicy") or None
            if restart is not None and (not init or restart != "Always"):
                where = "init containers" if init else "regular containers"
                d.error(
                    f"{cp}.restartPolicy",
                    f'Unsupported value: "{restart}" for {where}'
                    + (': supported values: "Always"' if init else ""),
                )
            ports = self._ports(c.get("ports"), f"{cp}.ports", d)
            env = self._env(c.get("env"), f"{cp}.env", d)
            out.append(
                default_container(
                    Container(name, requests, limits, restart, tuple(ports), tuple(env))
                )
            )
        return out

    def _ports(self, value: Any, path: str, d: _Doc) -> list[ContainerPort]:
        out: list[ContainerPort] = []
        for i, raw in enumerate(d.seq(value, path)):
            pp = f"{path}[{i}]"
            p = d.mapping(raw, pp)
            cport = d.integer(p.get("containerPort"), f"{pp}.containerPort", 0, lo=1, hi=65535)
            if p.get("containerPort") is None:
                d.error(f"{pp}.containerPort", "Required value")
            hport = d.integer(p.get("hostPort"), f"{pp}.hostPort", 0, lo=0, hi=65535)
            protocol = d.string(p.get("protocol"), f"{pp}.protocol", "TCP")
            if protocol not in ("TCP", "UDP", "SCTP"):
                d.error(
                    f"{pp}.protocol",
                    f'Unsupported value: "{protocol}": supported values: "SCTP", "TCP", "UDP"',
                )
            out.append(
                ContainerPort(cport, hport, protocol, d.string(p.get("hostIP"), f"{pp}.hostIP"))
            )
        return out

    def _env(self, value: Any, path: str, d: _Doc) -> list[EnvVar]:
        out: list[EnvVar] = []
        for i, raw in enumerate(d.seq(value, path)):
            ep = f"{path}[{i}]"
            e = d.mapping(raw, ep)
            name = d.string(e.get("name"), f"{ep}.name")
            if not name:
                d.error(f"{ep}.name", "Required value")
            if "value" in e and e.get("value") is not None:
                out.append(EnvVar(name, value=d.string(e.get("value"), f"{ep}.value")))
                continue
            vf = d.mapping(e.get("valueFrom"), f"{ep}.valueFrom")
            if not vf:
                out.append(EnvVar(name, value=""))
                continue
            if "fieldRef" in vf:
                fr = d.mapping(vf.get("fieldRef"), f"{ep}.valueFrom.fieldRef")
                fp = d.string(fr.get("fieldPath"), f"{ep}.valueFrom.fieldRef.fieldPath")
                if not is_supported_field_path(fp):
                    d.error(f"{ep}.valueFrom.fieldRef.fieldPath", f'Unsupported value: "{fp}"')
                out.append(EnvVar(name, field_path=fp))
            elif "resourceFieldRef" in vf:
                rp = f"{ep}.valueFrom.resourceFieldRef"
                rf = d.mapping(vf.get("resourceFieldRef"), rp)
                resource = d.string(rf.get("resource"), f"{rp}.resource")
                divisor = None
                if rf.get("divisor") is not None:
                    try:
                        divisor = quantity_value(rf.get("divisor"))
                    except QuantityError as exc:
                        d.error(f"{rp}.divisor", str(exc))
                if not is_supported_resource_path(resource):
                    d.error(f"{rp}.resource", f'Unsupported value: "{resource}"')
                else:
                    for fe in validate_divisor(resource, divisor, rp):
                        d.error(fe.path, fe.message)
                out.append(
                    EnvVar(
                        name,
                        resource_field_ref=ResourceFieldRef(
                            resource,
                            d.string(rf.get("containerName"), f"{rp}.containerName"),
                            divisor,
                        ),
                    )
                )
            else:
                kinds = sorted(k for k in vf if isinstance(k, str))
                out.append(EnvVar(name, other_source=", ".join(kinds) or "valueFrom"))
        return out

    def _check_env(self, c: Container, path: str, names: Mapping[str, str], d: _Doc) -> None:
        for i, env in enumerate(c.env):
            ref = env.resource_field_ref
            if ref is not None and ref.container_name and ref.container_name not in names:
                d.error(
                    f"{path}[{i}].valueFrom.resourceFieldRef.containerName",
                    f'Not found: "{ref.container_name}"',
                )

    def _tolerations(self, value: Any, path: str, d: _Doc) -> tuple[Toleration, ...]:
        out: list[Toleration] = []
        for i, raw in enumerate(d.seq(value, path)):
            tp = f"{path}[{i}]"
            t = d.mapping(raw, tp)
            operator = d.string(t.get("operator"), f"{tp}.operator", "Equal")
            if operator not in ("Equal", "Exists"):
                d.error(f"{tp}.operator", f'Unsupported value: "{operator}"')
            effect = d.string(t.get("effect"), f"{tp}.effect")
            if effect and effect not in TAINT_EFFECTS:
                d.error(f"{tp}.effect", f'Unsupported value: "{effect}"')
            out.append(
                Toleration(
                    d.string(t.get("key"), f"{tp}.key"),
                    operator,
                    d.string(t.get("value"), f"{tp}.value"),
                    effect,
                )
            )
        return tuple(out)

    def _terms(self, value: Any, path: str, d: _Doc) -> NodeSelectorTerm:
        t = d.mapping(value, path)

        def reqs(key: str) -> tuple[NodeSelectorRequirement, ...]:
            out = []
            for i, raw in enumerate(d.seq(t.get(key), f"{path}.{key}")):
                rp = f"{path}.{key}[{i}]"
                r = d.mapping(raw, rp)
                values = tuple(
                    d.string(v, f"{rp}.values[{j}]")
                    for j, v in enumerate(d.seq(r.get("values"), f"{rp}.values"))
                )
                op = d.string(r.get("operator"), f"{rp}.operator")
                if op not in ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"):
                    d.error(f"{rp}.operator", f'Unsupported value: "{op}"')
                out.append(NodeSelectorRequirement(d.string(r.get("key"), f"{rp}.key"), op, values))
            return tuple(out)

        return NodeSelectorTerm(reqs("matchExpressions"), reqs("matchFields"))

    def _affinity(
        self, value: Any, path: str, d: _Doc
    ) -> tuple[tuple[NodeSelectorTerm, ...] | None, tuple[PreferredSchedulingTerm, ...]]:
        aff = d.mapping(value, path)
        na = d.mapping(aff.get("nodeAffinity"), f"{path}.nodeAffinity")
        np = f"{path}.nodeAffinity"
        required: tuple[NodeSelectorTerm, ...] | None = None
        req_raw = na.get("requiredDuringSchedulingIgnoredDuringExecution")
        if req_raw is not None:
            rp = f"{np}.requiredDuringSchedulingIgnoredDuringExecution"
            sel = d.mapping(req_raw, rp)
            required = tuple(
                self._terms(t, f"{rp}.nodeSelectorTerms[{i}]", d)
                for i, t in enumerate(
                    d.seq(sel.get("nodeSelectorTerms"), f"{rp}.nodeSelectorTerms")
                )
            )
        preferred = []
        pp = f"{np}.preferredDuringSchedulingIgnoredDuringExecution"
        for i, raw in enumerate(
            d.seq(na.get("preferredDuringSchedulingIgnoredDuringExecution"), pp)
        ):
            item = d.mapping(raw, f"{pp}[{i}]")
            weight = d.integer(item.get("weight"), f"{pp}[{i}].weight", 1, lo=1, hi=100)
            preferred.append(
                PreferredSchedulingTerm(
                    weight, self._terms(item.get("preference"), f"{pp}[{i}].preference", d)
                )
            )
        return required, tuple(preferred)

    # -- nodes ------------------------------------------------------------------------------
    def _taints(self, value: Any, path: str, d: _Doc) -> tuple[Taint, ...]:
        out: list[Taint] = []
        for i, raw in enumerate(d.seq(value, path)):
            tp = f"{path}[{i}]"
            if isinstance(raw, str):
                key_value, sep, effect = raw.rpartition(":")
                if not sep:
                    d.error(tp, f'"{raw}": a taint is "key=value:Effect" or "key:Effect"')
                    continue
                key, _, val = key_value.partition("=")
            else:
                t = d.mapping(raw, tp)
                key = d.string(t.get("key"), f"{tp}.key")
                val = d.string(t.get("value"), f"{tp}.value")
                effect = d.string(t.get("effect"), f"{tp}.effect")
            if not key:
                d.error(f"{tp}.key", "Required value")
            if effect not in TAINT_EFFECTS:
                d.error(
                    f"{tp}.effect",
                    f'Unsupported value: "{effect}": supported values: "NoExecute", '
                    '"NoSchedule", "PreferNoSchedule"',
                )
            out.append(Taint(key, val, effect))
        return tuple(out)

    def _node_object(self, doc: Mapping[str, Any], d: _Doc, name: str) -> None:
        if not name:
            d.error("metadata.name", "Required value")
            return
        meta = d.mapping(doc.get("metadata"), "metadata")
        spec = d.mapping(doc.get("spec"), "spec")
        status = d.mapping(doc.get("status"), "status")
        capacity = d.resources(status.get("capacity"), "status.capacity")
        allocatable = d.resources(status.get("allocatable"), "status.allocatable")
        node = Node(
            name=name,
            allocatable=allocatable if status.get("allocatable") is not None else dict(capacity),
            capacity=capacity,
            labels=d.str_map(meta.get("labels"), "metadata.labels"),
            taints=self._taints(spec.get("taints"), "spec.taints", d),
            unschedulable=d.boolean(spec.get("unschedulable"), "spec.unschedulable"),
        )
        self._reserve("nodes", 1, "metadata.name")
        self.workload.nodes.append(node)

    def _compact_node(self, raw: Any, path: str, label: str) -> None:
        d = _Doc(f"node {path}, {label}" if path else f"node, {label}")
        p = f"{path}." if path else ""
        entry = d.mapping(raw, path)
        name = d.string(entry.get("name"), f"{p}name")
        if not name:
            d.error(f"{p}name", "Required value")
        known = {
            "name",
            "allocatable",
            "capacity",
            "labels",
            "taints",
            "unschedulable",
            "count",
            "preset",
        }
        for key in entry:
            if key not in known:
                d.error(f"{p}{key}", f'unknown field "{key}" (known: {", ".join(sorted(known))})')
        count_given = entry.get("count") is not None
        count = d.integer(entry.get("count"), f"{p}count", 1, lo=0, hi=10**9)
        preset_name = d.string(entry.get("preset"), f"{p}preset")
        allocatable: dict[str, Quantity] = {}
        capacity: dict[str, Quantity] = {}
        labels: dict[str, str] = {}
        if preset_name:
            try:
                preset = node_preset(preset_name)
            except ManifestError as exc:
                d.error(f"{p}preset", exc.errors[0].message)
            else:
                allocatable = preset.allocatable()
                capacity = preset.capacity()
                labels = {"node.kubernetes.io/instance-type": preset.instance_type}
        capacity.update(d.resources(entry.get("capacity"), f"{p}capacity"))
        given_alloc = d.resources(entry.get("allocatable"), f"{p}allocatable")
        if (
            entry.get("allocatable") is None
            and entry.get("capacity") is not None
            and not preset_name
        ):
            allocatable = dict(capacity)
        allocatable.update(given_alloc)
        if not preset_name and entry.get("allocatable") is None and entry.get("capacity") is None:
            d.error(f"{p}allocatable", "Required value: allocatable, capacity or preset")
        labels.update(d.str_map(entry.get("labels"), f"{p}labels"))
        taints = self._taints(entry.get("taints"), f"{p}taints", d)
        unschedulable = d.boolean(entry.get("unschedulable"), f"{p}unschedulable")
        if d.errors:
            self.errors.extend(d.errors)
            return
        self._reserve("nodes", count, f"{p}count")
        names = [f"{name}-{i}" for i in range(count)] if count_given else [name]
        for n in names:
            node_labels = {"kubernetes.io/hostname": n, **labels}
            self.workload.nodes.append(
                Node(n, dict(allocatable), dict(capacity), node_labels, taints, unschedulable)
            )

    # -- finish -------------------------------------------------------------------------------
    def _resolve_priorities(self) -> dict[int, int]:
        """``id(pod) -> priority`` for the pods whose PriorityClass (or the global default)
        changes their priority; one look-up per template. The pods are held by
        ``self.deferred``, so their ids stay unique."""
        changed: dict[int, int] = {}
        for pods, name, sp in self.deferred:
            first = pods[0]
            who = f"{first.namespace}/{first.owner or 'Pod/' + first.name}"
            priority = self._priority(name, sp, who)
            if priority != pods[0].priority:  # replicas share the template's priority
                changed.update(dict.fromkeys(map(id, pods), priority))
        return changed

    def _admit(self, pod: Pod, priorities: Mapping[int, int]) -> Pod:
        """Admission after every object is read: PriorityClass values and LimitRanges."""
        changes: dict[str, Any] = {}
        priority = priorities.get(id(pod))
        if priority is not None:
            changes["priority"] = priority
        for item in self.limit_ranges.get(pod.namespace, ()):
            groups = {"initContainers": pod.init_containers, "containers": pod.containers}
            for group, containers in groups.items():
                new = tuple(item.apply(c) for c in containers)
                if new != containers:
                    item.defaulted += sum(1 for a, b in zip(new, containers, strict=True) if a != b)
                    changes[_FIELD_OF[group]] = new
                    groups[group] = new
                for i, c in enumerate(new):
                    where = f"spec.{group}[{i}].resources"
                    # the API server validates after mutating admission: a defaulted limit
                    # below the written request is refused like a written one
                    found = [
                        (e.path, e.message) for e in validate_resources(c.requests, c.limits, where)
                    ]
                    found += [(where, message) for message in item.violations(c)]
                    for path, message in found:
                        text = f"{message} (LimitRange {item.name}; pod {pod.key})"
                        if all(e.message != text or e.path != path for e in self.errors):
                            self.errors.append(FieldError(path, text))
        return replace(pod, **changes) if changes else pod

    def finish(self) -> Workload:
        priorities = self._resolve_priorities()
        if priorities or self.limit_ranges:  # else admission changes nothing
            wl = self.workload
            wl.pods = [self._admit(p, priorities) for p in wl.pods]
            wl.daemonsets = [self._admit(p, priorities) for p in wl.daemonsets]
        for items in self.limit_ranges.values():
            for item in items:
                if item.defaulted:
                    self.workload.warnings.append(
                        f"LimitRange {item.name}: defaults applied to {item.defaulted} containers"
                    )
        seen: set[str] = set()
        for node in self.workload.nodes:
            if node.name in seen:
                self.errors.append(FieldError("nodes", f'duplicate node name "{node.name}"'))
            seen.add(node.name)
        if self.errors:
            raise ManifestError(self.errors[0].message, self.errors[0].path, list(self.errors))
        return self.workload


# ---------------------------------------------------------------------------------------------
# Small pure helpers


def _unmodelled_fields(spec: Mapping[str, Any], sp: str) -> tuple[str, ...]:
    """Paths of the scheduling constraints in ``spec`` that podfit does not model: non-empty
    ``affinity.podAffinity``, ``affinity.podAntiAffinity`` (required or preferred terms)
    and ``topologySpreadConstraints``. Empty ones constrain nothing upstream either."""
    out = []
    affinity = spec.get("affinity")
    if isinstance(affinity, Mapping):
        for key in ("podAffinity", "podAntiAffinity"):
            if affinity.get(key):
                out.append(f"{sp}.affinity.{key}")
    if spec.get("topologySpreadConstraints"):
        out.append(f"{sp}.topologySpreadConstraints")
    return tuple(out)


def _owner_reference(meta: Mapping[str, Any]) -> str | None:
    refs = meta.get("ownerReferences")
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, Mapping) and isinstance(ref.get("kind"), str):
                return f"{ref['kind']}/{ref.get('name', '')}"
    return None


POD_PHASES = ("Failed", "Pending", "Running", "Succeeded", "Unknown")
PREEMPTION_POLICIES = ("Never", "PreemptLowerPriority")


def _unsupported(value: str, supported: Iterable[str]) -> str:
    """apimachinery's ``field.NotSupported`` text."""
    return f'Unsupported value: "{value}": supported values: ' + ", ".join(
        f'"{v}"' for v in supported
    )


SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""apimachinery's ``util/rand`` alphabet (no vowels, no 0/1/3): pod-template-hash labels
and the suffixes of names made from ``generateName``."""
MAX_GENERATE_NAME_BASE = 58
"""``generateName`` bases are cut to 63 − 5 characters before the 5-character suffix."""


def _safe_encode(text: str, length: int) -> str:
    """``length`` characters of :data:`SAFE_ALPHABET` derived from SHA-256 of ``text``."""
    n = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:16], 16)
    out = []
    for _ in range(length):
        n, r = divmod(n, len(SAFE_ALPHABET))
        out.append(SAFE_ALPHABET[r])
    return "".join(out)


def _template_hash(template: Mapping[str, Any]) -> str:
    """A stable 10-character stand-in for the ``pod-template-hash`` label."""
    return _safe_encode(json.dumps(template, sort_keys=True, default=_json_default), 10)


def generated_name(base: str, namespace: str, ordinal: int) -> str:
    """The name the API server makes from ``metadata.generateName``: ``base`` (at most 58
    characters) plus 5 characters of :data:`SAFE_ALPHABET`. The API server draws them at
    random; podfit derives them from (namespace, base, ``ordinal``) so that the same input
    always gives the same names.

    >>> generated_name("web-", "default", 0) != generated_name("web-", "default", 1)
    True
    >>> len(generated_name("x" * 70, "default", 0))
    63
    """
    base = base[:MAX_GENERATE_NAME_BASE]
    return base + _safe_encode(f"{namespace}/{base}/{ordinal}", 5)


def _json_default(value: Any) -> Any:
    if isinstance(value, Number):
        return value.text
    return str(value)


_FIELD_OF = {"initContainers": "init_containers", "containers": "containers"}


@dataclass(slots=True)
class LimitRangeItem:
    """A LimitRange's ``type: Container`` item after the API's defaulting (max → default,
    default → defaultRequest, min → defaultRequest), as the LimitRanger admission uses it."""

    name: str
    default: dict[str, Quantity]
    default_request: dict[str, Quantity]
    minimum: dict[str, Quantity]
    maximum: dict[str, Quantity]
    defaulted: int = 0

    def apply(self, c: Container) -> Container:
        """Fill missing requests and limits from the defaults (existing values are kept)."""
        requests = {**self.default_request, **c.requests}
        limits = {**self.default, **c.limits}
        if requests == dict(c.requests) and limits == dict(c.limits):
            return c
        return replace(c, requests=requests, limits=limits)

    def violations(self, c: Container) -> list[str]:
        """The LimitRanger's min/max messages for one container."""
        out = []
        for res, q in sorted(self.minimum.items()):
            req = c.requests.get(res)
            if req is None:
                out.append(f"minimum {res} usage per Container is {q}.  No request is specified")
            elif req < q:
                out.append(f"minimum {res} usage per Container is {q}, but request is {req}")
        for res, q in sorted(self.maximum.items()):
            lim = c.limits.get(res)
            if lim is None:
                out.append(f"maximum {res} usage per Container is {q}.  No limit is specified")
            elif lim > q:
                out.append(f"maximum {res} usage per Container is {q}, but limit is {lim}")
        return out


def _limit_range(spec: Mapping[str, Any], d: _Doc, name: str) -> LimitRangeItem | None:
    """The merged ``type: Container`` items of a LimitRange ``spec`` (None if there are none)."""
    found = None
    for i, raw in enumerate(d.seq(spec.get("limits"), "spec.limits")):
        lp = f"spec.limits[{i}]"
        item = d.mapping(raw, lp)
        if d.string(item.get("type"), f"{lp}.type") != "Container":
            continue
        default = d.resources(item.get("default"), f"{lp}.default")
        default_request = d.resources(item.get("defaultRequest"), f"{lp}.defaultRequest")
        minimum = d.resources(item.get("min"), f"{lp}.min")
        maximum = d.resources(item.get("max"), f"{lp}.max")
        default = {**maximum, **default}
        default_request = {**minimum, **default, **default_request}
        if found is None:
            found = LimitRangeItem(name, default, default_request, minimum, maximum)
        else:
            found.default.update(default)
            found.default_request.update(default_request)
            found.minimum.update(minimum)
            found.maximum.update(maximum)
    return found


def _as_daemonset_template(pod: Pod, name: str) -> Pod:
    extra = list(DAEMONSET_TOLERATIONS)
    if pod.host_network:
        extra.append(NETWORK_UNAVAILABLE_TOLERATION)
    tolerations = list(pod.tolerations)
    for t in extra:
        if t not in tolerations:
            tolerations.append(t)
    return replace(pod, daemonset=name, tolerations=tuple(tolerations))
