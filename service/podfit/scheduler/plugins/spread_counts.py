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
from collections.abc import Collection, Iterable, Mapping, Sequence
from operator import itemgetter

from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.pod_topology_spread import (
    HOSTNAME,
    FilterState,
    ScoreTerm,
    constraints_for,
    has_all_keys,
    inclusion_matters,
    node_included,
    normalize,
    raw_score,
)
from podfit.topology import (
    DO_NOT_SCHEDULE,
    SCHEDULE_ANYWAY,
    LabelSelector,
    SpreadConstraint,
    selector_empty,
    selector_matches,
)

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
    if not required and not check:  # every node counts (the system defaults)
        return [node.labels.get(key, default) for node in nodes]
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


def _where(values: Sequence[str | None], counts: Sequence[int]) -> list[int | None]:
    """Per node, its count where it has a domain (``values``), else None."""
    return [None if v is None else n for v, n in zip(values, counts, strict=True)]


def _nothing(own: Own) -> tuple[()]:
    return ()


class Matching:
    """``countPodsMatchSelector`` for one selector and namespace, remembering each labels
    object's verdict (replicas of a template share theirs): counting a node's pods costs
    a dictionary lookup per pod after the first of its labels. An empty or nil selector
    counts none."""

    __slots__ = ("namespace", "none", "selector", "verdicts")

    def __init__(self, selector: LabelSelector | None, namespace: str) -> None:
        self.selector = selector
        self.namespace = namespace
        self.none = selector is None or selector_empty(selector)
        self.verdicts: dict[int, tuple[Mapping[str, str], bool]] = {}
        """By ``id(labels)``: the labels object itself (kept, so that its id is not
        reused while the entry lives) and whether the selector matches it."""

    def matches_any(self, label_sets: Iterable[Mapping[str, str]]) -> bool:
        """Whether the selector matches any of ``label_sets`` (namespaces aside): when not,
        pods carrying only those count none. O(label sets), verdicts remembered."""
        if self.none:
            return False
        verdicts = self.verdicts
        for labels in label_sets:
            found = verdicts.get(id(labels))
            if found is None or found[0] is not labels:
                found = verdicts[id(labels)] = (labels, selector_matches(self.selector, labels))
            if found[1]:
                return True
        return False

    def count(self, pods: Iterable[PodInfo]) -> int:
        """Pods of ``pods`` in the namespace, not terminating, matching. O(len(pods))."""
        if self.none:
            return 0
        ns, verdicts = self.namespace, self.verdicts
        n = 0
        for p in pods:
            if p.namespace != ns or p.terminating:
                continue
            labels = p.labels
            found = verdicts.get(id(labels))
            if found is None or found[0] is not labels:
                found = verdicts[id(labels)] = (labels, selector_matches(self.selector, labels))
            if found[1]:
                n += 1
        return n


class SpreadCounts:
    """The hard constraints' per-domain counts (with a histogram of them for the global
    minimum) and the soft constraints' per-domain totals, for the pods of one class.
    Building: O(nodes × constraints); a node change: O(its pods + constraints)."""

    __slots__ = (
        "by_size",
        "counts",
        "grown",
        "hard",
        "hard_sums",
        "hard_values",
        "hist",
        "host_part",
        "host_slots",
        "keys",
        "logs",
        "matchings",
        "normalised",
        "own",
        "pod",
        "require_all",
        "seen",
        "self_match",
        "slot_matching",
        "soft",
        "soft_sums",
        "soft_terms",
        "soft_values",
        "totals",
    )

    def __init__(
        self,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        label_sets: Mapping[int, Mapping[str, str]] | None = None,
    ) -> None:
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
        self.own: list[Own]
        """Per node, its counts (:meth:`_count`)."""
        self.seen: list[tuple[int, int]]
        """Per node, its pod count and removal count when :attr:`own` was taken."""
        self.normalised: dict[tuple[int, ...], list[int]] = {}
        """NormalizeScore's answers by the raw scores (none ignored), read-only."""
        self.grown: dict[tuple[Own, tuple[int, ...]], Own] = {}
        """A node's counts after gaining pods: by its counts before and what the gained
        pods add per :attr:`matchings` entry (few distinct pairs in a run)."""
        self.matchings: list[Matching] = []
        slots = []
        for c in (*hard, *soft):
            k = next((k for k, m in enumerate(self.matchings) if m.selector == c.selector), -1)
            if k < 0:
                k = len(self.matchings)
                self.matchings.append(Matching(c.selector, pod.namespace))
            slots.append(k)
        self.slot_matching = tuple(slots)
        """Per slot of a node's counts (hard constraints, then soft), its
        :attr:`matchings` entry (constraints with equal selectors share one)."""
        # column by column (per constraint over the nodes), then one row per node
        nh = len(hard)
        found = [
            [m.count(node.pods) for node in nodes]
            if label_sets is None or m.matches_any(label_sets.values())
            else [0] * len(nodes)  # no bound pod's labels match: nothing to count
            for m in self.matchings
        ]
        columns: list[list[int | None]] = []
        for values, k in zip(self.hard_values, slots, strict=False):
            columns.append(_where(values, found[k]))
        for c, values, k in zip(soft, self.soft_values, slots[nh:], strict=True):
            columns.append(
                list(found[k]) if c.topology_key == HOSTNAME else _where(values, found[k])
            )
        self.own = list(zip(*columns, strict=True)) if columns else [() for _ in nodes]
        self.seen = [(len(node.pods), node.removals) for node in nodes]
        for values, column, domain in zip(self.hard_values, columns, self.counts, strict=False):
            for v, n in zip(values, column, strict=True):
                if n:
                    assert v is not None
                    domain[v] += n
        for values, column, totals in zip(self.soft_values, columns[nh:], self.totals, strict=True):
            for v, n in zip(values, column, strict=True):
                if n and v is not None:  # totals are read with 0 for a missing domain
                    totals[v] = totals.get(v, 0) + n
        self.hist = [Counter(domain.values()) for domain in self.counts]
        self.host_slots = tuple(
            k for k, c in enumerate((*hard, *soft)) if c.topology_key == HOSTNAME
        )
        """Where in a node's counts the hostname constraints are (hard first, as ``own``)."""
        self.hard_sums = [
            (k, values, domain, hist)
            for k, (values, domain, hist) in enumerate(
                zip(self.hard_values, self.counts, self.hist, strict=True)
            )
        ]
        """Per hard constraint: its slot, domains per node, counts and their histogram."""
        self.soft_sums = [
            (nh + k, values, totals)
            for k, (c, values, totals) in enumerate(
                zip(soft, self.soft_values, self.totals, strict=True)
            )
            if c.topology_key != HOSTNAME
        ]
        """Per soft constraint with domain sums (not the hostname's): its slot, domains
        per node and totals."""
        self.soft_terms = [
            (c.topology_key, nh + k if c.topology_key == HOSTNAME else -1, float(c.max_skew - 1), t)
            for k, (c, t) in enumerate(zip(soft, self.totals, strict=True))
            if c.topology_key == HOSTNAME or any(c.topology_key in n.labels for n in nodes)
        ]
        """Per soft constraint that Score can read, what it reads: key, the slot of the
        node's own count (hostname; else -1), ``maxSkew − 1`` and the domain totals. A
        constraint whose key no node carries adds nothing to any node's score (with the
        pod's own constraints every node is then ignored): it is left out."""
        self.by_size: dict[int, tuple[list[ScoreTerm], dict[Own | None, int]]] | None = (
            {} if all(slot >= 0 for _, slot, _, _ in self.soft_terms) else None
        )
        """With only hostname terms, by feasible-node count (their one changing part is the
        weight): the Score terms, and the raw score by a node's counts (None: a node
        without the hostname label, which no term reads)."""
        self.host_part = itemgetter(*self.host_slots) if self.host_slots else _nothing
        self.keys = tuple(c.topology_key for c in (*hard, *soft))
        self.require_all = bool(pod.spread)
        self.logs: dict[int, float] = {}
        """``ln(size + 2)`` by size: the score weights, computed once per size."""

    def _count(self, i: int, node: NodeInfo) -> Own:
        """Node ``i``'s matching-pod count per constraint (``countPodsMatchSelector`` over
        its pods); None where it does not count. Soft hostname constraints keep the count
        too: Score reads it. Notes the node's pod and removal counts in :attr:`seen`."""
        pods = node.pods
        self.seen[i] = (len(pods), node.removals)
        found = [m.count(pods) for m in self.matchings]
        slot = iter(self.slot_matching)
        out: list[int | None] = []
        for values in self.hard_values:
            k = next(slot)
            out.append(None if values[i] is None else found[k])
        for c, values in zip(self.soft, self.soft_values, strict=True):
            k = next(slot)
            wanted = values[i] is not None or c.topology_key == HOSTNAME
            out.append(found[k] if wanted else None)
        return tuple(out)

    def node_changed(self, i: int, node: NodeInfo) -> None:
        """Recount node ``i`` and move each changed count into its domain's sum. When the
        node only gained pods since its last count, only those are matched: O(new pods ×
        constraints); else O(its pods × constraints)."""
        old = self.own[i]
        pods = node.pods
        seen, removals = self.seen[i]
        if removals == node.removals and seen <= len(pods):
            if seen == len(pods):
                return
            added = pods[seen:]
            self.seen[i] = (len(pods), removals)
            matchings = self.matchings
            if len(matchings) == 1:
                found: tuple[int, ...] = (matchings[0].count(added),)
            else:
                found = tuple([m.count(added) for m in matchings])
            if not any(found):
                return
            new = self.grown.get((old, found))
            if new is None:
                new = self.grown[old, found] = tuple(
                    [
                        None if n is None else n + found[k]
                        for n, k in zip(old, self.slot_matching, strict=True)
                    ]
                )
        else:
            new = self._count(i, node)
            if new == old:
                return
        self.own[i] = new
        for k, values, domain, hist in self.hard_sums:
            before, after = old[k], new[k]
            if before == after or before is None or after is None:
                continue
            value = values[i]
            assert value is not None
            was = domain[value]
            now = domain[value] = was + after - before
            hist[was] -= 1
            if not hist[was]:
                del hist[was]
            hist[now] += 1
        for k, values, totals in self.soft_sums:
            value = values[i]
            before, after = old[k], new[k]
            if value is None or before is None or after is None or before == after:
                continue
            total = totals.get(value, 0) + after - before
            if total:
                totals[value] = total
            else:  # no zero entries: a domain's total is read with 0 when missing
                del totals[value]

    fixed_keys = True
    """:meth:`value_keys` never grows."""

    @property
    def may_filter(self) -> bool:
        """Only hard constraints filter, and the class's constraints are fixed."""
        return bool(self.hard)

    def value_keys(self) -> Collection[str]:
        """Every constraint's topology key (fixed for the class)."""
        return self.keys

    def own_part(self, i: int) -> object:
        """Node ``i``'s own counts for the hostname constraints (hard: None when it does
        not count; soft: what Score reads): one count, or a tuple of them for several."""
        return self.host_part(self.own[i])

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
        ignored: list[bool] | None
        counted: Sequence[int]
        if self.require_all:
            ignored = [not has_all_keys(nodes[i].labels, soft) for i in reps]
            counted = [i for i, skip in zip(reps, ignored, strict=True) if not skip]
            size = sum(s for s, skip in zip(sizes, ignored, strict=True) if not skip)
            skipped = frozenset(i for i, skip in zip(reps, ignored, strict=True) if skip)
        else:
            ignored, counted, size, skipped = None, reps, sum(sizes), frozenset()
        # plain loops: a few representatives, and a CPython 3.11 comprehension is a call
        own = self.own
        raw: list[int] = []
        by_size = self.by_size
        if by_size is None:
            terms = self._terms(nodes, counted, size)
            for i in reps:
                raw.append(0 if i in skipped else raw_score(terms, nodes[i].labels, own[i]))
            return normalize(raw, ignored)
        kept = by_size.get(size)
        if kept is None:
            kept = by_size[size] = (self._terms(nodes, counted, size), {})
        terms, known = kept
        for i in reps:  # hostname terms only: a node's score is a function of its counts
            labels = nodes[i].labels
            if i in skipped:
                raw.append(0)
                continue
            key = own[i] if HOSTNAME in labels else None
            found = known.get(key)
            if found is None:
                found = known[key] = raw_score(terms, labels, own[i])
            raw.append(found)
        if ignored is not None:
            return normalize(raw, ignored)
        shape = tuple(raw)  # the same few raw scores come back cycle after cycle
        normalised = self.normalised.get(shape)
        if normalised is None:
            normalised = self.normalised[shape] = normalize(raw)
        return normalised

    def _terms(
        self, nodes: Sequence[NodeInfo], counted: Sequence[int], size: int
    ) -> list[ScoreTerm]:
        """PreScore's terms over the feasible nodes ``counted`` (representatives of cells;
        ``size`` feasible nodes not ignored): a hostname constraint's weight is ``ln(size +
        2)``, another's ``ln(domains + 2)`` with its domains' totals."""
        terms: list[ScoreTerm] = []
        for key, slot, skew, totals in self.soft_terms:
            if slot >= 0:
                terms.append((key, slot, {}, self._log(size), skew))
                continue
            domain: dict[str, int] = {}
            for i in counted:
                value = nodes[i].labels.get(key, "")
                if value not in domain:
                    domain[value] = totals.get(value, 0)
            terms.append((key, -1, domain, self._log(len(domain)), skew))
        return terms

    def _log(self, size: int) -> float:
        """``math.log(float(size + 2))``, the weight of a constraint with ``size`` domains."""
        found = self.logs.get(size)
        if found is None:
            found = self.logs[size] = math.log(float(size + 2))
        return found


def spread_counts(pod: PodInfo, nodes: Sequence[NodeInfo], context: object) -> SpreadCounts:
    """The ``counts`` hook of the profile row (``context``: the run's
    :class:`~podfit.scheduler.topologyplugins.TopologyPlugins`, whose ``label_sets`` hold
    every labels object of a pod on the nodes)."""
    return SpreadCounts(pod, nodes, getattr(context, "label_sets", None))


__all__ = ["SpreadCounts", "counted_values", "spread_counts"]
