"""``ScheduleResult``: every pod's outcome, every node's totals, and the JSON form.

:meth:`ScheduleResult.to_dict` is the stable, versioned document the CLI and the HTTP API
print (``apiVersion: podfit/v1``, ``kind: ScheduleResult``); quantities are canonical
strings (:func:`podfit.resources.format_amount`). :meth:`ScheduleResult.check` is the
invariant checker: no node above allocatable because of a scheduled pod, node totals equal
the sum of the pods counted on them, every input pod exactly once.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from podfit.resources import PODS, format_amount, is_extended
from podfit.scheduler.model import NodeInfo, PodInfo

API_VERSION = "podfit/v1"
KIND = "ScheduleResult"

RUNNING = "Running"
PENDING = "Pending"
FAILED = "Failed"
NODE_NOT_IN_INPUT = "NodeNotInInput"
SCHEDULED = ("True", None, None)
"""The PodScheduled condition of a pod on a node: status True, no reason, no message."""


@dataclass(slots=True)
class PodOutcome:
    """What happened to one pod.

    ``scheduled`` is True for pods the scheduler (or the kubelet) placed in this run;
    ``counted`` is True for every pod occupying a node (placed now or already bound).
    A preemption victim has ``disruption`` (its DisruptionTarget condition),
    ``preempted_by`` and ``preempted_from``; a preemptor has ``nominated_node``.
    """

    pod: PodInfo
    node: str | None
    phase: str
    reason: str | None = None
    message: str | None = None
    condition: tuple[str, str | None, str | None] | None = None  # status, reason, message
    shortfall: dict[str, Any] | None = None
    explain: dict[str, Any] | None = None
    scheduled: bool = False
    counted: bool = False
    disruption: tuple[str, str] | None = None  # DisruptionTarget reason, message
    preempted_by: str | None = None  # namespace/name of the preemptor
    preempted_from: str | None = None  # the node the pod was evicted from
    nominated_node: str | None = None  # a preemptor's status.nominatedNodeName

    def to_dict(self, requests: dict[str, str] | None = None) -> dict[str, Any]:
        """The ``pods[]`` entry of the result document; ``requests`` is
        ``format_requests(self.pod.requests)`` when the caller already has it. Every
        object in it is new (nothing shared with other entries)."""
        return _unshare(self.entry(self.tail(requests)))

    def tail(self, requests: dict[str, str] | None = None) -> dict[str, Any]:
        """The entry's fields after ``phase``/``reason``/``message``: ``requests``,
        ``qosClass``, ``conditions``, then ``shortfall`` and ``explain`` when present.
        Replicas with the same outcome have equal tails: the document shares one between
        them in :meth:`ScheduleResult.to_dict` with ``shared=True``."""
        pod = self.pod
        conditions = []
        if self.condition is not None:
            status, reason, message = self.condition
            cond: dict[str, Any] = {"type": "PodScheduled", "status": status}
            if reason is not None:
                cond["reason"] = reason
            if message is not None:
                cond["message"] = message
            conditions.append(cond)
        if self.disruption is not None:
            reason, text = self.disruption
            conditions.append(
                {"type": "DisruptionTarget", "status": "True", "reason": reason, "message": text}
            )
        out: dict[str, Any] = {
            "requests": format_requests(pod.requests) if requests is None else requests,
            "qosClass": pod.qos_class,
            "conditions": conditions,
        }
        if self.shortfall is not None:
            out["shortfall"] = self.shortfall
        if self.explain is not None:
            out["explain"] = self.explain
        return out

    def entry(self, tail: dict[str, Any]) -> dict[str, Any]:
        """The ``pods[]`` entry: this pod's own fields followed by ``tail`` (see
        :meth:`tail`). Cost: one small dict."""
        pod = self.pod
        out: dict[str, Any] = {
            "namespace": pod.namespace,
            "name": pod.name,
            "owner": pod.owner,
            "node": self.node,
            "phase": self.phase,
        }
        if pod.terminating:
            out["terminating"] = True
        if self.reason is not None:
            out["reason"] = self.reason
        if self.message is not None:
            out["message"] = self.message
        if self.nominated_node is not None:
            out["nominatedNodeName"] = self.nominated_node
        if self.preempted_by is not None:
            out["preemptedBy"] = self.preempted_by
            out["preemptedFrom"] = self.preempted_from
        out.update(tail)
        return out


def plain_outcome(pod: PodInfo, node: str) -> PodOutcome:
    """The outcome of a pod the scheduler placed on ``node`` in this run, nothing else to
    say: Running, PodScheduled True, scheduled and counted. (A run records such a pod as
    the node's name alone; :class:`ScheduleResult` builds this object only when asked for
    :attr:`ScheduleResult.pods`.)"""
    # positional: pod, node, phase, reason, message, condition, shortfall, explain,
    # scheduled, counted (half the cost of keywords)
    return PodOutcome(pod, node, RUNNING, None, None, SCHEDULED, None, None, True, True)


def _unshare(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` with its own copies of the parts replicas may share (``requests``,
    ``conditions``, ``shortfall``), so that YAML dumpers write it without aliases."""
    entry["requests"] = dict(entry["requests"])
    entry["conditions"] = [dict(c) for c in entry["conditions"]]
    if "shortfall" in entry:
        entry["shortfall"] = copy.deepcopy(entry["shortfall"])
    return entry


def format_requests(requests: dict[str, int]) -> dict[str, str]:
    """A pod's requests as canonical quantity strings, resources sorted by name."""
    return {r: format_amount(r, v) for r, v in sorted(requests.items())}


def utilization(requested: int, allocatable: int) -> float:
    """``requested / allocatable`` rounded to 4 places for display.

    Python's int/int division is correctly rounded (the same float as the exact
    fraction converted once), so no float error creeps in before the rounding.
    """
    return round(requested / allocatable, 4)


def node_to_dict(node: NodeInfo) -> dict[str, Any]:
    """The ``nodes[]`` entry: allocatable, requested, free, pod names, utilization; each
    map in resource-name order (``pods`` always requested: the pod count). One pass over
    the node's resources."""
    allocatable = node.allocatable
    used = node.requested
    count = len(node.pods)
    alloc_out: dict[str, str] = {}
    requested_out: dict[str, str] = {}
    free_out: dict[str, str] = {}
    share: dict[str, float] = {}
    for r in sorted({*allocatable, *used, PODS}):
        requested = count if r == PODS else used.get(r, 0)
        requested_out[r] = format_amount(r, requested)
        if r in allocatable:
            amount = allocatable[r]
            alloc_out[r] = format_amount(r, amount)
            free_out[r] = format_amount(r, amount - requested)
            if amount > 0:
                share[r] = utilization(requested, amount)
    return {
        "name": node.name,
        "allocatable": alloc_out,
        "requested": requested_out,
        "free": free_out,
        "pods": [p.name for p in node.pods],
        "utilization": share,
    }


Placed = tuple[list[PodInfo], list["PodOutcome | str"]]
"""A run's outcomes as it records them: the pods, and per pod its :class:`PodOutcome` or,
for a pod placed with nothing else to say, the name of its node (see :func:`plain_outcome`).
"""


class ScheduleResult:
    """The outcome of :func:`podfit.schedule`: pods (input order) and nodes (input order).

    ``pods`` is a list of :class:`PodOutcome`. A scheduling run hands over ``placed``
    instead (its own record, see :data:`Placed`): ``pods`` is then built on first access,
    while :meth:`summary`, :meth:`to_dict` and :meth:`check` read ``placed`` directly
    (the same answers, without one object per placed pod).
    """

    __slots__ = (
        "_placed",
        "_pods",
        "input_count",
        "kubernetes_version",
        "nodes",
        "notes",
        "snapshot",
        "strategy",
        "warnings",
    )

    def __init__(
        self,
        kubernetes_version: str,
        strategy: str,
        pods: list[PodOutcome] | None = None,
        nodes: list[NodeInfo] | None = None,
        input_count: int = 0,
        notes: list[str] | None = None,
        warnings: list[str] | None = None,
        snapshot: dict[str, Any] | None = None,
        *,
        placed: Placed | None = None,
    ) -> None:
        self.kubernetes_version = kubernetes_version
        self.strategy = strategy
        self._pods = pods if pods is not None or placed is not None else []
        self._placed = placed
        self.nodes: list[NodeInfo] = [] if nodes is None else nodes
        self.input_count = input_count
        self.notes: list[str] = [] if notes is None else notes
        self.warnings: list[str] = [] if warnings is None else warnings
        """What the placement does not account for (pod fields podfit does not model),
        once per template."""
        self.snapshot = snapshot
        """How the input's existing pods were taken (``Workload.snapshot``), set by the
        callers that read the input; the document's ``snapshot`` key only when not None."""

    @property
    def pods(self) -> list[PodOutcome]:
        """Every pod's outcome, in the run's order. Built once from ``placed`` when the
        result came from a run: O(pods) the first time."""
        if self._pods is None:
            assert self._placed is not None
            infos, places = self._placed
            self._pods = [
                o if type(o) is PodOutcome else plain_outcome(p, o)  # type: ignore[arg-type]
                for p, o in zip(infos, places, strict=True)
            ]
        return self._pods

    def _outcomes(self) -> Iterator[tuple[PodInfo, PodOutcome | str]]:
        """(pod, outcome or node name) per pod: ``placed`` as recorded while :attr:`pods`
        has not been built, else the built list (a node name never appears then)."""
        if self._pods is None:
            assert self._placed is not None
            return zip(*self._placed, strict=True)
        return ((o.pod, o) for o in self._pods)

    def _full(self) -> Iterator[PodOutcome]:
        """The :class:`PodOutcome` objects the run recorded (not the plain placements)."""
        if self._pods is None:
            assert self._placed is not None
            return (o for o in self._placed[1] if isinstance(o, PodOutcome))
        return iter(self._pods)

    def __repr__(self) -> str:
        return (
            f"ScheduleResult(kubernetes_version={self.kubernetes_version!r}, "
            f"strategy={self.strategy!r}, pods={len(self)} outcomes, nodes={len(self.nodes)})"
        )

    def __len__(self) -> int:
        """The number of pod outcomes."""
        if self._pods is None:
            assert self._placed is not None
            return len(self._placed[0])
        return len(self._pods)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScheduleResult):
            return NotImplemented
        return (
            self.kubernetes_version,
            self.strategy,
            self.pods,
            self.nodes,
            self.input_count,
            self.notes,
            self.warnings,
            self.snapshot,
        ) == (
            other.kubernetes_version,
            other.strategy,
            other.pods,
            other.nodes,
            other.input_count,
            other.notes,
            other.warnings,
            other.snapshot,
        )

    __hash__ = None  # type: ignore[assignment]

    def on_missing_nodes(self) -> list[PodOutcome]:
        """Pods bound (``spec.nodeName``, phase Running/Pending/Unknown) to a node that is
        not in the input: reported as given (reason ``NodeNotInInput``), counted on no
        node; a Running one is neither scheduled nor Pending."""
        return [p for p in self._full() if p.reason == NODE_NOT_IN_INPUT]

    def note_input(self, snapshot: dict[str, Any] | None) -> None:
        """What only the input reader knows: ``snapshot`` (``Workload.snapshot()``), and the
        :meth:`missing_node_warning` appended to ``warnings``. Call once, before
        ``add_input_warnings``."""
        self.snapshot = snapshot
        warning = self.missing_node_warning()
        if warning is not None and warning not in self.warnings:
            self.warnings.append(warning)

    def missing_node_warning(self) -> str | None:
        """One warning naming every pod bound to a node missing from the input and its
        node, or None: such a pod holds no input node's resources, and in a cluster the
        pod garbage collector deletes it (its controller then makes a replacement that
        needs a node, which this result does not place). Cost O(pods)."""
        lost = self.on_missing_nodes()
        if not lost:
            return None
        named = ", ".join(f"{p.pod.namespace}/{p.pod.name} on {p.node}" for p in lost)
        return (
            f"{len(lost)} pods bound to nodes not in the input, counted on no node (the pod "
            f"garbage collector deletes pods whose node does not exist; replacements are "
            f"not placed here): {named}"
        )

    @property
    def pending(self) -> list[PodOutcome]:
        """Pods waiting for a node (Pending and not bound)."""
        return [p for p in self._full() if p.phase == PENDING and not p.counted]

    def summary(self) -> dict[str, int]:
        """Counts: pods, scheduled (occupying a node: placed now or already bound), pending
        (waiting for a node), preempted (evicted by preemption; a StatefulSet pod counts
        although its replacement, same name, may run again), nodes."""
        total = len(self)
        full = list(self._full())
        return {
            "pods": total,
            "scheduled": total - len(full) + sum(1 for p in full if p.counted),
            "pending": sum(1 for p in full if p.phase == PENDING and not p.counted),
            "preempted": sum(1 for p in full if p.preempted_from is not None),
            "nodes": len(self.nodes),
        }

    def to_dict(self, *, shared: bool = False) -> dict[str, Any]:
        """The issue-4 JSON document.

        With ``shared`` True, entries of replicas with the same outcome share their
        read-only ``requests``, ``conditions`` and ``shortfall`` objects (cheaper JSON
        serialization); by default every entry has its
        own, so that YAML dumpers write the document without anchors and aliases.
        """
        return {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "kubernetesVersion": self.kubernetes_version,
            "strategy": self.strategy,
            "summary": self.summary(),
            "pods": self._pod_entries(shared),
            "nodes": [node_to_dict(n) for n in self.nodes],
            **({} if self.snapshot is None else {"snapshot": copy.deepcopy(self.snapshot)}),
            "warnings": list(self.warnings),
        }

    def _pod_entries(self, shared: bool) -> list[dict[str, Any]]:
        """``pods[]``: consecutive pods with the same request dict, QoS class, condition,
        DisruptionTarget, shortfall and explanation (replicas of one template with one outcome)
        share one :meth:`PodOutcome.tail`, copied per entry unless ``shared``. Cost:
        O(pods), one small dict per pod (plus the copies)."""
        entries: list[dict[str, Any]] = []
        append = entries.append
        requests: object = None
        qos: object = None
        condition: object = None
        short: object = None
        explain: object = None
        formatted: dict[str, str] = {}
        tail: dict[str, Any] = {}
        disruption: object = None
        t_requests: object = None
        t_qos: object = None
        t_conditions: object = None
        for pod, recorded in self._outcomes():
            if type(recorded) is str:  # placed, nothing else to say (plain_outcome)
                if not (
                    pod.requests is requests
                    and pod.qos_class is qos
                    and condition is SCHEDULED
                    and short is None
                    and explain is None
                    and disruption is None
                ):
                    if pod.requests is not requests:
                        formatted = format_requests(pod.requests)
                    requests, qos = pod.requests, pod.qos_class
                    condition, short, explain, disruption = SCHEDULED, None, None, None
                    tail = plain_outcome(pod, recorded).tail(formatted)
                    # a plain tail is exactly these three keys (no shortfall, no explain)
                    t_requests, t_qos, t_conditions = tail.values()
                if pod.terminating:
                    entry = plain_outcome(pod, recorded).entry(tail)
                else:  # entry() with tail, as one literal
                    entry = {
                        "namespace": pod.namespace,
                        "name": pod.name,
                        "owner": pod.owner,
                        "node": recorded,
                        "phase": RUNNING,
                        "requests": t_requests,
                        "qosClass": t_qos,
                        "conditions": t_conditions,
                    }
                append(entry if shared else _unshare(entry))
                continue
            outcome: PodOutcome = recorded  # type: ignore[assignment]
            if not (
                pod.requests is requests
                and pod.qos_class is qos
                and outcome.condition == condition  # Pending ones: equal, not the same
                and outcome.shortfall is short
                and outcome.explain is explain
                and outcome.disruption == disruption  # a victim's DisruptionTarget condition
            ):
                if pod.requests is not requests:
                    formatted = format_requests(pod.requests)
                requests, qos = pod.requests, pod.qos_class
                condition, short, explain = outcome.condition, outcome.shortfall, outcome.explain
                disruption = outcome.disruption
                tail = outcome.tail(formatted)
            if (
                outcome.reason is None
                and outcome.message is None
                and outcome.nominated_node is None
                and outcome.preempted_by is None
                and not pod.terminating
            ):  # entry(), inlined
                entry = {
                    "namespace": pod.namespace,
                    "name": pod.name,
                    "owner": pod.owner,
                    "node": outcome.node,
                    "phase": outcome.phase,
                }
                entry.update(tail)
            else:
                entry = outcome.entry(tail)
            append(entry if shared else _unshare(entry))
        return entries

    def check(self) -> None:
        """Assert the cluster invariants; raise ``AssertionError`` naming the first violation.

        * every pod appears exactly once (``input_count`` pods, no duplicate identity);
        * each node's ``requested`` / non-zero totals equal the sums over its pods, and the
          node lists exactly the Running outcomes bound to it;
        * no node exceeds allocatable in a resource (or its pod count) that a pod
          scheduled in this run requested — running pods given as input may already
          overcommit a node, the scheduler never adds to that.
        """
        if self.input_count and len(self) != self.input_count:
            raise AssertionError(f"{len(self)} outcomes for {self.input_count} pods")
        ids = [id(pod) for pod, _ in self._outcomes()]
        if len(set(ids)) != len(ids):
            raise AssertionError("a pod appears more than once")
        on_node: dict[str, list[int]] = {}
        scheduled_ids = set()
        for pod, p in self._outcomes():
            if type(p) is str:  # plain_outcome: scheduled and counted on node p
                on_node.setdefault(p, []).append(id(pod))
                scheduled_ids.add(id(pod))
                continue
            assert isinstance(p, PodOutcome)
            if p.pod is not pod:
                raise AssertionError(f"pod {pod.name}: recorded with another pod's outcome")
            if p.counted:
                if p.node is None:
                    raise AssertionError(f"pod {p.pod.name} counted on no node")
                on_node.setdefault(p.node, []).append(id(p.pod))
            if p.scheduled:
                scheduled_ids.add(id(pod))
        for node in self.nodes:
            if sorted(id(p) for p in node.pods) != sorted(on_node.pop(node.name, [])):
                raise AssertionError(f"node {node.name}: pod list differs from the outcomes")
            totals: dict[str, int] = {}
            for placed in node.pods:
                for r, v in placed.requests.items():
                    totals[r] = totals.get(r, 0) + v
            if {r: v for r, v in totals.items()} != {
                r: v for r, v in node.requested.items() if r in totals or v
            }:
                raise AssertionError(f"node {node.name}: requested {node.requested} != {totals}")
            if node.non_zero_cpu != sum(p.non_zero_cpu for p in node.pods) or (
                node.non_zero_memory != sum(p.non_zero_memory for p in node.pods)
            ):
                raise AssertionError(f"node {node.name}: non-zero totals differ")
            new = [p for p in node.pods if id(p) in scheduled_ids]
            if not new:
                continue
            if len(node.pods) > node.max_pods:
                raise AssertionError(f"node {node.name}: {len(node.pods)} pods > max pods")
            for r in {r for p in new for r, v in p.requests.items() if v > 0}:
                if is_extended(r) and r not in node.allocatable:
                    continue  # the kubelet ignores extended resources a node does not offer
                if node.requested.get(r, 0) > node.allocatable.get(r, 0):
                    raise AssertionError(f"node {node.name}: {r} above allocatable")
        if on_node:
            raise AssertionError(f"outcomes name unknown nodes: {sorted(on_node)}")


def outcome_for(pods: Sequence[PodOutcome], name: str) -> PodOutcome:
    """The outcome of the pod called ``name`` (first match; for tests and examples)."""
    for p in pods:
        if p.pod.name == name:
            return p
    raise KeyError(name)
