"""The bridge from pods and nodes to the scheduler's integer model, shared by the planners.

All placement goes through ``podfit.scheduler`` (its ``schedule_infos`` run and its
``Engine`` scheduling cycle); nothing here decides fit on its own.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import replace

from podfit.deadline import NO_DEADLINE, Deadline
from podfit.manifests import objects
from podfit.manifests.replicas import PodRuns
from podfit.nodes import Node
from podfit.pods import Pod
from podfit.scheduler.adapt import (
    PodConverter,
    budget_spec,
    check_node_names,
    node_info,
    topology_inputs,
)
from podfit.scheduler.config import SchedulerConfig, make_config
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.preemption import BudgetSpec
from podfit.scheduler.result import ScheduleResult
from podfit.scheduler.run import DaemonSetTemplate, schedule_infos
from podfit.topology import Namespaces

__all__ = ["Cluster", "replica"]


class Cluster:
    """Converted pods, nodes and DaemonSets for one plan; ``run`` schedules them. Repeated
    node names are refused (``ManifestError``), as :func:`podfit.schedule` refuses them.
    ``config`` is the scheduler configuration the plan runs with (default: the default
    profile of the default Kubernetes version), validated by the caller's edge; its
    ``preemption`` is turned off (plans do not evict). ``deadline`` is checked inside
    every scheduling run of the plan (:func:`~podfit.scheduler.run.schedule_infos`: before
    the first queued pod, then every 256), so a plan's baseline on a large cluster stops
    at the caller's time limit too."""

    def __init__(
        self,
        pods: Sequence[Pod],
        nodes: Sequence[Node],
        daemonsets: Sequence[Pod] = (),
        config: SchedulerConfig | None = None,
        *,
        services: Iterable[objects.Service] = (),
        namespaces: Iterable[objects.Namespace] = (),
        controllers: Iterable[objects.Controller] = (),
        disruption_budgets: Iterable[objects.PodDisruptionBudget] = (),
        deadline: Deadline = NO_DEADLINE,
    ) -> None:
        self.deadline = deadline
        # plans keep preemption a report: what they answer (room, node counts, drains)
        # is about the pods they place, not about evicting lower-priority ones
        self.cfg = replace(config or make_config(), preemption=False)
        # the workload's Services, controllers and Namespaces reach the scheduler as in
        # podfit.schedule (same helpers): default spreading and namespaceSelectors
        service_selectors, controller_selectors = topology_inputs(services, controllers)
        self.convert = PodConverter(
            pod_level_resources=self.cfg.features.pod_level_resources,
            services=service_selectors,
            controllers=controller_selectors,
        )
        self.namespaces = Namespaces({ns.name: ns.label_map for ns in namespaces})
        self.budgets: list[BudgetSpec] = [budget_spec(b) for b in disruption_budgets]
        # runs of replicas stay runs (pending() counts them without a Pod per replica)
        self.pods: Sequence[Pod] = pods if isinstance(pods, PodRuns) else list(pods)
        self.exemplars: dict[tuple[str, str], Pod] = {}
        self.nodes = list(nodes)
        check_node_names([n.name for n in self.nodes])
        self.daemonset_pods = list(daemonsets)
        self.daemonsets = [
            DaemonSetTemplate(
                ds.daemonset or ds.name, self.convert(ds, f"daemonsets[{i}]"), ds.host_network
            )
            for i, ds in enumerate(daemonsets)
        ]

    @functools.cached_property
    def by_name(self) -> dict[tuple[str, str], Pod]:
        """The pods by (namespace, name); built on first use (O(pods))."""
        return {(p.namespace, p.name): p for p in self.pods}

    def pod_of(self, info: PodInfo) -> Pod | None:
        """The input pod ``info`` was converted from: one of ``exemplars`` (registered by
        whoever converted only some pods), else looked up by name."""
        key = (info.namespace, info.name)
        found = self.exemplars.get(key)
        return found if found is not None else self.by_name.get(key)

    def pod_infos(self, pods: Sequence[Pod] | None = None, prefix: str = "pods") -> list[PodInfo]:
        return [
            self.convert(p, f"{prefix}[{i}]")
            for i, p in enumerate(self.pods if pods is None else pods)
        ]

    def node_infos(
        self, nodes: Sequence[Node] | None = None, prefix: str = "nodes"
    ) -> list[NodeInfo]:
        return [
            node_info(n, i, f"{prefix}[{i}]")
            for i, n in enumerate(self.nodes if nodes is None else nodes)
        ]

    def run(
        self, pods: Sequence[Pod] | None = None, nodes: Sequence[Node] | None = None
    ) -> ScheduleResult:
        """Schedule ``pods`` (default: all) on ``nodes`` (default: all), DaemonSets first,
        with the cluster's Namespaces and PodDisruptionBudgets (preemption off)."""
        return self.schedule(self.pod_infos(pods), self.node_infos(nodes), daemonsets=True)

    def schedule(
        self, pods: Sequence[PodInfo], nodes: Sequence[NodeInfo], *, daemonsets: bool = False
    ) -> ScheduleResult:
        """``schedule_infos`` of converted ``pods`` on ``nodes`` (mutated) with this
        cluster's configuration, Namespaces, budgets and deadline; the DaemonSets too when
        ``daemonsets``. No shortfall is computed (the plans read messages only)."""
        return schedule_infos(
            pods,
            nodes,
            self.cfg,
            daemonsets=self.daemonsets if daemonsets else (),
            with_shortfall=False,
            namespaces=self.namespaces,
            budgets=self.budgets,
            deadline=self.deadline,
        )


def replica(info: PodInfo, name: str) -> PodInfo:
    """A new replica of ``info`` named ``name`` (same spec, not bound, no phase, no
    DaemonSet, no nominated node, not preempted): :meth:`PodInfo.respawn` with the binding
    and the pod's own status cleared. Cost: one ``PodInfo``."""
    return info.respawn(
        name, node_name=None, phase=None, daemonset=None, nominated_node=None, preempted=False
    )
