"""Consolidation: which nodes can go (their pods rescheduled on the rest), or be replaced
by a cheaper node, as Karpenter's consolidation decides — and where every pod goes.

1. The cluster as it runs: ``podfit.schedule`` of the input (pods already bound stay on
   their node; new pods are placed by the scheduler). Pods left Pending stay so and are
   reported; a consolidation must not leave any other pod Pending.
2. Each node has a price per hour: that of the ``-s`` shape of its instance type
   (``node.kubernetes.io/instance-type``, a preset's type or a custom shape's name), else
   the bundled list price of that type in ``region``.
3. Candidates, cheapest to disrupt first (fewest pods to evict, then the most expensive
   node, then name — Karpenter sorts by disruption cost): a node whose pods cannot all
   be evicted is kept, saying which pod blocks and why (below). Then, as Karpenter's
   multi-node consolidation, the longest prefix of the other candidates that can go
   together; then, as its single-node consolidation, each remaining candidate. A set of
   nodes goes when scheduling their evicted pods (with those of the nodes already
   removed) onto the remaining and added nodes leaves no new pod Pending (*delete*), or
   when one new node of the cheapest shape that is cheaper than the set makes that true
   (*replace*); otherwise a node is kept ("its pods need it"). With ``zones`` a new node
   is tried in each zone in the order given (``topology.kubernetes.io/zone``, and the
   pricing region as ``topology.kubernetes.io/region`` when the shape has none), the
   first zone that works wins, so zone spreading and affinity decide where it goes.
4. The answer: nodes removed (drain order = decision order) and added, every evicted
   pod's destination, the cost per hour before and after. Replacement nodes are added
   first, then nodes are drained in order, so each drain evicts only its own pods.

A pod blocks its node's removal (the rules of cluster-autoscaler's drain simulation,
``utils/drain/drain.go``, unless the pod is annotated
``cluster-autoscaler.kubernetes.io/safe-to-evict: "true"``; plus Karpenter's
``karpenter.sh/do-not-disrupt: "true"``):

* not replicated: no controlling owner (a bare pod) — its controller would not recreate it;
* local storage: an ``emptyDir`` or ``hostPath`` volume;
* ``cluster-autoscaler.kubernetes.io/safe-to-evict: "false"``;
* a ``kube-system`` pod that no PodDisruptionBudget selects;
* its PodDisruptionBudget allows fewer disruptions than the node's pods it selects.

DaemonSet pods and mirror (static, ``Node/`` owner) pods never block: they go with the
node; terminal pods are ignored. A PodDisruptionBudget's allowed disruptions is its
``status.disruptionsAllowed`` when given, else computed as the disruption controller
does (:mod:`podfit.disruption`) from the pods it selects here and their controllers'
replicas (healthy = those running); one that sets neither field allows no disruption.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.disruption import (
    controller_key,
    controller_scales,
    disruptions_allowed,
    expected_and_desired,
)
from podfit.errors import ConfigError
from podfit.manifests.objects import PodDisruptionBudget
from podfit.manifests.workload import Workload
from podfit.nodes import Node
from podfit.planning.catalog import bundled_catalog
from podfit.planning.nodes_needed import NodeShape, _price_text
from podfit.planning.report import envelope
from podfit.planning.zones import ZONE_LABEL, check_zones, new_node_labels
from podfit.pods import Pod
from podfit.scheduler import schedule
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.result import PENDING, ScheduleResult

__all__ = [
    "CONSOLIDATE_PHASE",
    "SAFE_TO_EVICT",
    "ConsolidationPlan",
    "PodFacts",
    "consolidate",
    "node_price",
    "pod_facts",
]

CONSOLIDATE_PHASE = "consolidating"
"""The phase :func:`consolidate` names when its deadline stops it between candidates."""
SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict"
DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
_POD_TEMPLATES = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


@dataclass(frozen=True, slots=True)
class PodFacts:
    """What the manifest loader does not keep and a drain needs: a pod's annotations, its
    local volumes (``emptyDir`` / ``hostPath``) and whether it has a controlling owner
    (None: made by a workload of the input, so it has one)."""

    annotations: Mapping[str, str] = field(default_factory=dict)
    local_volumes: tuple[str, ...] = ()
    controller: bool | None = None


def _dig(obj: Any, path: Sequence[str]) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, Mapping) else None
    return obj


def _facts_of(template: Any, controller: bool | None) -> PodFacts:
    meta = _dig(template, ("metadata",))
    annotations = _dig(meta, ("annotations",))
    volumes = _dig(template, ("spec", "volumes"))
    local = tuple(
        str(v.get("name", ""))
        for v in (volumes if isinstance(volumes, list) else ())
        if isinstance(v, Mapping) and ("emptyDir" in v or "hostPath" in v)
    )
    return PodFacts(
        {str(k): str(v) for k, v in annotations.items()}
        if isinstance(annotations, Mapping)
        else {},
        local,
        controller,
    )


def _objects(docs: Iterable[Any]) -> Iterable[Mapping[str, Any]]:
    for doc in docs:
        if isinstance(doc, Mapping):
            if isinstance(doc.get("items"), list) and str(doc.get("kind", "")).endswith("List"):
                yield from _objects(doc["items"])
            else:
                yield doc


def pod_facts(docs: Iterable[Any]) -> dict[tuple[str, str, str], PodFacts]:
    """Annotations, local volumes and controller of each Pod (key ``("Pod", namespace,
    name)``) and each workload's pod template (key ``("owner", namespace, "Kind/name")``,
    the ``owner`` its pods carry) in decoded manifest documents (``List`` items too)."""
    out: dict[tuple[str, str, str], PodFacts] = {}
    for obj in _objects(docs):
        kind = obj.get("kind")
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), Mapping) else {}
        assert isinstance(meta, Mapping)
        namespace = str(meta.get("namespace") or "default")
        name = str(meta.get("name") or "")
        if kind == "Pod":
            refs = meta.get("ownerReferences")
            controller = isinstance(refs, list) and any(
                isinstance(r, Mapping) and r.get("controller") is True for r in refs
            )
            out["Pod", namespace, name] = _facts_of(obj, controller)
        elif isinstance(kind, str) and kind in _POD_TEMPLATES:
            template = _dig(obj, _POD_TEMPLATES[kind])
            out["owner", namespace, f"{kind}/{name}"] = _facts_of(template, None)
    return out


# ------------------------------------------------------------------------------ pricing


def _instance_type(node: Node) -> str | None:
    for label in INSTANCE_TYPE_LABELS:
        if label in node.labels:
            return node.labels[label]
    return None


def node_price(
    node: Node, shapes: Sequence[NodeShape], region: str | None
) -> tuple[Fraction, str] | None:
    """(price per hour, where it came from) of an existing node: the ``shapes`` entry of
    its instance type (a preset's type or a custom shape's name), else the bundled list
    price of a preset of that type in ``region``; None when neither knows it."""
    kind = _instance_type(node)
    if kind is None:
        return None
    for shape in shapes:
        if shape.price is not None and kind in (shape.name, _instance_type(shape.node)):
            return shape.price, shape.name
    if region is not None:
        catalog = bundled_catalog()
        for (name, where), row in sorted(catalog.rows.items()):
            if where == region and name.split("/", 1)[-1] == kind:
                return row.price, f"{name} list price in {region}"
    return None


# --------------------------------------------------------------------------- eviction


def _allowed(pdb: PodDisruptionBudget, selected: int, scale: int, healthy: int) -> int:
    """Disruptions ``pdb`` allows now, from its status or, as the disruption controller
    computes it, from its spec (:mod:`podfit.disruption`): ``selected`` pods, their
    controllers' ``scale``, ``healthy`` of them running."""
    if pdb.disruptions_allowed is not None:
        return max(0, pdb.disruptions_allowed)
    expected, desired = expected_and_desired(
        pdb.min_available, pdb.max_unavailable, selected, scale
    )
    return disruptions_allowed(healthy, desired, expected)


def _facts(pod: Pod, facts: Mapping[tuple[str, str, str], PodFacts]) -> PodFacts:
    found = facts.get(("Pod", pod.namespace, pod.name))
    if found is None and pod.owner is not None:
        found = facts.get(("owner", pod.namespace, pod.owner))
    return found or PodFacts(controller=None)


def blocking_reason(pod: Pod, facts: PodFacts, pdbs: Sequence[PodDisruptionBudget]) -> str | None:
    """Why ``pod`` cannot be evicted for a consolidation, or None (module doc; the PDB
    budget is checked per node by the caller)."""
    if facts.annotations.get(DO_NOT_DISRUPT) == "true":
        return f'annotated {DO_NOT_DISRUPT}: "true"'
    if facts.annotations.get(SAFE_TO_EVICT) == "true":
        return None
    replicated = pod.owner is not None if facts.controller is None else facts.controller
    if not replicated:
        return "not replicated: no controller would recreate it (a bare pod)"
    if pod.namespace == "kube-system" and not any(
        p.selects(pod.labels, pod.namespace) for p in pdbs
    ):
        return "a kube-system pod that no PodDisruptionBudget selects"
    if facts.local_volumes:
        return f"local storage (emptyDir/hostPath volume {', '.join(facts.local_volumes)})"
    if facts.annotations.get(SAFE_TO_EVICT) == "false":
        return f'annotated {SAFE_TO_EVICT}: "false"'
    return None


# ------------------------------------------------------------------------------ result


@dataclass(frozen=True, slots=True)
class Move:
    pod: str
    source: str
    target: str


@dataclass(slots=True)
class ConsolidationPlan:
    """The answer of :func:`consolidate` (``to_dict``: the ConsolidationPlan document)."""

    removed: list[tuple[str, str, Fraction]]  # node, action (delete/replace), price
    added: list[tuple[Node, str, Fraction]]  # new node, its shape, price
    moves: list[Move]
    before: Fraction
    after: Fraction
    kept: list[tuple[str, list[str]]]  # node, reasons
    pending_before: list[str]
    result: ScheduleResult | None = None
    warnings: list[str] = field(default_factory=list)
    zoned: bool = False

    def _zones(self) -> dict[str, Any]:
        """``addedNodeZones`` (new node → zone) when the plan was made with zones."""
        if not self.zoned:
            return {}
        return {"addedNodeZones": {n.name: n.labels.get(ZONE_LABEL) for n, _, _ in self.added}}

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for _, shape, _ in self.added:
            counts[shape] = counts.get(shape, 0) + 1
        return envelope(
            "ConsolidationPlan",
            {
                "removeNodes": [
                    {"name": n, "action": a, "pricePerHour": _price_text(p)}
                    for n, a, p in self.removed
                ],
                "addNodes": [{"shape": s, "count": c} for s, c in counts.items()],
                "addedNodeNames": [n.name for n, _, _ in self.added],
                **self._zones(),
                "moves": [{"pod": m.pod, "from": m.source, "to": m.target} for m in self.moves],
                "costPerHour": {
                    "before": _price_text(self.before),
                    "after": _price_text(self.after),
                },
                "drainOrder": [n for n, _, _ in self.removed],
                "kept": [{"node": n, "reasons": r} for n, r in self.kept],
                "pendingBefore": self.pending_before,
                "warnings": list(self.warnings),
            },
        )


# ------------------------------------------------------------------------------- engine


def _placed(result: ScheduleResult, pods: Sequence[Pod]) -> list[str | None]:
    """The node of each input pod (None when Pending or not counted)."""
    offset = len(result.pods) - len(pods)
    return [o.node if o.counted else None for o in result.pods[offset:]]


@dataclass(slots=True)
class _Cluster:
    pods: list[Pod]
    where: list[str | None]  # each pod's node as the cluster runs
    nodes: list[Node]
    daemonsets: list[Pod]
    options: dict[str, Any]
    deadline: Deadline = NO_DEADLINE

    def run(self, removed: set[str], added: Sequence[Node]) -> tuple[list[Pod], ScheduleResult]:
        """The pods with those of ``removed`` nodes evicted (unbound, DaemonSet and mirror
        pods dropped), scheduled on the other nodes plus ``added``; the deadline is
        checked before (phase :data:`CONSOLIDATE_PHASE`) and inside the scheduling run."""
        self.deadline.check(CONSOLIDATE_PHASE)
        pods: list[Pod] = []
        for pod, node in zip(self.pods, self.where, strict=True):
            if node is None:
                pods.append(pod)
            elif node in removed:
                if pod.daemonset is None and not (pod.owner or "").startswith(
                    ("DaemonSet/", "Node/")
                ):
                    pods.append(replace(pod, node_name=None, phase=None))
            else:
                pods.append(replace(pod, node_name=node, phase=pod.phase or "Running"))
        nodes = [n for n in self.nodes if n.name not in removed] + list(added)
        result = schedule(
            pods, nodes, daemonsets=self.daemonsets, deadline=self.deadline, **self.options
        )
        return pods, result


def _pending(pods: Sequence[Pod], result: ScheduleResult) -> set[tuple[str, str]]:
    offset = len(result.pods) - len(pods)
    return {
        (o.pod.namespace, o.pod.name)
        for o in result.pods[offset:]
        if o.phase == PENDING and not o.counted
    }


def consolidate(
    workload: Workload,
    shapes: Sequence[NodeShape],
    facts: Mapping[tuple[str, str, str], PodFacts],
    *,
    region: str | None = None,
    config: SchedulerConfig | None = None,
    zones: Sequence[str] = (),
    deadline: Deadline = NO_DEADLINE,
) -> ConsolidationPlan:
    """Nodes to remove or replace and every evicted pod's destination (module doc).

    ``shapes`` price the existing nodes by instance type and are the replacement
    candidates (each needs a price); ``config`` is the scheduler configuration of every
    scheduling run (default profile when None); ``zones`` (checked as
    :func:`~podfit.planning.zones.check_zones` does) are the zones a new node may go to.
    Raises ``ConfigError`` naming a node without a price.
    Cost: one scheduling run of the cluster per candidate node (two or more when it is
    tried for replacement). ``deadline`` is checked before every scheduling run (phase
    :data:`CONSOLIDATE_PHASE`) and inside each (``scheduling``, every 256 pods); the default never
    expires.
    """
    opts: dict[str, Any] = {"config": config} if config is not None else {}
    zones = check_zones(zones)
    if not workload.nodes:
        raise ConfigError("the cluster holds no node to consolidate", "nodes")
    priced = [s for s in shapes if s.price is not None]
    prices: dict[str, Fraction] = {}
    for i, node in enumerate(workload.nodes):
        found = node_price(node, priced, region)
        if found is None:
            kind = _instance_type(node) or "not labelled"
            raise ConfigError(
                f"no price for node {node.name} (instance type {kind}): "
                "give -s TYPE@PRICE or a region",
                f"nodes[{i}]",
            )
        prices[node.name] = found[0]
    deadline.check(CONSOLIDATE_PHASE)
    start = schedule(
        workload.pods,
        workload.nodes,
        daemonsets=workload.daemonsets,
        deadline=deadline,
        **opts,
    )
    cluster = _Cluster(
        list(workload.pods),
        _placed(start, workload.pods),
        list(workload.nodes),
        list(workload.daemonsets),
        opts,
        deadline,
    )
    pending_before = _pending(workload.pods, start)
    pdbs = list(workload.disruption_budgets)
    running = [p for p, at in zip(cluster.pods, cluster.where, strict=True) if at is not None]
    budget: dict[int, int] = {}
    scales = controller_scales(
        (p.namespace, p.owner) for p in workload.pods if not p.is_terminal and not p.terminating
    )
    for k, pdb in enumerate(pdbs):
        selected = [
            p for p in workload.pods if pdb.selects(p.labels, p.namespace) and not p.is_terminal
        ]
        owners = {controller_key(p.namespace, p.owner) for p in selected} - {None}
        scale = sum(scales[o] for o in owners if o is not None)
        healthy = sum(1 for p in running if pdb.selects(p.labels, p.namespace))
        budget[k] = _allowed(pdb, len(selected), scale, healthy)

    on_node: dict[str, list[Pod]] = {n.name: [] for n in workload.nodes}
    for pod, at in zip(cluster.pods, cluster.where, strict=True):
        if at is not None and at in on_node and not pod.is_terminal:
            on_node[at].append(pod)

    def evicted(node: str) -> list[Pod]:
        return [
            p
            for p in on_node[node]
            if p.daemonset is None and not (p.owner or "").startswith(("DaemonSet/", "Node/"))
        ]

    order = sorted(workload.nodes, key=lambda n: (len(evicted(n.name)), -prices[n.name], n.name))
    removed: list[tuple[str, str, Fraction]] = []
    added: list[tuple[Node, str, Fraction]] = []
    kept: list[tuple[str, list[str]]] = []
    replacements = sorted(priced, key=lambda s: (s.price, s.name))

    def blockers(node: Node) -> list[str]:
        pods = evicted(node.name)
        reasons = []
        for pod in pods:
            why = blocking_reason(pod, _facts(pod, facts), pdbs)
            if why:
                reasons.append(f"{pod.key}: {why}")
        for k, pdb in enumerate(pdbs):
            limit = budget[k]
            hit = [p for p in pods if pdb.selects(p.labels, p.namespace)]
            if len(hit) > limit:
                reasons.append(
                    f"PodDisruptionBudget {pdb.namespace}/{pdb.name} allows {limit} "
                    f"disruption(s); the node has {len(hit)} of its pods"
                )
        return reasons

    def attempt(group: Sequence[Node]) -> bool:
        """Remove ``group`` (with the nodes already removed), adding at most one new node
        cheaper than the group; True (and recorded) when no new pod is left Pending."""
        gone = {n for n, _, _ in removed} | {n.name for n in group}
        extra = [n for n, _, _ in added]
        sim_pods, result = cluster.run(gone, extra)
        if _pending(sim_pods, result) <= pending_before:
            removed.extend((n.name, "delete", prices[n.name]) for n in group)
            return True
        total = sum((prices[n.name] for n in group), Fraction(0))
        for shape in replacements:
            if shape.price is None or shape.price >= total:
                break
            name = f"{shape.name.replace('/', '-')}-new-{len(added) + 1}"
            for labels in _new_labels(shape.node.labels, name, zones, region):
                new = replace(shape.node, name=name, labels=labels)
                sim_pods, result = cluster.run(gone, [*extra, new])
                if _pending(sim_pods, result) <= pending_before:
                    added.append((new, shape.name, shape.price))
                    removed.extend((n.name, "replace", prices[n.name]) for n in group)
                    return True
        return False

    movable = []
    for node in order:
        reasons = blockers(node)
        if reasons:
            kept.append((node.name, reasons))
        else:
            movable.append(node)
    # multi-node consolidation first: the longest prefix of the candidates that can go
    # together (deleted, or replaced by one cheaper node), then node by node
    for size in range(len(movable), 1, -1):
        if attempt(movable[:size]):
            movable = movable[size:]
            break
    for node in movable:
        if not attempt([node]):
            kept.append(
                (
                    node.name,
                    ["its pods need it: no other node, nor a cheaper new one, takes them all"],
                )
            )
    kept.sort(key=lambda k: [n.name for n in order].index(k[0]))

    gone = {n for n, _, _ in removed}
    final_pods, final = cluster.run(gone, [n for n, _, _ in added])
    where = _placed(final, final_pods)
    moves = [
        Move(pod.key, source, target or "Pending")
        for pod, source, target in zip(cluster.pods, cluster.where, where, strict=True)
        if source in gone
        and pod.daemonset is None
        and not (pod.owner or "").startswith(("DaemonSet/", "Node/"))
    ]
    before = sum(prices.values(), Fraction(0))
    after = sum((p for n, p in prices.items() if n not in gone), Fraction(0))
    after += sum((p for _, _, p in added), Fraction(0))
    return ConsolidationPlan(
        removed,
        added,
        moves,
        before,
        after,
        kept,
        sorted(f"{ns}/{name}" for ns, name in pending_before),
        final,
        list(final.warnings),
        zoned=bool(zones),
    )


def _new_labels(
    shape_labels: Mapping[str, str], name: str, zones: Sequence[str], region: str | None
) -> list[dict[str, str]]:
    """The labels a new node named ``name`` may get, in the order they are tried: the
    shape's with its hostname; with ``zones``, one set per zone (module doc)."""
    if not zones:
        return [{**shape_labels, "kubernetes.io/hostname": name}]
    return [new_node_labels(dict(shape_labels), name, zone, region) for zone in zones]
