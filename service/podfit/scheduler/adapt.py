"""From ``podfit.pods.Pod`` / ``podfit.nodes.Node`` to the scheduler's integer model, and
:func:`schedule`, the library entry point (``podfit.schedule``).

Conversion happens once per pod (quantities → ints with Kubernetes' ceilings); pods built
from one template share their converted request dicts, so 100,000 replicas cost little.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from operator import attrgetter

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.errors import FieldError, ManifestError, PodfitError
from podfit.manifests import objects
from podfit.manifests.reader import SPREAD_SELECTOR_KINDS
from podfit.manifests.replicas import PodRuns, Replicas
from podfit.manifests.snapshot import TEMPLATE_HASH_LABEL
from podfit.manifests.topology import topology_selector
from podfit.nodes import Node, allocatable_amounts
from podfit.pods import (
    Pod,
    host_ports,
    non_zero_requests,
    pod_request_amounts,
    qos_class,
    resource_key,
)
from podfit.scheduler.config import DEFAULT_STRATEGY, SchedulerConfig, make_config
from podfit.scheduler.filters import DEFAULT_VERSION
from podfit.scheduler.model import NodeInfo, PodInfo, Taint
from podfit.scheduler.preemption import BudgetSpec
from podfit.scheduler.result import ScheduleResult
from podfit.scheduler.run import DaemonSetTemplate, schedule_infos
from podfit.topology import (
    LabelSelector,
    Namespaces,
    ServiceSelector,
    and_selectors,
    default_selector,
    label_selector,
    with_label_keys,
)

_all_but_name = attrgetter(*(f.name for f in fields(Pod) if f.name != "name"))
"""Every field of a ``Pod`` except its name, as a tuple."""


class PodConverter:
    """Builds ``PodInfo`` objects, sharing the work between pods with identical specs.

    ``pod_level_resources`` False (Kubernetes 1.33, where the PodLevelResources gate is
    alpha and off) drops ``spec.resources`` as the API server drops disabled fields.
    """

    def __init__(
        self,
        pod_level_resources: bool = True,
        services: Iterable[ServiceSelector] = (),
        controllers: Mapping[tuple[str, str], LabelSelector] | None = None,
    ) -> None:
        self._cache: dict[object, tuple[dict[str, int], tuple[int, int], str]] = {}
        self._pod_level = pod_level_resources
        self._services = tuple(services)
        self._controllers = dict(controllers or {})
        self._last: tuple[tuple[object, ...], PodInfo] | None = None

    def __call__(self, pod: Pod, path: str) -> PodInfo:
        """``pod`` at the integer level; a QuantityError is re-raised under ``path``.

        A pod equal to the previous one but for its name (the next replica of a template:
        its fields are the template's very objects, so the comparison is mostly identity
        checks) becomes a :meth:`PodInfo.replica` of the previous result: O(1).
        """
        spec = _all_but_name(pod)
        last = self._last
        if last is not None and last[0] == spec:
            return last[1].replica(pod.name)
        info = self._convert(pod, path)
        self._last = (spec, info)
        return info

    def all(self, pods: Sequence[Pod] | PodRuns, prefix: str) -> list[PodInfo]:
        """``[self(pod, f"{prefix}[{i}]") ...]``: the same objects, in order, but the loop
        is one call and a replica's path is never formatted (it names only a conversion's
        errors, and a replica is not converted). Pods held as :class:`PodRuns` (the
        reader's ``Workload.pod_source()``) are read run by run: a :class:`Replicas`
        segment's pods are its template under each of its names, so the template is
        compared and converted once for all of them (a conversion error names the first
        one's path) and each name is a :meth:`PodInfo.replica`. O(pods)."""
        segments = pods.segments if isinstance(pods, PodRuns) else pods
        out: list[PodInfo] = []
        append = out.append
        last = self._last
        spec, info = last if last is not None else (None, None)
        start = 0  # the index of the segment's first pod
        for segment in segments:
            if isinstance(segment, Replicas):
                pod, names = segment.template, segment.names
                if not names:
                    continue
            else:
                pod, names = segment, None
            pod_spec = _all_but_name(pod)
            fresh = info is None or pod_spec != spec
            if fresh:
                spec, info = pod_spec, self._convert(pod, f"{prefix}[{start}]")
                self._last = (spec, info)
            assert info is not None
            if names is None:  # one pod: itself when converted, else a replica
                append(info if fresh else info.replica(pod.name))
                start += 1
                continue
            for name in names:
                if fresh and name == info.name:  # the converted pod itself
                    append(info)
                    fresh = False
                else:
                    append(info.replica(name))
            start += len(names)
        return out

    def _convert(self, pod: Pod, path: str) -> PodInfo:
        if not self._pod_level and (pod.pod_requests or pod.pod_limits):
            pod = replace(pod, pod_requests={}, pod_limits={})
        try:
            key: tuple[object, ...] | None = resource_key(pod)
            cached = self._cache.get(key)
        except TypeError:  # unhashable content: convert without sharing
            key, cached = None, None
        try:
            if cached is None:
                cached = (pod_request_amounts(pod), non_zero_requests(pod), qos_class(pod))
                if key is not None:
                    self._cache[key] = cached
        except PodfitError as exc:
            raise exc.at(path) from None
        requests, non_zero, qos = cached
        spread, pod_affinity = pod.spread, pod.pod_affinity
        if spread or pod_affinity is not None:  # else nothing to merge
            spread, pod_affinity = with_label_keys(spread, pod_affinity, pod.labels)
        owner_selector = self._owner_selector(pod)
        default_spread = (
            None  # no Service, no controller: no default spreading
            if owner_selector is None and not self._services
            else default_selector(pod.namespace, pod.labels, owner_selector, self._services)
        )
        return PodInfo(
            pod.name,
            namespace=pod.namespace,
            owner=pod.owner,
            requests=requests,
            non_zero=non_zero,
            priority=pod.priority,
            preemption_policy=pod.preemption_policy,
            node_name=pod.node_name or None,
            node_selector=pod.node_selector,
            required_terms=pod.required_node_affinity,
            preferred_terms=pod.preferred_node_affinity,
            tolerations=pod.tolerations,
            host_ports=[p.binding() for p in host_ports(pod)],
            qos_class=qos,
            daemonset=pod.daemonset,
            phase=pod.phase,
            labels=pod.labels,
            spread=spread,
            default_spread=default_spread,
            pod_affinity=pod_affinity,
            terminating=pod.terminating,
            start_time=pod.start_time,
            nominated_node=pod.nominated_node,
            preempted=pod.preempted,
        )

    def _owner_selector(self, pod: Pod) -> LabelSelector | None:
        """The selector of the ReplicaSet / StatefulSet / ReplicationController controlling
        ``pod``: the one the reader recorded for the pods it expanded, else (a bound pod
        from ``kubectl get pods``) its owner's among ``controllers`` (a Deployment's pods:
        the Deployment's selector plus the pod's ``pod-template-hash``); None when the
        owner is another kind or not in the input (kube-scheduler's lister would not find
        it: Services only)."""
        if not pod.owner:
            return None
        kind = pod.owner.split("/", 1)[0]
        if kind not in SPREAD_SELECTOR_KINDS:
            return None
        selector = pod.owner_selector or self._controllers.get((pod.namespace, pod.owner))
        if selector is None:
            return None
        if kind == "Deployment":
            h = pod.labels.get(TEMPLATE_HASH_LABEL)
            if h is None:
                return None
            selector = and_selectors(selector, label_selector({TEMPLATE_HASH_LABEL: h}))
        return selector


def topology_inputs(
    services: Iterable[objects.Service],
    controllers: Iterable[objects.Controller],
) -> tuple[list[ServiceSelector], dict[tuple[str, str], LabelSelector]]:
    """Services (their ``spec.selector`` maps) and controller selectors keyed by
    (namespace, ``Kind/name``), as default spreading reads them. O(objects)."""
    svc = [
        ServiceSelector(s.namespace, None if s.selector is None else dict(s.selector.match_labels))
        for s in services
    ]
    ctl = {
        (c.namespace, c.ref): topology_selector(c.selector)
        for c in controllers
        if c.selector is not None and c.kind in SPREAD_SELECTOR_KINDS
    }
    return svc, ctl


def budget_spec(pdb: objects.PodDisruptionBudget) -> BudgetSpec:
    """A PodDisruptionBudget of the input as preemption reads it."""
    return BudgetSpec(
        pdb.namespace,
        None if pdb.selector is None else topology_selector(pdb.selector),
        pdb.min_available,
        pdb.max_unavailable,
        pdb.disruptions_allowed,
        pdb.disrupted_pods,
    )


def node_info(
    node: Node, index: int = 0, path: str = "", amounts: dict[int, dict[str, int]] | None = None
) -> NodeInfo:
    """``node`` at the integer level (allocatable ints; a bad quantity names ``path``).
    ``amounts`` (``id`` of an allocatable mapping -> its ints) shares one conversion
    between nodes holding the same mapping (a compact entry's pool): the caller keeps
    the nodes alive while it holds the ids."""
    alloc = None if amounts is None else amounts.get(id(node.allocatable))
    if alloc is None:
        try:
            alloc = allocatable_amounts(node)
        except PodfitError as exc:
            raise exc.at(path) from None
        if amounts is not None:
            amounts[id(node.allocatable)] = alloc
    return NodeInfo(
        node.name,
        alloc,
        labels=node.labels,
        taints=[Taint(t.key, t.value, t.effect) for t in node.taints],
        unschedulable=node.unschedulable,
        index=index,
    )


def node_infos(nodes: Iterable[Node], prefix: str = "nodes") -> list[NodeInfo]:
    """:func:`node_info` of each node (index and path ``prefix[i]`` from its place), each
    allocatable mapping converted once (the nodes of a pool share theirs). O(nodes)."""
    amounts: dict[int, dict[str, int]] = {}
    held = list(nodes)  # alive while their ids key ``amounts``
    return [node_info(n, i, f"{prefix}[{i}]", amounts) for i, n in enumerate(held)]


def check_node_names(names: Sequence[str], prefix: str = "nodes") -> None:
    """Raise ``ManifestError`` naming every repeated node name (``nodes[3].metadata.name:
    duplicate node name "a" (also nodes[0])``): pods bind to nodes by name. O(nodes)."""
    seen: dict[str, int] = {}
    errors = []
    for i, name in enumerate(names):
        if name in seen:
            errors.append(
                FieldError(
                    f"{prefix}[{i}].metadata.name",
                    f'duplicate node name "{name}" (also {prefix}[{seen[name]}])',
                )
            )
        seen.setdefault(name, i)
    if errors:
        raise ManifestError(errors[0].message, errors[0].path, errors)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (back on after it, if it was
    on; reference counting frees acyclic garbage as always).

    A scheduling run builds a few objects per pod and keeps them all to the end, none of
    them garbage: each time they add up to a quarter of the objects alive, CPython's
    collector walks every live object (a ``PodInfo`` per replica, the caller's ``Pod``
    objects, ...) only to find nothing. The CLI keeps the collector off for a whole
    command for the same reason. With threads (the HTTP service), another thread's
    cycles are collected once the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def schedule(
    pods: Iterable[Pod],
    nodes: Iterable[Node],
    *,
    daemonsets: Iterable[Pod] = (),
    strategy: str = DEFAULT_STRATEGY,
    version: str = DEFAULT_VERSION,
    explain: bool = False,
    resources: Mapping[str, int] | Sequence[tuple[str, int]] | None = None,
    shape: Iterable[tuple[int, int]] | None = None,
    ignored_resources: Iterable[str] = (),
    ignored_resource_groups: Iterable[str] = (),
    dra: bool | None = None,
    config: SchedulerConfig | None = None,
    services: Iterable[objects.Service] = (),
    namespaces: Iterable[objects.Namespace] = (),
    controllers: Iterable[objects.Controller] = (),
    disruption_budgets: Iterable[objects.PodDisruptionBudget] = (),
    deadline: Deadline = NO_DEADLINE,
) -> ScheduleResult:
    """Place ``pods`` on ``nodes`` as kube-scheduler's default profile would.

    ``pods`` may be a workload's :class:`PodRuns` (``Workload.pod_source()``): its
    replicas are then converted run by run, never made as Pods. ``daemonsets`` are
    DaemonSet template pods (``Workload.daemonsets``), expanded to one pod per eligible
    node and placed first. ``strategy`` is the NodeResourcesFit scoring
    strategy (LeastAllocated, MostAllocated, RequestedToCapacityRatio with ``shape``),
    ``resources`` its resource weights. ``dra`` puts DynamicResources in the profile
    (default: the version's, on from 1.34). Raises ``ConfigError`` for bad options and
    ``QuantityError`` (with the field path) for amounts beyond int64; never for pods that
    do not fit — those come back Pending with the FailedScheduling message. ``config``, a
    configuration :func:`make_config` already validated (the edges'), is used as it is
    instead of the option keywords.

    PodTopologySpread and InterPodAffinity read the pods' spread constraints and pod
    (anti-)affinity, and for kube-scheduler's default spreading the ``services``
    (``Workload.services``) selecting a pod and its controller's selector (recorded on the
    pods the loader expands; bound pods find their owner among ``controllers``,
    ``Workload.controllers``). ``namespaces`` (``Workload.namespaces``) give the labels a
    term's namespaceSelector matches; a namespace not listed has only
    ``kubernetes.io/metadata.name``.

    With the configuration's ``preemption`` (the default) DefaultPreemption evicts as in a
    cluster: victims end ``Failed`` with a DisruptionTarget condition, ``preemptedBy`` and
    ``preemptedFrom``, a controller's victim gets a replacement pod (an extra entry, or the
    victim's own for a StatefulSet), and the ``disruption_budgets``
    (``Workload.disruption_budgets``) decide which victims are reprieved first.

    ``deadline`` (the HTTP service's request time limit; none by default) is checked while
    the queue is drained, every ``CHECK_EVERY`` pods: its ``expired`` raises.

    Python's cyclic garbage collector is paused meanwhile (:func:`collector_paused`).
    """
    with collector_paused():
        return _schedule(
            pods if isinstance(pods, PodRuns) else list(pods),
            nodes,
            list(daemonsets),
            explain,
            config
            or make_config(
                strategy,
                resources=resources,
                shape=shape,
                version=version,
                ignored_resources=ignored_resources,
                ignored_resource_groups=ignored_resource_groups,
                dra=dra,
            ),
            services,
            namespaces,
            controllers,
            disruption_budgets,
            deadline,
        )


def _schedule(
    pods: Sequence[Pod],
    nodes: Iterable[Node],
    daemonsets: list[Pod],
    explain: bool,
    cfg: SchedulerConfig,
    services: Iterable[objects.Service],
    namespaces: Iterable[objects.Namespace],
    controllers: Iterable[objects.Controller],
    disruption_budgets: Iterable[objects.PodDisruptionBudget],
    deadline: Deadline,
) -> ScheduleResult:
    """:func:`schedule`'s steps: convert the pods, nodes and DaemonSet templates, check the
    node names, run the queue."""
    service_selectors, controller_selectors = topology_inputs(services, controllers)
    convert = PodConverter(
        pod_level_resources=cfg.features.pod_level_resources,
        services=service_selectors,
        controllers=controller_selectors,
    )
    pod_infos = convert.all(pods, "pods")
    infos = node_infos(nodes)
    check_node_names([n.name for n in infos])
    templates = []
    for i, ds in enumerate(daemonsets):
        info = convert(ds, f"daemonsets[{i}]")
        templates.append(DaemonSetTemplate(ds.daemonset or ds.name, info, ds.host_network))
    return schedule_infos(
        pod_infos,
        infos,
        cfg,
        daemonsets=templates,
        explain=explain,
        namespaces=Namespaces({ns.name: ns.label_map for ns in namespaces}),
        budgets=[budget_spec(b) for b in disruption_budgets],
        deadline=deadline,
    )
