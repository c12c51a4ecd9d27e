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
PriorityClass             its value and preemptionPolicy resolve ``priorityClassName``
                          (anywhere in the input) where the pod spec leaves them out
LimitRange                its Container defaults / min / max apply to pods of its namespace
PodDisruptionBudget,      read into values (:mod:`.objects`): ``Workload.disruption_budgets``,
HorizontalPodAutoscaler,  ``autoscalers``, ``services``, ``namespaces``, ``resource_quotas``;
Service, Namespace,       each also listed in ``Workload.skipped`` with what was read
ResourceQuota
========================= ==================================================================

The workload controllers' selectors are listed in ``Workload.controllers``. Other kinds
(ConfigMap, …) create no pods: they are listed in ``Workload.skipped``, never errors.

Existing pods (``kubectl get all -o json``) are reconciled with their controllers as the
controllers would (:mod:`.snapshot`): a snapshot is counted once.

Compact nodes: a document ``{"nodes": [...]}`` or an
array of entries ``{"name", "allocatable"|"capacity"|"preset", "labels", "taints",
"unschedulable", "count"}``; ``count`` makes a pool ``<name>-0`` … ``<name>-<count-1>``.

Pods go through API-server defaulting (request := limit where only a limit is set) and
validation; every error of a document is reported at once, naming the field path. Unknown
kinds of built-in groups and unknown fields are errors by default (``validate="strict"``,
as kubectl; ``"warn"``, ``"ignore"``: :mod:`.validation`); names, labels and resource names
are checked as the API server does (:mod:`.apivalidation`); new pods pass LimitRange and
ResourceQuota admission (:mod:`.limitranges`, :mod:`.quota`); hints for likely typos
(:mod:`.hints`).
Bounds (:class:`Limits`) are checked before anything is expanded.

Modules: :mod:`.workload` (``Workload``, ``Skipped``), :mod:`.fields` (typed field readers
that collect errors with their paths; quantities), :mod:`.podspec` (containers, env, ports,
tolerations, node affinity), :mod:`.nodes` (Node objects and compact node entries),
:mod:`.limitranges` (LimitRange admission), :mod:`.objects` (PodDisruptionBudget, HPA,
Service, Namespace, ResourceQuota, controller selectors), :mod:`.names` (``generateName`` and
``pod-template-hash``), :mod:`.reader` (dispatch by kind, expansion into pods, bounds and
admission); this module holds the entry points.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import LimitExceeded, ManifestError
from podfit.manifests.fields import quantity_value
from podfit.manifests.names import generated_name
from podfit.manifests.reader import Reader
from podfit.manifests.validation import DEFAULT_SCHEMA_VERSION, DEFAULT_VALIDATE, VALIDATE_MODES
from podfit.manifests.workload import Skipped, Workload
from podfit.pods import DAEMONSET_TOLERATIONS
from podfit.yamlsafe import DEFAULT_LIMITS, Limits

__all__ = [
    "DAEMONSET_TOLERATIONS",
    "MANIFEST_SUFFIXES",
    "VALIDATE_MODES",
    "Limits",
    "Skipped",
    "Workload",
    "generated_name",
    "load",
    "load_objects",
    "load_text",
    "quantity_value",
]


def load(
    *sources: Any,
    limits: Limits | None = None,
    validate: str = DEFAULT_VALIDATE,
    schema_version: str = DEFAULT_SCHEMA_VERSION,
    deadline: Deadline = NO_DEADLINE,
) -> Workload:
    """Read every source into one :class:`Workload`.

    A source is a ``Path``; a ``str`` path (``"-"`` = stdin) or, if it contains a newline
    or starts with ``{``/``[``, manifest text; ``bytes`` text; a dict (one object) or a
    list of dicts. A directory means its ``*.yaml``, ``*.yml`` and ``*.json`` files in name
    order (not recursive, like ``kubectl -f DIR``). Limits apply to the whole set, except
    ``max_bytes``, which bounds each source.

    ``validate``: ``"strict"`` (default: unknown kinds of built-in groups and unknown fields
    are errors, as ``kubectl --validate=strict``), ``"warn"`` (warnings) or ``"ignore"``;
    fields are known from the schemas of Kubernetes ``schema_version`` (1.33–1.35).
    ``deadline`` is checked while the objects are read and admitted (every
    :data:`~podfit.manifests.reader.OBJECTS_PER_CHECK` objects or pods); the default never
    expires.
    """
    lim = limits or DEFAULT_LIMITS
    reader = Reader(lim, validate, schema_version, deadline=deadline)
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


def load_text(
    text: str | bytes,
    name: str = "<input>",
    limits: Limits | None = None,
    validate: str = DEFAULT_VALIDATE,
    schema_version: str = DEFAULT_SCHEMA_VERSION,
    deadline: Deadline = NO_DEADLINE,
) -> Workload:
    """Read YAML or JSON manifest text (kubectl's sniff decides); ``validate`` and
    ``deadline`` as :func:`load`."""
    reader = Reader(limits or DEFAULT_LIMITS, validate, schema_version, deadline=deadline)
    reader.read_text(text, name)
    return reader.finish()


def load_objects(
    objs: Iterable[Any],
    limits: Limits | None = None,
    names: Sequence[str] | None = None,
    validate: str = DEFAULT_VALIDATE,
    schema_version: str = DEFAULT_SCHEMA_VERSION,
    deadline: Deadline = NO_DEADLINE,
) -> Workload:
    """Read already-decoded objects (dicts as from ``json.loads``). ``names`` says where
    each object came from in messages and warnings (the HTTP API passes the body's field
    paths, ``pods[3]``); by default ``<objects> document N``. ``validate`` and
    ``deadline`` as :func:`load`."""
    reader = Reader(limits or DEFAULT_LIMITS, validate, schema_version, deadline=deadline)
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
