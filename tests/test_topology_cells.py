"""Topology cells (:mod:`podfit.scheduler.cells`) kept from bind to bind must describe the
cluster as it is: after binds and evictions a class's sums equal sums built from scratch
and its cells are never coarser than fresh ones, and the rebuild triggers (a topology key
met for the first time, the first pod with affinity terms) and the LRU eviction of
topology classes leave the engine deciding as its full scan (``explain``) does."""

from __future__ import annotations

from podfit.scheduler.cells import TopologyClass
from podfit.scheduler.classes import ClassIndex
from podfit.scheduler.config import make_config
from podfit.scheduler.engine import Engine
from podfit.scheduler.model import NodeInfo, PodInfo
from podfit.scheduler.plugins.affinity_counts import AffinityCounts
from podfit.scheduler.plugins.spread_counts import SpreadCounts
from podfit.topology import (
    PodAffinity,
    SpreadConstraint,
    WeightedAffinityTerm,
    affinity_term,
    label_selector,
)

HOST = "kubernetes.io/hostname"
WEB = label_selector({"app": "web"})


def _sums(counts: object) -> tuple[object, ...]:
    """What a plugin's kept sums answer from (not the keys met so far, which only grow)."""
    if isinstance(counts, SpreadCounts):
        return (counts.counts, [dict(h) for h in counts.hist], counts.totals, counts.own)
    assert isinstance(counts, AffinityCounts)
    return (counts.affinity, counts.anti, counts.existing, counts.score, counts.own)


def assert_cells_equal_fresh_ones(engine: Engine) -> int:
    """Every kept topology class, synced, against one built now: equal statuses, usage
    scores and sums; each kept cell inside one fresh cell (kept cells may be finer: the
    keys met only grow); every cell's ``count`` its live nodes. Returns the classes
    checked."""
    checked = 0
    for index in list(engine.topo_classes.values()):
        topo = index.topo
        assert topo is not None
        if not topo.sync():
            continue  # the engine would rebuild it: nothing kept to compare
        index.sync()
        fresh = ClassIndex(engine, index.pod, TopologyClass(engine, index.pod))
        assert fresh.topo is not None
        assert index.status == fresh.status
        assert index.score == fresh.score
        assert [_sums(c) for c in topo.counts.values()] == [
            _sums(c) for c in fresh.topo.counts.values()
        ]
        inside: dict[int, int] = {}
        for kept, new in zip(index.group_of, fresh.group_of, strict=True):
            assert (kept is None) == (new is None)
            if kept is not None and new is not None:
                assert inside.setdefault(id(kept), id(new)) == id(new)
        for group in index.groups.values():
            live = sum(
                1 for i, g in enumerate(index.group_of) if g is group and index.score[i] >= 0
            )
            assert group.count == live
        checked += 1
    return checked


def _node(name: str, i: int, cpu: int = 2000, **labels: str) -> NodeInfo:
    return NodeInfo(
        name, {"cpu": cpu, "memory": 2**33, "pods": 20}, labels={HOST: name, **labels}, index=i
    )


def _run(nodes: list[NodeInfo], bound: list[tuple[PodInfo, int]], queue: list[PodInfo],
         explain: bool, max_classes: int = 64) -> tuple[list[int | None], Engine]:  # fmt: skip
    engine = Engine(nodes, make_config(), max_classes=max_classes)
    for pod, i in bound:
        engine.bind(pod, i)
    return [engine.schedule(p, explain=explain).node for p in queue], engine


def test_an_eviction_moves_the_node_to_the_cell_of_its_new_count() -> None:
    """A preemption victim matching a hard hostname spread constraint leaves node ``a``:
    ``a``'s own count drops from 1 to 0, so the class built before the eviction must move
    ``a`` to the cell of count 0, where it is the only node within the skew."""
    spread = (SpreadConstraint(1, HOST, "DoNotSchedule", WEB),)

    def run(explain: bool) -> tuple[list[int | None], Engine]:
        nodes = [_node(n, i) for i, n in enumerate("abc")]
        low = PodInfo("low", requests={"cpu": 1500}, labels={"app": "web"}, priority=0)
        wb = PodInfo("wb", requests={"cpu": 1000}, labels={"app": "web"}, priority=1000)
        wc = wb.respawn("wc")
        web = PodInfo(
            "web-0", requests={"cpu": 100}, labels={"app": "web"}, spread=spread, priority=100
        )
        engine = Engine(nodes, make_config())
        for pod, i in ((low, 0), (wb, 1), (wc, 2)):
            engine.bind(pod, i)
        out = [engine.schedule(web, explain=explain).node]  # b (least allocated)
        batch = PodInfo("batch", requests={"cpu": 1500}, priority=100)
        decision = engine.schedule(batch, explain=explain)  # fits nowhere: preempts low
        assert decision.node is None and decision.preemption == (0, (low,))
        engine.evict(low, 0)
        engine.bind(batch, 0)
        out.append(engine.schedule(web.replica("web-1"), explain=explain).node)
        return out, engine

    fast, engine = run(False)
    assert fast == run(True)[0] == [1, 0]  # counts a0 b2 c1 after the eviction: only a
    assert assert_cells_equal_fresh_ones(engine) == 1


def test_a_preferred_term_on_a_new_key_rebuilds_the_cells() -> None:
    """A bound pod's preferred affinity on ``rack`` selecting web pods adds a score entry
    under a key the web class's cells did not separate (they were built with affinity
    sums already: a marker's term on the hostname was bound): the cells are rebuilt and
    the next web replica joins that rack (node ``c``, though ``d`` is emptier and shares
    every other answer with ``b`` and ``c``)."""
    spread = (SpreadConstraint(5, HOST, "ScheduleAnyway", WEB),)
    likes_web = PodAffinity(
        preferred=(WeightedAffinityTerm(100, affinity_term("default", "rack", WEB)),)
    )

    def run(explain: bool) -> list[int | None]:
        nodes = [
            _node("a", 0, rack="r1"),
            _node("b", 1, rack="r2"),
            _node("c", 2, rack="r2"),
            _node("d", 3, rack="r1"),
        ]
        fan = PodInfo("fan", requests={"cpu": 100}, pod_affinity=likes_web)
        web = PodInfo("web-0", requests={"cpu": 100}, labels={"app": "web"}, spread=spread)
        engine = Engine(nodes, make_config())
        engine.bind(PodInfo("big", requests={"cpu": 600}), 1)
        engine.bind(PodInfo("mid", requests={"cpu": 300}), 2)
        db = label_selector({"app": "db"})
        marker = PodAffinity(required_anti=(affinity_term("default", HOST, db),))
        engine.bind(PodInfo("marker", pod_affinity=marker), 2)
        out = [engine.schedule(web, explain=explain).node]  # a: emptiest, first
        engine.bind(fan, 1)  # a pod with terms bound after web's cells were built
        out.append(engine.schedule(web.replica("web-1"), explain=explain).node)
        return out

    assert run(False) == run(True) == [0, 2]


def test_topology_classes_evicted_from_the_lru_are_rebuilt_from_the_cluster() -> None:
    """With room for one topology class, two spread templates used in turn evict each
    other; each is rebuilt from the cluster as it is and decides as the full scan."""
    zone = "topology.kubernetes.io/zone"
    api = label_selector({"app": "api"})

    def run(explain: bool) -> tuple[list[int | None], Engine]:
        nodes = [
            _node(n, i, **{zone: z}) for i, (n, z) in enumerate(zip("abcd", "xxyy", strict=True))
        ]
        web = PodInfo(
            "web",
            requests={"cpu": 200},
            labels={"app": "web"},
            spread=(SpreadConstraint(1, zone, "DoNotSchedule", WEB),),
        )
        other = PodInfo(
            "api",
            requests={"cpu": 300},
            labels={"app": "api"},
            spread=(SpreadConstraint(1, HOST, "DoNotSchedule", api),),
        )
        queue = [p.replica(f"{p.name}-{k}") for k in range(6) for p in (web, other)]
        return _run(nodes, [], queue, explain, max_classes=1)

    fast, engine = run(False)
    assert fast == run(True)[0]
    assert len(engine.topo_classes) == 1
    web_zones = ["xxyy"[i] for i in fast[0::2] if i is not None]
    assert web_zones.count("x") == web_zones.count("y") == 3  # maxSkew 1 on the zones
    api_nodes = fast[1::2]
    assert sorted(api_nodes.count(i) for i in range(4)) == [1, 1, 2, 2]  # maxSkew 1 per node


def test_a_soft_key_no_node_carries_is_left_out_of_score_and_one_node_keeps_it() -> None:
    """System default spreading (hostname and zone, both ScheduleAnyway): a zone no node
    carries adds nothing to any node's Score, so the class scores the hostname term alone;
    once one node carries a zone the zone term is scored again. Either way the engine
    places as its full scan (``explain``) does."""
    zone = "topology.kubernetes.io/zone"

    def run(explain: bool, zoned: bool) -> tuple[list[int | None], Engine]:
        nodes = [_node(n, i) for i, n in enumerate("abc")]
        if zoned:
            nodes[2] = _node("c", 2, **{zone: "z1"})
        web = PodInfo("web-0", requests={"cpu": 100}, labels={"app": "web"}, default_spread=WEB)
        other = PodInfo("other", requests={"cpu": 300}, labels={"app": "web"})
        return _run(nodes, [(other, 0)], [web.replica(f"web-{k}") for k in range(7)], explain)

    for zoned in (False, True):
        fast, engine = run(False, zoned)
        assert fast == run(True, zoned)[0]
        (index,) = engine.topo_classes.values()
        assert index.topo is not None
        (counts,) = index.topo.counts.values()
        assert isinstance(counts, SpreadCounts)
        assert [key for key, *_ in counts.soft_terms] == ([HOST, zone] if zoned else [HOST])


def test_pods_bound_before_the_engine_and_by_it_count_for_a_class_built_later() -> None:
    """The engine notes every labels object of a pod on its nodes (those the nodes held
    when it started and those it binds); a class whose selector matches none of them
    counts no pod without reading the nodes' pods, and one that matches counts them all."""
    nodes = [_node(n, i) for i, n in enumerate("ab")]
    nodes[0].add_pod(PodInfo("early", labels={"app": "web"}))  # before the engine
    engine = Engine(nodes, make_config())
    engine.bind(PodInfo("late", labels={"app": "web"}), 1)
    engine.bind(PodInfo("db", labels={"app": "db"}), 1)
    web = PodInfo("web-0", labels={"app": "web"}, default_spread=WEB)
    cache = label_selector({"app": "cache"})
    other = PodInfo("cache-0", labels={"app": "cache"}, default_spread=cache)
    seen = engine.topology.label_sets
    assert [c[0] for c in SpreadCounts(web, nodes, seen).own] == [1, 1]
    assert [c[0] for c in SpreadCounts(other, nodes, seen).own] == [0, 0]
    assert SpreadCounts(web, nodes, seen).own == SpreadCounts(web, nodes).own


def test_a_zone_emptied_by_an_eviction_leaves_the_sums_as_fresh_ones() -> None:
    """System default spreading counts web pods per zone; evicting the only web pod of
    zone z1 brings its total to 0, and the kept sums must equal sums built now (a domain
    with no pod has no entry in either)."""
    zone = "topology.kubernetes.io/zone"
    nodes = [_node(n, i, **{zone: f"z{i % 2}"}) for i, n in enumerate("abcd")]
    engine = Engine(nodes, make_config())
    lone = PodInfo("lone", requests={"cpu": 100}, labels={"app": "web"})
    engine.bind(lone, 1)  # z1
    web = PodInfo("web-0", requests={"cpu": 100}, labels={"app": "web"}, default_spread=WEB)
    engine.schedule(web)  # builds the class with z1's total at 1
    engine.evict(lone, 1)
    assert assert_cells_equal_fresh_ones(engine) == 1
