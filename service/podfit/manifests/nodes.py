"""Node objects and compact node entries (``{"name", "allocatable"|"capacity"|"preset",
…, "count"}``) → :class:`podfit.nodes.Node`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from podfit.errors import ManifestError
from podfit.manifests.apivalidation import integer_value_error
from podfit.manifests.fields import Doc
from podfit.nodes import HOSTNAME_LABEL, TAINT_EFFECTS, Node, Taint, node_preset
from podfit.quantity import Quantity


def _taints(value: Any, path: str, d: Doc) -> tuple[Taint, ...]:
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


def _resources(value: Any, path: str, d: Doc) -> dict[str, Quantity]:
    """A node's resource list at ``path`` as ``ValidateNodeResources`` checks it: every
    value a quantity, not negative (:meth:`Doc.resources`), and a whole number for an
    object count or extended resource (:func:`integer_value_error`); an entry in error is
    left out. Names are not checked (the API server accepts any key there)."""
    out = d.resources(value, path)
    for name, quantity in list(out.items()):
        message = integer_value_error(name, quantity)
        if message is not None:
            d.error(f"{path}.{name}", message)
            del out[name]
    return out


def read_node(doc: Mapping[str, Any], d: Doc, name: str) -> Node | None:
    """The node of a ``kind: Node`` object; ``status.allocatable`` defaults to
    ``status.capacity``; ``kubernetes.io/hostname`` defaults to the node's name, as the
    kubelet labels every node it registers (hostname anti-affinity and spreading read it).
    None when it has no name."""
    if not name:
        d.error("metadata.name", "Required value")
        return None
    meta = d.mapping(doc.get("metadata"), "metadata")
    spec = d.mapping(doc.get("spec"), "spec")
    status = d.mapping(doc.get("status"), "status")
    capacity = _resources(status.get("capacity"), "status.capacity", d)
    allocatable = _resources(status.get("allocatable"), "status.allocatable", d)
    return Node(
        name=name,
        allocatable=allocatable if status.get("allocatable") is not None else dict(capacity),
        capacity=capacity,
        labels={HOSTNAME_LABEL: name, **d.str_map(meta.get("labels"), "metadata.labels")},
        taints=_taints(spec.get("taints"), "spec.taints", d),
        unschedulable=d.boolean(spec.get("unschedulable"), "spec.unschedulable"),
    )


def read_compact_node(raw: Any, path: str, d: Doc) -> tuple[Node, int | None]:
    """A compact node entry at ``path`` (``""`` for a top-level entry): the node it
    describes, named and labelled as written (:func:`node_pool` names the nodes), and its
    ``count`` (None when not given). A preset gives allocatable, capacity and the
    instance-type label; written fields override it."""
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
    capacity.update(_resources(entry.get("capacity"), f"{p}capacity", d))
    given_alloc = _resources(entry.get("allocatable"), f"{p}allocatable", d)
    if entry.get("allocatable") is None and entry.get("capacity") is not None and not preset_name:
        allocatable = dict(capacity)
    allocatable.update(given_alloc)
    if not preset_name and entry.get("allocatable") is None and entry.get("capacity") is None:
        d.error(f"{p}allocatable", "Required value: allocatable, capacity or preset")
    labels.update(d.str_map(entry.get("labels"), f"{p}labels"))
    taints = _taints(entry.get("taints"), f"{p}taints", d)
    unschedulable = d.boolean(entry.get("unschedulable"), f"{p}unschedulable")
    node = Node(name, allocatable, capacity, labels, taints, unschedulable)
    return node, count if count_given else None


def node_pool(node: Node, count: int | None) -> list[Node]:
    """The nodes of a compact entry: ``<name>-0`` … ``<name>-<count-1>``, or ``node`` alone
    when ``count`` is None, each labelled ``kubernetes.io/hostname`` (unless the entry
    sets that label). The nodes share the entry's ``allocatable`` and ``capacity``
    mappings (read-only, as every Node's), so a pool's allocatable is converted once
    (:func:`podfit.scheduler.adapt.node_infos`)."""
    names = [node.name] if count is None else [f"{node.name}-{i}" for i in range(count)]
    return [
        Node(
            n,
            node.allocatable,
            node.capacity,
            {HOSTNAME_LABEL: n, **node.labels},
            node.taints,
            node.unschedulable,
        )
        for n in names
    ]
