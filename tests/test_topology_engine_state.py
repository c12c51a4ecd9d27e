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


def test_a_class_built_before_any_affinity_term_was_bound_sees_the_first_one() -> None:
    """A class whose pods no term concerned yet keeps no InterPodAffinity sums; once a pod
    with terms is bound its cells are rebuilt, so that pod's anti-affinity repels the next
    replica (node ``a`` would win the scores otherwise: ``b`` holds a larger pod)."""
    nodes = _nodes()
    nodes[1].add_pod(PodInfo("big", requests={"cpu": 2000}))
    engine = Engine(nodes, make_config())
    web = PodInfo("web-0", requests={"cpu": 10}, labels={"app": "web"}, default_spread=WEB)
    assert engine.schedule(web).node == 0
    guard = PodInfo(
        "guard",
        requests={"cpu": 10},
        pod_affinity=PodAffinity(required_anti=(affinity_term("default", HOST, WEB),)),
    )
    assert engine.schedule(guard).node == 1  # a web pod is on a: the guard avoids it
    again = web.replica("web-1")
    assert engine.schedule(again).node == 0  # b holds the guard, which repels web pods


def test_a_topology_key_arriving_with_a_bound_pod_rebuilds_the_cells() -> None:
    """The cells separate nodes by the label values the answers read; a bound pod whose
    anti-affinity term uses a key no answer read before (``rack``) must rebuild them, or
    nodes of different racks would share one answer. The engine decides as its full scan
    (``explain``) does."""

    def run(explain: bool) -> list[int | None]:
        nodes = [
            NodeInfo(
                n,
                {"cpu": 4000, "memory": 2**33, "pods": 10},
                labels={HOST: n, "rack": rack},
                index=i,
            )
            for i, (n, rack) in enumerate((("a", "r1"), ("b", "r1"), ("c", "r2"), ("d", "r3")))
        ]
        nodes[1].add_pod(PodInfo("big", requests={"cpu": 3000}))
        nodes[3].add_pod(PodInfo("huge", requests={"cpu": 3800}))
        engine = Engine(nodes, make_config())
        db = label_selector({"app": "db"})
        marker = PodAffinity(required_anti=(affinity_term("default", HOST, db),))
        web = PodInfo("web-0", requests={"cpu": 100}, labels={"app": "web"}, default_spread=WEB)
        fence = PodAffinity(required_anti=(affinity_term("default", "rack", WEB),))
        order = [
            PodInfo("marker", requests={"cpu": 100}, pod_affinity=marker),
            web,
            PodInfo("guard", requests={"cpu": 100}, labels={"app": "web"}, pod_affinity=fence),
            web.replica("web-1"),
            web.replica("web-2"),
        ]
        return [engine.schedule(p, explain=explain).node for p in order]

    assert run(False) == run(True)
    # web-0 on c (rack r2), so the guard goes to rack r1 (a); from then on no web pod
    # may join the guard's rack r1 (a, b): web-1 and web-2 go to c and d
    assert run(False) == [0, 2, 0, 2, 3]
