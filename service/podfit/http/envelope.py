"""Workload bodies of the HTTP API and the web page: the envelope, Kubernetes JSON or
YAML split into addressable items, bounded, loaded, and scheduled.

The requests and schedule *results* are :mod:`podfit.documents.requests` and
``ScheduleResult.to_dict()`` (shared with ``podfit requests`` / ``podfit schedule``), so
the API and the CLI print the same JSON for the same input.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as fields_of
from typing import Any

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import (
    ConfigError,
    FieldError,
    LimitExceeded,
    ManifestError,
    PodfitError,
)
from podfit.http.config import ServiceConfig, env_name
from podfit.http.problem import Problem
from podfit.manifests import VALIDATE_MODES, Limits, Workload, load_objects
from podfit.manifests.fields import unsupported
from podfit.manifests.validation import DEFAULT_VALIDATE
from podfit.manifests.workload import add_input_warnings
from podfit.options import ScheduleOptions
from podfit.scheduler import schedule
from podfit.yamlsafe import Number, json_load_all, safe_load_all

# ---------------------------------------------------------------------------------------------
# Workload bodies (POST /v1/requests, /v1/schedule): envelope, Kubernetes JSON or YAML

#: Keys of resource maps whose values are quantities (checked against the length limit).
QUANTITY_MAPS = frozenset({"requests", "limits", "overhead", "allocatable", "capacity"})


def limits_for(config: ServiceConfig) -> Limits:
    """The manifest loader's bounds for one request."""
    return Limits(
        max_pods=config.max_pods,
        max_nodes=config.max_nodes,
        max_documents=config.max_documents,
        max_depth=config.max_depth,
        max_bytes=config.max_body_bytes,
    )


@dataclass(slots=True)
class WorkloadBody:
    """A workload body split into addressable items and (envelope only) options.

    ``items`` are ``(path prefix, object)`` pairs in input order: ``pods[3]`` and
    ``nodes[0]`` for the envelope, ``items[2]`` for a Kubernetes ``List``, ``[1]`` for a
    JSON array, ``documents[4]`` for a multi-document stream, ``""`` for one object.
    """

    items: list[tuple[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)
    envelope: bool = False


def read_documents(
    text: str, syntax: str, config: ServiceConfig, *, depth_known: bool = False
) -> list[Any]:
    """Parse a JSON or YAML body into documents under the configured limits.

    JSON numbers keep their literal text (``1e3`` stays ``1e3`` as a quantity) and YAML
    scalars are typed as kubectl would send them (:mod:`podfit.yamlsafe`). Raises
    ``ManifestError`` when the text is not well-formed (syntax, duplicate keys, tags) and
    ``LimitExceeded`` over a bound (documents, nesting, aliases). An empty or
    whitespace-only JSON body is malformed.
    """
    limits = limits_for(config)
    if syntax == "yaml":
        return safe_load_all(text, limits, name="<body>")
    if not text.strip():
        raise ManifestError("<body>: invalid JSON: the body is empty")
    return json_load_all(text, limits, name="<body>", depth_known=depth_known)


def document_items(docs: Sequence[Any]) -> list[tuple[str, Any]]:
    """Documents of a stream with their paths: ``documents[i]`` (``""`` for just one)."""
    if len(docs) == 1:
        return [("", docs[0])]
    return [(f"documents[{i}]", d) for i, d in enumerate(docs) if d is not None]


def parse_workload_body(docs: list[Any], envelope_keys: Iterable[str]) -> WorkloadBody:
    """Split parsed documents into addressable items (and the envelope's options).

    A single object without ``kind`` is the envelope form (``{"nodes": [...], "pods":
    [...], ...options}``); keys outside ``envelope_keys`` are refused. The caller has
    bounded the documents' shape already (:func:`check_body_shape` on the whole body, as
    :func:`podfit.http.body.workload_body` does before the reader's parse).
    """
    indexed = [(i, d) for i, d in enumerate(docs) if d is not None]  # empty YAML documents
    if not indexed:
        raise ManifestError("the body holds no document (it is empty or only comments)")
    allowed = frozenset(envelope_keys)
    if len(indexed) == 1 and _is_envelope(indexed[0][1]):
        body = _envelope(indexed[0][1], allowed)
    elif len(docs) == 1:
        body = WorkloadBody(_object_items(docs[0]))
    else:
        body = WorkloadBody([(f"documents[{i}]", d) for i, d in indexed])
    not_objects = [
        FieldError(prefix, f"expected an object, got {_kind(obj)}")
        for prefix, obj in body.items
        if not isinstance(obj, Mapping)
    ]
    if not_objects:
        raise ManifestError(not_objects[0].message, not_objects[0].path, not_objects)
    return body


def _is_envelope(doc: Any) -> bool:
    """A JSON/YAML object without ``kind`` is the envelope form (``{"pods": [...],
    "nodes": [...], ...options}``; the compact ``{"nodes": [...]}`` is one too)."""
    return isinstance(doc, Mapping) and "kind" not in doc


def _envelope(doc: Mapping[str, Any], allowed: frozenset[str]) -> WorkloadBody:
    items: list[tuple[str, Any]] = []
    known = ", ".join(sorted(allowed))
    errors = [
        FieldError(str(k), f"unknown field (this body takes {known})")
        for k in doc
        if k not in allowed
    ]
    for key in ("pods", "nodes"):
        if key not in allowed or key not in doc:
            continue
        value = doc[key]
        if not isinstance(value, list):
            errors.append(FieldError(key, f"must be an array of objects, not {_kind(value)}"))
            continue
        items.extend((f"{key}[{i}]", obj) for i, obj in enumerate(value))
    if errors:
        raise ManifestError(errors[0].message, errors[0].path, errors)
    # Pods before nodes in the item list is irrelevant to the loader (it separates them),
    # but keeps pod order = input order, which the scheduler's queue depends on.
    options = {k: plain(v) for k, v in doc.items() if k not in ("pods", "nodes")}
    return WorkloadBody(items, options, envelope=True)


def _object_items(doc: Any) -> list[tuple[str, Any]]:
    if isinstance(doc, list):
        return [(f"[{i}]", obj) for i, obj in enumerate(doc)]
    if isinstance(doc, Mapping):
        kind = doc.get("kind")
        items = doc.get("items")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
            return [(f"items[{i}]", obj) for i, obj in enumerate(items)]
    return [("", doc)]


def _kind(value: Any) -> str:
    if isinstance(value, Number):
        return "number"
    if isinstance(value, Mapping):
        return "object"
    return "null" if value is None else type(value).__name__


def plain(value: Any) -> Any:
    """Replace :class:`~podfit.yamlsafe.Number` by its int/float, recursively."""
    if isinstance(value, Number):
        return value.value
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def check_body_shape(
    items: Sequence[tuple[str, Any]], *, max_items: int, max_quantity_length: int
) -> None:
    """Bound the work the manifest reader can be made to do, before it runs.

    No array or object may have more than ``max_items`` entries (a 10 MiB body could
    otherwise hold millions of bad entries, each one an error to build and send), and no
    quantity in a resource map (``requests``, ``limits``, ``overhead``, ``allocatable``,
    ``capacity``) or a ``divisor`` may be longer than ``max_quantity_length`` characters.
    Iterative; one step per array or object in the input. Paths are spelled only for a
    finding: each container carries a link to its parent (``_Where``).
    """
    if len(items) > max_items:
        raise _too_many(len(items), max_items, "")
    stack: list[tuple[_Where, Any]] = [((None, path), node) for path, node in items]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            if len(node) > max_items:
                raise _too_many(len(node), max_items, _spell(where))
            for key, child in node.items():
                if key in QUANTITY_MAPS and isinstance(child, dict):
                    if len(child) > max_items:
                        raise _too_many(len(child), max_items, _spell((where, key)))
                    for name, value in child.items():
                        if type(value) is not str or len(value) > max_quantity_length:
                            _check_length((where, key, name), value, max_quantity_length)
                elif key == "divisor":
                    _check_length((where, key), child, max_quantity_length)
                elif isinstance(child, _CONTAINERS):
                    stack.append(((where, key), child))
        elif isinstance(node, list):
            if len(node) > max_items:
                raise _too_many(len(node), max_items, _spell(where))
            stack.extend(
                [
                    ((where, (i,)), child)
                    for i, child in enumerate(node)
                    if isinstance(child, _CONTAINERS)
                ]
            )


_CONTAINERS = (dict, list)
"""Nesting types as a tuple (``isinstance`` is cheaper with one than with ``dict | list``)."""


_Where = tuple[Any, ...]
"""A place in a body: ``(parent, key)`` (an array index as a 1-tuple ``(i,)``), the root's
parent None and its key the item's path; a quantity's place adds the resource name."""


def _spell(where: _Where) -> str:
    """The path of ``where``: ``spec.containers[0].resources``."""
    parts: list[Any] = []
    node: Any = where
    while node is not None:
        parts.extend(reversed(node[1:]))
        node = node[0]
    path = ""
    for part in reversed(parts):
        if isinstance(part, tuple):
            path += f"[{part[0]}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def _too_many(count: int, max_items: int, path: str) -> LimitExceeded:
    return LimitExceeded(
        f"{count} entries exceed the limit of {max_items} ({env_name('max_items')})",
        path=path,
        limit="max_items",
    )


def _check_length(where: _Where, value: Any, max_length: int) -> None:
    text = value.text if isinstance(value, Number) else value
    if isinstance(text, str) and len(text) > max_length:
        raise LimitExceeded(
            f"a quantity of {len(text)} characters is longer than the limit of {max_length}"
            f" ({env_name('max_quantity_length')})",
            path=_spell(where),
            limit="max_quantity_length",
        )


VALIDATE = "validate"
"""The query parameter and envelope field choosing the loader's validation mode."""


def validate_mode(options: dict[str, Any], query: dict[str, Any] | None = None) -> str:
    """The loader's validation mode (``strict`` by default, ``warn``, ``ignore``): the
    ``validate`` query parameter, else the envelope's ``validate`` field; both are removed
    from the dicts (they are no scheduling or planning option). 422 naming ``validate``
    for any other value."""
    mode = DEFAULT_VALIDATE
    for source in (options, query or {}):  # each given value must be valid
        if VALIDATE in source:
            value = source.pop(VALIDATE)
            if not isinstance(value, str) or value not in VALIDATE_MODES:
                shown = value if isinstance(value, str) else json.dumps(value)
                raise ConfigError(unsupported(shown, VALIDATE_MODES), VALIDATE)
            mode = value
    return mode


def refuse_eviction(options: Mapping[str, Any], answers: str) -> None:
    """422 naming ``preemption`` when the body asks for ``"preemption": true`` where
    nothing is evicted: plans and checks answer "does it fit without evicting anything?"
    (``docs/planning.md``), so honouring it would change the question and ignoring it
    would answer another one than asked. ``false`` (what they do) and absence are
    accepted; a value that is no boolean is left to the options' schema (422 as well).

    >>> refuse_eviction({"preemption": False}, "plans")
    >>> refuse_eviction({"preemption": True}, "checks")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    podfit.errors.ConfigError: preemption: checks never evict: ...
    """
    if options.get("preemption") is True:
        raise ConfigError(
            f"{answers} never evict: they answer whether the pods fit without evicting "
            'anything, so "preemption": true cannot apply; leave it out or set it to false '
            "(/v1/schedule evicts as kube-scheduler does)",
            "preemption",
        )


def load_workload(
    items: Sequence[tuple[str, Any]],
    limits: Limits,
    validate: str = DEFAULT_VALIDATE,
    deadline: Deadline = NO_DEADLINE,
) -> Workload:
    """Load every item with one loader pass (so names, PriorityClasses and totals are
    checked across items); on error, name the item in each error path. ``validate``:
    the loader's validation mode (:func:`validate_mode`); ``deadline`` (the views pass
    the request's) is checked while the items are read and admitted.

    Attribution re-reads the items one at a time with what is left of the limits, so it
    costs at most as much as the first pass and is only paid when the input is wrong.
    """
    try:
        return load_objects(
            [obj for _, obj in items], limits, _item_names(items), validate, deadline=deadline
        )
    except PodfitError as first:
        raise attribute_errors(items, limits, first, validate, deadline) from None


def _item_names(items: Sequence[tuple[str, Any]]) -> list[str]:
    """How messages and warnings name each item: its place in the body (``pods[3]``,
    ``documents[1]``, ``body[2]`` in a top-level array, ``body`` for the whole body)."""
    return [prefix if prefix[:1].isalpha() else f"body{prefix}" for prefix, _ in items]


def attribute_errors(
    items: Sequence[tuple[str, Any]],
    limits: Limits,
    first: PodfitError,
    validate: str = DEFAULT_VALIDATE,
    deadline: Deadline = NO_DEADLINE,
) -> PodfitError:
    """``first`` with each error's path prefixed by the item it came from, when known."""
    errors: list[FieldError] = []
    pods = nodes = 0
    for prefix, obj in items:
        budget = replace(
            limits,
            max_pods=max(limits.max_pods - pods, 0),
            max_nodes=max(limits.max_nodes - nodes, 0),
        )
        try:
            workload = load_objects(
                [obj], budget, _item_names([(prefix, obj)]), validate, deadline=deadline
            )
        except LimitExceeded as exc:
            if isinstance(first, LimitExceeded):
                # Same order, same culprit: keep the first pass's totals in the message.
                return _limit(first, prefix)
            return _limit(exc, prefix)
        except PodfitError as exc:
            errors.extend(exc.at(prefix).errors)
            continue
        pods += len(workload.pods)
        nodes += len(workload.nodes)
    if isinstance(first, LimitExceeded):
        return _limit(first, "")
    if not errors:
        return first  # an error across items (e.g. the same pod name twice)
    cls = type(first)
    return cls(errors[0].message, errors[0].path, errors)


#: ``LimitExceeded.limit`` (a field of ``manifests.Limits``) -> the ``ServiceConfig`` field
#: that sets it, where the names differ.
_LIMIT_SETTINGS = {"max_bytes": "max_body_bytes"}
_SETTINGS = frozenset(f.name for f in fields_of(ServiceConfig))


def setting_of(exc: LimitExceeded) -> str:
    """The ``PODFIT_*`` variable that sets the bound ``exc`` exceeded, "" when none does."""
    name = _LIMIT_SETTINGS.get(exc.limit, exc.limit)
    return env_name(name) if name in _SETTINGS else ""


def _limit(exc: LimitExceeded, prefix: str) -> LimitExceeded:
    """Prefix the paths and name the ``PODFIT_*`` setting that governs the limit
    (from ``exc.limit``; a message that already names it is kept as it is)."""
    setting = setting_of(exc)
    errors = []
    for error in exc.at(prefix).errors if prefix else exc.errors:
        message = error.message
        if setting and setting not in message:
            message = f"{message} ({setting})"
        errors.append(FieldError(error.path, message))
    return LimitExceeded(errors[0].message, errors[0].path, errors, limit=exc.limit)


def name_limit_setting(exc: LimitExceeded, prefix: str = "") -> LimitExceeded:
    """:func:`_limit` for errors raised while parsing a body (``prefix``: the source)."""
    return _limit(exc, prefix)


def check_expansion(workload: Workload, config: ServiceConfig) -> None:
    """Refuse a workload whose DaemonSets could expand past ``PODFIT_MAX_PODS``.

    Each DaemonSet becomes one pod per eligible node at scheduling time, so the bound is
    ``pods + daemonsets × nodes``, checked before any DaemonSet pod is built.
    """
    pods = len(workload.pod_source())  # the replicas are not made to be counted
    bound = pods + len(workload.daemonsets) * len(workload.nodes)
    if bound > config.max_pods:
        raise LimitExceeded(
            f"{pods} pods and {len(workload.daemonsets)} DaemonSets on"
            f" {len(workload.nodes)} nodes could make {bound} pods, above the limit of"
            f" {config.max_pods} ({env_name('max_pods')})",
            path="daemonsets",
            limit="max_pods",
        )


def explain_entries(workload: Workload) -> int:
    """An upper bound on the per-node entries ``explain`` would write for ``workload``:
    every pod the scheduler will queue (no ``nodeName``, not terminal) and every pod its
    DaemonSets could make (one per node) is explained with one entry per node (a filter's
    reasons or a score). Cost: one pass over the pods, nothing built.

    An entry is about 35 bytes (a filter reason) to 200 (the scores of a node with a long
    name), so the count bounds the answer before a byte of it is computed.
    """
    nodes = len(workload.nodes)
    queued = sum(1 for p in workload.pods if not p.node_name and not p.is_terminal)
    return (queued + len(workload.daemonsets) * nodes) * nodes


def check_explain(workload: Workload, config: ServiceConfig) -> None:
    """Refuse ``explain`` (422, naming ``PODFIT_MAX_EXPLAIN_ENTRIES``) when it could write
    more per-node entries than the limit (:func:`explain_entries`): checked before
    scheduling, so that an answer too large to send is never built (memory and time)."""
    entries = explain_entries(workload)
    limit = config.max_explain_entries
    if entries > limit:
        raise Problem(
            422,
            "answer-too-large",
            "Answer too large",
            f"explain would write up to {entries} per-node entries (pods to schedule × "
            f"{len(workload.nodes)} nodes); this server explains at most {limit} "
            f"({env_name('max_explain_entries')}): ask without explain, or explain fewer "
            "pods or nodes at once",
            errors=[FieldError("explain", f"more than {limit} per-node entries")],
        )


def schedule_workload(
    workload: Workload,
    options: ScheduleOptions,
    config: ServiceConfig,
    deadline: Deadline = NO_DEADLINE,
) -> dict[str, Any]:
    """Schedule a loaded workload with validated options; the ScheduleResult
    document, whose ``warnings`` also hold the loader's (things it assumed) and name every
    object that created no pods (:func:`add_input_warnings`). Replicas'
    entries share their read-only parts (``to_dict(shared=True)``): the callers serialize
    it as JSON or render it, and never change it. ``deadline`` (the views pass the
    request's) is checked while the queue is drained."""
    check_expansion(workload, config)
    if options.explain:
        check_explain(workload, config)
    result = schedule(
        workload.pod_source(),  # runs of replicas, converted without making their Pods
        workload.nodes,
        **workload.cluster_objects(),
        explain=options.explain,
        config=options.config,
        deadline=deadline,
    )
    result.note_input(workload.snapshot())
    add_input_warnings(result, workload)
    return result.to_dict(shared=True)
