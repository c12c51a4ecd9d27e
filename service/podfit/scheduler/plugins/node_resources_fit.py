"""NodeResourcesFit: the pod count and every requested resource must fit what is left of
the node's allocatable (``noderesources/fit.go``); its score is the configured strategy
(:mod:`podfit.scheduler.scores`)."""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from podfit.resources import CPU, EPHEMERAL_STORAGE, MEMORY, PODS, fits, is_extended
from podfit.scheduler.features import BY_VERSION, DEFAULT_VERSION
from podfit.scheduler.framework import UNRESOLVABLE, UNSCHEDULABLE, FilterConfig, FilterStatus
from podfit.scheduler.model import NodeInfo, PodInfo

NODE_RESOURCES_FIT = "NodeResourcesFit"
REASON_TOO_MANY_PODS = "Too many pods"


class InsufficientResource(NamedTuple):
    """One shortfall found by NodeResourcesFit (also what the kubelet reports on admission).

    ``capacity`` is the node's allocatable; ``unresolvable`` means ``requested > capacity``.
    """

    resource: str
    reason: str
    requested: int
    used: int
    capacity: int
    unresolvable: bool


_FIXED = (CPU, MEMORY, EPHEMERAL_STORAGE)


def insufficient_resources(
    pod: PodInfo,
    node: NodeInfo,
    ignored_resources: Collection[str] = (),
    ignored_groups: Collection[str] = (),
) -> list[InsufficientResource]:
    """``fitsRequest``: every resource the node lacks for ``pod``, in upstream order.

    Order: pods, cpu, memory, ephemeral-storage, then scalar resources by name (upstream
    walks a Go map here). Each resource by :func:`podfit.resources.fits` (``used + request
    == allocatable`` fits). Extended resources listed
    in ``ignored_resources`` or whose domain is in ``ignored_groups`` are skipped.
    """
    out: list[InsufficientResource] = []
    count = len(node.pods)
    max_pods = node.allocatable.get(PODS, 0)
    if not fits(1, max_pods - count):
        out.append(InsufficientResource(PODS, REASON_TOO_MANY_PODS, 1, count, max_pods, False))
    requests = pod.requests
    if not requests:
        return out
    alloc = node.allocatable
    used = node.requested
    for name in _FIXED:
        want = requests.get(name, 0)
        if want > 0:
            cap = alloc.get(name, 0)
            have = used.get(name, 0)
            if not fits(want, cap - have):
                out.append(
                    InsufficientResource(name, f"Insufficient {name}", want, have, cap, want > cap)
                )
    if pod.scalar_requests:
        for name, want in pod.scalar_requests:
            if want == 0:
                continue
            if is_extended(name) and (
                name in ignored_resources
                or (ignored_groups and name.split("/", 1)[0] in ignored_groups)
            ):
                continue
            cap = alloc.get(name, 0)
            have = used.get(name, 0)
            if not fits(want, cap - have):
                out.append(
                    InsufficientResource(name, f"Insufficient {name}", want, have, cap, want > cap)
                )
    return out


def node_resources_fit(
    pod: PodInfo,
    node: NodeInfo,
    ignored_resources: Collection[str] = (),
    ignored_groups: Collection[str] = (),
    version: str = DEFAULT_VERSION,
) -> FilterStatus | None:
    """Pod count and every requested resource must fit what is left of allocatable.

    The code is UnschedulableAndUnresolvable when some request exceeds the whole
    allocatable and ``version``'s features have ``resource_fit_unresolvable``, else
    Unschedulable.
    """
    short = insufficient_resources(pod, node, ignored_resources, ignored_groups)
    return _status(short, version) if short else None


def _status(short: list[InsufficientResource], version: str) -> FilterStatus:
    code = UNSCHEDULABLE
    if BY_VERSION[version].resource_fit_unresolvable and any(s.unresolvable for s in short):
        code = UNRESOLVABLE
    return FilterStatus(NODE_RESOURCES_FIT, code, tuple(s.reason for s in short))


def node_resources_fit_filter(
    pod: PodInfo, node: NodeInfo, cfg: FilterConfig
) -> FilterStatus | None:
    """:func:`node_resources_fit` with the configured ignores and version (the profile's filter)."""
    short = insufficient_resources(pod, node, cfg.ignored_resources, cfg.ignored_groups)
    return _status(short, cfg.version) if short else None
