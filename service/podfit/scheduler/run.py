"""One scheduling run over integer-level pods and nodes, in the order a cluster sees them.

1. Pods already bound in a live cluster (``node_name`` set, phase Running, Pending or
   Unknown, as ``kubectl get pods -o json`` shows them) are counted on their node as
   they are (even if that overcommits it; on a node missing from the input they are
   reported with reason ``NodeNotInInput`` and count nowhere). Pods in a terminal phase
   (Succeeded, Failed) are reported as given and count nowhere, like the scheduler's cache.
2. New pods that name their node (``spec.nodeName`` and no phase, e.g. static pods) never
   reach the scheduler: the kubelet admits them if they fit, else they end ``Failed``
   with reason ``OutOf<resource>`` (or the failing predicate) and the kubelet's message;
   a node that is not in the input leaves them Pending (no kubelet exists to admit them).
3. DaemonSet templates are expanded to one pod per eligible node (named
   ``<daemonset>-<node>``, with the DaemonSet default tolerations) and scheduled first;
   a node that already runs a pod of that DaemonSet (bound in the input) gets none.
4. The rest go through the queue in PrioritySort order: higher ``priority`` first, then
   input order.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from heapq import heappop, heappush
from operator import itemgetter
from typing import Any

from podfit.manifests.names import generated_name
from podfit.manifests.snapshot import TEMPLATE_HASH_LABEL
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.placement import (
    Decision,
    Engine,
    daemonset_pod_for,
    daemonset_should_run,
    daemonset_tolerations,
    kubelet_admit,
)
from podfit.scheduler.preemption import PREEMPTION_BY_SCHEDULER, PREEMPTION_MESSAGE, BudgetSpec
from podfit.scheduler.result import FAILED, PENDING, RUNNING, PodOutcome, ScheduleResult
from podfit.scheduler.shortfall import ShortfallTracker, node_shapes, shortfall
from podfit.topology import Namespaces

TERMINAL = ("Succeeded", "Failed")
SCHEDULED = ("True", None, None)
"""The PodScheduled condition of a pod on a node: status True, no reason, no message."""
_QUEUE_ORDER = itemgetter(0, 1)
"""PrioritySort: queue entries are (-priority, input order, pod); the pod is never compared."""
MAX_TRACKERS = 16
"""Shortfall trackers kept (least recently used dropped): each holds O(nodes) numbers."""
BOUND = ("Running", "Pending", "Unknown")
"""Phases of a pod already bound to a node in a live cluster: counted as it is."""


class DaemonSetTemplate:
    """A DaemonSet: its name and its pod template (``PodInfo``), plus hostNetwork."""

    __slots__ = ("host_network", "name", "template")

    def __init__(self, name: str, template: PodInfo, host_network: bool = False) -> None:
        self.name = name
        self.template = template
        self.host_network = host_network


def daemonset_of(pod: PodInfo) -> str | None:
    """The DaemonSet that owns ``pod`` (``owner: DaemonSet/<name>``), if any."""
    if pod.daemonset:
        return pod.daemonset
    if pod.owner and pod.owner.startswith("DaemonSet/"):
        return pod.owner.split("/", 1)[1]
    return None


def expand_daemonsets(
    daemonsets: Sequence[DaemonSetTemplate],
    nodes: Sequence[NodeInfo],
    existing: frozenset[tuple[str, str, str]] = frozenset(),
) -> list[PodInfo]:
    """One pod per (DaemonSet, eligible node), DaemonSets in order, nodes in input order.

    ``existing`` holds (namespace, DaemonSet, node) of DaemonSet pods already bound in the
    input (``kubectl get pods`` output): the controller creates no second pod there.
    """
    out: list[PodInfo] = []
    for ds in daemonsets:
        base = ds.template
        tolerant = base.respawn(
            owner=base.owner or f"DaemonSet/{ds.name}",
            tolerations=daemonset_tolerations(base.tolerations, ds.host_network),
            daemonset=ds.name,
            node_name=None,
            phase=None,
        )
        for node in nodes:
            if (base.namespace, ds.name, node.name) in existing:
                continue
            if daemonset_should_run(tolerant, node):
                out.append(daemonset_pod_for(tolerant, f"{ds.name}-{node.name}", node))
    return out


def _explain(engine: Engine, decision: Decision) -> dict[str, Any]:
    ev = decision.evaluation
    assert ev is not None
    names = [n.name for n in engine.nodes]
    return {
        "filters": {names[i]: list(st.reasons) for i, st in sorted(ev.statuses.items())},
        "scores": {names[i]: s for i, s in ev.scores.items()},
        "ties": [names[i] for i in ev.ties],
    }


def schedule_infos(
    pods: Sequence[PodInfo],
    nodes: Sequence[NodeInfo],
    cfg: SchedulerConfig,
    *,
    daemonsets: Sequence[DaemonSetTemplate] = (),
    explain: bool = False,
    with_shortfall: bool = True,
    track: bool = True,
    namespaces: Namespaces | None = None,
    budgets: Sequence[BudgetSpec] = (),
) -> ScheduleResult:
    """Place ``pods`` on ``nodes`` (mutated: pods are added to them) and report every pod.

    Outcomes are listed DaemonSet pods first (DaemonSet order, then node order), then the
    input pods in input order. ``track`` False computes every shortfall from scratch
    instead of keeping a :class:`ShortfallTracker` per template (same results; tests).
    """
    engine = Engine(nodes, cfg, namespaces=namespaces, budgets=budgets)
    by_name = engine.by_name
    outcomes: dict[int, PodOutcome] = {}
    queue: list[tuple[int, int, PodInfo]] = []
    named: list[tuple[int, PodInfo]] = []
    for seq, pod in enumerate(pods):
        if pod.phase in TERMINAL:
            outcomes[id(pod)] = PodOutcome(pod, pod.node_name, pod.phase)
        elif pod.node_name and pod.phase in BOUND:
            if pod.node_name in by_name:
                engine.bind(pod, by_name[pod.node_name])
                outcomes[id(pod)] = PodOutcome(
                    pod, pod.node_name, pod.phase, condition=SCHEDULED, counted=True
                )
            else:
                outcomes[id(pod)] = PodOutcome(
                    pod,
                    pod.node_name,
                    pod.phase,
                    reason="NodeNotInInput",
                    message=f'node "{pod.node_name}" is not in the input: pod not counted',
                    condition=SCHEDULED,
                )
        elif pod.node_name:
            named.append((seq, pod))
        else:
            queue.append((-pod.priority, seq, pod))
    for _, pod in named:
        assert pod.node_name is not None
        i = by_name.get(pod.node_name)
        if i is None:
            outcomes[id(pod)] = PodOutcome(
                pod,
                pod.node_name,
                PENDING,
                reason="NodeNotFound",
                message=f'node "{pod.node_name}" is not in the input: no kubelet admits this pod',
            )
            continue
        verdict = kubelet_admit(pod, engine.nodes[i], static=(pod.owner or "").startswith("Node/"))
        if verdict.admitted:
            engine.bind(pod, i)
            outcomes[id(pod)] = PodOutcome(
                pod,
                pod.node_name,
                RUNNING,
                condition=SCHEDULED,
                scheduled=True,
                counted=True,
            )
        else:
            outcomes[id(pod)] = PodOutcome(
                pod,
                pod.node_name,
                FAILED,
                reason=verdict.reason,
                message=verdict.message,
                condition=SCHEDULED,
            )
    existing = frozenset(
        (p.namespace, ds_name, p.node_name)
        for p in pods
        if p.node_name and p.phase in BOUND and (ds_name := daemonset_of(p)) is not None
    )
    ds_pods = expand_daemonsets(daemonsets, engine.nodes, existing)
    ds_queue = sorted(((-p.priority, k, p) for k, p in enumerate(ds_pods)), key=_QUEUE_ORDER)
    queue.sort(key=_QUEUE_ORDER)
    names = [n.name for n in engine.nodes]
    shortfall_cache: dict[tuple[object, ...], dict[str, Any]] = {}
    shapes: list[int] | None = None  # node shapes never change: computed once, when needed
    trackers: OrderedDict[tuple[object, ...], ShortfallTracker] = OrderedDict()
    evictions = Evictions(engine, outcomes, names, len(pods))
    replacements: list[tuple[int, int, PodInfo]] = []  # a heap, filled by evictions
    for pod in _queued(ds_queue, queue, replacements):
        decision = engine.schedule(pod, explain)
        exp = _explain(engine, decision) if explain else None
        if decision.node is None and decision.preemption is not None and cfg.preemption:
            i, victims = decision.preemption
            evictions.evict(pod, i, victims, replacements)
            if exp is not None:
                exp["preemption"] = {
                    "node": names[i],
                    "victims": [f"{v.namespace}/{v.name}" for v in victims],
                }
            if engine.fits_nominated(pod, i):  # evaluateNominatedNode: no scoring
                engine.bind(pod, i)
                outcomes[id(pod)] = PodOutcome(
                    pod,
                    names[i],
                    RUNNING,
                    condition=SCHEDULED,
                    explain=exp,
                    scheduled=True,
                    counted=True,
                    nominated_node=names[i],
                )
                continue
            decision = engine.schedule(pod, explain)
            exp = _explain(engine, decision) if explain else None
        if decision.node is not None:
            # positional: pod, node, phase, reason, message, condition, shortfall, explain,
            # scheduled, counted (half the cost of keywords, once per placed pod)
            outcomes[id(pod)] = PodOutcome(
                pod, names[decision.node], RUNNING, None, None, SCHEDULED, None, exp, True, True
            )
            continue
        short = None
        if with_shortfall:
            key = (pod.scheduling_key(), pod.priority, len(engine.changes))
            short = shortfall_cache.get(key) if decision.preemption is None else None
            if short is None:
                if shapes is None:
                    shapes = node_shapes(engine.nodes)
                if track and decision.evaluation is None:  # class path: a tracker per template
                    tracker = trackers.pop(pod.scheduling_key(), None)
                    if tracker is None:
                        tracker = ShortfallTracker(pod, engine.nodes, cfg, shapes)
                    trackers[pod.scheduling_key()] = tracker
                    if len(trackers) > MAX_TRACKERS:
                        trackers.popitem(last=False)
                    short = tracker.result(
                        decision.statuses, engine.changes, decision.hist, decision.preemption
                    )
                else:
                    short = shortfall(
                        pod,
                        engine.nodes,
                        decision.statuses,
                        cfg,
                        decision.preemption,
                        shapes=shapes,
                        hist=decision.hist,
                    )
                if decision.preemption is None:
                    shortfall_cache = {key: short}
        outcomes[id(pod)] = PodOutcome(
            pod,
            None,
            PENDING,
            condition=("False", "Unschedulable", decision.message),
            shortfall=short,
            explain=exp,
        )
    ordered = [evictions.outcome(p) for p in (*ds_pods, *pods, *evictions.replacements)]
    return ScheduleResult(
        kubernetes_version=cfg.version,
        strategy=cfg.strategy,
        pods=ordered,
        nodes=engine.nodes,
        input_count=len(pods) + len(ds_pods) + len(evictions.replacements),
    )


def _queued(
    first: list[tuple[int, int, PodInfo]],
    queue: list[tuple[int, int, PodInfo]],
    extra: list[tuple[int, int, PodInfo]],
) -> Iterator[PodInfo]:
    """DaemonSet pods (already sorted), then the sorted PrioritySort ``queue`` merged with
    the heap ``extra`` that preemption pushes replacement pods into while the queue is
    drained (a plain list walk while it is empty: O(1) per pod)."""
    for _, _, pod in first:
        yield pod
    k, n = 0, len(queue)
    while k < n or extra:
        if extra and (k == n or extra[0][:2] < queue[k][:2]):
            yield heappop(extra)[2]
        else:
            yield queue[k][2]
            k += 1


class Evictions:
    """Preemption as it evicts (DefaultPreemption with ``cfg.preemption``): victims leave
    their node and get a ``Failed`` outcome with the DisruptionTarget condition; those with
    a controller get a replacement pod that enters the queue behind every queued pod of its
    priority (a StatefulSet's keeps the victim's name and takes the victim's entry)."""

    def __init__(
        self,
        engine: Engine,
        outcomes: dict[int, PodOutcome],
        names: list[str],
        seq: int,
    ) -> None:
        self.engine = engine
        self.outcomes = outcomes
        self.names = names
        self.seq = seq  # queue order of the next replacement: after every input pod
        self.replacements: list[PodInfo] = []
        self.same_name: dict[int, PodInfo] = {}  # victim id → its StatefulSet replacement
        self.generated: dict[tuple[str, str], int] = {}

    def evict(
        self,
        preemptor: PodInfo,
        i: int,
        victims: tuple[PodInfo, ...],
        queue: list[tuple[int, int, PodInfo]],
    ) -> None:
        """Remove ``victims`` from node ``i`` for ``preemptor``; queue their replacements."""
        by = f"{preemptor.namespace}/{preemptor.name}"
        node = self.names[i]
        for victim in victims:
            self.engine.evict(victim, i)
            outcome = PodOutcome(
                victim,
                None,
                FAILED,
                condition=SCHEDULED,
                disruption=(PREEMPTION_BY_SCHEDULER, PREEMPTION_MESSAGE),
                preempted_by=by,
                preempted_from=node,
            )
            self.outcomes[id(victim)] = outcome
            replacement = self.replacement(victim)
            if replacement is None:
                continue
            if replacement.name == victim.name:
                self.same_name[id(victim)] = replacement
            else:
                self.replacements.append(replacement)
            heappush(queue, (-replacement.priority, self.seq, replacement))
            self.seq += 1

    def replacement(self, victim: PodInfo) -> PodInfo | None:
        """The pod the victim's controller creates (None for a pod without one): a
        StatefulSet's has the victim's name; others get ``<base>-<5 characters>`` as from
        ``generateName`` (a Deployment's base is its ReplicaSet, ``<name>-<hash>``)."""
        if not victim.owner or victim.owner.startswith("Node/"):
            return None
        kind, _, owner = victim.owner.partition("/")
        if kind == "StatefulSet":
            return victim.respawn(node_name=None, phase=None)
        base = owner
        if kind == "Deployment" and TEMPLATE_HASH_LABEL in victim.labels:
            base = f"{owner}-{victim.labels[TEMPLATE_HASH_LABEL]}"
        key = (victim.namespace, base)
        taken = {o.pod.name for o in self.outcomes.values() if o.pod.namespace == victim.namespace}
        taken.update(p.name for p in self.replacements if p.namespace == victim.namespace)
        ordinal = self.generated.get(key, 0)
        while True:
            name = generated_name(f"{base}-", victim.namespace, ordinal)
            ordinal += 1
            if name not in taken:
                break
        self.generated[key] = ordinal
        return victim.respawn(name, node_name=None, phase=None)

    def outcome(self, pod: PodInfo) -> PodOutcome:
        """``pod``'s entry: its own outcome; for a StatefulSet victim, its replacement's
        (followed through further preemptions), with where and by whom the pod named so was
        last preempted."""
        entry = self.outcomes[id(pod)]
        current = pod
        while id(current) in self.same_name:
            victim = self.outcomes[id(current)]
            current = self.same_name[id(current)]
            entry = self.outcomes[id(current)]
            if entry.preempted_by is None:
                entry.preempted_by = victim.preempted_by
                entry.preempted_from = victim.preempted_from
        return entry
