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
   input order. A queued pod carrying ``status.nominatedNodeName`` of a node in the input
   is nominated there from the start: it is tried on that node alone first
   (``evaluateNominatedNode``), and until it is bound pods of lower or equal priority
   make room for it there (:mod:`podfit.scheduler.nominated`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from heapq import heappop, heappush
from operator import itemgetter
from typing import Any, Final

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.disruption import controller_scales
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
from podfit.scheduler.preemption import (
    PREEMPTION_BY_SCHEDULER,
    PREEMPTION_MESSAGE,
    BudgetSpec,
    terminating_on_nominated,
)
from podfit.scheduler.result import (
    FAILED,
    PENDING,
    RUNNING,
    SCHEDULED,
    PodOutcome,
    ScheduleResult,
    plain_outcome,
)
from podfit.scheduler.shortfall import ShortfallTracker, node_shapes, shortfall
from podfit.topology import Namespaces

TERMINAL = ("Succeeded", "Failed")
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


class _Run:
    """The state of one run between its phases: the engine, every pod's outcome so far
    (keyed by ``id(pod)``: a :class:`PodOutcome`, or for a pod the scheduler placed plainly
    — Running, no explanation, nothing preempted — just its node's name, which
    :class:`ScheduleResult` reads the same way), the pods still to place (``queue``, input
    order, with ``queue_seq`` their input positions), and the shortfall caches of the
    queue (node shapes, the last Pending class's document, a tracker per template).

    The queue and the plain outcomes hold no object per pod: a run allocates O(pods)
    objects otherwise, and CPython's cyclic garbage collector walks every live object
    again each time the allocations since its last full pass reach a quarter of them."""

    __slots__ = (
        "cfg",
        "engine",
        "evictions",
        "explain",
        "named",
        "names",
        "outcomes",
        "queue",
        "queue_seq",
        "replacements",
        "shapes",
        "shortfall_cache",
        "track",
        "trackers",
        "with_shortfall",
    )

    def __init__(
        self, engine: Engine, cfg: SchedulerConfig, explain: bool, with_shortfall: bool, track: bool
    ) -> None:
        self.engine = engine
        self.cfg = cfg
        self.explain = explain
        self.with_shortfall = with_shortfall
        self.track = track
        self.outcomes: dict[int, PodOutcome | str] = {}
        self.queue: list[PodInfo] = []
        self.queue_seq: list[int] = []
        self.named: list[PodInfo] = []
        self.names = [n.name for n in engine.nodes]
        self.shortfall_cache: dict[tuple[object, ...], dict[str, Any]] = {}
        self.shapes: list[int] | None = None  # node shapes never change: computed when needed
        self.trackers: OrderedDict[tuple[object, ...], ShortfallTracker] = OrderedDict()
        self.replacements: list[tuple[int, int, PodInfo]] = []  # a heap, filled by evictions
        self.evictions = Evictions(engine, self.outcomes, self.names, 0)


#: Queued pods scheduled between two deadline checks: a check costs well under a
#: microsecond, a pod's scheduling cycle several microseconds or more, so checking every
#: 256 pods costs nothing measurable and stops a run within 256 cycles of the deadline.
CHECK_EVERY: Final = 256


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
    deadline: Deadline = NO_DEADLINE,
) -> ScheduleResult:
    """Place ``pods`` on ``nodes`` (mutated: pods are added to them) and report every pod.

    Outcomes are listed DaemonSet pods first (DaemonSet order, then node order), then the
    input pods in input order, then the replacement pods preemption made. ``track`` False
    computes every shortfall from scratch instead of keeping a :class:`ShortfallTracker` per
    template (same results; tests). ``namespaces`` label the namespaces for pod affinity's
    namespaceSelector; ``budgets`` are the PodDisruptionBudgets preemption respects.
    ``deadline`` is checked before the first queued pod and then every
    :data:`CHECK_EVERY` pods (its ``expired`` raises; the run is abandoned).
    """
    scales = (
        controller_scales((p.namespace, p.owner) for p in pods if not p.terminating)
        if budgets
        else None
    )
    engine = Engine(nodes, cfg, namespaces=namespaces, budgets=budgets, scales=scales)
    run = _Run(engine, cfg, explain, with_shortfall, track)
    run.evictions.seq = len(pods)  # replacements queue behind every input pod
    count_bound_pods(run, pods)
    nominate_queued(run)
    admit_named_pods(run)
    ds_pods = daemonset_pods(run, pods, daemonsets)
    run.evictions.pools = (ds_pods, pods)
    ds_queue = sorted(((-p.priority, k, p) for k, p in enumerate(ds_pods)), key=_QUEUE_ORDER)
    priority_order(run)
    queued = _queued(ds_queue, run.queue, run.queue_seq, run.replacements)
    cycle = engine.schedule
    outcomes, names = run.outcomes, run.names
    for k, pod in enumerate(queued):
        if not k % CHECK_EVERY:
            deadline.check("scheduling")
        if explain or pod.nominated_node is not None:  # evaluateNominatedNode first
            schedule_one(run, pod)
            continue
        decision = cycle(pod, False)
        if decision.node is not None:  # placed plainly: schedule_one's first case, inlined
            outcomes[id(pod)] = names[decision.node]
        else:
            schedule_one(run, pod, decision)
    evictions = run.evictions
    everyone = [*ds_pods, *pods, *evictions.replacements]
    if evictions.same_name:  # a StatefulSet victim's entry is its replacement's outcome
        places = [evictions.outcome(p) for p in everyone]
        everyone = [
            p if isinstance(o, str) else o.pod for p, o in zip(everyone, places, strict=True)
        ]
    else:
        places = [outcomes[id(p)] for p in everyone]
    engine.release_classes()
    return ScheduleResult(
        kubernetes_version=cfg.version,
        strategy=cfg.strategy,
        placed=(everyone, places),
        nodes=run.engine.nodes,
        input_count=len(everyone),
    )


def priority_order(run: _Run) -> None:
    """PrioritySort on the queue: higher priority first, input order among equals (a stable
    sort on priority alone; nothing to do when every queued pod has the same priority)."""
    queue = run.queue
    if len({p.priority for p in queue}) <= 1:
        return
    order = sorted(range(len(queue)), key=lambda k: -queue[k].priority)
    run.queue = [queue[k] for k in order]
    run.queue_seq = [run.queue_seq[k] for k in order]


def count_bound_pods(run: _Run, pods: Sequence[PodInfo]) -> None:
    """Phase 1: report terminal pods, count pods already bound on their node, and sort the
    rest into pods that name their node (for the kubelet) and the scheduling queue."""
    engine = run.engine
    by_name = engine.by_name
    outcomes = run.outcomes
    queue_append = run.queue.append
    seq_append = run.queue_seq.append
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
            run.named.append(pod)
        else:
            queue_append(pod)
            seq_append(seq)


def nominate_queued(run: _Run) -> None:
    """The scheduling queue's nominator: every queued input pod whose
    ``status.nominatedNodeName`` names a node of the input is nominated there, so pods of
    lower or equal priority make room for it while it is Pending
    (:mod:`podfit.scheduler.nominated`). O(queued pods)."""
    engine = run.engine
    for pod in run.queue:
        if pod.nominated_node is not None:
            i = engine.by_name.get(pod.nominated_node)
            if i is not None:
                engine.nominations.add(pod, i)


def admit_named_pods(run: _Run) -> None:
    """Phase 2: the kubelet admits (Running) or rejects (Failed) each pod that names its
    node, in input order; a node missing from the input leaves the pod Pending."""
    engine = run.engine
    for pod in run.named:
        assert pod.node_name is not None
        i = engine.by_name.get(pod.node_name)
        if i is None:
            run.outcomes[id(pod)] = PodOutcome(
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
            run.outcomes[id(pod)] = PodOutcome(
                pod, pod.node_name, RUNNING, condition=SCHEDULED, scheduled=True, counted=True
            )
        else:
            run.outcomes[id(pod)] = PodOutcome(
                pod,
                pod.node_name,
                FAILED,
                reason=verdict.reason,
                message=verdict.message,
                condition=SCHEDULED,
            )


def daemonset_pods(
    run: _Run, pods: Sequence[PodInfo], daemonsets: Sequence[DaemonSetTemplate]
) -> list[PodInfo]:
    """Phase 3: the DaemonSet controller's pods, one per eligible node that does not already
    run a pod of that DaemonSet (bound in the input)."""
    existing = frozenset(
        (p.namespace, ds_name, p.node_name)
        for p in pods
        if p.node_name and p.phase in BOUND and (ds_name := daemonset_of(p)) is not None
    )
    return expand_daemonsets(daemonsets, run.engine.nodes, existing)


def schedule_one(run: _Run, pod: PodInfo, decision: Decision | None = None) -> None:
    """Phase 4, once per queued pod: one scheduling cycle (``decision``: its first
    attempt's, already made without explanation); Running on the chosen node, or
    Pending with the FailedScheduling message and (``with_shortfall``) the shortfall."""
    engine = run.engine
    if decision is None:
        if pod.nominated_node is not None and place_on_nominated(run, pod):
            return
        decision = engine.schedule(pod, run.explain)
    exp = _explain(engine, decision) if run.explain else None
    if decision.node is None and decision.preemption is not None and run.cfg.preemption:
        i, victims = decision.preemption
        run.evictions.evict(pod, i, victims, run.replacements)
        engine.nominations.clear_lower(i, pod.priority)  # prepareCandidate
        if exp is not None:
            exp["preemption"] = {
                "node": run.names[i],
                "victims": [f"{v.namespace}/{v.name}" for v in victims],
            }
        if engine.fits_nominated(pod, i):  # evaluateNominatedNode: no scoring
            engine.bind(pod, i)
            run.outcomes[id(pod)] = PodOutcome(
                pod,
                run.names[i],
                RUNNING,
                condition=SCHEDULED,
                explain=exp,
                scheduled=True,
                counted=True,
                nominated_node=run.names[i],
            )
            return
        decision = engine.schedule(pod, run.explain)
        exp = _explain(engine, decision) if run.explain else None
    if decision.node is not None:
        if exp is None:  # Running, PodScheduled True, nothing else: the node's name says it
            run.outcomes[id(pod)] = run.names[decision.node]
            return
        # positional: pod, node, phase, reason, message, condition, shortfall, explain,
        # scheduled, counted (half the cost of keywords)
        run.outcomes[id(pod)] = PodOutcome(
            pod, run.names[decision.node], RUNNING, None, None, SCHEDULED, None, exp, True, True
        )
        return
    if id(pod) in engine.nominations.node_of and clears_nomination(run, pod, decision):
        engine.nominations.clear(pod)
    run.outcomes[id(pod)] = PodOutcome(
        pod,
        None,
        PENDING,
        condition=("False", "Unschedulable", decision.message),
        shortfall=pending_shortfall(run, pod, decision) if run.with_shortfall else None,
        explain=exp,
    )


def clears_nomination(run: _Run, pod: PodInfo, decision: Decision) -> bool:
    """Whether ``pod``'s failed cycle clears its nomination: DefaultPreemption ran (there
    are nodes, and the pod is eligible — not ``preemptionPolicy: Never``, not waiting for
    a terminating victim on its nominated node) and found no candidate, so it returned
    a result nominating no node (``NewPostFilterResultWithNominatedNode("")``). An
    ineligible pod keeps its nomination (no PostFilter result), and so does a pod that
    ``--no-preemption`` keeps from evicting its candidate's victims."""
    engine = run.engine
    if not engine.nodes or pod.preemption_policy == "Never" or decision.preemption is not None:
        return False
    prefilter = decision.evaluation.prefilter_message if decision.evaluation else ""
    statuses = decision.statuses
    return not terminating_on_nominated(pod, engine.nodes, engine.by_name, statuses, prefilter)


def place_on_nominated(run: _Run, pod: PodInfo) -> bool:
    """``evaluateNominatedNode`` for a pod whose input carries ``status.nominatedNodeName``
    (a preemptor of an earlier cycle, from ``kubectl get pods -o json``): kube-scheduler
    first runs the filters on that node alone and, if it passes, binds the pod there
    without scoring any node. Returns whether the pod was bound (its outcome recorded,
    ``nominatedNodeName`` kept); False — the node is not in the input (upstream logs the
    lookup error and carries on) or a filter rejects the pod there — leaves the pod to the
    normal cycle. Cost: the pod's filters on one node (the spreading and affinity
    PreFilter over all nodes when they concern the pod)."""
    engine = run.engine
    name = pod.nominated_node
    assert name is not None
    i = engine.by_name.get(name)
    if i is None or not engine.fits_nominated(pod, i):
        return False
    engine.bind(pod, i)
    exp = (
        {"filters": {}, "scores": {}, "ties": [name], "nominatedNode": name}
        if run.explain
        else None
    )
    run.outcomes[id(pod)] = PodOutcome(
        pod,
        name,
        RUNNING,
        condition=SCHEDULED,
        explain=exp,
        scheduled=True,
        counted=True,
        nominated_node=name,
    )
    return True


def pending_shortfall(run: _Run, pod: PodInfo, decision: Decision) -> dict[str, Any]:
    """The shortfall document of a Pending pod: reused while nothing was bound since the
    previous Pending pod of its class, else kept up to date by the template's
    :class:`ShortfallTracker` (class path) or computed from scratch (full scan)."""
    engine = run.engine
    key = (pod.scheduling_key(), pod.priority, len(engine.changes))
    short = run.shortfall_cache.get(key) if decision.preemption is None else None
    if short is not None:
        return short
    if run.shapes is None:
        run.shapes = node_shapes(engine.nodes)
    if run.track and decision.evaluation is None:  # class path: a tracker per template
        tracker = run.trackers.pop(pod.scheduling_key(), None)
        if tracker is None:
            tracker = ShortfallTracker(pod, engine.nodes, run.cfg, run.shapes)
        run.trackers[pod.scheduling_key()] = tracker
        if len(run.trackers) > MAX_TRACKERS:
            run.trackers.popitem(last=False)
        short = tracker.result(
            decision.statuses, engine.changes, decision.hist, decision.preemption
        )
    else:
        short = shortfall(
            pod,
            engine.nodes,
            decision.statuses,
            run.cfg,
            decision.preemption,
            shapes=run.shapes,
            hist=decision.hist,
        )
    if decision.preemption is None:
        run.shortfall_cache = {key: short}
    return short


def _queued(
    first: list[tuple[int, int, PodInfo]],
    queue: list[PodInfo],
    seqs: list[int],
    extra: list[tuple[int, int, PodInfo]],
) -> Iterator[PodInfo]:
    """DaemonSet pods (already sorted), then the sorted PrioritySort ``queue`` (pods, with
    ``seqs`` their input positions) merged with the heap ``extra`` that preemption pushes
    (-priority, position, pod) entries of replacement pods into while the queue is drained
    (a plain list walk while it is empty: O(1) per pod)."""
    for _, _, pod in first:
        yield pod
    k, n = 0, len(queue)
    while k < n or extra:
        if extra and (k == n or extra[0][:2] < (-queue[k].priority, seqs[k])):
            yield heappop(extra)[2]
        else:
            yield queue[k]
            k += 1


class Evictions:
    """Preemption as it evicts (DefaultPreemption with ``cfg.preemption``): victims leave
    their node and get a ``Failed`` outcome with the DisruptionTarget condition; those with
    a controller get a replacement pod that enters the queue behind every queued pod of its
    priority (a StatefulSet's keeps the victim's name and takes the victim's entry)."""

    def __init__(
        self,
        engine: Engine,
        outcomes: dict[int, PodOutcome | str],
        names: list[str],
        seq: int,
    ) -> None:
        self.engine = engine
        self.outcomes = outcomes
        self.names = names
        self.seq = seq  # queue order of the next replacement: after every input pod
        self.pools: tuple[Sequence[PodInfo], ...] = ()  # the run's DaemonSet and input pods
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
            return victim.respawn(node_name=None, phase=None, start_time=None, nominated_node=None)
        base = owner
        if kind == "Deployment" and TEMPLATE_HASH_LABEL in victim.labels:
            base = f"{owner}-{victim.labels[TEMPLATE_HASH_LABEL]}"
        key = (victim.namespace, base)
        # the names of the pods with an outcome so far, and of every replacement
        outcomes = self.outcomes
        taken = {
            p.name
            for pool in (*self.pools, self.same_name.values())
            for p in pool
            if p.namespace == victim.namespace and id(p) in outcomes
        }
        taken.update(p.name for p in self.replacements if p.namespace == victim.namespace)
        ordinal = self.generated.get(key, 0)
        while True:
            name = generated_name(f"{base}-", victim.namespace, ordinal)
            ordinal += 1
            if name not in taken:
                break
        self.generated[key] = ordinal
        return victim.respawn(
            name, node_name=None, phase=None, start_time=None, nominated_node=None
        )

    def outcome(self, pod: PodInfo) -> PodOutcome | str:
        """``pod``'s entry: its own outcome (a node's name for a plain placement, see
        :class:`_Run`); for a StatefulSet victim, its replacement's (followed through further
        preemptions), with where and by whom the pod named so was last preempted."""
        entry = self.outcomes[id(pod)]
        current = pod
        while id(current) in self.same_name:
            victim = self.outcomes[id(current)]
            assert isinstance(victim, PodOutcome)  # a victim's outcome names its preemptor
            current = self.same_name[id(current)]
            entry = self.outcomes[id(current)]
            if isinstance(entry, str):
                entry = self.outcomes[id(current)] = plain_outcome(current, entry)
            if entry.preempted_by is None:
                entry.preempted_by = victim.preempted_by
                entry.preempted_from = victim.preempted_from
        return entry
