"""How many nodes are needed? Pending pods packed onto new nodes of one or more shapes.

1. The workload is scheduled on the existing nodes first (none by default) with
   ``podfit.schedule``'s run; the pods left Pending are the ones to place.
2. Pending pods with the same scheduling key (requests, selectors, tolerations, ports —
   ``PodInfo.scheduling_key``) form one group. A group whose pods fail the scheduler's
   node-level filters on a shape (taints, node selector/affinity: ``static_filters``) or
   need more than an empty node offers is *unplaceable* there, with the reason.
3. Each new node of a shape starts with the DaemonSet pods that would run on it
   (``daemonset_should_run``) and, with ``headroom_percent`` < 100, may be filled to at
   most that share of each allocatable resource (not of the pod count; floor).
4. The packer (``podfit``: BFD + MBS + local search; ``ffd``: the cluster-autoscaler's
   estimator; ``exact``: CP-SAT, needs ``podfit[optimal]``) gives nodes and placement;
   ``lower_bounds`` gives L1 per resource, Martello–Toth L2 and the host-port bound.
5. With prices, shapes are ranked by cost; the *mix* re-packs the cheapest plan's nodes,
   each onto the cheapest shape that holds its pods.

New nodes are named ``<shape>-1``, ``<shape>-2``, … and each is its own hostname
(``kubernetes.io/hostname`` is its name). The packer honours a group's required pod
anti-affinity on the hostname against its own pods (and no other group's or DaemonSet's
pods) as at most one pod of the group per new node, the rule a host port gives (it counts
in the ``hostPorts`` lower bound). Every other pod (anti-)affinity term and topology
spread constraint of a pending group is not honoured on new nodes and is warned
(:func:`packer_warnings`); on the existing nodes the scheduler models them all.

With ``zones`` the new nodes get zone labels round-robin and the plan of each shape is
the scheduler's run on them (:mod:`podfit.planning.zones`): every constraint is then
honoured on the new nodes too, and nothing is warned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import ConfigError
from podfit.manifests import objects
from podfit.nodes import HOSTNAME_LABEL, Node
from podfit.planning import binpack
from podfit.planning.binpack import BinProblem, NodeTemplate, Packing, PodGroup, estimate, pack
from podfit.planning.bounds import LowerBounds, lower_bounds
from podfit.planning.cluster import Cluster
from podfit.planning.pending import pending
from podfit.planning.report import amounts, envelope
from podfit.planning.zones import (
    ZonePlacement,
    check_zones,
    min_domains_bound,
    new_node_labels,
    zone_of,
    zone_packing,
)
from podfit.pods import Pod
from podfit.quantity import Quantity
from podfit.resources import CPU, MEMORY, PODS, format_amount, to_amount
from podfit.scheduler.adapt import node_info
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.filters import FilterConfig, node_ports, node_resources_fit, static_filters
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.inter_pod_affinity import INTER_POD_AFFINITY
from podfit.scheduler.plugins.pod_topology_spread import POD_TOPOLOGY_SPREAD
from podfit.scheduler.run import expand_daemonsets
from podfit.topology import AffinityTerm, Namespaces, term_matches_pod
from podfit.units import human

if TYPE_CHECKING:
    from podfit.planning.exact import ExactResult
    from podfit.planning.fragmentation import Fragmentation

if TYPE_CHECKING:
    from podfit.planning.mix import CheapestMix

__all__ = [
    "ALGORITHMS",
    "NodeShape",
    "NodesPlan",
    "ShapePlan",
    "group_pending",
    "group_runs",
    "nodes_needed",
    "packer_warnings",
    "plan_shapes",
]

ONE_PER_NODE_PROTOCOL = "podAntiAffinity"
"""The protocol of the synthetic host port that keeps a group's pods one per new node:
no real port has it, so it conflicts only with the group's own pods."""

ALGORITHMS = ("podfit", "ffd", "exact")


@dataclass(frozen=True, slots=True)
class NodeShape:
    """A shape new nodes can have: a ``Node`` (allocatable, labels, taints) and a price."""

    name: str
    node: Node
    price: Fraction | None = None


@dataclass(slots=True)
class ShapePlan:
    """The plan for one shape."""

    shape: NodeShape
    problem: BinProblem
    packing: Packing
    bounds: LowerBounds
    unplaceable: dict[str, str]  # group -> reason
    daemonset_pods: list[str]
    exact_status: str | None = None
    exact_bound: int | None = None
    zones: tuple[str, ...] = ()
    """The zones of the new nodes, round-robin by index (empty: no zone label)."""
    domain_bound: int = 0
    """With zones, the new nodes zone spreading's ``minDomains`` needs at least
    (:func:`~podfit.planning.zones.min_domains_bound`)."""

    @property
    def nodes(self) -> int:
        return self.packing.node_count

    @property
    def lower_bound(self) -> int:
        return max(self.bounds.best, self.exact_bound or 0, self.domain_bound)

    @property
    def cost(self) -> Fraction | None:
        price = self.shape.price
        return None if price is None else price * self.nodes

    @property
    def complete(self) -> bool:
        """Every pending pod has a node in this plan."""
        return not self.unplaceable and not self.packing.unplaced_count

    def to_dict(self) -> dict[str, Any]:
        res = self.problem.resources
        template = self.problem.template
        out: dict[str, Any] = {
            "shape": self.shape.name,
            "nodes": self.nodes,
            "complete": self.complete,
            "lowerBound": {
                "l1": self.bounds.l1,
                "l2": self.bounds.l2,
                "l2Resource": self.bounds.l2_resource,
                "hostPorts": self.bounds.host_ports,
                **({"minDomains": self.domain_bound} if self.zones else {}),
                "best": self.lower_bound,
            },
            "gap": self.nodes - self.lower_bound,
            "allocatable": amounts(res, self.shape_allocatable()),
            "plannedCapacity": amounts(res, template.allocatable),
            "daemonSetOverhead": amounts(res, template.reserved or (0,) * len(res)),
            "daemonSetPods": self.daemonset_pods,
            "unplaced": dict(self.packing.unplaced),
            "unplaceable": dict(sorted(self.unplaceable.items())),
            "placement": self._placement(),
        }
        if self.shape.price is not None:
            out["price"] = _price_text(self.shape.price)
            out["cost"] = _price_text(self.cost or Fraction(0))
        if self.exact_status is not None:
            out["exact"] = {"status": self.exact_status, "proven": self.exact_status == "OPTIMAL"}
        if self.packing.notes:
            out["notes"] = list(self.packing.notes)
        return out

    def _placement(self) -> list[dict[str, Any]]:
        """Each new node's ``placement`` entry (:meth:`_placed`); the amounts of equal
        usage vectors are formatted once (each entry still gets its own dict, so a YAML
        dump holds no aliases). Cost O(nodes · resources)."""
        formatted: dict[tuple[int, ...], dict[str, str]] = {}
        return [self._placed(n, formatted) for n in self.packing.nodes]

    def _placed(
        self, node: binpack.PackedNode, formatted: dict[tuple[int, ...], dict[str, str]]
    ) -> dict[str, Any]:
        """A ``placement`` entry: the node's name, its zone when zones are given, its pods
        per group and what they request (``formatted``: amounts already formatted, by
        usage vector)."""
        out: dict[str, Any] = {"node": f"{self.shape.name}-{node.index + 1}"}
        if self.zones:
            out["zone"] = zone_of(self.zones, node.index)
        out["pods"] = dict(node.pods)
        requested = formatted.get(node.used)
        if requested is None:
            requested = formatted[node.used] = amounts(self.problem.resources, node.used)
        out["requested"] = dict(requested)
        return out

    def shape_allocatable(self) -> list[int]:
        alloc = node_info(self.shape.node).allocatable
        return [alloc.get(r, 0) for r in self.problem.resources]


@dataclass(slots=True)
class NodesPlan:
    """The answer of ``nodes_needed`` (``to_dict`` is the versioned NodesPlan document)."""

    algorithm: str
    headroom_percent: int
    groups: list[tuple[PodGroup, PodInfo]]
    plans: list[ShapePlan]
    scheduled_on_existing: int
    mix: list[tuple[str, int]] = field(default_factory=list)
    mix_cost: Fraction | None = None
    fragmentation: Fragmentation | None = None
    warnings: list[str] = field(default_factory=list)
    """What the plan does not account for (``Cluster.warnings``), each once."""
    cheapest: CheapestMix | None = None
    """The cheapest mix over the shapes, when asked for (``summary.cheapest``)."""
    zones: tuple[str, ...] = ()
    """The zones given for the new nodes (``zones`` in the document when not empty)."""

    @property
    def pending(self) -> int:
        return sum(g.count for g, _ in self.groups)

    def best(self) -> ShapePlan | None:
        """The complete plan with the lowest cost (with prices) or fewest nodes; input order."""
        complete = [p for p in self.plans if p.complete]
        if not complete:
            return None
        if all(p.cost is not None for p in complete):
            return min(complete, key=lambda p: (p.cost, p.nodes))
        return min(complete, key=lambda p: p.nodes)

    def to_dict(self) -> dict[str, Any]:
        best = self.best()
        summary: dict[str, Any] = {
            "pendingPods": self.pending,
            "scheduledOnExistingNodes": self.scheduled_on_existing,
            "groups": len(self.groups),
            "best": None if best is None else {"shape": best.shape.name, "nodes": best.nodes},
        }
        if self.cheapest is not None:
            summary["cheapest"] = self.cheapest.to_dict()
        if self.mix:
            summary["cheapestMix"] = {
                "nodes": dict(self.mix),
                "cost": _price_text(self.mix_cost or Fraction(0)),
            }
        zones: dict[str, Any] = {"zones": list(self.zones)} if self.zones else {}
        return envelope(
            "NodesPlan",
            {
                "algorithm": self.algorithm,
                "headroomPercent": self.headroom_percent,
                **zones,
                "summary": summary,
                "groups": [
                    {
                        "name": g.name,
                        "count": g.count,
                        "requests": {
                            r: format_amount(r, v) for r, v in sorted(info.requests.items()) if v
                        },
                    }
                    for g, info in self.groups
                ],
                "shapes": [p.to_dict() for p in self.plans],
                "fragmentation": None
                if self.fragmentation is None
                else self.fragmentation.to_dict(),
                "warnings": list(self.warnings),
            },
        )


def _price_text(value: Fraction) -> str:
    """Exact decimal text when finite, else ``num/den``."""
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    whole = abs(scaled.numerator)
    text = str(whole).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def group_pending(pending: Sequence[PodInfo]) -> list[tuple[PodGroup, PodInfo]]:
    """Pending pods grouped by owner and scheduling key (first-seen order), so a group is
    "the pods of one workload that the scheduler treats alike"; named by owner or pod."""
    return group_runs([(pod, 1) for pod in pending])


def group_runs(runs: Sequence[tuple[PodInfo, int]]) -> list[tuple[PodGroup, PodInfo]]:
    """``group_pending`` for runs of ``count`` pods alike (exemplar, count): the same
    groups as for the runs' pods one by one, in O(runs)."""
    return run_groups(runs)[0]


def run_groups(
    runs: Sequence[tuple[PodInfo, int]],
) -> tuple[list[tuple[PodGroup, PodInfo]], list[str]]:
    """:func:`group_runs` and, per run, the name of its group. O(runs)."""
    keyed: dict[tuple[object, ...], tuple[PodInfo, list[int]]] = {}
    keys: list[tuple[object, ...]] = []
    for pod, count in runs:
        owner = pod.owner or f"{pod.namespace}/{pod.name}"
        key = (owner, *pod.scheduling_key())
        keys.append(key)
        keyed.setdefault(key, (pod, []))[1].append(count)
    out: list[tuple[PodGroup, PodInfo]] = []
    used: set[str] = set()
    names: dict[tuple[object, ...], str] = {}
    for key, (first, counts) in keyed.items():
        name = first.owner or f"{first.namespace}/{first.name}"
        if name in used:
            name = f"{name}#{len(out)}"
        used.add(name)
        names[key] = name
        out.append((PodGroup(name, (), sum(counts)), first))
    return out, [names[key] for key in keys]


def _resources(groups: Sequence[tuple[PodGroup, PodInfo]]) -> tuple[str, ...]:
    names = {r for _, info in groups for r, v in info.requests.items() if v > 0 and r != PODS}
    return (*sorted(names), PODS)


def _vector(info: PodInfo, resources: Sequence[str]) -> tuple[int, ...]:
    return tuple(1 if r == PODS else info.requests.get(r, 0) for r in resources)


def _ports(info: PodInfo) -> tuple[binpack.HostPort, ...]:
    return tuple(binpack.HostPort.of(p.port, p.protocol, p.ip) for p in info.host_ports)


class _Constraints:
    """What the new-node packer knows of the pending groups' pod (anti-)affinity and
    spreading, worked out once for all groups: for each group, whether it is packed one
    pod per node and which constraint fields it does not honour (:meth:`unhonoured`).

    A group's required anti-affinity term means one pod per new node when its topology is
    ``kubernetes.io/hostname`` and it selects the group's own pods and none of the other
    pending groups' exemplars or DaemonSet pods (which could share a new node); any other
    required or preferred anti-affinity term, and any required anti-affinity term of
    another group or DaemonSet that selects the group's pods, is ``podAntiAffinity`` not
    honoured; pod affinity and spread constraints are never honoured.

    Instead of comparing every group with every other (O(groups²)), the groups' labels are
    indexed: a term's selector is matched only against the groups holding the label value
    its ``matchLabels`` or an ``In`` expression requires, or the key an ``Exists``
    expression requires (the fewest such; every group for a selector without such a
    requirement), once per distinct term. Cost: O(groups × labels + DaemonSets × distinct
    terms + Σ over distinct terms of the groups so indexed): linear in groups when the
    terms select by label value (``matchLabels: {app: web}``). The answers are those of
    the pairwise comparison: the index only skips groups a term cannot match.
    """

    def __init__(
        self, exemplars: Sequence[PodInfo], daemonsets: Sequence[PodInfo], namespaces: Namespaces
    ) -> None:
        self.exemplars = exemplars
        self.daemonsets = daemonsets
        self.namespaces = namespaces
        self.by_value: dict[tuple[str, str], list[int]] = {}
        self.by_key: dict[str, list[int]] = {}
        for k, exemplar in enumerate(exemplars):
            for key, value in exemplar.labels.items():
                self.by_value.setdefault((key, value), []).append(k)
                self.by_key.setdefault(key, []).append(k)
        self._matched: dict[AffinityTerm, tuple[list[int], bool]] = {}
        # groups some other group's or a DaemonSet's required anti-affinity term selects
        self.selected = [False] * len(exemplars)
        for ds in daemonsets:
            for term in ds.pod_affinity.required_anti if ds.pod_affinity is not None else ():
                for k in self.matched(term)[0]:
                    self.selected[k] = True
        holders: dict[AffinityTerm, set[int]] = {}
        for k, exemplar in enumerate(exemplars):
            if exemplar.pod_affinity is not None:
                for term in exemplar.pod_affinity.required_anti:
                    holders.setdefault(term, set()).add(k)
        for term, holding in holders.items():
            # a term held by one group selects every group it matches but that one
            alone = next(iter(holding)) if len(holding) == 1 else None
            for k in self.matched(term)[0]:
                if k != alone:
                    self.selected[k] = True

    def _candidates(self, term: AffinityTerm) -> Sequence[int]:
        """The groups ``term``'s selector may match: those holding a label value (or key)
        it requires, the fewest such; every group when it requires none."""
        selector = term.selector
        if selector is None:
            return ()
        options: list[Sequence[int]] = [
            self.by_value.get(pair, ()) for pair in selector.match_labels
        ]
        for req in selector.match_expressions:
            if req.operator == "In":  # a group has one value per key: no group twice
                values = dict.fromkeys(req.values)
                options.append([k for v in values for k in self.by_value.get((req.key, v), ())])
            elif req.operator == "Exists":
                options.append(self.by_key.get(req.key, ()))
        if not options:
            return range(len(self.exemplars))
        return min(options, key=len)

    def matched(self, term: AffinityTerm) -> tuple[list[int], bool]:
        """(the groups whose exemplar ``term`` matches, in order; whether it matches a
        DaemonSet's pod), worked out once per distinct term."""
        found = self._matched.get(term)
        if found is None:
            ns = self.namespaces
            groups = sorted(
                k
                for k in self._candidates(term)
                if term_matches_pod(term, self.exemplars[k].namespace, self.exemplars[k].labels, ns)
            )
            ds = any(term_matches_pod(term, d.namespace, d.labels, ns) for d in self.daemonsets)
            found = self._matched[term] = (groups, ds)
        return found

    def _one_per_node(self, term: AffinityTerm, k: int) -> bool:
        """Whether group ``k``'s required anti-affinity ``term`` means one pod per node:
        hostname topology, and it matches group ``k`` and nothing else."""
        if term.topology_key != HOSTNAME_LABEL:
            return False
        groups, daemonsets = self.matched(term)
        return groups == [k] and not daemonsets

    def unhonoured(self, k: int) -> tuple[bool, list[str]]:
        """(one pod per new node?, the constraint fields the packer does not honour) for
        group ``k``; the fields in the order podAntiAffinity, podAffinity,
        topologySpreadConstraints, and podAntiAffinity last when only another's term
        selects the group."""
        exemplar = self.exemplars[k]
        one_per_node = False
        fields: list[str] = []
        aff = exemplar.pod_affinity
        if aff is not None:
            for term in aff.required_anti:
                if self._one_per_node(term, k):
                    one_per_node = True
                elif "podAntiAffinity" not in fields:
                    fields.append("podAntiAffinity")
            if aff.preferred_anti and "podAntiAffinity" not in fields:
                fields.append("podAntiAffinity")
            if aff.required or aff.preferred:
                fields.append("podAffinity")
        if exemplar.spread:
            fields.append("topologySpreadConstraints")
        if self.selected[k] and "podAntiAffinity" not in fields:
            fields.append("podAntiAffinity")
        return one_per_node, fields


def _constraints(cluster: Cluster, groups: Sequence[tuple[PodGroup, PodInfo]]) -> _Constraints:
    """The :class:`_Constraints` of ``groups`` beside the cluster's DaemonSets."""
    return _Constraints(
        [exemplar for _, exemplar in groups],
        [d.template for d in cluster.daemonsets],
        cluster.namespaces,
    )


WARNINGS_PHASE = "the plan's warnings"
"""The phase :func:`packer_warnings` names when the deadline stops it."""


def packer_warnings(cluster: Cluster, groups: Sequence[tuple[PodGroup, PodInfo]]) -> list[str]:
    """One warning per pending group whose pod (anti-)affinity or topology spread
    constraints the new-node packer does not honour (module doc), naming the fields, in
    group order. Cost: that of :class:`_Constraints` (linear in groups when the terms
    select by label value); the cluster's deadline is checked before each group."""
    out: list[str] = []
    constraints = _constraints(cluster, groups)
    for k, (_, exemplar) in enumerate(groups):
        cluster.deadline.check(WARNINGS_PHASE)
        for name in constraints.unhonoured(k)[1]:
            plugin = INTER_POD_AFFINITY if name.startswith("pod") else POD_TOPOLOGY_SPREAD
            out.append(
                f"{exemplar.namespace}/{exemplar.owner or 'Pod/' + exemplar.name}: "
                f"{name} is not honoured on the new nodes of plan nodes (kube-scheduler's "
                f"{plugin} may need more nodes or put the pods elsewhere)"
            )
    return out


def _order_requests(pod: Pod | None, resources: Sequence[str]) -> tuple[int, ...] | None:
    """What the autoscaler's DecreasingPodOrderer looks at: the summed cpu and memory
    requests of the regular containers (no init containers, no overhead), each sum
    rounded up once (``MilliValue`` / ``Value`` of the summed quantity)."""
    if pod is None:
        return None
    sums: dict[str, Quantity] = {}
    for container in pod.containers:
        for name in (CPU, MEMORY):
            if name in container.requests:
                sums[name] = sums.get(name, Quantity.ZERO) + container.requests[name]
    return tuple(to_amount(r, sums[r]) if r in sums else 0 for r in resources)


def _shape_problem(
    shape: NodeShape,
    groups: Sequence[tuple[PodGroup, PodInfo]],
    resources: tuple[str, ...],
    cluster: Cluster,
    headroom_percent: int,
) -> tuple[BinProblem, dict[str, str], list[str]]:
    info = node_info(shape.node, 0, f"shapes[{shape.name}]")
    fcfg = cluster.cfg.filter_config
    unplaceable: dict[str, str] = {}
    placeable: list[PodGroup] = []
    exemplars: list[PodInfo] = []
    constraints = _constraints(cluster, groups)
    for k, (group, exemplar) in enumerate(groups):
        cluster.deadline.check(f"planning shape {shape.name}")
        status = static_filters(exemplar, info, fcfg)
        if status is not None:
            unplaceable[group.name] = "; ".join(status.reasons)
            continue
        exemplars.append(exemplar)
        ports = _ports(exemplar)
        if constraints.unhonoured(k)[0]:
            ports = (*ports, binpack.HostPort.of(1, f"{ONE_PER_NODE_PROTOCOL}:{group.name}"))
        placeable.append(
            PodGroup(
                group.name,
                _vector(exemplar, resources),
                group.count,
                ports,
                _order_requests(cluster.pod_of(exemplar), resources),
            )
        )
    ds_pods = expand_daemonsets(cluster.daemonsets, [info])
    reserved = [0] * len(resources)
    reserved_ports: list[binpack.HostPort] = []
    for ds in ds_pods:
        for d, v in enumerate(_vector(ds, resources)):
            reserved[d] += v
        reserved_ports.extend(_ports(ds))
    alloc = [info.allocatable.get(r, 0) for r in resources]
    if headroom_percent < 100:
        alloc = [
            a if r == PODS else a * headroom_percent // 100
            for r, a in zip(resources, alloc, strict=True)
        ]
    template = NodeTemplate(
        shape.name, tuple(alloc), tuple(reserved), tuple(reserved_ports), shape.price
    )
    problem = BinProblem(resources, template, tuple(placeable))
    # what the scheduler's NodeResourcesFit and NodePorts say on a new node of this shape
    # holding only the DaemonSet pods (allocatable after headroom)
    empty = NodeInfo(shape.name, dict(zip(resources, alloc, strict=True)))
    whole = NodeInfo(shape.name, {r: info.allocatable.get(r, 0) for r in resources})
    for ds in ds_pods:
        empty.add_pod(ds)
        whole.add_pod(ds)
    for g, exemplar in zip(placeable, exemplars, strict=True):
        status = node_resources_fit(exemplar, empty) or node_ports(exemplar, empty)
        if status is None:
            continue
        fits_whole = node_resources_fit(exemplar, whole) is None
        if headroom_percent < 100 and fits_whole and node_ports(exemplar, empty) is None:
            # the node has room; the fill limit is what the pod does not fit
            room = [a - r for a, r in zip(alloc, reserved, strict=True)]
            full = [
                info.allocatable.get(r, 0) - v for r, v in zip(resources, reserved, strict=True)
            ]
            unplaceable[g.name] = _fill_limit_reason(
                resources, g.requests, room, full, headroom_percent
            )
        else:
            unplaceable[g.name] = f"does not fit an empty node: {', '.join(status.reasons)}"
    return problem, unplaceable, [p.name for p in ds_pods]


def nodes_needed(
    pods: Sequence[Pod],
    shapes: Sequence[NodeShape],
    *,
    existing_nodes: Sequence[Node] = (),
    daemonsets: Sequence[Pod] = (),
    algorithm: str = "podfit",
    headroom_percent: int = 100,
    max_nodes: int = 0,
    time_limit: float = 10.0,
    config: SchedulerConfig | None = None,
    progress: Callable[[int], None] | None = None,
    exact_solver: Callable[..., ExactResult] | None = None,
    services: Iterable[objects.Service] = (),
    namespaces: Iterable[objects.Namespace] = (),
    controllers: Iterable[objects.Controller] = (),
    disruption_budgets: Iterable[objects.PodDisruptionBudget] = (),
    deadline: Deadline = NO_DEADLINE,
    zones: Sequence[str] = (),
    region: str | None = None,
) -> NodesPlan:
    """Nodes of each shape needed for the pods that stay Pending (module doc).

    ``max_nodes`` caps new nodes per shape (the autoscaler's limiter for ``ffd``; for the
    other algorithms a plan above it is reported as incomplete). ``progress`` is called
    with the number of shapes done. ``exact_solver`` replaces
    :func:`~podfit.planning.exact.solve_exact` (same arguments), e.g. to run it under
    the service's time and memory limits (:mod:`podfit.bounded`). ``deadline`` is
    checked inside the run on the existing nodes and inside the packers
    (:func:`plan_shapes`). ``services`` …
    ``disruption_budgets`` are the workload's objects, as :func:`podfit.schedule` takes
    them (they decide the run on the existing nodes and the pod anti-affinity terms'
    namespaces). ``zones`` (validated: non-empty label values, none twice) label the new
    nodes round-robin and make each shape's plan the scheduler's run on them
    (:mod:`podfit.planning.zones`); ``region`` is then their region label.
    """
    if algorithm not in ALGORITHMS:
        raise ConfigError(
            f'unknown algorithm "{algorithm}" (one of {", ".join(ALGORITHMS)})', "algorithm"
        )
    if not shapes:
        raise ConfigError("at least one node shape is needed", "shapes")
    if not 1 <= headroom_percent <= 100:
        raise ConfigError(f"must be in [1, 100], got {headroom_percent}", "headroomPercent")
    if max_nodes < 0:
        raise ConfigError(f"must be >= 0, got {max_nodes}", "maxNodes")
    names = [s.name for s in shapes]
    if len(set(names)) != len(names):
        raise ConfigError(f"shape names must be unique: {names}", "shapes")
    zones = check_zones(zones)
    cluster = Cluster(
        pods,
        existing_nodes,
        daemonsets,
        config,
        services=services,
        namespaces=namespaces,
        controllers=controllers,
        disruption_budgets=disruption_budgets,
        deadline=deadline,
    )
    baseline = pending(cluster)  # without existing nodes: no scheduling, one pod per run
    groups, run_names = run_groups(baseline.runs)
    plans = plan_shapes(
        cluster,
        groups,
        shapes,
        algorithm=algorithm,
        headroom_percent=headroom_percent,
        max_nodes=max_nodes,
        time_limit=time_limit,
        progress=progress,
        exact_solver=exact_solver,
        deadline=deadline,
        zones=ZoneInput(zones, region, baseline.runs, run_names, baseline.nodes) if zones else None,
    )
    result_plan = NodesPlan(
        algorithm,
        headroom_percent,
        groups,
        plans,
        scheduled_on_existing=baseline.scheduled_on_existing,
        # the scheduler models every constraint on the existing nodes; the packer places
        # on new nodes as bins, not by score: only its unhonoured constraints are warned
        # (with zones the scheduler places on the new nodes too: nothing to warn)
        warnings=[] if zones else packer_warnings(cluster, groups),
        zones=zones,
    )
    if baseline.nodes:
        # free room on the existing nodes that none of the pending pod shapes can use
        shapes_seen = [(g.name, info) for g, info in groups]
        from podfit.planning.fragmentation import fragmentation  # with existing nodes only

        result_plan.fragmentation = fragmentation(
            baseline.nodes, shapes_seen, cluster.cfg.filter_config
        )
    if not zones:  # re-homed nodes are not checked through the scheduler
        _cheapest_mix(result_plan)
    return result_plan


def plan_shapes(
    cluster: Cluster,
    groups: Sequence[tuple[PodGroup, PodInfo]],
    shapes: Sequence[NodeShape],
    *,
    algorithm: str = "podfit",
    headroom_percent: int = 100,
    max_nodes: int = 0,
    time_limit: float = 10.0,
    progress: Callable[[int], None] | None = None,
    exact_solver: Callable[..., ExactResult] | None = None,
    deadline: Deadline = NO_DEADLINE,
    zones: ZoneInput | None = None,
) -> list[ShapePlan]:
    """One ``ShapePlan`` per shape for the pending ``groups`` (see ``nodes_needed``);
    ``deadline`` is checked before each shape and inside the packers; the exact solver
    gets at most the time it leaves. With ``zones`` the packer's node count is where the
    scheduler's run on zoned new nodes starts (:func:`~podfit.planning.zones.zone_packing`)."""
    resources = _resources(groups)
    plans: list[ShapePlan] = []
    for done, shape in enumerate(shapes, start=1):
        deadline.check(f"planning shape {shape.name}")
        problem, unplaceable, ds_names = _shape_problem(
            shape, groups, resources, cluster, headroom_percent
        )
        problem = BinProblem(
            problem.resources,
            problem.template,
            tuple(g for g in problem.groups if g.name not in unplaceable),
        )
        bounds = lower_bounds(problem)
        status = bound = None
        if algorithm == "ffd":
            packing = estimate(problem, max_nodes=max_nodes, deadline=deadline)
        elif algorithm == "exact":
            from podfit.planning.exact import solve_exact

            limit = deadline.limit(time_limit)
            result = (exact_solver or solve_exact)(problem, time_limit=limit)
            deadline.check(f"planning shape {shape.name}")
            packing, status, bound = result.packing, result.status, result.lower_bound
        else:
            packing = pack(problem, lower_bound=bounds.best, deadline=deadline)
        plan = ShapePlan(shape, problem, packing, bounds, unplaceable, ds_names, status, bound)
        if zones is not None:
            _zone_plan(plan, cluster, zones, headroom_percent, max_nodes, deadline)
        if max_nodes and packing.node_count > max_nodes:
            plan.unplaceable["*"] = (
                f"needs {packing.node_count} nodes, more than maxNodes {max_nodes}"
            )
        plans.append(plan)
        if progress is not None:
            progress(done)
    return plans


@dataclass(frozen=True, slots=True)
class ZoneInput:
    """What :func:`plan_shapes` needs for zones: the zones and region of the new nodes,
    the pending ``runs`` (exemplar, count) in input order with their group names, and the
    existing nodes as the first run left them."""

    zones: tuple[str, ...]
    region: str | None
    runs: Sequence[tuple[PodInfo, int]]
    run_names: Sequence[str]
    existing: Sequence[NodeInfo]


def _zone_plan(
    plan: ShapePlan,
    cluster: Cluster,
    zones: ZoneInput,
    headroom_percent: int,
    max_nodes: int,
    deadline: Deadline,
) -> None:
    """Replace ``plan``'s packing by the scheduler's run on zoned new nodes of its shape,
    starting from the packer's node count; an exact proof no longer holds when the run
    needed more nodes than the packer. A group the shape's node-level filters refused
    only for want of the zone or region label (a nodeSelector or node affinity on them)
    joins the run when a zoned node of the shape passes those filters."""
    template = node_info(plan.shape.node, 0, f"shapes[{plan.shape.name}]")
    alloc = {
        r: a if r == PODS or headroom_percent == 100 else a * headroom_percent // 100
        for r, a in template.allocatable.items()
    }
    template.allocatable = alloc
    _admit_zoned(plan, template, zones, cluster.cfg.filter_config)
    resources = plan.problem.resources
    pods = tuple(
        (pod if k == 0 else pod.replica(f"{pod.name}-{k}"), name)
        for (pod, count), name in zip(zones.runs, zones.run_names, strict=True)
        if name not in plan.unplaceable
        for k in range(count)
    )
    first: dict[str, PodInfo] = {}
    counts: dict[str, int] = {}
    for pod, name in pods:
        first.setdefault(name, pod)
        counts[name] = counts.get(name, 0) + 1
    place = ZonePlacement(
        plan.shape.name,
        template,
        resources,
        pods,
    )
    start = plan.packing.node_count
    plan.packing = zone_packing(
        cluster,
        zones.existing,
        place,
        start=start,
        zones=zones.zones,
        region=zones.region,
        max_nodes=max_nodes,
        deadline=deadline,
    )
    plan.zones = zones.zones
    plan.domain_bound = min_domains_bound(
        [(first[name], count) for name, count in counts.items()], zones.existing
    )
    if plan.exact_status is not None and plan.packing.node_count > start:
        plan.exact_status = "FEASIBLE"
    if max_nodes and plan.packing.node_count > max_nodes:
        plan.unplaceable["*"] = (
            f"needs {plan.packing.node_count} nodes, more than maxNodes {max_nodes}"
        )
    else:
        plan.unplaceable.pop("*", None)


def _admit_zoned(plan: ShapePlan, template: NodeInfo, zones: ZoneInput, fcfg: FilterConfig) -> None:
    """Drop from ``plan.unplaceable`` the groups whose exemplar fails the node-level
    filters on the bare shape but passes them on a new node of the shape in one of the
    zones (labels as :func:`~podfit.planning.zones.new_node_labels` gives them).
    O(groups × zones) filter runs."""
    first: dict[str, PodInfo] = {}
    for (pod, _), name in zip(zones.runs, zones.run_names, strict=True):
        first.setdefault(name, pod)
    variants = [
        NodeInfo(
            template.name,
            template.allocatable,
            labels=new_node_labels(
                template.labels, f"{plan.shape.name}-{k + 1}", zone, zones.region
            ),
            taints=template.taints,
            unschedulable=template.unschedulable,
        )
        for k, zone in enumerate(zones.zones)
    ]
    for name in [g for g in plan.unplaceable if g in first]:
        pod = first[name]
        if static_filters(pod, template, fcfg) is not None and any(
            static_filters(pod, v, fcfg) is None for v in variants
        ):
            del plan.unplaceable[name]


def _cheapest_mix(plan: NodesPlan) -> None:
    """Re-home each node of the cheapest complete plan on the cheapest shape that holds it."""
    priced = [p for p in plan.plans if p.shape.price is not None]
    if len(priced) < 2 or len(priced) != len(plan.plans):
        return
    best = plan.best()
    if best is None:
        return
    by_group = {g.name: g for g in best.problem.groups}
    counts: dict[str, int] = {}
    total = Fraction(0)
    for node in best.packing.nodes:
        choice = best
        for other in sorted(priced, key=lambda p: (p.shape.price, p.shape.name)):
            if other.shape.price is None or best.shape.price is None:
                continue
            if other.shape.price >= (choice.shape.price or 0):
                break
            if _holds(other, [(by_group[name], c) for name, c in node.pods]):
                choice = other
                break
        counts[choice.shape.name] = counts.get(choice.shape.name, 0) + 1
        total += choice.shape.price or Fraction(0)
    plan.mix = sorted(counts.items())
    plan.mix_cost = total


def _holds(plan: ShapePlan, pods: Sequence[tuple[PodGroup, int]]) -> bool:
    """Whether a fresh node of ``plan``'s shape takes all ``pods`` (same fit rule)."""
    own = {g.name: g for g in plan.problem.groups}
    free = list(plan.problem.template.fresh_free())
    ports = list(plan.problem.template.reserved_ports)
    for group, count in pods:
        mine = own.get(group.name)
        if mine is None or binpack.copies_that_fit(free, ports, mine, count) < count:
            return False
        for d, r in enumerate(mine.requests):
            free[d] -= r * count
        ports.extend(mine.host_ports * count)
    return True


def _fill_limit_reason(
    resources: Sequence[str],
    requests: Sequence[int],
    room: Sequence[int],
    full: Sequence[int],
    headroom_percent: int,
) -> str:
    """Why a pod group that fits an empty node of a shape does not fit it under the fill
    limit: each resource whose request is over the limit's ``room``, with the node's
    ``full`` free room (both after the DaemonSet pods), in :mod:`podfit.units`' words."""
    parts = [
        f"{r} request {human(r, need)} is over the {headroom_percent}% fill limit "
        f"(it allows {human(r, free)} of the {human(r, whole)} free)"
        for r, need, free, whole in zip(resources, requests, room, full, strict=True)
        if need > free
    ]
    return f"does not fit an empty node: {', '.join(parts)}"
