"""Fragmentation: free capacity that no pending pod shape can use.

A node's free amount of a resource is *stranded* when no pending shape passes the
scheduler's filters on that node (``podfit.scheduler.filters.run_filters``: taints,
affinity, ports, resources — the whole free amount is then out of reach), or when every
shape that does fit requests none of that resource. The ``pods`` slots follow the same
rule. Amounts are ints (cpu millicores, bytes, counts); totals are per resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from podfit.resources import PODS, format_amount
from podfit.scheduler.filters import FilterConfig, run_filters
from podfit.scheduler.model import NodeInfo, PodInfo

__all__ = ["Fragmentation", "NodeFragmentation", "fragmentation"]


@dataclass(frozen=True, slots=True)
class NodeFragmentation:
    """One node: what is free, which shapes still fit, and what is stranded."""

    node: str
    free: dict[str, int]
    fitting_shapes: tuple[str, ...]
    stranded: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "free": {r: format_amount(r, v) for r, v in self.free.items()},
            "fittingShapes": list(self.fitting_shapes),
            "stranded": {r: format_amount(r, v) for r, v in self.stranded.items()},
        }


@dataclass(frozen=True, slots=True)
class Fragmentation:
    """Per node and in total; ``shapes`` names the pod shapes considered."""

    shapes: tuple[str, ...]
    nodes: tuple[NodeFragmentation, ...]

    def total_free(self) -> dict[str, int]:
        return _sum(n.free for n in self.nodes)

    def total_stranded(self) -> dict[str, int]:
        return _sum(n.stranded for n in self.nodes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "shapes": list(self.shapes),
            "totalFree": {r: format_amount(r, v) for r, v in self.total_free().items()},
            "totalStranded": {r: format_amount(r, v) for r, v in self.total_stranded().items()},
            "nodes": [n.to_dict() for n in self.nodes],
        }


def _sum(parts: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in parts:
        for r, v in part.items():
            out[r] = out.get(r, 0) + v
    return dict(sorted(out.items()))


def fragmentation(
    nodes: Sequence[NodeInfo],
    shapes: Sequence[tuple[str, PodInfo]],
    cfg: FilterConfig | None = None,
) -> Fragmentation:
    """Stranded free capacity on ``nodes`` for the pending ``shapes`` (name, exemplar pod).

    Cost: O(nodes · shapes) filter runs.
    """
    fcfg = cfg or FilterConfig()
    out = []
    for node in nodes:
        free = {r: node.free(r) for r in sorted(node.allocatable) if node.free(r) > 0}
        fitting = [(name, pod) for name, pod in shapes if run_filters(pod, node, fcfg) is None]
        stranded = {}
        for r, amount in free.items():
            if r == PODS:
                used = bool(fitting)
            else:
                used = any(pod.requests.get(r, 0) > 0 for _, pod in fitting)
            if not used:
                stranded[r] = amount
        out.append(NodeFragmentation(node.name, free, tuple(n for n, _ in fitting), stranded))
    return Fragmentation(tuple(n for n, _ in shapes), tuple(out))
