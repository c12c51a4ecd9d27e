"""DefaultPreemption's choices, as pure functions (facts U59–U65 of the topology notes).

* :func:`importance_order` — ``util.MoreImportantPod``: higher priority first, then the
  earlier start (:func:`start_key`: a pod's ``status.startTime`` when the input gives
  one; else, as upstream's "now", after every such time, in the order pods were bound in
  this run, pods bound in the input first, in input order);
* :func:`split_by_budgets` — ``filterPodsWithPDBViolation``: which potential victims
  would break a PodDisruptionBudget (each budget's allowed disruptions decremented in
  importance order);
* :func:`pick_one_node` — ``pickOneNodeForPreemption``: fewest PDB violations, lowest
  highest-priority victim, smallest sum of shifted priorities, fewest victims, latest
  earliest start among the highest-priority victims, then the first candidate (node input
  order; upstream's remaining tie is a map iteration);
* :func:`candidates_to_try` — ``GetOffsetAndNumCandidates`` with the default arguments
  (10 %, at least 100), podfit starting at offset 0 instead of a random one;
* :func:`terminating_on_nominated` — the second rule of ``PodEligibleToPreemptOthers``
  (the first, ``preemptionPolicy: Never``, is the engine's): a pod whose
  ``status.nominatedNodeName`` names a node that still holds a lower-priority pod
  terminating because the scheduler preempted it waits for that pod to go and preempts
  nothing more — unless its filters found that node UnschedulableAndUnresolvable.

Every function is O(victims × budgets) or less.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from podfit.disruption import controller_key, disruptions_allowed, expected_and_desired
from podfit.scheduler.framework import UNRESOLVABLE, FilterStatus
from podfit.scheduler.messages import PREEMPTION_PREFIX
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.topology import LabelSelector, selector_empty, selector_matches

MIN_CANDIDATE_NODES_PERCENTAGE = 10
MIN_CANDIDATE_NODES_ABSOLUTE = 100
_SHIFT = 2**31  # MaxInt32 + 1: priorities shifted so negative ones do not reward more victims

DISRUPTION_TARGET = "DisruptionTarget"
PREEMPTION_BY_SCHEDULER = "PreemptionByScheduler"
PREEMPTION_MESSAGE = "default-scheduler: preempting to accommodate a higher priority pod"
"""``prepareCandidate``'s DisruptionTarget condition message (the preemptor's scheduler)."""


NOT_ELIGIBLE_TERMINATING = "not eligible due to a terminating pod on the nominated node."
"""``PodEligibleToPreemptOthers``' reason when a lower-priority pod preempted earlier is
still terminating on the pod's nominated node (after ``preemption: `` in the message)."""


def terminating_on_nominated(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    by_name: Mapping[str, int],
    statuses: Sequence[FilterStatus | None],
    prefilter: str,
) -> str:
    """DefaultPreemption's PostFilter message ``preemption: ``
    + :data:`NOT_ELIGIBLE_TERMINATING` when ``pod`` may not preempt because of its
    nominated node (module doc), else "". A nominated node missing from the input, or one
    whose filter status is UnschedulableAndUnresolvable (every node after a PreFilter
    rejection, as podfit counts them), leaves the pod eligible. Cost: O(pods on the
    nominated node); O(1) for a pod without a nominated node."""
    name = pod.nominated_node
    if name is None or prefilter:
        return ""
    i = by_name.get(name)
    if i is None:
        return ""
    status = statuses[i] if i < len(statuses) else None
    if status is not None and status.code == UNRESOLVABLE:
        return ""
    for other in nodes[i].pods:
        if other.preempted and other.priority < pod.priority:
            return PREEMPTION_PREFIX + NOT_ELIGIBLE_TERMINATING
    return ""


class Budget(NamedTuple):
    """A PodDisruptionBudget as preemption reads it: namespace, selector (None or empty
    selects no pod here), ``status.disruptionsAllowed`` and the names in
    ``status.disruptedPods`` (evictions the API server already counted)."""

    namespace: str
    selector: LabelSelector | None
    allowed: int
    disrupted: frozenset[str] = frozenset()

    def covers(self, pod: PodInfo) -> bool:
        """Whether the budget counts ``pod``: same namespace, non-empty matching selector,
        and the pod has labels (``filterPodsWithPDBViolation`` skips a pod without labels,
        even for a selector such as ``DoesNotExist`` that would match it)."""
        return (
            bool(pod.labels)
            and pod.namespace == self.namespace
            and self.selector is not None
            and not selector_empty(self.selector)
            and selector_matches(self.selector, pod.labels)
        )


class Candidate(NamedTuple):
    """A node where preemption would let the pod in: its index, the victims (most
    important first) and how many of them break a budget."""

    node: int
    victims: tuple[PodInfo, ...]
    violations: int


_NOW = 2**62
"""Start key of a pod without ``status.startTime`` (``GetPodStartTime``'s "now"): after
every real start time (µs since the epoch), bind order added."""


def start_key(pod: PodInfo, start: Mapping[int, int]) -> int:
    """When ``pod`` started, as a comparable integer (larger = later): its
    ``status.startTime`` in µs when known, else ``_NOW`` plus its bind order (``start``
    maps ``id(pod)`` to it; a pod never bound counts as binding next). O(1)."""
    if pod.start_time is not None:
        return pod.start_time
    return _NOW + start.get(id(pod), len(start))


def importance_order(pods: Sequence[PodInfo], start: Mapping[int, int]) -> list[PodInfo]:
    """``pods`` most important first: higher priority, then earlier start
    (:func:`start_key`). Stable."""
    return sorted(pods, key=lambda p: (-p.priority, start_key(p, start)))


def split_by_budgets(
    ordered: Sequence[PodInfo], budgets: Sequence[Budget]
) -> tuple[list[PodInfo], list[PodInfo]]:
    """(violating, non-violating) victims, each keeping ``ordered``'s order: walking the
    pods, every budget covering a pod loses one allowed disruption, unless the pod is named
    in that budget's ``disruptedPods`` (already counted: neither decremented nor
    violating); the pod violates when any of them drops below 0."""
    allowed = [b.allowed for b in budgets]
    violating: list[PodInfo] = []
    fine: list[PodInfo] = []
    for pod in ordered:
        broken = False
        for k, budget in enumerate(budgets):
            if budget.covers(pod) and pod.name not in budget.disrupted:
                allowed[k] -= 1
                if allowed[k] < 0:
                    broken = True
        (violating if broken else fine).append(pod)
    return violating, fine


def candidates_to_try(potential: int) -> int:
    """How many potential nodes are dry-run: ``min(n, max(n·10 // 100, 100))``."""
    return min(
        potential,
        max(potential * MIN_CANDIDATE_NODES_PERCENTAGE // 100, MIN_CANDIDATE_NODES_ABSOLUTE),
    )


def _earliest_top_start(c: Candidate, start_of: Callable[[PodInfo], int]) -> int:
    top = c.victims[0].priority
    return min(start_of(p) for p in c.victims if p.priority == top)


def pick_one_node(candidates: Sequence[Candidate], start_of: Callable[[PodInfo], int]) -> Candidate:
    """``pickOneNodeForPreemption``: each criterion keeps the best candidates, in order, until
    one is left; then the first. ``start_of`` gives a pod's start order (larger = later).

    >>> a = PodInfo("a", priority=5); b, c = PodInfo("b", priority=1), PodInfo("c", priority=1)
    >>> pick_one_node([Candidate(0, (a,), 0), Candidate(1, (b, c), 0)], lambda p: 0).node
    1
    """
    if not candidates:
        raise ValueError("no candidate")
    criteria: tuple[Callable[[Candidate], int], ...] = (
        lambda c: -c.violations,
        lambda c: -c.victims[0].priority,
        lambda c: -sum(p.priority + _SHIFT for p in c.victims),
        lambda c: -len(c.victims),
        lambda c: _earliest_top_start(c, start_of),
    )
    left = list(candidates)
    for criterion in criteria:
        if len(left) == 1:
            break
        values = [criterion(c) for c in left]
        best = max(values)
        left = [c for c, v in zip(left, values, strict=True) if v == best]
    return left[0]


class BudgetSpec(NamedTuple):
    """A PodDisruptionBudget of the input: namespace, selector, ``minAvailable`` /
    ``maxUnavailable`` as written (int or ``"<n>%"``; None when absent) and
    ``status.disruptionsAllowed`` (None when the input has no status) and the pod names in
    ``status.disruptedPods``."""

    namespace: str
    selector: LabelSelector | None
    min_available: int | str | None = None
    max_unavailable: int | str | None = None
    disruptions_allowed: int | None = None
    disrupted_pods: frozenset[str] = frozenset()


def budget_now(
    spec: BudgetSpec, pods: Sequence[PodInfo], scales: Mapping[str, int] | None = None
) -> Budget:
    """The budget with its allowed disruptions: the status's when given, else what the
    disruption controller would compute (:mod:`podfit.disruption`) from the pods bound now
    (``pods``: every pod on a node): healthy = the covered, non-terminating pods; the
    controllers' scale from ``scales`` (pods per controller in the run, bound or queued;
    None: the healthy count). A budget that sets neither field allows nothing. O(pods)."""
    budget = Budget(spec.namespace, spec.selector, 0, spec.disrupted_pods)
    if spec.disruptions_allowed is not None:
        return budget._replace(allowed=spec.disruptions_allowed)
    covered = [p for p in pods if budget.covers(p)]
    healthy = sum(1 for p in covered if not p.terminating)
    if scales is None:
        scale = healthy
    else:
        owners = {controller_key(p.namespace, p.owner) for p in covered} - {None}
        scale = sum(scales.get(o, 0) for o in owners if o is not None)
    expected, desired = expected_and_desired(
        spec.min_available, spec.max_unavailable, len(covered), scale
    )
    return budget._replace(allowed=disruptions_allowed(healthy, desired, expected))


__all__ = [
    "DISRUPTION_TARGET",
    "PREEMPTION_BY_SCHEDULER",
    "PREEMPTION_MESSAGE",
    "Budget",
    "BudgetSpec",
    "Candidate",
    "budget_now",
    "candidates_to_try",
    "importance_order",
    "pick_one_node",
    "split_by_budgets",
    "start_key",
]
