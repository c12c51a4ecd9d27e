"""The bridge from pods and nodes to the scheduler's integer model, shared by the planners.

All placement goes through ``podfit.scheduler`` (its ``schedule_infos`` run and its
``Engine`` scheduling cycle); nothing here decides fit on its own.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from podfit.nodes import Node
from podfit.pods import Pod, unmodelled_warnings
from podfit.scheduler.adapt import (
    PodConverter,
    check_node_names,
    default_spread_warning,
    node_info,
)
from podfit.scheduler.config import SchedulerConfig, make_config
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.result import ScheduleResult
from podfit.scheduler.run import DaemonSetTemplate, schedule_infos

__all__ = ["Cluster", "replica"]


class Cluster:
    """Converted pods, nodes and DaemonSets for one plan; ``run`` schedules them. Repeated
    node names are refused (``ManifestError``), as :func:`podfit.schedule` refuses them.
    ``config`` is the scheduler configuration the plan runs with (default: the default
    profile of the default Kubernetes version), validated by the caller's edge."""

    def __init__(
        self,
        pods: Sequence[Pod],
        nodes: Sequence[Node],
        daemonsets: Sequence[Pod] = (),
        config: SchedulerConfig | None = None,
    ) -> None:
        self.cfg = config or make_config()
        self.convert = PodConverter(pod_level_resources=self.cfg.features.pod_level_resources)
        self.pods = list(pods)
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

    def warnings(self, nodes: Sequence[NodeInfo], templates: Sequence[Pod] = ()) -> list[str]:
        """What a plan of this cluster does not account for, each once, in this order: one
        warning per template (the DaemonSets', the pods', then ``templates``) that sets a
        scheduling constraint podfit does not model (``unmodelled_warnings``: pod
        (anti-)affinity, topology spread constraints), then kube-scheduler's system-default
        topology spreading where it could change where the scheduler puts the pods on
        ``nodes`` (``default_spread_warning``). Cost: O(pods + nodes)."""
        out = unmodelled_warnings([*self.daemonset_pods, *self.pods, *templates])
        spread = default_spread_warning([*self.pods, *templates], nodes)
        if spread:
            out.append(spread)
        return out

    def run(
        self, pods: Sequence[Pod] | None = None, nodes: Sequence[Node] | None = None
    ) -> ScheduleResult:
        """Schedule ``pods`` (default: all) on ``nodes`` (default: all), DaemonSets first."""
        return schedule_infos(
            self.pod_infos(pods),
            self.node_infos(nodes),
            self.cfg,
            daemonsets=self.daemonsets,
            with_shortfall=False,
        )


def replica(info: PodInfo, name: str) -> PodInfo:
    """A new replica of ``info`` named ``name`` (same spec, not bound, no phase, no
    DaemonSet): :meth:`PodInfo.respawn` with the binding cleared. Cost: one ``PodInfo``."""
    return info.respawn(name, node_name=None, phase=None, daemonset=None)
