"""The equivalence index: per class of interchangeable pods, every node's status and the
feasible nodes ordered by score, kept up to date lazily as pods are bound.

Pods with the same :meth:`PodInfo.scheduling_key` form an equivalence class. Each class
keeps (:class:`ClassIndex`) every node's current filter status, the reason histogram, and
for the feasible nodes, per static score group, buckets by dynamic score holding min-heaps
of node indexes (best = smallest index in the highest bucket). Placing a pod appends the
node to a change log; a class catches up lazily (only the nodes that changed since it was
last used are re-filtered and re-scored), so a node that did not change is never rescored.
Decisions are identical to a full scan (:func:`podfit.scheduler.scan.evaluate`); the
tests check this on seeded random clusters. The static filters' verdict and the static
scores come from :meth:`Engine.static_view`; the per-node dynamic filters and usage scores
are recomputed for a node when it changes (the profile table says which is which).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from heapq import heappop, heappush
from typing import TYPE_CHECKING

from podfit.resources import PODS, first_unfit
from podfit.scheduler.framework import UNRESOLVABLE, FilterStatus
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.profile import STATIC_SCORES, dynamic_filters
from podfit.scheduler.scores import normalize_one

if TYPE_CHECKING:
    from podfit.scheduler.cells import TopologyClass
    from podfit.scheduler.engine import Engine

StaticView = tuple[list[FilterStatus | None], list[tuple[int, ...]]]
"""Per node: the static filters' status and the raw static scores (``Engine.static_view``)."""


class _Group:
    """Feasible nodes sharing the raw static scores (TaintToleration, NodeAffinity, ...).

    Nodes are bucketed by their dynamic score (NodeResourcesFit + BalancedAllocation, an
    int in 0..200); each bucket is a min-heap of node indexes, so the best node of the
    group is the smallest index in the highest non-empty bucket. A node whose score
    changes is pushed into its new bucket and its old entry goes stale (it no longer
    matches ``ClassIndex.score``); stale entries are dropped when they reach a heap top.
    Push and peek are C-level ``heapq`` calls: O(log n), amortised.
    """

    __slots__ = ("count", "heaps", "raws", "top")

    def __init__(self, raws: tuple[int, ...]) -> None:
        self.raws = raws
        self.heaps: dict[int, list[int]] = {}
        self.top = -1
        self.count = 0

    def push(self, score: int, i: int) -> None:
        """File node ``i`` under ``score``."""
        heap = self.heaps.get(score)
        if heap is None:
            self.heaps[score] = [i]
        else:
            heappush(heap, i)
        if score > self.top:
            self.top = score

    def peek(self, current: list[int], owner: list[_Group | None]) -> tuple[int, int]:
        """(score, index) of the best live node; ``current[i]`` is node i's live score,
        ``owner[i]`` its group (a node that moved to another group is stale here)."""
        heaps = self.heaps
        while True:
            heap = heaps.get(self.top)
            while heap:
                i = heap[0]
                if current[i] == self.top and owner[i] is self:
                    return self.top, i
                heappop(heap)
            self.top -= 1
            if self.top < -1:  # scores are >= 0: ``count`` promised a node that is not here
                raise RuntimeError("class index out of step: a group's count has no node")


class ClassIndex:
    """Per equivalence class: node statuses, reason histogram, and feasible nodes by score."""

    __slots__ = (
        "bonus",
        "dyn",
        "engine",
        "feasible",
        "fixed",
        "group_of",
        "groups",
        "hist",
        "live",
        "pod",
        "score",
        "simple",
        "single",
        "skip_balanced",
        "status",
        "synced",
        "terms",
        "topo",
        "unresolvable",
    )

    def __init__(self, engine: Engine, pod: PodInfo, topo: TopologyClass | None = None) -> None:
        self.engine = engine
        self.pod = pod
        self.topo = topo
        """With a :class:`TopologyClass`, groups are cells: nodes sharing the static raw
        scores **and** every answer of the cluster-dynamic plugins (``topo.cell``)."""
        self.terms = [
            (k, p.weight, bool(p.normalize_reverse))
            for k, p in enumerate(STATIC_SCORES)
            if p.skip is None or not p.skip(engine.scorer, pod)
        ]
        self.live: list[_Group] = []
        self.bonus: list[int] = []
        self.skip_balanced = engine.scorer.balanced_skipped(pod)
        self.dyn = dynamic = engine.scorer.for_pod(pod, self.skip_balanced)
        nodes = engine.nodes
        n = len(nodes)
        fcfg = engine.fcfg
        self.status: list[FilterStatus | None] = [None] * n
        self.group_of: list[_Group | None] = [None] * n
        self.score: list[int] = [-1] * n  # live dynamic score, -1 = not feasible
        self.groups: dict[tuple[object, ...], _Group] = {}
        self.hist: Counter[str] = Counter()
        self.unresolvable = 0
        self.feasible = 0
        self.simple = simple = not pod.host_ports and not pod.scalar_requests
        self.fixed = tuple((n, v) for n, v in pod.requests.items() if v > 0 and n != PODS)
        # the loop below runs once per node per class: attribute lookups hoisted
        fits = self._fits_simple
        groups, group_of, scores = self.groups, self.group_of, self.score
        statics, group_keys = engine.static_view(pod)
        cells = None if topo is None else topo.cells()
        feasible = 0
        for i, node in enumerate(nodes):
            st = statics[i]
            if st is not None:
                self._set_status(i, st)
                continue
            raws = group_keys[i]
            key = raws if cells is None else (raws, cells[i])
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(raws)
            group_of[i] = group
            if not (simple and fits(node)):
                dyn = dynamic_filters(pod, node, fcfg)
                if dyn is not None:
                    self._set_status(i, dyn)
                    continue
            score = dynamic(node)
            scores[i] = score
            group.push(score, i)
            group.count += 1
            feasible += 1
        self.feasible = feasible
        self.synced = len(engine.changes)
        one = len(self.groups) == 1 and topo is None  # cells can split later
        self.single = next(iter(self.groups.values())) if one else None

    def _set_status(self, i: int, status: FilterStatus | None) -> None:
        old = self.status[i]
        if old is not None:
            self.hist.subtract(old.reasons)
            if old.code == UNRESOLVABLE:
                self.unresolvable -= 1
        if status is not None:
            self.hist.update(status.reasons)
            if status.code == UNRESOLVABLE:
                self.unresolvable += 1
        self.status[i] = status

    def sync(self) -> None:
        """Re-filter and re-score the nodes that changed since this class was last used."""
        changes = self.engine.changes
        behind = len(changes) - self.synced
        if behind == 0:
            return
        if behind == 1:  # the usual case: one bind since this class was last used
            self.synced += 1
            self.refresh(changes[-1])
            return
        todo: Iterable[int] = dict.fromkeys(changes[self.synced :])
        self.synced = len(changes)
        for i in todo:
            self.refresh(i)

    def refresh(self, i: int) -> None:
        """Recompute node ``i``'s status and score for this class."""
        group = self.group_of[i]
        if group is None:
            return  # statically infeasible: never changes
        moved = False
        if self.topo is not None:
            cell = self._move(i, group)
            moved, group = cell is not group, cell
        engine = self.engine
        pod = self.pod
        node = engine.nodes[i]
        old_status = self.status[i]
        if self.simple and old_status is None and self._fits_simple(node):
            dyn = None  # common case: still fits, nothing to record
        else:
            dyn = dynamic_filters(pod, node, engine.fcfg)
            if dyn != old_status:
                self._set_status(i, dyn)
        old_score = self.score[i]
        if dyn is None:
            score = self.dyn(node)
            if score == old_score:
                if moved and score >= 0:
                    group.push(score, i)  # its new cell holds no entry for it yet
                return
            if old_score < 0:
                self.feasible += 1
                group.count += 1
            self.score[i] = score
            group.push(score, i)
        elif old_score >= 0:
            self.score[i] = -1
            self.feasible -= 1
            group.count -= 1

    def _move(self, i: int, group: _Group) -> _Group:
        """File node ``i`` under its current cell (its pods changed: so may its own
        topology counts): its count moves there, the entry left in the old cell goes
        stale, and the caller pushes its entry into the new cell (with its new score)."""
        assert self.topo is not None
        key = (group.raws, self.topo.cell(i))
        cell = self.groups.get(key)
        if cell is None:
            cell = self.groups[key] = _Group(group.raws)
        if cell is group:
            return group
        self.group_of[i] = cell
        if self.score[i] >= 0:
            group.count -= 1
            cell.count += 1
        return cell

    def hide(self, i: int) -> int:
        """Take feasible node ``i`` out of the choice until :meth:`restore` (nominated pods
        block it for one cycle); returns its score. Its heap entry goes stale."""
        score = self.score[i]
        group = self.group_of[i]
        assert score >= 0 and group is not None
        self.score[i] = -1
        group.count -= 1
        self.feasible -= 1
        return score

    def restore(self, i: int, score: int) -> None:
        """Put node ``i`` back with the ``score`` :meth:`hide` returned."""
        group = self.group_of[i]
        assert group is not None
        self.score[i] = score
        group.count += 1
        self.feasible += 1
        group.push(score, i)

    def _fits_simple(self, node: NodeInfo) -> bool:
        """NodeResourcesFit for a pod without host ports or scalar requests: a free pod
        slot and every fixed request fitting (:func:`podfit.resources.first_unfit`)."""
        alloc = node.allocatable
        if len(node.pods) + 1 > alloc.get(PODS, 0):
            return False
        return first_unfit(self.fixed, alloc, node.requested) is None

    def best(self) -> int | None:
        """The chosen node: highest total, then lowest input index; None if none is feasible."""
        if self.feasible == 0:
            return None
        if self.single is not None:
            return self.single.peek(self.score, self.group_of)[1]
        live = [g for g in self.groups.values() if g.count]
        if len(live) == 1:
            return live[0].peek(self.score, self.group_of)[1]
        if live != self.live:  # the static part only changes with the set of live groups
            self.live = live
            self.bonus = self.static_bonus(live)
        best_rank: tuple[int, int] | None = None
        best_index = -1
        for g, bonus in zip(live, self.bonus, strict=True):
            total, i = g.peek(self.score, self.group_of)
            rank = (total + bonus, -i)
            if best_rank is None or rank > best_rank:
                best_rank = rank
                best_index = i
        return best_index

    def static_bonus(self, live: list[_Group]) -> list[int]:
        """Per group of ``live``: its weighted static scores, each normalised against the
        largest raw score among ``live`` (``DefaultNormalizeScore`` over the feasible
        nodes: the groups with a feasible node are exactly ``live``)."""
        tops = [max(column) for column in zip(*(g.raws for g in live), strict=True)]
        out = []
        for g in live:
            bonus = 0
            for k, weight, reverse in self.terms:
                bonus += weight * normalize_one(g.raws[k], tops[k], reverse)
            out.append(bonus)
        return out
