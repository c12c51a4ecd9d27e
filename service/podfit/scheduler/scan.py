"""The plain full scan of one pod over the cluster: the reference the fast path is checked
against, and what ``--explain`` shows.

1. PreFilter: NodeAffinity's ``metadata.name`` terms may narrow the candidates (DaemonSet
   pods); the others are "absent" (``node(s) didn't satisfy plugin(s) [NodeAffinity]``).
2. Filter every candidate node in the profile's plugin order, first failing plugin per node.
3. Exactly one feasible node → chosen without scoring. Otherwise score **every** feasible
   node (podfit does not sample ``numFeasibleNodesToFind`` nodes from a rotating start
   as kube-scheduler does in clusters of 100+ nodes: the answer is the best node by the
   default profile's scores, deterministic) and take the highest total.
4. Ties: kube-scheduler picks uniformly at random among the best; podfit takes the
   **first node in input order** and reports the whole tie set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from podfit.scheduler.config import SchedulerConfig
from podfit.scheduler.framework import UNRESOLVABLE, FilterStatus
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.node_affinity import (
    NODE_AFFINITY,
    REASON_AFFINITY_CONFLICT,
    prefilter_node_names,
)
from podfit.scheduler.profile import REASON_ABSENT, run_filters
from podfit.scheduler.scoring import Scorer, score_nodes, score_totals
from podfit.scheduler.topologyplugins import TopologyPlugins

if TYPE_CHECKING:
    from podfit.scheduler.nominated import NominatedFilter

ABSENT_STATUS = FilterStatus(NODE_AFFINITY, UNRESOLVABLE, (REASON_ABSENT,))


class Evaluation(NamedTuple):
    """A full scan of one pod over the cluster (what ``--explain`` shows).

    ``statuses`` holds every node that failed (index → status), absent nodes included;
    ``scores`` maps each feasible node to its weighted plugin scores and ``total`` (empty
    when at most one node is feasible: no scoring happens then); ``ties`` lists the nodes
    sharing the best total, in input order; ``best`` is the first of them.
    """

    statuses: dict[int, FilterStatus]
    feasible: list[int]
    scores: dict[int, dict[str, int]]
    ties: list[int]
    best: int | None
    prefilter_message: str


def candidate_indexes(pod: PodInfo, by_name: dict[str, int]) -> tuple[list[int] | None, str]:
    """NodeAffinity PreFilter: candidate node indexes (None = all) and a rejection message."""
    names = prefilter_node_names(pod)
    if names is None:
        return None, ""
    if not names:
        return [], REASON_AFFINITY_CONFLICT
    return sorted(by_name[n] for n in names if n in by_name), ""


def evaluate(
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    cfg: SchedulerConfig,
    by_name: dict[str, int],
    scorer: Scorer | None = None,
    include_absent: bool = True,
    topology: TopologyPlugins | None = None,
    totals_only: bool = False,
    nominated: NominatedFilter | None = None,
) -> Evaluation:
    """Filter every candidate node and score every feasible one (the plain full scan).

    With ``include_absent`` False, nodes outside the PreFilter result get no status entry
    (callers that only need the decision avoid an O(nodes) loop per DaemonSet pod). With
    ``topology``, the cluster-dynamic plugins (PodTopologySpread, InterPodAffinity)
    PreFilter over all nodes, filter after the node-local plugins and score. With
    ``totals_only`` the decision is the same but ``scores`` stays empty (no per-plugin
    entries to build: the engine's cycle outside ``--explain``). With ``nominated``, the
    nodes that have pods nominated for this pod are filtered with them and without them
    (:mod:`podfit.scheduler.nominated`); scores do not see them.
    """
    scorer = scorer or Scorer(cfg)
    fcfg = cfg.filter_config
    candidates, prefilter = candidate_indexes(pod, by_name)
    statuses: dict[int, FilterStatus] = {}
    if prefilter:
        return Evaluation(statuses, [], {}, [], None, prefilter)
    indexes: Iterable[int] = range(len(nodes)) if candidates is None else candidates
    if candidates is not None and include_absent:
        wanted = set(candidates)
        for i in range(len(nodes)):
            if i not in wanted:
                statuses[i] = ABSENT_STATUS
    feasible: list[int] = []
    state = topology.prefilter(pod, nodes) if topology is not None else ()
    held = nominated.pods if nominated is not None else {}
    for i in indexes:
        if i in held:
            assert nominated is not None
            status = nominated.filter(i, state)
        else:
            status = run_filters(pod, nodes[i], fcfg)
            if status is None and topology is not None:
                status = topology.filter(state, pod, nodes[i])
        if status is None:
            feasible.append(i)
        else:
            statuses[i] = status
    if not feasible:
        return Evaluation(statuses, feasible, {}, [], None, "")
    if len(feasible) == 1:
        return Evaluation(statuses, feasible, {}, feasible[:], feasible[0], "")
    if totals_only:
        totals = score_totals(pod, nodes, feasible, scorer, topology)
        best_total = max(totals)
        ties = [i for i, t in zip(feasible, totals, strict=True) if t == best_total]
        return Evaluation(statuses, feasible, {}, ties, ties[0], "")
    scores = score_nodes(pod, nodes, feasible, scorer, topology)
    best_total = max(s["total"] for s in scores.values())
    ties = [i for i in feasible if scores[i]["total"] == best_total]
    return Evaluation(statuses, feasible, scores, ties, ties[0], "")
