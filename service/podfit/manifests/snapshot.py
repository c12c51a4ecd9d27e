"""Snapshots counted once: existing pods reconciled with their controllers as the controllers
would reconcile them, so that ``kubectl get all`` of a namespace gives the pods of its
workloads, not each of them two or three times.

The reader collects, in input order, *pod entries* (Pod objects as read, with their
controlling ``ownerReferences`` entry, ``deletionTimestamp`` and ``creationTimestamp``)
and *workload entries* (Deployment, ReplicaSet, ReplicationController, StatefulSet, Job,
CronJob with their template pod, selector and counts). :func:`reconcile` then decides,
for every pod, how it is taken, and for every workload how many new pods it makes:

* a pod belongs to the controller its controlling owner reference names when that
  controller is in the input; a pod without one is adopted by the first ReplicaSet,
  ReplicationController, StatefulSet, Job or DaemonSet of its namespace whose selector
  matches its labels (``ClaimPods``); a ReplicaSet belongs to its Deployment likewise
  (``ClaimReplicaSets``, by the ReplicaSet's labels);
* only *active* pods count toward replicas (``controller.IsPodActive``: not Succeeded,
  not Failed, no ``deletionTimestamp``); surplus active pods are removed in the order
  the ReplicaSet controller deletes them (unscheduled before scheduled, Pending before
  Unknown before Running, newer before older), missing replicas become new pods;
* a Deployment's current ReplicaSet is the oldest one whose template equals the
  Deployment's ignoring the ``pod-template-hash`` label (``FindNewReplicaSet`` /
  ``EqualIgnoreHash``); the pods of its other ReplicaSets are removed — the state the
  Deployment controller reaches when the rollout completes (old ReplicaSets at 0). Pods
  whose ReplicaSet is not in the input (``kubectl get deploy,pods``) belong to the
  Deployment when their ReplicaSet's name is ``<deployment>-<pod-template-hash>`` and the
  Deployment's selector matches them; they are current when their scheduling-relevant
  spec (containers, resources, overhead) equals the Deployment's template;
* a StatefulSet keeps its pods' ordinals (``<name>-<ordinal>``, from
  ``spec.ordinals.start``); a terminating pod keeps its ordinal (the controller recreates
  it only once it is gone, under the same name); ordinals past the replicas are removed;
* a Job counts its active pods toward ``min(parallelism, completions - succeeded)``
  (``manageJob``); succeeded pods and ``status.succeeded`` reduce the remaining
  completions; with ``podReplacementPolicy: Failed`` (the default when a
  ``podFailurePolicy`` is set) terminating pods also count; a CronJob whose Jobs are in
  the input makes no run of its own;
* terminating pods (``deletionTimestamp`` set) still hold their node's resources, as in
  kube-scheduler's cache until they are gone (``Pod.terminating``, so topology spreading
  can leave them out, as upstream's ``countPodsMatchSelector`` does), and count toward
  no replicas; a terminating pod that is not bound is dropped (the scheduler skips pods
  being deleted); Succeeded and Failed pods count nowhere (they stay in the list with
  their phase, which the scheduler and the totals ignore);
* DaemonSet pods are taken as they are (the scheduler gives a DaemonSet no second pod on
  a node that runs one); pods whose controller is not in the input likewise.

Each workload's outcome is a :class:`Reconciliation` (``Workload.reconciled``); those of
workloads that had pods in the input are also added to ``Workload.warnings`` and, with
the dropped terminating pods, make the ``snapshot`` section of the result documents
(``Workload.snapshot``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from podfit.manifests.fields import Doc
from podfit.manifests.objects import LabelSelector, ObjectRef
from podfit.manifests.replicas import NameRange, NameRanges, PodRuns, Replicas
from podfit.pods import Container, Pod
from podfit.quantity import Quantity
from podfit.resources import maximum

TEMPLATE_HASH_LABEL = "pod-template-hash"
_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}
_ORDINAL = re.compile(r"-(0|[1-9][0-9]{0,9})$")  # ParseInt(…, 10, 32): at most 10 digits


class TakenNames:
    """The (namespace, name) of every pod so far, a set of names and a list of
    :class:`NameRange` per namespace: new pods' names skip them. ``(namespace, name) in
    taken``; :meth:`add` and :meth:`none_of` take many names at once (no tuple per name;
    a NameRange stays a range)."""

    __slots__ = ("_names", "_ranges")

    def __init__(self, keys: Iterable[tuple[str, str]] = ()) -> None:
        self._names: dict[str, set[str]] = {}
        self._ranges: dict[str, NameRanges] = {}
        for namespace, name in keys:
            self._names.setdefault(namespace, set()).add(name)

    def __contains__(self, key: tuple[str, str]) -> bool:
        names = self._names.get(key[0])
        if names is not None and key[1] in names:
            return True
        ranges = self._ranges.get(key[0])
        return ranges is not None and key[1] in ranges

    def add(self, namespace: str, names: Iterable[str]) -> None:
        """Take ``names`` in ``namespace``."""
        if isinstance(names, NameRange):
            self._ranges.setdefault(namespace, NameRanges()).add(names)
        else:
            self._names.setdefault(namespace, set()).update(names)

    def none_of(self, namespace: str, names: Iterable[str]) -> bool:
        """Whether none of ``names`` is taken in ``namespace``. Cost O(min(names, set))
        against the set (a NameRange parses each taken name when fewer); against the
        ranges, those whose prefix starts a name or the range's prefix
        (:class:`NameRanges`)."""
        taken = self._names.get(namespace)
        ranges = self._ranges.get(namespace)
        if isinstance(names, NameRange):
            if taken and (
                any(name in names for name in taken)
                if len(taken) <= len(names)
                else not taken.isdisjoint(names)
            ):
                return False
            return ranges is None or not ranges.shares_with(names)
        names = list(names)
        if taken is not None and not taken.isdisjoint(names):
            return False
        return ranges is None or not any(name in ranges for name in names)


@dataclass(slots=True)
class PodEntry:
    """A Pod object of the input. ``pod`` is None when the object had errors."""

    pod: Pod
    controller: ObjectRef | None
    terminating: bool
    created: str
    removed: bool = False
    claimed_by: WorkloadEntry | None = None


@dataclass(slots=True)
class WorkloadEntry:
    """A workload object of the input. ``pods`` is the template pod (one element, the
    list the reader registered for priority resolution; new replicas are appended to it)
    or empty when the template had errors. ``desired``: replicas (Job: parallelism).
    ``make_names(count, taken)`` gives names for new pods."""

    kind: str
    name: str
    namespace: str
    pods: list[Pod]
    desired: int
    selector: LabelSelector | None
    controller: ObjectRef | None
    template: Mapping[str, Any]
    labels: Mapping[str, str]
    created: str
    source: str
    make_names: Callable[[int, TakenNames], Sequence[str]]
    completions: int | None = None
    succeeded: int = 0
    replace_terminating: bool = True
    suspended: bool = False
    ordinal_start: int = 0
    claimed: list[PodEntry] = field(default_factory=list)
    replica_sets: list[WorkloadEntry] = field(default_factory=list)
    parent: WorkloadEntry | None = None
    has_jobs: bool = False
    new: Sequence[Pod] = ()
    """The new pods (:class:`Replicas` of the template, made when first read)."""

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """How one workload was reconciled: ``desired`` pods, ``counted`` existing active pods
    counting toward them, ``created`` new pods, pods ``removed`` (scaled down: surplus or
    old ReplicaSets), ``terminating`` pods holding resources without counting (or, not
    bound, not scheduled), and ``terminal`` (Succeeded/Failed) pods counting nowhere, listed
    in ``finished``. Pod lists are ``ns/name`` keys in input order."""

    kind: str
    name: str
    namespace: str
    desired: int
    counted: int
    created: int
    removed: tuple[str, ...] = ()
    terminating: tuple[str, ...] = ()
    terminal: int = 0
    note: str = ""
    finished: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The ``snapshot.workloads[]`` entry of the result documents: ``kind``,
        ``namespace``, ``name``, ``desired``, ``existing`` (active pods counted toward
        ``desired``), ``created``, then the pod keys ``removed``, ``terminating`` and
        ``finished`` (each list always present, maybe empty) and ``note`` ("" when none)."""
        return {
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "desired": self.desired,
            "existing": self.counted,
            "created": self.created,
            "removed": list(self.removed),
            "terminating": list(self.terminating),
            "finished": list(self.finished),
            "note": self.note,
        }

    @property
    def reported(self) -> bool:
        """Whether the input held something of this workload beyond its own object (pods,
        ReplicaSets, Jobs): then the outcome is a warning line and a ``snapshot`` entry."""
        return bool(self.counted or self.removed or self.terminating or self.terminal or self.note)

    def line(self) -> str:
        """One line for the summary."""
        parts = [f"{self.counted} existing pods counted", f"{self.created} created"]
        if self.removed:
            parts.append(
                f"{len(self.removed)} removed ({', '.join(self.removed[:5])}"
                + (", …" if len(self.removed) > 5 else "")
                + ")"
            )
        if self.terminating:
            parts.append(
                f"{len(self.terminating)} terminating (hold their node's resources, not counted)"
            )
        if self.terminal:
            parts.append(f"{self.terminal} Succeeded/Failed (count nowhere)")
        note = f"; {self.note}" if self.note else ""
        return (
            f"{self.kind} {self.namespace}/{self.name}: {self.desired} wanted: "
            + ", ".join(parts)
            + note
        )


def equal_ignore_hash(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """``EqualIgnoreHash``: two pod templates equal but for ``pod-template-hash``."""
    return bool(_without_hash(a) == _without_hash(b))


def _without_hash(template: Mapping[str, Any]) -> Any:
    meta = template.get("metadata")
    if not isinstance(meta, Mapping):
        return template
    labels = meta.get("labels")
    if not isinstance(labels, Mapping) or TEMPLATE_HASH_LABEL not in labels:
        return template
    labels = {k: v for k, v in labels.items() if k != TEMPLATE_HASH_LABEL}
    return {**template, "metadata": {**meta, "labels": labels}}


def same_scheduling_spec(a: Pod, b: Pod) -> bool:
    """Whether two pods ask the scheduler for the same: containers (resources, ports),
    init containers, overhead and pod-level resources."""
    return (
        a.containers == b.containers
        and a.init_containers == b.init_containers
        and dict(a.overhead) == dict(b.overhead)
        and dict(a.pod_requests) == dict(b.pod_requests)
        and dict(a.pod_limits) == dict(b.pod_limits)
    )


def is_active(e: PodEntry) -> bool:
    """``controller.IsPodActive``."""
    return not e.pod.is_terminal and not e.terminating


def deletion_order(entries: Sequence[PodEntry]) -> list[PodEntry]:
    """Active pods in the order the ReplicaSet controller deletes surplus ones
    (``ActivePods`` ranking, the parts podfit can see): unscheduled first; then Pending,
    Unknown, Running; then newer ``creationTimestamp`` first; then name."""

    def key(e: PodEntry) -> tuple[int, int, str, str]:
        return (
            1 if e.pod.node_name else 0,
            _PHASE_RANK.get(e.pod.phase or "Pending", 0),
            "".join(chr(0x10FFFF - ord(c)) for c in e.created),  # newer first
            e.pod.name,
        )

    return sorted(entries, key=key)


def reconcile(
    entries: Sequence[PodEntry | WorkloadEntry], taken: TakenNames
) -> tuple[PodRuns, list[Reconciliation], list[str]]:
    """Pods of the input after reconciliation, in input order (a workload's new pods
    where the workload was read, as runs of its template: :class:`PodRuns`), the
    :class:`Reconciliation` of each workload and the keys of dropped unbound terminating
    pods. ``taken`` holds the (namespace, name) of every existing pod; new names are
    added to it. Cost O(pods × workloads of their namespace) for adoption, else O(pods)."""
    workloads = [e for e in entries if isinstance(e, WorkloadEntry)]
    pods = [e for e in entries if isinstance(e, PodEntry)]
    by_ref = {(w.namespace, w.kind, w.name): w for w in workloads}
    _claim_replica_sets(workloads, by_ref)
    _claim_pods(pods, workloads, by_ref)
    for w in workloads:
        if w.kind == "Job" and w.controller is not None and w.controller.kind == "CronJob":
            cron = by_ref.get((w.namespace, "CronJob", w.controller.name))
            if cron is not None:
                cron.has_jobs = True
    results: list[Reconciliation] = []
    for w in workloads:
        if w.parent is not None:
            continue  # a Deployment's ReplicaSet: reconciled with its Deployment
        result = _reconcile_one(w, taken)
        if result is not None:
            results.append(result)
    out: list[Pod | Replicas] = []
    dropped: list[str] = []
    for e in entries:
        if isinstance(e, WorkloadEntry):
            if isinstance(e.new, Replicas):
                out.append(e.new)
            else:
                out.extend(e.new)
        elif not e.removed:
            if e.terminating and not e.pod.node_name and not e.pod.is_terminal:
                dropped.append(e.pod.key)
                continue
            pod = e.pod
            owner = e.claimed_by
            if owner is not None and owner.parent is not None:
                owner = owner.parent
            changes: dict[str, Any] = {}
            if owner is not None and pod.owner != owner.ref:
                changes["owner"] = owner.ref
            if e.terminating:
                changes["terminating"] = True
            out.append(replace(pod, **changes) if changes else pod)
    return PodRuns(out), results, dropped


def _claim_replica_sets(
    workloads: Sequence[WorkloadEntry], by_ref: Mapping[tuple[str, str, str], WorkloadEntry]
) -> None:
    deployments = [w for w in workloads if w.kind == "Deployment"]
    for w in workloads:
        if w.kind != "ReplicaSet":
            continue
        parent = None
        if w.controller is not None:
            if w.controller.kind == "Deployment":
                parent = by_ref.get((w.namespace, "Deployment", w.controller.name))
        else:
            parent = next(
                (
                    d
                    for d in deployments
                    if d.namespace == w.namespace
                    and d.selector is not None
                    and not d.selector.is_empty
                    and d.selector.matches(w.labels)
                ),
                None,
            )
        if parent is not None:
            w.parent = parent
            parent.replica_sets.append(w)


_ADOPTERS = ("ReplicaSet", "ReplicationController", "StatefulSet", "Job", "DaemonSet")


def _claim_pods(
    pods: Sequence[PodEntry],
    workloads: Sequence[WorkloadEntry],
    by_ref: Mapping[tuple[str, str, str], WorkloadEntry],
) -> None:
    adopters: dict[str, list[WorkloadEntry]] = {}
    for w in workloads:
        if w.kind in _ADOPTERS and w.selector is not None and not w.selector.is_empty:
            adopters.setdefault(w.namespace, []).append(w)
    for e in pods:
        pod = e.pod
        owner: WorkloadEntry | None = None
        ref = e.controller
        if ref is not None:
            owner = by_ref.get((pod.namespace, ref.kind, ref.name))
            if owner is None and ref.kind == "ReplicaSet":
                owner = _deployment_of_missing_rs(pod, ref.name, by_ref)
        else:
            owner = next(
                (w for w in adopters.get(pod.namespace, ()) if w.selector.matches(pod.labels)),  # type: ignore[union-attr]
                None,
            )
        if owner is not None:
            e.claimed_by = owner
            owner.claimed.append(e)


def _deployment_of_missing_rs(
    pod: Pod, rs_name: str, by_ref: Mapping[tuple[str, str, str], WorkloadEntry]
) -> WorkloadEntry | None:
    """The Deployment of a pod whose ReplicaSet is not in the input: named
    ``<deployment>-<pod-template-hash>``, and the Deployment's selector matches the pod.
    One look-up."""
    h = pod.labels.get(TEMPLATE_HASH_LABEL)
    if not h or not rs_name.endswith(f"-{h}"):
        return None
    w = by_ref.get((pod.namespace, "Deployment", rs_name[: -len(h) - 1]))
    if w is not None and w.selector is not None and w.selector.matches(pod.labels):
        return w
    return None


def _reconcile_one(w: WorkloadEntry, taken: TakenNames) -> Reconciliation | None:
    if w.kind == "CronJob":
        if w.has_jobs:
            return Reconciliation(
                w.kind,
                w.name,
                w.namespace,
                0,
                0,
                0,
                note="its Jobs are in the input: no run of its own",
            )
        return _replicated(w, w.claimed, w.desired, taken, had_input=False)
    if w.kind == "Deployment":
        return _deployment(w, taken)
    if w.kind == "StatefulSet":
        return _stateful_set(w, taken)
    if w.kind == "Job":
        return _job(w, taken)
    if w.kind == "DaemonSet":
        return None
    return _replicated(w, w.claimed, w.desired, taken, had_input=bool(w.claimed))


def _split(
    claimed: Sequence[PodEntry],
) -> tuple[list[PodEntry], list[PodEntry], list[PodEntry]]:
    """Active, terminating (not terminal) and terminal (Succeeded/Failed) pods."""
    active = [e for e in claimed if is_active(e)]
    terminating = [e for e in claimed if e.terminating and not e.pod.is_terminal]
    terminal = [e for e in claimed if e.pod.is_terminal]
    return active, terminating, terminal


def _create(w: WorkloadEntry, count: int, taken: TakenNames) -> None:
    if count <= 0 or not w.pods:
        return
    _add_pods(w, w.make_names(count, taken), taken)


def _add_pods(w: WorkloadEntry, names: Sequence[str], taken: TakenNames) -> None:
    """Replicas of the workload's template under ``names`` become its new pods
    (``w.new``, made when first read and then added to ``w.pods``, the list the reader
    resolves PriorityClasses on); the names are taken in its namespace."""
    taken.add(w.namespace, names)
    w.new = Replicas(w.pods[0], names, w.pods)


def _reconciled(
    w: WorkloadEntry,
    desired: int,
    counted: int = 0,
    removed: Sequence[PodEntry] = (),
    terminating: Sequence[PodEntry] = (),
    terminal: Sequence[PodEntry] = (),
    note: str = "",
) -> Reconciliation:
    """The report of ``w`` after reconciling: its pods created so far (``w.new``) and the
    keys of the pods ``removed``, ``terminating`` and ``terminal``."""
    return Reconciliation(
        w.kind,
        w.name,
        w.namespace,
        desired,
        counted,
        len(w.new),
        tuple(e.pod.key for e in removed),
        tuple(e.pod.key for e in terminating),
        len(terminal),
        note,
        tuple(e.pod.key for e in terminal),
    )


def _replicated(
    w: WorkloadEntry,
    claimed: Sequence[PodEntry],
    desired: int,
    taken: TakenNames,
    had_input: bool,
    removed_first: Sequence[PodEntry] = (),
    note: str = "",
) -> Reconciliation | None:
    active, terminating, terminal = _split(claimed)
    surplus = deletion_order(active)[: max(0, len(active) - desired)]
    for e in [*removed_first, *surplus]:
        e.removed = True
    counted = len(active) - len(surplus)
    _create(w, desired - counted, taken)
    if not had_input and not removed_first:
        return _reconciled(w, desired)
    return _reconciled(w, desired, counted, [*removed_first, *surplus], terminating, terminal, note)


def _deployment(w: WorkloadEntry, taken: TakenNames) -> Reconciliation | None:
    # ReplicaSetsByCreationTimestamp: oldest first, names break ties
    ordered = sorted(w.replica_sets, key=lambda r: (r.created, r.name))
    current = next((r for r in ordered if equal_ignore_hash(r.template, w.template)), None)
    claimed: list[PodEntry] = []
    old: list[PodEntry] = []
    template = w.pods[0] if w.pods else None
    for e in w.claimed:  # pods of ReplicaSets missing from the input
        if template is not None and same_scheduling_spec(e.pod, template):
            claimed.append(e)
        elif is_active(e):
            old.append(e)
        else:
            claimed.append(e)  # terminating / terminal: reported, never removed
    for rs in w.replica_sets:
        for e in rs.claimed:
            if rs is current or not is_active(e):
                claimed.append(e)
            else:
                old.append(e)
    notes = []
    if current is not None:
        w.make_names = _rs_names(current.name, w.namespace)
        h = current.labels.get(TEMPLATE_HASH_LABEL)
        if h and w.pods:  # new pods carry the current ReplicaSet's hash, as its pods do
            w.pods[0] = replace(w.pods[0], labels={**w.pods[0].labels, TEMPLATE_HASH_LABEL: h})
        notes.append(f"current ReplicaSet {current.name}")
    olds = [r.name for r in w.replica_sets if r is not current]
    if olds:
        notes.append(f"old ReplicaSets {', '.join(olds)} scaled down to 0")
    had_input = bool(w.claimed or w.replica_sets)
    return _replicated(
        w, claimed, w.desired, taken, had_input, removed_first=old, note="; ".join(notes)
    )


def _rs_names(rs_name: str, namespace: str) -> Callable[[int, TakenNames], list[str]]:
    from podfit.manifests.names import generated_name

    def make(count: int, taken: TakenNames) -> list[str]:
        out: list[str] = []
        made: set[str] = set()  # ``out`` as a set: O(count), not O(count²)
        ordinal = 0
        while len(out) < count:
            name = generated_name(f"{rs_name}-", namespace, ordinal)
            ordinal += 1
            if (namespace, name) not in taken and name not in made:
                out.append(name)
                made.add(name)
        return out

    return make


def _stateful_set(w: WorkloadEntry, taken: TakenNames) -> Reconciliation | None:
    wanted = range(w.ordinal_start, w.ordinal_start + w.desired)
    held: dict[int, PodEntry] = {}
    removed: list[PodEntry] = []
    _, terminating, terminal = _split(w.claimed)
    for e in w.claimed:
        if e.pod.is_terminal:
            continue
        m = _ORDINAL.search(e.pod.name)
        ordinal = int(m.group(1)) if m and e.pod.name[: m.start()] == w.name else None
        if ordinal is None or ordinal not in wanted or ordinal in held:
            if not e.terminating:
                removed.append(e)
            continue
        held[ordinal] = e
    for e in removed:
        e.removed = True
    missing = [i for i in wanted if i not in held]
    if missing and w.pods:
        _add_pods(w, [f"{w.name}-{i}" for i in missing], taken)
    counted = sum(1 for e in held.values() if not e.terminating)
    if not w.claimed:
        return _reconciled(w, w.desired)
    waiting = [e.pod.name for e in held.values() if e.terminating]
    note = (
        f"{', '.join(waiting)} terminating: recreated under the same name once gone"
        if waiting
        else ""
    )
    return _reconciled(w, w.desired, counted, removed, terminating, terminal, note)


def _job(w: WorkloadEntry, taken: TakenNames) -> Reconciliation | None:
    active, terminating, terminal = _split(w.claimed)
    succeeded = max(w.succeeded, sum(1 for e in w.claimed if e.pod.phase == "Succeeded"))
    parallelism = w.desired
    if w.suspended:
        want = 0
    elif w.completions is None:
        want = len(active) if succeeded > 0 else parallelism
    else:
        want = max(0, min(w.completions - succeeded, parallelism))
    surplus = deletion_order(active)[: max(0, len(active) - want)]
    for e in surplus:
        e.removed = True
    counted = len(active) - len(surplus)
    diff = want - counted - (0 if w.replace_terminating else len(terminating))
    _create(w, diff, taken)
    if not w.claimed and not w.succeeded:
        return _reconciled(w, want)
    note = f"{succeeded} succeeded" if succeeded else ""
    return _reconciled(w, want, counted, surplus, terminating, terminal, note)


# -- in-place resize ----------------------------------------------------------------------------


def status_resources(
    containers: Sequence[Container], init: Sequence[Container], status: Mapping[str, Any], d: Doc
) -> tuple[tuple[Container, ...], tuple[Container, ...]] | None:
    """The containers as kube-scheduler 1.34 counts a pod that is being resized in place
    (``PodRequests`` / ``PodLimits`` with ``UseStatusResources``, InPlacePodVerticalScaling
    on by default since 1.33), or None when no container status reports ``resources``.

    For each regular container and each sidecar (``restartPolicy: Always`` init container)
    whose status (``status.containerStatuses`` / ``initContainerStatuses``, by name) has
    ``resources``: requests := per-resource max(spec requests, status ``resources.requests``,
    ``allocatedResources``) and limits := max(spec limits, status ``resources.limits``);
    while the resize is infeasible (condition ``PodResizePending`` with reason
    ``Infeasible``) the spec is left out of both (the pending resize will not happen).
    Classic init containers keep their spec."""
    statuses: dict[str, Mapping[str, Any]] = {}
    for key in ("containerStatuses", "initContainerStatuses"):
        for i, raw in enumerate(d.seq(status.get(key), f"status.{key}")):
            cs = d.mapping(raw, f"status.{key}[{i}]")
            name = cs.get("name")
            if isinstance(name, str) and cs.get("resources") is not None:
                statuses[name] = {"_path": f"status.{key}[{i}]", **cs}
    if not statuses:
        return None
    infeasible = False
    for i, raw in enumerate(d.seq(status.get("conditions"), "status.conditions")):
        cond = d.mapping(raw, f"status.conditions[{i}]")
        if cond.get("type") == "PodResizePending":
            infeasible = cond.get("reason") == "Infeasible"
            break

    def resized(c: Container, sidecar_only: bool) -> Container:
        cs = statuses.get(c.name)
        if cs is None or (sidecar_only and not c.is_sidecar):
            return c
        p = cs["_path"]
        res = d.mapping(cs.get("resources"), f"{p}.resources")
        st_req = d.resources(res.get("requests"), f"{p}.resources.requests")
        st_lim = d.resources(res.get("limits"), f"{p}.resources.limits")
        allocated = d.resources(cs.get("allocatedResources"), f"{p}.allocatedResources")
        base_req: Mapping[str, Quantity] = {} if infeasible else c.requests
        base_lim: Mapping[str, Quantity] = {} if infeasible else c.limits
        requests = maximum(maximum(base_req, st_req), allocated)
        limits = maximum(base_lim, st_lim)
        if requests == dict(c.requests) and limits == dict(c.limits):
            return c
        return replace(c, requests=requests, limits=limits)

    return (
        tuple(resized(c, False) for c in containers),
        tuple(resized(c, True) for c in init),
    )
