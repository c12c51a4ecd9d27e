"""Zones for the new nodes of ``plan nodes``: labels, and the plan checked by the scheduler.

Without zones (the default) new nodes carry their shape's labels and their hostname only,
and the packer's answer is the plan (:mod:`podfit.planning.nodes_needed`). With zones
``a, b, c``:

* new node *k* of a shape (``<shape>-k``, k from 1) gets
  ``topology.kubernetes.io/zone: zones[(k - 1) mod len(zones)]`` (round-robin; a zone
  label of the shape is replaced), its name as ``kubernetes.io/hostname``, and
  ``topology.kubernetes.io/region: <region>`` when the plan was priced in a region and the
  shape has no region label of its own;
* the plan is what podfit's scheduler does, not what the packer says: starting from the
  packer's node count, the pending pods (input order, priority first, as the queue takes
  them) are scheduled — exactly as ``podfit schedule`` would, preemption off — on the
  existing nodes as the first run left them plus *n* new nodes, each holding its
  DaemonSet pods; while pods stay Pending, one more node (the next zone) is added. Every
  constraint the scheduler models is then honoured on the new nodes: zone spreading with
  ``maxSkew`` and ``minDomains``, zone and hostname pod (anti-)affinity, resources, ports.
  The search stops when nothing is Pending, at ``maxNodes``, at the packer's count plus
  the pending pods plus one round of zones, or when a whole round of zones added no
  placed pod; the attempt with the fewest Pending pods (then fewest nodes) is the plan,
  and the pods it leaves Pending are reported with the scheduler's message;
* nodes that end empty are dropped when the plan without them still places every pod it
  placed (a node keeps its name and zone, so names may skip a number); the plan lists
  exactly the new nodes of the run it reports.

Cost: one scheduling run of the pending pods per attempt, O(attempts × pods × nodes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import ConfigError, FieldError
from podfit.manifests.apivalidation import is_valid_label_value
from podfit.nodes import HOSTNAME_LABEL
from podfit.planning.binpack import PackedNode, Packing
from podfit.planning.cluster import Cluster, replica
from podfit.resources import PODS
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.run import expand_daemonsets
from podfit.topology import DO_NOT_SCHEDULE, selector_matches

__all__ = [
    "REGION_LABEL",
    "ZONE_LABEL",
    "ZonePlacement",
    "check_zones",
    "min_domains_bound",
    "new_node_labels",
    "zone_of",
    "zone_packing",
]

ZONE_LABEL = "topology.kubernetes.io/zone"
REGION_LABEL = "topology.kubernetes.io/region"


def check_zones(zones: Sequence[str], path: str = "zones") -> tuple[str, ...]:
    """The zones as given, validated: each a non-empty valid label value
    (``IsValidLabelValue``: at most 63 characters, alphanumerics with ``-_.`` inside), none
    given twice. Raises ``ConfigError`` naming every bad entry (``zones[1]``)."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, zone in enumerate(zones):
        where = f"{path}[{i}]"
        if not isinstance(zone, str):
            errors.append(FieldError(where, f"a zone must be a string, not {type(zone).__name__}"))
        elif not zone:
            errors.append(FieldError(where, "a zone name must not be empty"))
        elif problems := is_valid_label_value(zone):
            errors.append(FieldError(where, f'"{zone}": {"; ".join(problems)}'))
        elif zone in seen:
            errors.append(FieldError(where, f'zone "{zone}" is given twice'))
        else:
            seen.add(zone)
    if errors:
        raise ConfigError(errors[0].message, errors[0].path, errors)
    return tuple(zones)


def zone_of(zones: Sequence[str], index: int) -> str:
    """The zone of new node ``index`` (0-based; the node is ``<shape>-<index + 1>``)."""
    return zones[index % len(zones)]


def new_node_labels(
    shape_labels: dict[str, str], name: str, zone: str, region: str | None
) -> dict[str, str]:
    """A new node's labels (module doc): the shape's, its hostname, its zone, the region
    when known and the shape has none."""
    labels = {**shape_labels, HOSTNAME_LABEL: name, ZONE_LABEL: zone}
    if region is not None:
        labels.setdefault(REGION_LABEL, region)
    return labels


def min_domains_bound(groups: Sequence[tuple[PodInfo, int]], existing: Sequence[NodeInfo]) -> int:
    """A lower bound on the new zoned nodes that ``groups`` (exemplar, pending pods) need
    from PodTopologySpread's ``minDomains`` (0 when none applies).

    For a ``DoNotSchedule`` constraint on ``topology.kubernetes.io/zone`` whose selector
    matches the group's own pods, with ``maxSkew`` s and ``minDomains`` m > 1: while fewer
    than m zones are eligible, the global minimum counts as 0, so each zone holds at most s
    matching pods. A group of more than s × (m − 1) pods can therefore only be placed in at
    least m zones; each new node adds at most one zone to those of the ``existing`` nodes
    (all of their zone values counted, eligible or not: an over-count keeps the bound
    sound), so at least m − (existing zones) new nodes are needed. Cost: O(groups ×
    constraints + existing nodes)."""
    zones = {z for node in existing if (z := node.labels.get(ZONE_LABEL)) is not None}
    best = 0
    for pod, count in groups:
        for c in pod.spread:
            if (
                c.when_unsatisfiable == DO_NOT_SCHEDULE
                and c.topology_key == ZONE_LABEL
                and c.min_domains > 1
                and count > c.max_skew * (c.min_domains - 1)
                and selector_matches(c.selector, pod.labels)
            ):
                best = max(best, c.min_domains - len(zones))
    return best


@dataclass(frozen=True, slots=True)
class ZonePlacement:
    """What the zone-aware search needs of one shape: its name, a new node's labels, taints
    and allocatable after the headroom (``template``), the resources a placement reports,
    and the pending pods to place with their group names, in input order."""

    shape: str
    template: NodeInfo
    resources: tuple[str, ...]
    pods: tuple[tuple[PodInfo, str], ...]


def _new_nodes(
    cluster: Cluster, place: ZonePlacement, count: int, zones: Sequence[str], region: str | None
) -> list[NodeInfo]:
    """``count`` new nodes of the shape with their DaemonSet pods (as ``plan nodes``
    reserves them: counted on the node whether or not they fit)."""
    out: list[NodeInfo] = []
    alloc = place.template.allocatable
    for k in range(count):
        name = f"{place.shape}-{k + 1}"
        node = NodeInfo(
            name,
            alloc,
            labels=new_node_labels(place.template.labels, name, zone_of(zones, k), region),
            taints=place.template.taints,
            unschedulable=place.template.unschedulable,
        )
        for ds in expand_daemonsets(cluster.daemonsets, [node]):
            node.add_pod(ds)
        out.append(node)
    return out


@dataclass(slots=True)
class _Attempt:
    nodes: int
    keep: tuple[int, ...]  # indexes of the new nodes used (all, or the non-empty ones)
    placed: list[list[tuple[str, int]]]  # per kept node: (group, pods) in placement order
    used: list[tuple[int, ...]]
    pending: dict[str, int]
    messages: dict[str, str]

    @property
    def pending_count(self) -> int:
        return sum(self.pending.values())


def _attempt(
    cluster: Cluster,
    existing: Sequence[NodeInfo],
    place: ZonePlacement,
    count: int,
    zones: Sequence[str],
    region: str | None,
    keep: Sequence[int] | None = None,
) -> _Attempt:
    """Schedule the pending pods on copies of ``existing`` plus new nodes ``0..count-1``
    (only those in ``keep`` when given)."""
    new = _new_nodes(cluster, place, count, zones, region)
    kept = tuple(range(count)) if keep is None else tuple(keep)
    chosen = [new[k] for k in kept]
    base = [n.without(n.pods) for n in existing]
    nodes = [*base, *chosen]
    for index, node in enumerate(nodes):
        node.index = index
    pods = [replica(pod, pod.name) for pod, _ in place.pods]
    group = {id(p): g for p, (_, g) in zip(pods, place.pods, strict=True)}
    result = cluster.schedule(pods, nodes)
    by_node: dict[str, dict[str, int]] = {n.name: {} for n in chosen}
    pending: dict[str, int] = {}
    messages: dict[str, str] = {}
    for outcome in result.pods:
        name = group.get(id(outcome.pod))
        if name is None:
            continue
        if outcome.node is None:
            pending[name] = pending.get(name, 0) + 1
            condition = outcome.condition
            text = outcome.message or (condition[2] if condition is not None else None)
            messages.setdefault(name, text or outcome.reason or "Pending")
        elif outcome.node in by_node:
            counts = by_node[outcome.node]
            counts[name] = counts.get(name, 0) + 1
    used = [
        tuple(len(n.pods) if r == PODS else n.requested.get(r, 0) for r in place.resources)
        for n in chosen
    ]
    placed = [list(by_node[n.name].items()) for n in chosen]
    return _Attempt(count, kept, placed, used, pending, messages)


def zone_packing(
    cluster: Cluster,
    existing: Sequence[NodeInfo],
    place: ZonePlacement,
    *,
    start: int,
    zones: Sequence[str],
    region: str | None = None,
    max_nodes: int = 0,
    deadline: Deadline = NO_DEADLINE,
) -> Packing:
    """The plan of one shape with zones (module doc), as a ``Packing`` whose nodes are the
    new nodes the scheduler filled (their ``index`` gives their name and zone) and whose
    ``unplaced`` are the pods it left Pending, each group's first message in ``notes``.
    ``start`` is the packer's node count."""
    total = len(place.pods)
    if not total:
        return Packing("scheduler", place.resources, (), (), 0)
    cap = max_nodes or (start + total + len(zones))
    count = min(max(start, 1), cap)
    best: _Attempt | None = None
    since_best = 0
    while True:
        deadline.check(f"planning shape {place.shape} in zones")
        attempt = _attempt(cluster, existing, place, count, zones, region)
        if best is None or attempt.pending_count < best.pending_count:
            best, since_best = attempt, 0
        else:
            since_best += 1
        if not attempt.pending or count >= cap or since_best >= len(zones):
            break
        count += 1
    empty = [k for k, pods in zip(best.keep, best.placed, strict=True) if not pods]
    if empty:
        keep = [k for k in best.keep if k not in empty]
        trimmed = _attempt(cluster, existing, place, best.nodes, zones, region, keep)
        if trimmed.pending_count <= best.pending_count:
            best = trimmed
    nodes = tuple(
        PackedNode(k, place.shape, tuple(pods), used)
        for k, pods, used in zip(best.keep, best.placed, best.used, strict=True)
    )
    notes = tuple(
        f"{name}: {n} pods stay Pending with {len(nodes)} new nodes in zones "
        f"{', '.join(zones)}: {best.messages[name]}"
        for name, n in best.pending.items()
    )
    return Packing(
        "scheduler",
        place.resources,
        nodes,
        tuple(best.pending.items()),
        best.nodes,
        limited=bool(max_nodes) and bool(best.pending) and best.nodes >= max_nodes,
        notes=notes,
    )
