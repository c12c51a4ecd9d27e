"""State the engine keeps for PodTopologySpread and InterPodAffinity between cycles: it
must describe the nodes as they are, whether their pods were bound by the engine or
handed over with the nodes (``plan fit`` and ``check`` build an engine on nodes that
already hold pods)."""

from __future__ import annotations

from podfit.scheduler.config import make_config
from podfit.scheduler.engine import Engine
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.pod_topology_spread import node_count
from podfit.topology import PodAffinity, affinity_term, label_selector

HOST = "kubernetes.io/hostname"
WEB = label_selector({"app": "web"})


def _nodes() -> list[NodeInfo]:
    return [
        NodeInfo(n, {"cpu": 4000, "memory": 2**33, "pods": 10}, labels={HOST: n}, index=i)
        for i, n in enumerate(("a", "b"))
    ]


def test_an_existing_pods_anti_affinity_repels_a_pod_without_terms_of_its_own() -> None:
    """Node ``a`` already holds a pod whose required anti-affinity on the hostname selects
    ``app: web``: a web pod without any term must not go there (``a`` wins the scores
    otherwise: node ``b`` holds a larger pod)."""
    nodes = _nodes()
    guard = PodInfo(
        "guard",
        requests={"cpu": 100},
        pod_affinity=PodAffinity(required_anti=(affinity_term("default", HOST, WEB),)),
    )
    nodes[0].add_pod(guard)
    nodes[1].add_pod(PodInfo("big", requests={"cpu": 2000}))
    engine = Engine(nodes, make_config())
    decision = engine.schedule(PodInfo("web", requests={"cpu": 100}, labels={"app": "web"}))
    assert decision.node == 1
    plain = engine.schedule(PodInfo("api", requests={"cpu": 100}, labels={"app": "api"}))
    assert plain.node == 0  # the scores do prefer a: only the anti-affinity kept web off


def test_a_nodes_memoised_match_count_follows_binds_and_removals() -> None:
    """PodTopologySpread's per-node count (terminating pods skipped) is memoised on the
    node; adding or removing a pod must not leave a stale count behind."""
    node = _nodes()[0]
    web = PodInfo("w1", labels={"app": "web"})
    assert node_count(node, WEB, "default") == 0
    node.add_pod(web)
    assert node_count(node, WEB, "default") == 1
    node.add_pod(PodInfo("w2", labels={"app": "web"}, terminating=True))
    assert node_count(node, WEB, "default") == 1
    node.remove_pod(web)
    assert node_count(node, WEB, "default") == 0
