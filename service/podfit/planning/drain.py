"""``kubectl drain`` semantics, shared by ``plan drain`` (:mod:`podfit.planning.whatif`)
and ``podfit check`` (:mod:`podfit.check.engine`): one rule, two callers.

When nodes are drained:

* pods on the other nodes stay where they are;
* DaemonSet pods and static (mirror) pods go with their node (:func:`goes_with_node`);
* a terminating pod is neither recreated (its replacement exists already) nor needs a
  PodDisruptionBudget's leave (the eviction API's ``canIgnorePDB``);
* a controller-owned pod is evicted and recreated by its controller, unbound
  (:func:`drain_pods` returns the copies to schedule again);
* a bare pod (no owner) is deleted by the drain and nothing recreates it: it is
  **lost**, reported as a ``PodLost`` entry;
* a PodDisruptionBudget the drain would violate is reported (:func:`budget_findings`).

:class:`Budget` is a PDB applied to the pods of the input, as the disruption controller
computes it (:mod:`podfit.disruption`, the one rule preemption and consolidation use
too): ``minAvailable`` as an integer is the number itself; as a percentage, and
``maxUnavailable`` in both forms, scale against the sum of the selected pods'
controllers' replicas (rounded up); a budget setting neither allows no disruption.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from podfit.disruption import controller_key as disruption_controller
from podfit.disruption import controller_scales, disruptions_allowed, expected_and_desired
from podfit.manifests.objects import PodDisruptionBudget
from podfit.planning.cluster import replica
from podfit.pods import Pod
from podfit.scheduler.model import PodInfo
from podfit.scheduler.result import RUNNING, PodOutcome
from podfit.scheduler.run import daemonset_of

__all__ = [
    "Budget",
    "Drained",
    "budget_findings",
    "budget_violation",
    "controller_key",
    "drain_pods",
    "goes_with_node",
    "healthy_counts",
]


def goes_with_node(info: PodInfo) -> bool:
    """DaemonSet pods and static (mirror) pods are not evicted by a drain."""
    return daemonset_of(info) is not None or (info.owner or "").startswith("Node/")


@dataclass(slots=True)
class Drained:
    """What draining some nodes does to their pods (base order): ``evicted`` — the
    controller-owned pods recreated unbound, to schedule again; ``lost`` — a ``PodLost``
    entry per bare pod (``type``, ``pod``, ``node``, ``message``); ``drained`` — the
    ``namespace/name`` of every pod the drain evicts or deletes (owned and bare)."""

    evicted: list[PodInfo] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)
    drained: list[str] = field(default_factory=list)


def drain_pods(placed: Iterable[tuple[str, PodInfo]], terminating: Set[str]) -> Drained:
    """Sort the pods placed on the drained nodes — ``(node, pod)`` pairs in the order
    their replacements enter the queue — into evicted / lost / gone with the node
    (module doc). ``terminating`` holds the ``namespace/name`` of the pods being
    deleted. Cost: O(pods given)."""
    out = Drained()
    for node_name, info in placed:
        if goes_with_node(info):
            continue
        who = f"{info.namespace}/{info.name}"
        if who in terminating:
            continue
        out.drained.append(who)
        if info.owner is None:
            out.lost.append(
                {
                    "type": "PodLost",
                    "pod": who,
                    "node": node_name,
                    "message": f"pod {who} on {node_name} has no controller: "
                    "deleted by the drain, nothing recreates it",
                }
            )
        else:
            out.evicted.append(replica(info, info.name))
    return out


def controller_key(pod: Pod) -> str | None:
    """The controller of ``pod`` (``namespace/Kind/name``, :func:`podfit.disruption.
    controller_key`), None for a bare pod and for a static pod."""
    return disruption_controller(pod.namespace, pod.owner)


@dataclass(frozen=True, slots=True)
class Budget:
    """One PDB applied to one set of pods: which pods it selects (by ``namespace/name``),
    the healthy count it wants, and how many pods it expects."""

    name: str
    """``namespace/name`` of the PDB."""
    selected: frozenset[str]
    desired_healthy: int
    expected: int

    @classmethod
    def of(cls, pdb: PodDisruptionBudget, pods: Sequence[Pod]) -> Budget:
        """The budget of ``pdb`` over ``pods`` (terminal pods are not selected). Cost:
        O(pods)."""
        chosen = [p for p in pods if not p.is_terminal and pdb.selects(p.labels, p.namespace)]
        selected = frozenset(p.key for p in chosen)
        owners = {controller_key(p) for p in chosen} - {None}
        scales = controller_scales(
            (p.namespace, p.owner) for p in pods if not p.is_terminal and not p.terminating
        )
        scale = sum(scales[c] for c in owners if c is not None)  # the controllers' replicas
        expected, desired = expected_and_desired(
            pdb.min_available, pdb.max_unavailable, len(chosen), scale
        )
        return cls(f"{pdb.namespace}/{pdb.name}", selected, desired, expected)


def healthy_counts(
    budgets: Sequence[Budget], outcomes: Iterable[PodOutcome], terminating: Set[str]
) -> list[int]:
    """Per budget, its selected pods Running in the scheduled cluster ``outcomes`` —
    terminating ones excepted (the disruption controller's ``countHealthyPods``).
    Cost: O(pods + budgets × selected)."""
    running = {
        f"{o.pod.namespace}/{o.pod.name}" for o in outcomes if o.counted and o.phase == RUNNING
    } - terminating
    return [len(b.selected & running) for b in budgets]


def budget_violation(
    budget: Budget, healthy: int, drained: Sequence[str], unrecovered: Set[str]
) -> str | None:
    """Why draining ``drained`` pods violates ``budget``, or None.

    The eviction API allows an eviction while ``disruptionsAllowed = healthy -
    desiredHealthy`` is at least 1 (0 when the budget expects no pod). kubectl drain
    retries refused evictions while replacements come up, so the drain finishes iff
    the budget allows ``max(1, u)`` disruptions at once, ``u`` being the selected
    evicted pods that never come back (Pending or lost).
    """
    hit = [p for p in drained if p in budget.selected]
    if not hit:
        return None
    gone = sum(1 for p in hit if p in unrecovered)
    allowed = disruptions_allowed(healthy, budget.desired_healthy, budget.expected)
    needed = max(1, gone)
    if allowed >= needed:
        return None
    return (
        f"PodDisruptionBudget {budget.name}: Cannot evict pod as it would violate the pod's "
        f"disruption budget (evicting {len(hit)} selected pods, {gone} of them not "
        f"rescheduled, needs {needed} disruptions; allowed {allowed}: {healthy} healthy, "
        f"desiredHealthy {budget.desired_healthy}, expectedPods {budget.expected})"
    )


def budget_findings(
    budgets: Sequence[Budget],
    healthy: Sequence[int],
    drained: Sequence[str],
    unrecovered: Set[str],
) -> list[dict[str, Any]]:
    """A ``{"type": "PodDisruptionBudget", "pdb", "message"}`` entry per budget the drain
    of ``drained`` violates (:func:`budget_violation`), in budget order."""
    out: list[dict[str, Any]] = []
    for budget, count in zip(budgets, healthy, strict=True):
        text = budget_violation(budget, count, drained, unrecovered)
        if text is not None:
            out.append({"type": "PodDisruptionBudget", "pdb": budget.name, "message": text})
    return out
