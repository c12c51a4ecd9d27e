"""PodTopologySpread's PreFilter counts and PreScore totals for one pod class, kept from
bind to bind (U76).

:func:`~podfit.scheduler.plugins.pod_topology_spread.prefilter` and ``prescore`` sum, over
every node, the node's matching-pod count into its domain. Which nodes count and under
which domain depends only on the node objects (labels, taints) and the pod class; the
count itself changes only when the node's pods change. So the sums are built once per
class and corrected by one node's difference after each bind or eviction; the Filter and
Score functions of the plugin then read them unchanged.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence

from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.pod_topology_spread import (
    HOSTNAME,
    FilterState,
    ScoreState,
    constraints_for,
    has_all_keys,
    inclusion_matters,
    node_count,
    node_included,
    normalize,
    score_node,
)
from podfit.topology import DO_NOT_SCHEDULE, SCHEDULE_ANYWAY, SpreadConstraint, selector_matches

Own = tuple[int | None, ...]
"""A node's counts: per hard constraint, then per soft constraint (None: it does not count
for that constraint)."""


def counted_values(
    constraint: SpreadConstraint,
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    required: Sequence[SpreadConstraint],
    default: str | None,
) -> list[str | None]:
    """Per node, the domain it counts its pods into for ``constraint`` (None: it does not
    count): it must carry every key of ``required`` and pass the inclusion policies; a
    missing key reads as ``default`` (None: the node does not count)."""
    check = inclusion_matters(constraint, pod)
    key = constraint.topology_key
    out: list[str | None] = []
    for node in nodes:
        labels = node.labels
        if not has_all_keys(labels, required) or (
            check and not node_included(constraint, pod, node)
        ):
            out.append(None)
        else:
            out.append(labels.get(key, default))
    return out


class SpreadCounts:
    """The hard constraints' per-domain counts (with a histogram of them for the global
    minimum) and the soft constraints' per-domain totals, for the pods of one class.
    Building: O(nodes × constraints); a node change: O(its pods + constraints)."""

    __slots__ = (
        "counts",
        "hard",
        "hard_values",
        "hist",
        "host_slots",
        "keys",
        "logs",
        "own",
        "pod",
        "require_all",
        "self_match",
        "soft",
        "soft_values",
        "totals",
    )

    def __init__(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> None:
        self.pod = pod
        self.hard = hard = constraints_for(pod, DO_NOT_SCHEDULE)
        self.soft = soft = constraints_for(pod, SCHEDULE_ANYWAY)
        self.self_match = tuple(1 if selector_matches(c.selector, pod.labels) else 0 for c in hard)
        self.hard_values = [counted_values(c, pod, nodes, hard, None) for c in hard]
        soft_required = soft if pod.spread else ()
        self.soft_values: list[list[str | None]] = [
            counted_values(c, pod, nodes, soft_required, "")
            if c.topology_key != HOSTNAME
            else [None] * len(nodes)  # Score reads the node's own count: no domain sums
            for c in soft
        ]
        # every domain of an eligible node exists, with a count of 0 when nothing matches
        self.counts: list[dict[str, int]] = [
            dict.fromkeys((v for v in values if v is not None), 0) for values in self.hard_values
        ]
        self.totals: list[dict[str, int]] = [{} for _ in soft]
        self.own: list[Own] = []
        for i, node in enumerate(nodes):
            own = self._count(i, node)
            self.own.append(own)
            for k, n in enumerate(own[: len(hard)]):
                if n:
                    value = self.hard_values[k][i]
                    assert value is not None
                    self.counts[k][value] += n
            for k, n in enumerate(own[len(hard) :]):
                value = self.soft_values[k][i]
                if value is not None and n is not None:
                    self.totals[k][value] = self.totals[k].get(value, 0) + n
        self.hist = [Counter(domain.values()) for domain in self.counts]
        nh = len(hard)
        self.host_slots = tuple(
            k for k, c in enumerate((*hard, *soft)) if c.topology_key == HOSTNAME
        )
        """Where in a node's counts the hostname constraints are (hard first, as ``own``)."""
        self.keys = tuple(c.topology_key for c in (*hard, *soft))
        self.require_all = bool(pod.spread)
        self.logs: dict[int, float] = {}
        """``ln(size + 2)`` by size: the score weights, computed once per size."""
        assert nh == len(self.hard)

    def _count(self, i: int, node: NodeInfo) -> Own:
        """Node ``i``'s matching-pod count per constraint (:func:`node_count`, memoised on
        the node); None where it does not count. Soft hostname constraints keep the count
        too: Score reads it."""
        ns = self.pod.namespace
        out: list[int | None] = []
        for c, values in zip(self.hard, self.hard_values, strict=True):
            out.append(None if values[i] is None else node_count(node, c.selector, ns))
        for c, values in zip(self.soft, self.soft_values, strict=True):
            wanted = values[i] is not None or c.topology_key == HOSTNAME
            out.append(node_count(node, c.selector, ns) if wanted else None)
        return tuple(out)

    def node_changed(self, i: int, node: NodeInfo) -> None:
        """Recount node ``i`` and move each changed count into its domain's sum."""
        new = self._count(i, node)
        old = self.own[i]
        if new == old:
            return
        self.own[i] = new
        nh = len(self.hard)
        for k in range(nh):
            before, after = old[k], new[k]
            if before == after or before is None or after is None:
                continue
            value = self.hard_values[k][i]
            assert value is not None
            domain, hist = self.counts[k], self.hist[k]
            was = domain[value]
            now = domain[value] = was + after - before
            hist[was] -= 1
            if not hist[was]:
                del hist[was]
            hist[now] += 1
        for k, values in enumerate(self.soft_values):
            value = values[i]
            before, after = old[nh + k], new[nh + k]
            if value is None or before is None or after is None or before == after:
                continue
            totals = self.totals[k]
            totals[value] = totals.get(value, 0) + after - before

    def value_keys(self) -> Collection[str]:
        """Every constraint's topology key (fixed for the class)."""
        return self.keys

    def own_part(self, i: int) -> tuple[object, ...]:
        """Node ``i``'s own counts for the hostname constraints (hard: None when it does
        not count; soft: what Score reads)."""
        own = self.own[i]
        return tuple([own[k] for k in self.host_slots])

    def filter_state(self) -> FilterState | None:
        """:func:`prefilter`'s state from the kept counts (None: no hard constraint)."""
        if not self.hard:
            return None
        minimum = tuple(min(hist) if hist else 0 for hist in self.hist)
        return FilterState(self.hard, tuple(self.counts), minimum, self.self_match)

    def scores(
        self, pod: PodInfo, nodes: Sequence[NodeInfo], reps: Sequence[int], sizes: Sequence[int]
    ) -> list[int] | None:
        """``prescore`` + ``Score`` + ``NormalizeScore`` on the feasible nodes given by
        representatives: a node lacking a key of the pod's own soft constraints is ignored;
        a non-hostname constraint's weight is ``ln(domains + 2)`` over the feasible
        nodes' domains, a hostname one's ``ln(feasible nodes not ignored + 2)``."""
        soft = self.soft
        if not soft:
            return None
        if self.require_all:
            ignored = [not has_all_keys(nodes[i].labels, soft) for i in reps]
            counted = [i for i, skip in zip(reps, ignored, strict=True) if not skip]
            size = sum(s for s, skip in zip(sizes, ignored, strict=True) if not skip)
            skipped = frozenset(i for i, skip in zip(reps, ignored, strict=True) if skip)
        else:
            ignored, counted = [False] * len(reps), list(reps)
            size, skipped = sum(sizes), frozenset()
        counts: list[dict[str, int]] = []
        weights: list[float] = []
        for c, totals in zip(soft, self.totals, strict=True):
            if c.topology_key == HOSTNAME:
                counts.append({})
                weights.append(self._log(size))
                continue
            key = c.topology_key
            domain = {v: totals.get(v, 0) for v in {nodes[i].labels.get(key, "") for i in counted}}
            counts.append(domain)
            weights.append(self._log(len(domain)))
        state = ScoreState(soft, skipped, tuple(counts), tuple(weights))
        raw = [score_node(state, pod, nodes[i], i) for i in reps]
        return normalize(raw, ignored)

    def _log(self, size: int) -> float:
        """``math.log(float(size + 2))``, the weight of a constraint with ``size`` domains."""
        found = self.logs.get(size)
        if found is None:
            found = self.logs[size] = math.log(float(size + 2))
        return found


def spread_counts(pod: PodInfo, nodes: Sequence[NodeInfo], context: object) -> SpreadCounts:
    """The ``counts`` hook of the profile row."""
    return SpreadCounts(pod, nodes)


__all__ = ["SpreadCounts", "counted_values", "spread_counts"]
