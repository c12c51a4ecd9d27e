"""Why a Pending pod does not fit, in numbers, and the smallest change that would fix it.

:func:`shortfall` returns a JSON-ready dict:

* ``resources``: for every resource the pod requests (and ``pods``, one slot), the request,
  the **largest free amount on any node** and the first node (input order) having it;
* ``reasons``: how many nodes failed for each reason (the FailedScheduling histogram);
* ``unavailable``: resources whose request exceeds every node's whole allocatable (no
  freeing helps; only a different node shape does);
* ``fix``: three candidate changes, each null when it cannot help:

  - ``shrinkRequest``: the node where the pod fits if only its short requests shrink to
    that node's free amounts, choosing the smallest relative cut (Σ cut/request);
  - ``freeOnNode``: the node where freeing the least (Σ deficit/allocatable, pod slots
    included) lets the pod in; only nodes that fail nothing but NodeResourcesFit, and
    whose allocatable could hold the request, count;
  - ``addNode``: one more node shaped like the largest node (cpu, then memory) on which
    the pod fits when that node is empty (same labels and taints).

Ties go to the first node in input order. Comparisons of ratios use exact fractions.
Cost: O(nodes × requested resources).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from podfit.resources import CPU, MEMORY, PODS, format_amount
from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.filters import NODE_RESOURCES_FIT, FilterStatus, run_filters
from podfit.scheduler.model import NodeInfo, PodInfo


def _short(pod: PodInfo, node: NodeInfo) -> dict[str, int]:
    """Per resource, how much more the node would need to free (pods slot included)."""
    out: dict[str, int] = {}
    if node.free(PODS) < 1:
        out[PODS] = 1 - node.free(PODS)
    for name, want in pod.requests.items():
        if want > 0 and want > node.free(name):
            out[name] = want - node.free(name)
    return out


def shortfall(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    statuses: Sequence[FilterStatus | None],
    cfg: SchedulerConfig,
    preemption: tuple[int, tuple[PodInfo, ...]] | None = None,
) -> dict[str, Any]:
    """The structured shortfall of an unschedulable ``pod`` (see the module docstring)."""
    resources: dict[str, Any] = {}
    wanted = {PODS: 1, **{r: v for r, v in sorted(pod.requests.items()) if v > 0}}
    for name, want in wanted.items():
        best_free: int | None = None
        best_node = None
        for node in nodes:
            free = node.free(name)
            if best_free is None or free > best_free:
                best_free, best_node = free, node.name
        resources[name] = {
            "request": format_amount(name, want),
            "largestFree": None if best_free is None else format_amount(name, best_free),
            "largestFreeNode": best_node,
        }
    reasons: Counter[str] = Counter()
    for st in statuses:
        if st is not None:
            reasons.update(st.reasons)
    shrink: tuple[Fraction, int, dict[str, int]] | None = None
    free_fix: tuple[Fraction, int, dict[str, int]] | None = None
    for i, node in enumerate(nodes):
        st = statuses[i] if i < len(statuses) else None
        if st is None or st.plugin != NODE_RESOURCES_FIT:
            continue
        short = _short(pod, node)
        if not short:
            continue
        # freeing cannot help where a request exceeds the node's whole allocatable
        if all(pod.requests.get(r, 1) <= node.allocatable.get(r, 0) for r in short if r != PODS):
            cost = sum(
                (Fraction(d, node.allocatable.get(r, 0) or 1) for r, d in short.items()),
                Fraction(0),
            )
            if free_fix is None or cost < free_fix[0]:
                free_fix = (cost, i, short)
        if PODS not in short and all(node.free(r) > 0 for r in short):
            cut = {r: node.free(r) for r in short}
            shrink_cost = sum(
                (Fraction(pod.requests[r] - v, pod.requests[r]) for r, v in cut.items()),
                Fraction(0),
            )
            if shrink is None or shrink_cost < shrink[0]:
                shrink = (shrink_cost, i, cut)
    add = _add_node(pod, nodes, cfg)
    fix: dict[str, Any] = {
        "shrinkRequest": None
        if shrink is None
        else {
            "node": nodes[shrink[1]].name,
            "requests": {r: format_amount(r, v) for r, v in sorted(shrink[2].items())},
        },
        "freeOnNode": None
        if free_fix is None
        else {
            "node": nodes[free_fix[1]].name,
            "free": {r: format_amount(r, v) for r, v in sorted(free_fix[2].items())},
        },
        "addNode": None if add is None else {"like": add},
    }
    unavailable = [
        r
        for r, want in wanted.items()
        if r != PODS and all(want > n.allocatable.get(r, 0) for n in nodes)
    ]
    out: dict[str, Any] = {
        "resources": resources,
        "reasons": dict(sorted(reasons.items())),
        "unavailable": unavailable,
        "fix": fix,
    }
    if preemption is not None:
        node_index, victims = preemption
        out["preemption"] = {
            "node": nodes[node_index].name,
            "victims": [f"{v.namespace}/{v.name}" for v in victims],
        }
    return out


def _add_node(pod: PodInfo, nodes: Sequence[NodeInfo], cfg: SchedulerConfig) -> str | None:
    """The largest node (cpu, then memory, then input order) whose empty copy admits ``pod``."""
    order = sorted(
        range(len(nodes)),
        key=lambda i: (-nodes[i].allocatable.get(CPU, 0), -nodes[i].allocatable.get(MEMORY, 0), i),
    )
    seen: set[tuple[object, ...]] = set()
    fcfg = cfg.filter_config
    for i in order:
        node = nodes[i]
        shape = (
            tuple(sorted(node.allocatable.items())),
            tuple(sorted(node.labels.items())),
            node.taints,
            node.unschedulable,
        )
        if shape in seen:
            continue
        seen.add(shape)
        empty = node.without(())
        if pod.required_terms is not None and any(t.match_fields for t in pod.required_terms):
            return None  # pinned to named nodes: a new node cannot help
        if run_filters(pod, empty, fcfg) is None:
            return node.name
    return None
