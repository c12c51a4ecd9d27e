"""What if nodes go away? Drain named nodes, lose any one node, or lose a zone.

1. The cluster is scheduled as ``podfit.schedule`` would (running pods stay where they
   are; the rest are placed).
2. For each scenario the removed nodes are drained with ``kubectl drain`` semantics,
   the rule ``podfit check`` applies too (:mod:`podfit.planning.drain`): every other
   placed pod — DaemonSet pods included — stays bound where it is; on the removed
   nodes, DaemonSet and static (mirror) pods go with their node, terminating pods are
   not recreated, bare pods (no owner) are deleted and **lost** (``lost``), and the
   controller-owned pods are recreated and scheduled again on the remaining nodes
   through the same scheduling cycle, in priority then input order.
   PodTopologySpread and InterPodAffinity decide as in ``podfit.schedule`` (the
   workload's Services, controllers and Namespaces reach the scheduler the same way);
   preemption is off: an evicted pod never evicts another.
3. Evicted pods that find no node become Pending, with their FailedScheduling message.
   The nodes needed to absorb them are planned like ``nodes_needed`` (default shape: a
   copy of the first removed node, labels and taints included; DaemonSets included).
   With ``zones`` the new nodes get those zones round-robin and the plan is the
   scheduler's run on them beside the remaining nodes as the scenario left them
   (:mod:`podfit.planning.zones`, as ``plan nodes --zones``): zone spreading and
   affinity decide where the evicted pods go.
4. A PodDisruptionBudget of the input that the drain would violate is reported
   (``disruptionBudgets``, :func:`podfit.planning.drain.budget_violation`).

``lose_any_one`` runs one scenario per node and names the worst (most Pending pods,
then most nodes needed, then input order).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import ConfigError
from podfit.manifests import objects
from podfit.manifests.apivalidation import label_key_error
from podfit.nodes import Node
from podfit.planning.cluster import Cluster, replica
from podfit.planning.drain import (
    Budget,
    Drained,
    budget_findings,
    drain_pods,
    healthy_counts,
)
from podfit.planning.nodes_needed import (
    NodeShape,
    ShapePlan,
    ZoneInput,
    packer_warnings,
    plan_shapes,
    run_groups,
)
from podfit.planning.report import envelope
from podfit.planning.zones import check_zones
from podfit.pods import Pod
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.model import PodInfo
from podfit.scheduler.result import PENDING, ScheduleResult

__all__ = ["DEFAULT_ZONE_LABEL", "DrainReport", "Scenario", "what_if"]

DEFAULT_ZONE_LABEL = "topology.kubernetes.io/zone"


@dataclass(slots=True)
class Scenario:
    """One what-if: the removed nodes, the pods evicted, those left Pending, nodes needed."""

    name: str
    removed: list[str]
    evicted: int
    rescheduled: dict[str, str]  # "namespace/name" -> new node
    pending: list[dict[str, Any]]
    plan: ShapePlan | None
    lost: list[dict[str, Any]] = field(default_factory=list)
    """The bare pods the drain deletes: ``PodLost`` entries (``pod``, ``node``,
    ``message``)."""
    budgets: list[dict[str, Any]] = field(default_factory=list)
    """The PodDisruptionBudgets the drain would violate (``pdb``, ``message``)."""

    def to_dict(self) -> dict[str, Any]:
        plan = None
        if self.plan is not None:
            plan = {
                "shape": self.plan.shape.name,
                "nodes": self.plan.nodes,
                "lowerBound": self.plan.lower_bound,
                "complete": self.plan.complete,
                "unplaceable": dict(sorted(self.plan.unplaceable.items())),
            }
            if self.plan.zones:  # the scheduler's run on zoned nodes: say where they go
                shape_doc = self.plan.to_dict()
                plan["zones"] = list(self.plan.zones)
                plan["placement"] = shape_doc["placement"]
                plan["unplaced"] = shape_doc["unplaced"]
                if "notes" in shape_doc:
                    plan["notes"] = shape_doc["notes"]
        out: dict[str, Any] = {
            "name": self.name,
            "removedNodes": self.removed,
            "evicted": self.evicted,
            "rescheduled": len(self.rescheduled),
            "pending": self.pending,
            "movedTo": dict(sorted(self.rescheduled.items())),
            "nodesNeeded": plan,
        }
        # present only when there is something to say: reports of inputs without bare
        # pods on the removed nodes and without violated budgets keep their bytes
        if self.lost:
            out["lost"] = self.lost
        if self.budgets:
            out["disruptionBudgets"] = self.budgets
        return out


@dataclass(slots=True)
class DrainReport:
    """The answer of ``what_if`` (``to_dict`` is the versioned DrainReport document)."""

    kubernetes_version: str
    strategy: str
    already_pending: int
    scenarios: list[Scenario]
    warnings: list[str] = field(default_factory=list)
    """What the report does not account for, each once (the callers add the loader's)."""

    def worst(self) -> Scenario | None:
        if not self.scenarios:
            return None
        return max(
            enumerate(self.scenarios),
            key=lambda it: (len(it[1].pending), it[1].plan.nodes if it[1].plan else 0, -it[0]),
        )[1]

    def to_dict(self) -> dict[str, Any]:
        worst = self.worst()
        return envelope(
            "DrainReport",
            {
                "kubernetesVersion": self.kubernetes_version,
                "strategy": self.strategy,
                "summary": {
                    "scenarios": len(self.scenarios),
                    "alreadyPending": self.already_pending,
                    "worst": None
                    if worst is None
                    else {
                        "name": worst.name,
                        "pending": len(worst.pending),
                        "nodesNeeded": worst.plan.nodes if worst.plan else 0,
                    },
                },
                "scenarios": [s.to_dict() for s in self.scenarios],
                "warnings": list(self.warnings),
            },
        )


def _bound_copy(info: PodInfo, node: str) -> PodInfo:
    """``info`` as a pod already running on ``node`` (kept in place by the scenario)."""
    return info.respawn(node_name=node, phase="Running")


def what_if(
    pods: Sequence[Pod],
    nodes: Sequence[Node],
    *,
    daemonsets: Sequence[Pod] = (),
    drain: Sequence[str] = (),
    lose_zone: str | None = None,
    zone_label: str = DEFAULT_ZONE_LABEL,
    lose_any_one: bool = False,
    shape: NodeShape | None = None,
    algorithm: str = "podfit",
    config: SchedulerConfig | None = None,
    progress: Callable[[int], None] | None = None,
    services: Iterable[objects.Service] = (),
    namespaces: Iterable[objects.Namespace] = (),
    controllers: Iterable[objects.Controller] = (),
    disruption_budgets: Iterable[objects.PodDisruptionBudget] = (),
    deadline: Deadline = NO_DEADLINE,
    zones: Sequence[str] = (),
) -> DrainReport:
    """Run the requested scenarios (module doc); at least one of drain/lose_zone/lose_any_one.

    ``deadline`` is checked inside every scheduling run (the baseline, each scenario's
    reschedule), before each scenario and inside its node plan's packer.
    ``services`` … ``disruption_budgets`` are the workload's objects, as
    :func:`podfit.schedule` takes them; ``disruption_budgets`` also decide the
    ``disruptionBudgets`` findings. ``zones`` (validated as ``plan nodes`` validates them:
    non-empty label values, none twice) are the zones of the new nodes (module doc)."""
    zones = check_zones(zones)
    names = [n.name for n in nodes]
    unknown = [d for d in drain if d not in names]
    if unknown:
        raise ConfigError(f"unknown node(s) {', '.join(unknown)} (not in the input)", "drain")
    scenarios: list[tuple[str, list[str]]] = []
    if drain:
        scenarios.append((f"drain {', '.join(drain)}", list(dict.fromkeys(drain))))
    if lose_zone is not None:
        if (bad_key := label_key_error(zone_label)) is not None:
            raise ConfigError(bad_key, "zoneLabel")  # not "no node has label ...": the key
        zone_nodes = [n.name for n in nodes if n.labels.get(zone_label) == lose_zone]
        if not zone_nodes:
            raise ConfigError(f'no node has label {zone_label}="{lose_zone}"', "loseZone")
        scenarios.append((f"lose zone {lose_zone}", zone_nodes))
    if lose_any_one:
        scenarios.extend((f"lose {n}", [n]) for n in names)
    if not scenarios:
        raise ConfigError("choose nodes to drain, a zone to lose, or lose-any-one", "scenario")
    budgets = list(disruption_budgets)
    cluster = Cluster(
        pods,
        nodes,
        daemonsets,
        config,
        services=services,
        namespaces=namespaces,
        controllers=controllers,
        disruption_budgets=budgets,
        deadline=deadline,
    )
    baseline = cluster.run()
    terminating = {p.key for p in pods if p.terminating}
    applied = [Budget.of(pdb, pods) for pdb in budgets]
    healthy = healthy_counts(applied, baseline.pods, terminating)
    by_name = {n.name: n for n in nodes}
    out: list[Scenario] = []
    warnings: dict[str, None] = {}
    for done, (label, removed) in enumerate(scenarios, start=1):
        deadline.check(f"scenario {label}")
        after, drained = _without(cluster, baseline, set(removed), terminating)
        evicted_ids = {id(p) for p in drained.evicted}
        pending_infos = [
            o.pod for o in after.pods if id(o.pod) in evicted_ids and o.phase == PENDING
        ]
        moved = {
            f"{o.pod.namespace}/{o.pod.name}": o.node
            for o in after.pods
            if id(o.pod) in evicted_ids and o.node is not None and o.scheduled
        }
        pending = [
            {
                "namespace": o.pod.namespace,
                "name": o.pod.name,
                "owner": o.pod.owner,
                "message": o.condition[2] if o.condition else o.message,
            }
            for o in after.pods
            if id(o.pod) in evicted_ids and o.phase == PENDING
        ]
        plan = None
        if pending_infos:
            target = shape or NodeShape(removed[0], by_name[removed[0]])
            runs = [(p, 1) for p in pending_infos]
            groups, run_names = run_groups(runs)
            zoned = ZoneInput(zones, None, runs, run_names, after.nodes) if zones else None
            plan = plan_shapes(
                cluster, groups, [target], algorithm=algorithm, deadline=deadline, zones=zoned
            )[0]
            # with zones the scheduler places on the new nodes too: nothing to warn
            for w in () if zones else packer_warnings(cluster, groups):
                warnings.setdefault(w)
        unrecovered = {f"{p.namespace}/{p.name}" for p in pending_infos}
        unrecovered.update(lost["pod"] for lost in drained.lost)
        findings = budget_findings(applied, healthy, drained.drained, unrecovered)
        out.append(
            Scenario(
                label,
                removed,
                len(drained.drained),
                moved,
                pending,
                plan,
                drained.lost,
                [{"pdb": f["pdb"], "message": f["message"]} for f in findings],
            )
        )
        if progress is not None:
            progress(done)
    return DrainReport(
        cluster.cfg.version,
        cluster.cfg.strategy,
        len(baseline.pending),
        out,
        list(warnings),
    )


def _without(
    cluster: Cluster, baseline: ScheduleResult, removed: set[str], terminating: set[str]
) -> tuple[ScheduleResult, Drained]:
    """Re-run the cluster without ``removed`` nodes from scratch; returns the run and what
    the drain did to the removed nodes' pods (:func:`podfit.planning.drain.drain_pods`,
    in base order)."""
    kept: list[PodInfo] = []
    on_removed: list[tuple[str, PodInfo]] = []
    for outcome in baseline.pods:
        pod = outcome.pod
        if outcome.counted and outcome.node is not None:
            if outcome.node in removed:
                on_removed.append((outcome.node, pod))
            else:
                kept.append(_bound_copy(pod, outcome.node))
        elif outcome.phase == PENDING and pod.daemonset is None:
            kept.append(replica(pod, pod.name))  # still waiting for a node
    drained = drain_pods(on_removed, terminating)
    remaining = [n for n in cluster.nodes if n.name not in removed]
    infos = cluster.node_infos(remaining)
    after = cluster.schedule([*kept, *drained.evicted], infos)
    return after, drained
